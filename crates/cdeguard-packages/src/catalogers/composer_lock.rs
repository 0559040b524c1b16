//! `composer.lock`: `packages` and `packages-dev`, with declared licences.

use cdeguard_model::{Ecosystem, Package};
use serde::Deserialize;

use super::{Cataloger, json, lang_package};
use crate::{CatalogError, Context, FileMeta};

pub(crate) struct ComposerLock;

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    packages: Vec<Entry>,
    #[serde(default, rename = "packages-dev")]
    packages_dev: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    name: String,
    version: String,
    #[serde(default)]
    license: Vec<String>,
}

impl Cataloger for ComposerLock {
    fn id(&self) -> &'static str {
        "composer-lock"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, file: &FileMeta<'_>) -> bool {
        file.name() == "composer.lock"
    }
    fn catalog(
        &self,
        path: &str,
        bytes: &[u8],
        _ctx: &Context<'_>,
    ) -> Result<Vec<Package>, CatalogError> {
        let lock: Lock = json(path, bytes)?;
        Ok(lock
            .packages
            .iter()
            .chain(&lock.packages_dev)
            .map(|e| {
                let mut p = lang_package(Ecosystem::Packagist, &e.name, &e.version, path);
                p.licenses.clone_from(&e.license);
                p
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sections() {
        let text = br#"{"packages": [{"name": "sentry/sdk", "version": "2.0.4", "license": ["MIT"]}], "packages-dev": [{"name": "a/b", "version": "1.0"}]}"#;
        let p = ComposerLock
            .catalog("composer.lock", text, &Context::default())
            .unwrap();
        assert_eq!(
            (p.len(), p[0].purl.as_str()),
            (2, "pkg:composer/sentry/sdk@2.0.4")
        );
    }
}
