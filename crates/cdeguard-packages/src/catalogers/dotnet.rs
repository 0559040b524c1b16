//! .NET: `*.deps.json` (runtime dependency manifests next to published apps; every
//! library, the app's own `project` entries included, as osv-scalibr does) and NuGet `packages.lock.json` (resolved versions per framework,
//! project references left out).

use std::collections::{BTreeMap, BTreeSet};

use cdeguard_model::{Ecosystem, Package};
use serde::Deserialize;

use super::{Cataloger, json, lang_package};
use crate::{CatalogError, Context, FileMeta};

pub(crate) struct DepsJson;
pub(crate) struct PackagesLock;

#[derive(Deserialize)]
struct Deps {
    #[serde(default)]
    libraries: BTreeMap<String, Library>,
}

#[derive(Deserialize)]
struct Library {
    #[serde(rename = "type", default)]
    kind: String,
}

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    dependencies: BTreeMap<String, BTreeMap<String, Locked>>,
}

#[derive(Deserialize)]
struct Locked {
    #[serde(rename = "type", default)]
    kind: String,
    resolved: Option<String>,
}

impl Cataloger for DepsJson {
    fn id(&self) -> &'static str {
        "dotnet-deps-json"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, file: &FileMeta<'_>) -> bool {
        file.name().ends_with(".deps.json")
    }
    fn catalog(
        &self,
        path: &str,
        bytes: &[u8],
        _ctx: &Context<'_>,
    ) -> Result<Vec<Package>, CatalogError> {
        let deps: Deps = json(path, bytes)?;
        Ok(deps
            .libraries
            .iter()
            .filter(|(_, lib)| matches!(lib.kind.as_str(), "package" | "project"))
            .filter_map(|(key, _)| key.split_once('/'))
            .filter(|(name, version)| !name.is_empty() && !version.is_empty())
            .map(|(name, version)| lang_package(Ecosystem::NuGet, name, version, path))
            .collect())
    }
}

impl Cataloger for PackagesLock {
    fn id(&self) -> &'static str {
        "nuget-packages-lock"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, file: &FileMeta<'_>) -> bool {
        file.name() == "packages.lock.json"
    }
    fn catalog(
        &self,
        path: &str,
        bytes: &[u8],
        _ctx: &Context<'_>,
    ) -> Result<Vec<Package>, CatalogError> {
        let lock: Lock = json(path, bytes)?;
        let found: BTreeSet<(&str, &str)> = lock
            .dependencies
            .values()
            .flatten()
            .filter(|(_, l)| l.kind != "Project")
            .filter_map(|(name, l)| Some((name.as_str(), l.resolved.as_deref()?)))
            .collect();
        Ok(found
            .into_iter()
            .map(|(name, version)| lang_package(Ecosystem::NuGet, name, version, path))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deps_json_packages_and_projects() {
        let text = br#"{"libraries": {"TestLibrary/1.0.0": {"type": "project"}, "Newtonsoft.Json/13.0.1": {"type": "package"}, "X/1.0": {"type": "reference"}}}"#;
        let p = DepsJson
            .catalog("app.deps.json", text, &Context::default())
            .unwrap();
        assert_eq!(
            p.iter().map(|p| p.purl.as_str()).collect::<Vec<_>>(),
            [
                "pkg:nuget/Newtonsoft.Json@13.0.1",
                "pkg:nuget/TestLibrary@1.0.0"
            ]
        );
    }

    #[test]
    fn packages_lock_dedups_frameworks() {
        let text = br#"{"version": 1, "dependencies": {"net6.0": {"A": {"type": "Direct", "resolved": "1.0.0"}, "P": {"type": "Project"}}, "net7.0": {"A": {"type": "Direct", "resolved": "1.0.0"}}}}"#;
        let p = PackagesLock
            .catalog("packages.lock.json", text, &Context::default())
            .unwrap();
        assert_eq!(p.len(), 1);
    }
}
