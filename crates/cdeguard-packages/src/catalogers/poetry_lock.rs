//! `poetry.lock` (lock-version 1.x and 2.x): every `[[package]]`.

use cdeguard_model::{Ecosystem, Package};
use serde::Deserialize;

use super::{Cataloger, lang_package, toml};
use crate::{CatalogError, Context, FileMeta};

pub(crate) struct PoetryLock;

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<LockedPackage>,
}

#[derive(Deserialize)]
pub(super) struct LockedPackage {
    pub(super) name: String,
    #[serde(default)]
    pub(super) version: String,
}

impl Cataloger for PoetryLock {
    fn id(&self) -> &'static str {
        "poetry-lock"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, file: &FileMeta<'_>) -> bool {
        file.name() == "poetry.lock"
    }
    fn catalog(
        &self,
        path: &str,
        bytes: &[u8],
        _ctx: &Context<'_>,
    ) -> Result<Vec<Package>, CatalogError> {
        let lock: Lock = toml(path, bytes)?;
        Ok(lock
            .package
            .iter()
            .filter(|p| !p.version.is_empty())
            .map(|p| lang_package(Ecosystem::PyPI, &p.name, &p.version, path))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages_and_errors() {
        let text = b"[[package]]\nname = \"numpy\"\nversion = \"1.23.3\"\n\n[metadata]\nlock-version = \"2.0\"\n";
        let p = PoetryLock
            .catalog("poetry.lock", text, &Context::default())
            .unwrap();
        assert_eq!(
            (p[0].name.as_str(), p[0].version.as_str()),
            ("numpy", "1.23.3")
        );
        let err = PoetryLock
            .catalog("poetry.lock", b"[[package]\nname=1\n", &Context::default())
            .unwrap_err();
        assert_eq!(err.line, Some(1));
    }
}
