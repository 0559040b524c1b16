//! The content-addressed layer cache: one file per (layer digest, catalogers' versions,
//! limits) under `$XDG_CACHE_HOME/cdeguard/layers/` (or `~/.cache/...`). Entries are
//! written only for layers whose digest was verified while reading, atomically (temp
//! file + rename); an unreadable entry is a miss, never an error.

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
    let name = key(digest, limits);
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    if std::fs::write(&tmp, codec::encode(layer)).is_ok()
        && std::fs::rename(&tmp, dir.join(format!("{name}.bin"))).is_err()
    {
        let _ = std::fs::remove_file(&tmp);
    }
}
