//! `Pipfile.lock`: `default` and `develop` sections, versions `==x.y` (entries without
//! a version, e.g. VCS checkouts, are left out).

use std::collections::BTreeMap;

use cdeguard_model::{Ecosystem, Package};
use serde::Deserialize;

use super::{Cataloger, json, lang_package};
use crate::{CatalogError, Context, FileMeta};

pub(crate) struct PipfileLock;

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    default: BTreeMap<String, Entry>,
    #[serde(default)]
    develop: BTreeMap<String, Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    version: Option<String>,
}

impl Cataloger for PipfileLock {
    fn id(&self) -> &'static str {
        "pipfile-lock"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, file: &FileMeta<'_>) -> bool {
        file.name() == "Pipfile.lock"
    }
    fn catalog(
        &self,
        path: &str,
        bytes: &[u8],
        _ctx: &Context<'_>,
    ) -> Result<Vec<Package>, CatalogError> {
        let lock: Lock = json(path, bytes)?;
        let mut seen = std::collections::BTreeSet::new();
        let mut packages = Vec::new();
        for (name, entry) in lock.default.iter().chain(&lock.develop) {
            let Some(version) = entry.version.as_deref().and_then(|v| v.strip_prefix("==")) else {
                continue;
            };
            if seen.insert((name, version)) {
                packages.push(lang_package(Ecosystem::PyPI, name, version, path));
            }
        }
        Ok(packages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sections() {
        let text = br#"{"default": {"a": {"version": "==1.0"}, "git": {"git": "x"}}, "develop": {"b": {"version": "==2.0"}}}"#;
        let p = PipfileLock
            .catalog("Pipfile.lock", text, &Context::default())
            .unwrap();
        assert_eq!(
            p.iter()
                .map(|p| (p.name.as_str(), p.version.as_str()))
                .collect::<Vec<_>>(),
            [("a", "1.0"), ("b", "2.0")]
        );
        assert!(
            PipfileLock
                .catalog("Pipfile.lock", b"{", &Context::default())
                .is_err()
        );
    }
}
