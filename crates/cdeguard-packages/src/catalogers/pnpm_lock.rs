//! `pnpm-lock.yaml` (lockfile 5.x, 6.x, 9.x): the keys of `packages`
//! (`/name/1.0.0_peer`, `/name@1.0.0(peer)`, `name@1.0.0`). Tarball and git keys whose
//! version is not a version are left out.

use std::collections::{BTreeMap, BTreeSet};

use cdeguard_model::{Ecosystem, Package};
use serde::Deserialize;

use super::{Cataloger, in_node_modules, lang_package, yaml};
use crate::{CatalogError, Context, FileMeta};

pub(crate) struct PnpmLock;

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    packages: Option<BTreeMap<String, serde::de::IgnoredAny>>,
}

impl Cataloger for PnpmLock {
    fn id(&self) -> &'static str {
        "pnpm-lock"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, file: &FileMeta<'_>) -> bool {
        file.name() == "pnpm-lock.yaml" && !in_node_modules(file.path)
    }
    fn catalog(
        &self,
        path: &str,
        bytes: &[u8],
        _ctx: &Context<'_>,
    ) -> Result<Vec<Package>, CatalogError> {
        let lock: Option<Lock> = yaml(path, bytes)?;
        let keys = lock.and_then(|l| l.packages).unwrap_or_default();
        let found: BTreeSet<(&str, &str)> = keys.keys().filter_map(|k| split_key(k)).collect();
        Ok(found
            .into_iter()
            .map(|(name, version)| lang_package(Ecosystem::Npm, name, version, path))
            .collect())
    }
}

/// `/@s/x/1.0.0_peer@2` | `/@s/x@1.0.0(peer@2)` | `@s/x@1.0.0` -> (`@s/x`, `1.0.0`).
fn split_key(key: &str) -> Option<(&str, &str)> {
    let key = key.strip_prefix('/').unwrap_or(key);
    let key = key.split('(').next()?;
    // Lockfile 5: `name/version` or `@scope/name/version`, then `_peer` suffixes.
    let segments = if key.starts_with('@') { 2 } else { 1 };
    let mut cut = key.match_indices('/').map(|(i, _)| i);
    if let Some(slash) = cut.nth(segments - 1)
        && !key[..slash].contains('@') | key.starts_with('@')
        && !key[1..slash].contains('@')
        && key[slash + 1..].starts_with(|c: char| c.is_ascii_digit())
    {
        let version = key[slash + 1..].split('_').next()?;
        return Some((&key[..slash], version));
    }
    let search_from = usize::from(key.starts_with('@'));
    let at = key[search_from..].find('@')? + search_from;
    let (name, version) = (&key[..at], &key[at + 1..]);
    (!name.is_empty() && version.starts_with(|c: char| c.is_ascii_digit()))
        .then_some((name, version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_forms() {
        assert_eq!(split_key("/acorn/8.7.0"), Some(("acorn", "8.7.0")));
        assert_eq!(
            split_key("/@typescript-eslint/parser/5.62.0_eslint@8.57.0"),
            Some(("@typescript-eslint/parser", "5.62.0"))
        );
        assert_eq!(split_key("/@s/x@1.0.0(peer@2)"), Some(("@s/x", "1.0.0")));
        assert_eq!(split_key("@s/x@1.0.0(a@1)(b@2)"), Some(("@s/x", "1.0.0")));
        assert_eq!(split_key("github.com/a/b/abc123"), None);
        let text = b"lockfileVersion: '9.0'\npackages:\n  'acorn@8.7.0':\n    resolution: {integrity: x}\n";
        let p = PnpmLock
            .catalog("pnpm-lock.yaml", text, &Context::default())
            .unwrap();
        assert_eq!(
            (p[0].name.as_str(), p[0].version.as_str()),
            ("acorn", "8.7.0")
        );
        assert!(
            PnpmLock
                .catalog("pnpm-lock.yaml", b"packages: [\n", &Context::default())
                .is_err()
        );
    }
}
