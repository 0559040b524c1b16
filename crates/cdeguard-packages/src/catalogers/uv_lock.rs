//! `uv.lock`: every `[[package]]` except the project itself and workspace members
//! (`source = { virtual | editable = ... }`).

use cdeguard_model::{Ecosystem, Package};
use serde::Deserialize;

use super::{Cataloger, lang_package, toml};
use crate::{CatalogError, Context, FileMeta};

pub(crate) struct UvLock;

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<LockedPackage>,
}

#[derive(Deserialize)]
struct LockedPackage {
    name: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    source: std::collections::BTreeMap<String, ::toml::Value>,
}

impl Cataloger for UvLock {
    fn id(&self) -> &'static str {
        "uv-lock"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, file: &FileMeta<'_>) -> bool {
        file.name() == "uv.lock"
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
            .filter(|p| {
                !p.version.is_empty()
                    && !p.source.contains_key("virtual")
                    && !p.source.contains_key("editable")
            })
            .map(|p| lang_package(Ecosystem::PyPI, &p.name, &p.version, path))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_the_project() {
        let text = b"version = 1\n[[package]]\nname = \"emoji\"\nversion = \"2.14.0\"\nsource = { registry = \"https://pypi.org/simple\" }\n[[package]]\nname = \"me\"\nversion = \"0.1.0\"\nsource = { virtual = \".\" }\n";
        let p = UvLock
            .catalog("uv.lock", text, &Context::default())
            .unwrap();
        assert_eq!(
            p.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
            ["emoji"]
        );
    }
}
