//! Rust binaries built with `cargo auditable`: the zlib-compressed JSON dependency list
//! in the `.dep-v0` section (every crate except the ones of kind `build`).

use std::borrow::Cow;
use std::io::Read as _;

use cdeguard_model::{Ecosystem, Package};
use serde::Deserialize;

use super::binary::{is_executable_candidate, section, tagged, untag};
use super::{Cataloger, lang_package};
use crate::{CatalogError, Context, FileMeta};

pub(crate) struct CargoAuditable;

/// Where `cargo auditable` puts its zlib-compressed dependency list (ELF/PE, Mach-O).
const SECTIONS: &[&str] = &[".dep-v0", "dep-v0"];

const TAG: &str = "cdeguard-cargo-auditable-v1";
/// Inflated size limit of the dependency list.
const MAX_JSON: u64 = 8 * 1024 * 1024;

#[derive(Deserialize)]
struct Audit {
    packages: Vec<AuditPackage>,
}

#[derive(Deserialize)]
struct AuditPackage {
    name: String,
    version: String,
    #[serde(default)]
    kind: Option<String>,
}

impl Cataloger for CargoAuditable {
    fn id(&self) -> &'static str {
        "cargo-auditable"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, file: &FileMeta<'_>) -> bool {
        is_executable_candidate(file)
    }
    fn max_size(&self) -> u64 {
        512 * 1024 * 1024
    }
    fn sections(&self) -> Option<&'static [&'static str]> {
        Some(SECTIONS)
    }
    fn reduce<'a>(&self, bytes: &'a [u8]) -> Option<Cow<'a, [u8]>> {
        let compressed = section(bytes, SECTIONS)?;
        let mut json = Vec::new();
        flate2::read::ZlibDecoder::new(&compressed[..])
            .take(MAX_JSON)
            .read_to_end(&mut json)
            .ok()?;
        Some(Cow::Owned(tagged(TAG, &json)))
    }
    fn catalog(
        &self,
        path: &str,
        bytes: &[u8],
        _ctx: &Context<'_>,
    ) -> Result<Vec<Package>, CatalogError> {
        let Some(json) = untag(TAG, bytes) else {
            return Ok(Vec::new());
        };
        let audit: Audit = super::json(path, json)?;
        Ok(audit
            .packages
            .iter()
            .filter(|p| p.kind.as_deref() != Some("build"))
            .map(|p| lang_package(Ecosystem::CratesIo, &p.name, &p.version, path))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependency_list() {
        let json = br#"{"packages": [{"name": "app", "version": "0.1.0", "source": "local", "root": true}, {"name": "cc", "version": "1.0.0", "kind": "build"}, {"name": "serde", "version": "1.0.200"}]}"#;
        let p = CargoAuditable
            .catalog("/usr/bin/app", &tagged(TAG, json), &Context::default())
            .unwrap();
        assert_eq!(
            p.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
            ["app", "serde"]
        );
        assert!(
            CargoAuditable
                .catalog("/usr/bin/app", &tagged(TAG, b"{"), &Context::default())
                .is_err()
        );
        assert!(CargoAuditable.reduce(&[0; 2048]).is_none());
    }
}
