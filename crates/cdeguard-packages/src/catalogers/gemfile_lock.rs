//! `Gemfile.lock`: the `specs:` of the `GEM`, `GIT` and `PATH` sections (gems at four
//! spaces of indentation; their dependencies, at six, are listed as gems themselves).
//! A platform suffix (`1.13.10-x86_64-linux`) is not part of the version.

use cdeguard_model::{Ecosystem, Package};

use super::{Cataloger, lang_package};
use crate::text::utf8;
use crate::{CatalogError, Context, FileMeta};

pub(crate) struct GemfileLock;

impl Cataloger for GemfileLock {
    fn id(&self) -> &'static str {
        "gemfile-lock"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, file: &FileMeta<'_>) -> bool {
        matches!(file.name(), "Gemfile.lock" | "gems.locked")
    }
    fn catalog(
        &self,
        path: &str,
        bytes: &[u8],
        _ctx: &Context<'_>,
    ) -> Result<Vec<Package>, CatalogError> {
        let text = utf8(path, bytes)?;
        let mut packages = Vec::new();
        let mut section = "";
        let mut in_specs = false;
        for (index, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if !line.starts_with(' ') && !line.is_empty() {
                section = line.trim();
                in_specs = false;
                continue;
            }
            if !matches!(section, "GEM" | "GIT" | "PATH") {
                continue;
            }
            if line.trim() == "specs:" {
                in_specs = true;
                continue;
            }
            let Some(spec) = line
                .strip_prefix("    ")
                .filter(|s| in_specs && !s.starts_with(' '))
            else {
                continue;
            };
            let Some((name, rest)) = spec.split_once(" (") else {
                return Err(CatalogError::new(
                    path,
                    u32::try_from(index + 1).ok(),
                    format!("expected `name (version)`, found `{spec}`"),
                ));
            };
            let version = rest.trim_end_matches(')');
            let version = version.split('-').next().unwrap_or(version);
            packages.push(lang_package(Ecosystem::RubyGems, name, version, path));
        }
        Ok(packages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections() {
        let text = "GIT\n  remote: x\n  specs:\n    hanami-utils (2.0.0.alpha1)\n      rack (~> 2.0)\n\nGEM\n  remote: https://rubygems.org/\n  specs:\n    nokogiri (1.13.10-x86_64-linux)\n    rack (2.2.3)\n\nPLATFORMS\n  x86_64-linux\n\nDEPENDENCIES\n  rack\n";
        let p = GemfileLock
            .catalog("Gemfile.lock", text.as_bytes(), &Context::default())
            .unwrap();
        let got: Vec<_> = p
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("hanami-utils", "2.0.0.alpha1"),
                ("nokogiri", "1.13.10"),
                ("rack", "2.2.3")
            ]
        );
        assert!(
            GemfileLock
                .catalog(
                    "Gemfile.lock",
                    b"GEM\n  specs:\n    broken\n",
                    &Context::default()
                )
                .is_err()
        );
    }
}
