//! The content-addressed caches under `$XDG_CACHE_HOME/cdeguard/layers/` (or
//! `~/.cache/...`): one file per (layer digest, catalogers' versions, limits) holding the
//! layer's kept entries, and one per (every layer digest in order, catalogers' versions,
//! limits) holding what the whole image adds up to (OS, packages, file facts), so that a
//! rescan of an unchanged image reads neither its layers nor their cache entries.
//! Entries are written only after every digest involved was verified while reading,
//! atomically (temp file + rename); an unreadable entry is a miss, never an error.

use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

use crate::layer::{LayerData, Limits, codec};

/// The default cache folder, `None` when neither `XDG_CACHE_HOME` nor `HOME` is set.
#[must_use]
pub(crate) fn default_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("cdeguard").join("layers"))
}

fn key(digest: &str, limits: Limits) -> String {
    let mut h = Sha256::new();
    h.update(digest.as_bytes());
    h.update(b"\n");
    h.update(cdeguard_packages::fingerprint().as_bytes());
    h.update(format!("\n{}:{}", limits.max_entries, limits.max_kept_bytes).as_bytes());
    crate::hex(&h.finalize())
}

/// A cached layer, if present and intact.
#[must_use]
pub(crate) fn load(dir: &Path, digest: &str, limits: Limits) -> Option<LayerData> {
    let bytes = std::fs::read(dir.join(format!("{}.bin", key(digest, limits)))).ok()?;
    codec::decode(&bytes)
}

/// Stores a verified layer; failures (read-only disk, ...) only cost a future miss.
pub(crate) fn store(dir: &Path, digest: &str, limits: Limits, layer: &LayerData) {
    write_atomically(
        dir,
        &format!("{}.bin", key(digest, limits)),
        &codec::encode(layer),
    );
}

fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) {
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, dir.join(name)).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

/// What an image with these layer digests adds up to: from the cache when an entry
/// exists, otherwise from `read` (whose success means every digest was verified), then
/// stored. Without a cache folder or a digest for every layer, just `read`.
///
/// # Errors
/// Those of `read`.
pub(crate) fn image<T, E>(
    options: &crate::ImageOptions,
    layer_digests: &Option<Vec<&str>>,
    read: impl FnOnce() -> Result<T, E>,
) -> Result<T, E>
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    let (Some(dir), Some(digests)) = (options.cache_dir.as_deref(), layer_digests) else {
        return read();
    };
    let name = format!("{}.image.json", key(&digests.join("\n"), options.limits));
    if let Some(hit) = std::fs::read(dir.join(&name))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
    {
        return Ok(hit);
    }
    let value = read()?;
    if let Ok(bytes) = serde_json::to_vec(&value) {
        write_atomically(dir, &name, &bytes);
    }
    Ok(value)
}
