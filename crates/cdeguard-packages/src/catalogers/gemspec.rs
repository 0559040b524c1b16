//! Installed gems: `specifications/*.gemspec` stubs written by RubyGems, read from their
//! literal `s.name = "x"` / `s.version = "y"` (and `s.licenses`) assignments. Gemspecs
//! computing their version in Ruby are not evaluated.

use cdeguard_model::{Ecosystem, Package};

use super::{Cataloger, lang_package};
use crate::{CatalogError, Context, FileMeta};

pub(crate) struct Gemspec;

impl Cataloger for Gemspec {
    fn id(&self) -> &'static str {
        "gemspec"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, file: &FileMeta<'_>) -> bool {
        file.name().ends_with(".gemspec") && file.path.contains("/specifications/")
    }
    fn max_size(&self) -> u64 {
        1024 * 1024
    }
    fn catalog(
        &self,
        path: &str,
        bytes: &[u8],
        _ctx: &Context<'_>,
    ) -> Result<Vec<Package>, CatalogError> {
        let text = String::from_utf8_lossy(bytes);
        let mut name = None;
        let mut version = None;
        let mut licenses = Vec::new();
        for line in text.lines() {
            let Some((lhs, rhs)) = line.trim().split_once('=') else {
                continue;
            };
            let Some(field) = lhs.trim().split_once('.').map(|(_, f)| f.trim()) else {
                continue;
            };
            match field {
                "name" => name = literal(rhs),
                "version" => version = literal(rhs),
                "licenses" | "license" => licenses = rhs.split(',').filter_map(literal).collect(),
                _ => {}
            }
        }
        match (name, version) {
            (Some(name), Some(version)) => {
                let mut p = lang_package(Ecosystem::RubyGems, &name, &version, path);
                p.licenses = licenses;
                Ok(vec![p])
            }
            _ => Err(CatalogError::new(
                path,
                None,
                "no literal s.name and s.version",
            )),
        }
    }
}

/// The first double- or single-quoted string of an expression.
fn literal(expr: &str) -> Option<String> {
    let start = expr.find(['"', '\''])?;
    let quote = expr[start..].chars().next()?;
    let rest = &expr[start + 1..];
    let end = rest.find(quote)?;
    Some(rest[..end].to_owned()).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stub_gemspec() {
        let text = b"Gem::Specification.new do |s|\n  s.name = \"rss\".freeze\n  s.version = \"0.2.9\"\n  s.licenses = [\"BSD-2-Clause\".freeze]\nend\n";
        let p = Gemspec
            .catalog(
                "/usr/lib/ruby/gems/3.1.0/specifications/rss-0.2.9.gemspec",
                text,
                &Context::default(),
            )
            .unwrap();
        assert_eq!(
            (p[0].name.as_str(), p[0].version.as_str()),
            ("rss", "0.2.9")
        );
        assert_eq!(p[0].licenses, ["BSD-2-Clause"]);
        assert!(
            Gemspec
                .catalog(
                    "x.gemspec",
                    b"Gem::Specif\n  s.name =\n",
                    &Context::default()
                )
                .is_err()
        );
    }
}
