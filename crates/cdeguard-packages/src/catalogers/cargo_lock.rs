//! `Cargo.lock` (all format versions): every `[[package]]`.

use cdeguard_model::{Ecosystem, Package};
use serde::Deserialize;

use super::{Cataloger, lang_package, toml};
use crate::{CatalogError, Context, FileMeta};

pub(crate) struct CargoLock;

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<super::poetry_lock::LockedPackage>,
}

impl Cataloger for CargoLock {
    fn id(&self) -> &'static str {
        "cargo-lock"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, file: &FileMeta<'_>) -> bool {
        file.name() == "Cargo.lock"
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
            .map(|p| lang_package(Ecosystem::CratesIo, &p.name, &p.version, path))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages() {
        let text = b"version = 4\n[[package]]\nname = \"serde\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";
        let p = CargoLock
            .catalog("Cargo.lock", text, &Context::default())
            .unwrap();
        assert_eq!(p[0].purl, "pkg:cargo/serde@1.0.0");
    }
}
