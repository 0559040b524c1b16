//! `package-lock.json` and `npm-shrinkwrap.json`, lockfile versions 1 (nested
//! `dependencies`) and 2/3 (flat `packages` keyed by `node_modules/...` path). Aliases
//! (`"x": {"name": "real"}`, `npm:real@1.0.0`) resolve to the real package; the root
//! project is listed when it has a name and version; workspace links and `file:`
//! dependencies are left out.

use std::collections::{BTreeMap, BTreeSet};

use cdeguard_model::{Ecosystem, Package};
use serde::Deserialize;

use super::{Cataloger, in_node_modules, json, lang_package};
use crate::{CatalogError, Context, FileMeta};

pub(crate) struct NpmLock;

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    packages: Option<BTreeMap<String, PackagesEntry>>,
    #[serde(default)]
    dependencies: Option<BTreeMap<String, V1Entry>>,
}

/// An entry of lockfile v2/v3 `packages` (its `dependencies` are version ranges).
#[derive(Deserialize, Default)]
#[serde(default)]
struct PackagesEntry {
    name: Option<String>,
    version: Option<String>,
    link: bool,
}

/// An entry of lockfile v1 `dependencies`, nested.
#[derive(Deserialize, Default)]
#[serde(default)]
struct V1Entry {
    version: Option<String>,
    dependencies: Option<BTreeMap<String, V1Entry>>,
}

/// Maximum nesting of lockfile v1 `dependencies`.
const MAX_DEPTH: usize = 64;

impl Cataloger for NpmLock {
    fn id(&self) -> &'static str {
        "npm-lock"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, file: &FileMeta<'_>) -> bool {
        matches!(file.name(), "package-lock.json" | "npm-shrinkwrap.json")
            && !in_node_modules(file.path)
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
        let lock: Lock = json(path, bytes)?;
        let mut found = BTreeSet::new();
        if let Some(packages) = &lock.packages {
            for (key, entry) in packages {
                if entry.link {
                    continue;
                }
                // The root project (`""`) is listed under its own name; workspace folders
                // (keys without `node_modules/`) are not packages.
                let key_name = match key.rfind("node_modules/") {
                    Some(idx) => &key[idx + "node_modules/".len()..],
                    None if key.is_empty() => "",
                    None => continue,
                };
                let Some(name) = entry
                    .name
                    .as_deref()
                    .or(Some(key_name))
                    .filter(|n| !n.is_empty())
                else {
                    continue;
                };
                add(&mut found, name, entry.version.as_deref());
            }
        } else if let Some(deps) = &lock.dependencies {
            walk_v1(deps, 0, &mut found);
        }
        Ok(found
            .into_iter()
            .map(|(name, version)| lang_package(Ecosystem::Npm, &name, &version, path))
            .collect())
    }
}

fn walk_v1(deps: &BTreeMap<String, V1Entry>, depth: usize, found: &mut BTreeSet<(String, String)>) {
    if depth > MAX_DEPTH {
        return;
    }
    for (name, entry) in deps {
        add(found, name, entry.version.as_deref());
        if let Some(nested) = &entry.dependencies {
            walk_v1(nested, depth + 1, found);
        }
    }
}

fn add(found: &mut BTreeSet<(String, String)>, name: &str, version: Option<&str>) {
    let Some(version) = version.filter(|v| !v.is_empty()) else {
        return;
    };
    let (name, version) = match version
        .strip_prefix("npm:")
        .and_then(|alias| alias.rsplit_once('@'))
    {
        Some((real, v)) if !real.is_empty() => (real, v),
        _ => (name, version),
    };
    if version.starts_with("file:") || version.starts_with("link:") || version.contains("://") {
        return;
    }
    found.insert((name.to_owned(), version.to_owned()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<(String, String)> {
        NpmLock
            .catalog("package-lock.json", text.as_bytes(), &Context::default())
            .unwrap()
            .into_iter()
            .map(|p| (p.name, p.version))
            .collect()
    }

    #[test]
    fn v2_packages_and_aliases() {
        let text = r#"{"lockfileVersion": 2, "packages": {"": {"name": "me", "version": "0.1.0"}, "node_modules/a": {"version": "1.0.0", "dependencies": {"b": "^2"}},
          "node_modules/x-cjs": {"name": "x", "version": "4.2.0"}, "node_modules/a/node_modules/@s/b": {"version": "2.0.0"},
          "packages/ws": {"version": "1.0.0"}, "node_modules/ws": {"link": true, "resolved": "packages/ws"}}}"#;
        assert_eq!(
            names(text),
            [
                ("@s/b".into(), "2.0.0".into()),
                ("a".into(), "1.0.0".into()),
                ("me".into(), "0.1.0".into()),
                ("x".into(), "4.2.0".into())
            ]
        );
    }

    #[test]
    fn v1_nested() {
        let text = r#"{"lockfileVersion": 1, "dependencies": {"a": {"version": "1.0.0", "dependencies": {"b": {"version": "npm:real@2.0.0"}}}, "l": {"version": "file:../l"}}}"#;
        assert_eq!(
            names(text),
            [
                ("a".into(), "1.0.0".into()),
                ("real".into(), "2.0.0".into())
            ]
        );
    }
}
