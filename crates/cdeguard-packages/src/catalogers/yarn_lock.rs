//! `yarn.lock`, classic (v1, `version "x"`) and berry (v2+, YAML with `version: x` and
//! `resolution: "name@npm:x"`). Both share the layout "unindented specifier line, then
//! indented fields", so one line parser reads both (a YAML parser would turn versions
//! like `1.10` into numbers). Workspace and linked entries are left out.

use std::collections::BTreeSet;

use cdeguard_model::{Ecosystem, Package};

use super::{Cataloger, in_node_modules, lang_package};
use crate::text::utf8;
use crate::{CatalogError, Context, FileMeta};

pub(crate) struct YarnLock;

impl Cataloger for YarnLock {
    fn id(&self) -> &'static str {
        "yarn-lock"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, file: &FileMeta<'_>) -> bool {
        file.name() == "yarn.lock" && !in_node_modules(file.path)
    }
    fn max_size(&self) -> u64 {
        128 * 1024 * 1024
    }
    fn catalog(
        &self,
        path: &str,
        bytes: &[u8],
        _ctx: &Context<'_>,
    ) -> Result<Vec<Package>, CatalogError> {
        let text = utf8(path, bytes)?;
        let mut found = BTreeSet::new();
        let mut current: Option<Block<'_>> = None;
        for (index, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            if !line.starts_with(' ') {
                if let Some(block) = current.take() {
                    block.finish(&mut found);
                }
                let Some(spec) = line.strip_suffix(':') else {
                    return Err(CatalogError::new(
                        path,
                        u32::try_from(index + 1).ok(),
                        "expected a `specifier:` line",
                    ));
                };
                current = Some(Block {
                    spec,
                    version: None,
                    resolution: None,
                });
                continue;
            }
            let Some(block) = current.as_mut() else {
                continue;
            };
            // Only fields directly under the specifier (two spaces), not nested maps.
            let Some(field) = line.strip_prefix("  ").filter(|f| !f.starts_with(' ')) else {
                continue;
            };
            let (key, value) = field
                .split_once(": ")
                .or_else(|| field.split_once(' '))
                .unwrap_or((field, ""));
            let value = value.trim().trim_matches('"');
            match key.trim_end_matches(':') {
                "version" => block.version = Some(value),
                "resolution" => block.resolution = Some(value),
                _ => {}
            }
        }
        if let Some(block) = current {
            block.finish(&mut found);
        }
        Ok(found
            .into_iter()
            .map(|(name, version)| lang_package(Ecosystem::Npm, &name, &version, path))
            .collect())
    }
}

struct Block<'a> {
    spec: &'a str,
    version: Option<&'a str>,
    resolution: Option<&'a str>,
}

impl Block<'_> {
    fn finish(self, found: &mut BTreeSet<(String, String)>) {
        if self.spec == "__metadata" {
            return;
        }
        let Some(version) = self.version.filter(|v| !v.is_empty()) else {
            return;
        };
        // Berry: the resolution names the real package (`@babel/x@npm:7.22.20`).
        let descriptor = self.resolution.unwrap_or_else(|| {
            self.spec
                .split(", ")
                .next()
                .unwrap_or(self.spec)
                .trim_matches('"')
        });
        if ["@workspace:", "@link:", "@portal:", "@file:"]
            .iter()
            .any(|p| descriptor.contains(p))
            || version.ends_with("-use.local")
        {
            return;
        }
        found.insert((package_name(descriptor).to_owned(), version.to_owned()));
    }
}

/// The package name of a descriptor: `alias@npm:real@^1` -> `real`, `@s/x@^1` -> `@s/x`.
fn package_name(descriptor: &str) -> &str {
    let descriptor = descriptor.trim_matches('"');
    let descriptor = match descriptor.find("@npm:") {
        Some(at)
            if !descriptor[at + 5..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit() || "^~<>=*".contains(c)) =>
        {
            &descriptor[at + 5..]
        }
        _ => descriptor,
    };
    let search_from = usize::from(descriptor.starts_with('@'));
    match descriptor[search_from..].find('@') {
        Some(at) => &descriptor[..at + search_from],
        None => descriptor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Vec<(String, String)> {
        YarnLock
            .catalog("yarn.lock", text.as_bytes(), &Context::default())
            .unwrap()
            .into_iter()
            .map(|p| (p.name, p.version))
            .collect()
    }

    #[test]
    fn classic_with_aliases() {
        let text = "# yarn lockfile v1\n\n\"ansi-regex-cjs@npm:ansi-regex@^5.0.0\":\n  version \"5.0.1\"\n\n\"@babel/code-frame@^7.0.0\", \"@babel/code-frame@^7.10.4\":\n  version \"7.12.13\"\n  dependencies:\n    version \"9\"\n";
        assert_eq!(
            run(text),
            [
                ("@babel/code-frame".into(), "7.12.13".into()),
                ("ansi-regex".into(), "5.0.1".into())
            ]
        );
    }

    #[test]
    fn berry_with_resolution_and_workspace() {
        let text = "__metadata:\n  version: 8\n\n\"babel-hvi@npm:@babel/helper-validator-identifier@^7.0.0\":\n  version: 7.22.20\n  resolution: \"@babel/helper-validator-identifier@npm:7.22.20\"\n\n\"mine@workspace:.\":\n  version: 0.0.0-use.local\n  resolution: \"mine@workspace:.\"\n";
        assert_eq!(
            run(text),
            [(
                "@babel/helper-validator-identifier".into(),
                "7.22.20".into()
            )]
        );
        assert!(
            YarnLock
                .catalog("yarn.lock", b"garbage\n", &Context::default())
                .is_err()
        );
    }
}
