//! Installed Node packages: `node_modules/<name>/package.json` and
//! `node_modules/@scope/<name>/package.json`, with their declared licence.

use cdeguard_model::{Ecosystem, Package};
use serde::Deserialize;

use super::{Cataloger, json, lang_package};
use crate::{CatalogError, Context, FileMeta};

pub(crate) struct NodeInstalled;

#[derive(Deserialize)]
struct Manifest {
    name: Option<String>,
    version: Option<String>,
    license: Option<serde_json::Value>,
}

impl Cataloger for NodeInstalled {
    fn id(&self) -> &'static str {
        "node-installed"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, file: &FileMeta<'_>) -> bool {
        let Some(dir) = file.path.strip_suffix("/package.json") else {
            return false;
        };
        let mut parts = dir.rsplit('/');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(_), Some("node_modules"), _) => true,
            (Some(_), Some(scope), Some("node_modules")) => scope.starts_with('@'),
            _ => false,
        }
    }
    fn max_size(&self) -> u64 {
        4 * 1024 * 1024
    }
    fn catalog(
        &self,
        path: &str,
        bytes: &[u8],
        _ctx: &Context<'_>,
    ) -> Result<Vec<Package>, CatalogError> {
        let manifest: Manifest = json(path, bytes)?;
        let (Some(name), Some(version)) = (manifest.name, manifest.version) else {
            return Ok(Vec::new());
        };
        let mut p = lang_package(Ecosystem::Npm, &name, &version, path);
        p.licenses = match manifest.license {
            Some(serde_json::Value::String(s)) => vec![s],
            Some(serde_json::Value::Object(o)) => o
                .get("type")
                .and_then(|t| t.as_str())
                .map(|t| vec![t.to_owned()])
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        Ok(vec![p])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installed_manifests() {
        let meta = |path| FileMeta {
            path,
            mode: 0o644,
            size: 1,
        };
        assert!(NodeInstalled.required(&meta("/app/node_modules/express/package.json")));
        assert!(NodeInstalled.required(&meta("/app/node_modules/@types/node/package.json")));
        assert!(!NodeInstalled.required(&meta("/app/package.json")));
        assert!(!NodeInstalled.required(&meta("/app/node_modules/express/lib/package.json")));
        let p = NodeInstalled
            .catalog(
                "/a/node_modules/x/package.json",
                br#"{"name":"x","version":"1.0.0","license":{"type":"MIT"}}"#,
                &Context::default(),
            )
            .unwrap();
        assert_eq!(p[0].licenses, ["MIT"]);
        assert!(
            NodeInstalled
                .catalog("p", br#"{"name":"x"}"#, &Context::default())
                .unwrap()
                .is_empty()
        );
    }
}
