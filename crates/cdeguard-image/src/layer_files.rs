//! Every file of every layer, for scanners that must see what the merged filesystem
//! hides: a file a later layer deletes (whiteout, opaque folder) or overwrites is still
//! shipped in the layer that added it, and anyone who pulls the image can read it.
//!
//! [`LayeredImage::stream_files`] streams one layer (nothing extracted to disk, one file
//! in memory at a time, verified against its digest) and hands each regular file to a
//! visitor; it returns the layer's [`LayerChanges`], from which [`fate`] tells what the
//! layers above did to a path.

use std::collections::HashSet;
use std::path::Path;

use cdeguard_model::image::{ImageConfig, ImageKind};

use crate::layer::{self, Kind, Selector};
use crate::{ImageError, ImageOptions, Plan};

/// One layer of an image, as a finding names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerInfo {
    /// 0-based position, base layer first.
    pub index: usize,
    /// The blob digest (`sha256:…`), or the blob's name when the image gives none.
    pub digest: String,
    /// The history line that made the layer (`RUN apt-get install …`).
    pub created_by: Option<String>,
}

/// What one layer does to the paths of the layers below it (serialisable, so results
/// about a layer can be cached with it).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LayerChanges {
    /// Paths the layer writes (files, folders, links): an older file there is replaced.
    pub written: HashSet<String>,
    /// Paths its whiteouts delete, with everything under them.
    pub deleted: HashSet<String>,
    /// Folders it makes opaque: everything older under them is hidden.
    pub opaque: HashSet<String>,
    /// Files not handed to the visitor (larger than the limit), one line each.
    pub skipped: Vec<String>,
}

/// What the layers above did to a file of a layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// Still in the merged filesystem.
    Visible,
    /// Deleted (whiteout or opaque folder) by this layer.
    Deleted(usize),
    /// Replaced by this layer.
    Overwritten(usize),
}

/// `path` and each folder above it, nearest first (`/a/b/c`, `/a/b`, `/a`).
fn self_and_ancestors(path: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(path), |p| {
        let parent = crate::path::parent(p);
        (parent != *p && parent != "/" && !parent.is_empty()).then_some(parent)
    })
}

/// The fate of the file `path` that layer `layer` holds, given every layer's changes.
#[must_use]
pub fn fate(changes: &[LayerChanges], layer: usize, path: &str) -> Fate {
    for (index, above) in changes.iter().enumerate().skip(layer + 1) {
        if above.written.contains(path) {
            return Fate::Overwritten(index);
        }
        let mut folders = self_and_ancestors(path);
        if folders.any(|p| above.deleted.contains(p))
            || self_and_ancestors(path)
                .skip(1)
                .any(|p| above.opaque.contains(p))
        {
            return Fate::Deleted(index);
        }
    }
    Fate::Visible
}

/// An image opened for layer-by-layer reading (not a root filesystem: it has no layers).
pub struct LayeredImage {
    display: String,
    plan: Plan,
    options: ImageOptions,
}

/// Hands every regular file up to a size to a visitor and keeps nothing.
struct Visiting<'a> {
    max_file_bytes: u64,
    visit: &'a (dyn Fn(&str, &[u8]) + Sync),
}

impl Selector for Visiting<'_> {
    fn required(&self, _: &str, _: u32, size: u64) -> bool {
        size <= self.max_file_bytes
    }
    fn reduce(&self, path: &str, _: u32, _: u64, bytes: &[u8]) -> Option<Vec<u8>> {
        (self.visit)(path, bytes);
        None
    }
}

impl LayeredImage {
    /// Opens a docker-archive, OCI layout or oci-archive (manifest and config only).
    ///
    /// # Errors
    /// An [`ImageError`] when `path` is not such an image or its metadata is unreadable.
    pub fn open(path: &Path, options: &ImageOptions) -> Result<Self, ImageError> {
        let display = path.display().to_string();
        let kind = crate::detect(path)
            .filter(|k| *k != ImageKind::RootFs)
            .ok_or_else(|| {
                ImageError::new(
                    &display,
                    None,
                    "not a docker-archive, OCI layout or oci-archive",
                )
            })?;
        let plan = crate::plan(path, kind, options)
            .map_err(|(member, m)| ImageError::new(&display, member.as_deref(), m))?;
        Ok(Self {
            display,
            plan,
            options: options.clone(),
        })
    }

    /// Opens an image in a registry (manifest and config only; layers are fetched when
    /// streamed), as [`crate::pull`] does.
    ///
    /// # Errors
    /// An [`ImageError`] naming the reference, as for [`crate::pull`].
    pub fn pull(reference: &str, options: &ImageOptions) -> Result<Self, ImageError> {
        let plan = crate::registry::plan(reference, options)
            .map_err(|(member, m)| ImageError::new(reference, member.as_deref(), m))?;
        Ok(Self {
            display: reference.to_owned(),
            plan,
            options: options.clone(),
        })
    }

    #[must_use]
    pub fn config(&self) -> &ImageConfig {
        &self.plan.config
    }

    /// The layers, base first.
    #[must_use]
    pub fn layers(&self) -> Vec<LayerInfo> {
        let created_by = crate::layer_history(&self.plan.config);
        self.plan
            .layers
            .iter()
            .enumerate()
            .map(|(index, l)| LayerInfo {
                index,
                digest: l.digest.clone().unwrap_or_else(|| l.blob.clone()),
                created_by: created_by.get(index).cloned().flatten(),
            })
            .collect()
    }

    /// Whether the layer's digest is known, so results about it may be cached under it
    /// (once [`Self::stream_files`] has verified it).
    #[must_use]
    pub fn has_digest(&self, index: usize) -> bool {
        self.plan
            .layers
            .get(index)
            .is_some_and(|l| l.digest.is_some())
    }

    /// Streams layer `index`, calling `visit(path, contents)` for every regular file of
    /// at most `max_file_bytes` (larger ones are listed in [`LayerChanges::skipped`]).
    /// The visitor may be called from this thread only, in tar order.
    ///
    /// # Errors
    /// A missing, truncated or corrupt layer, or one whose content does not match its
    /// digest (what the visitor saw must then be discarded).
    pub fn stream_files(
        &self,
        index: usize,
        max_file_bytes: u64,
        visit: &(dyn Fn(&str, &[u8]) + Sync),
    ) -> Result<LayerChanges, ImageError> {
        let plan = self
            .plan
            .layers
            .get(index)
            .ok_or_else(|| ImageError::new(&self.display, None, format!("no layer {index}")))?;
        let err = |m: String| ImageError::new(&self.display, Some(&plan.blob), m);
        let (reader, _) = self
            .plan
            .store
            .open(&plan.blob)
            .map_err(|e| err(e.to_string()))?;
        let mut hashing =
            layer::HashingReader::new(std::io::BufReader::with_capacity(1024 * 1024, reader));
        let selector = Visiting {
            max_file_bytes,
            visit,
        };
        let data = layer::read(&mut hashing, self.options.limits, &selector).map_err(err)?;
        let (actual, _) = hashing.finish().map_err(|e| err(e.to_string()))?;
        if let Some(expected) = plan.digest.as_ref().filter(|e| **e != actual) {
            return Err(err(format!(
                "digest mismatch: manifest says {expected}, content is {actual}"
            )));
        }
        let mut changes = LayerChanges {
            skipped: data.warnings,
            ..LayerChanges::default()
        };
        for entry in data.entries {
            match entry.kind {
                Kind::Whiteout => {
                    changes.deleted.insert(entry.path);
                }
                Kind::Opaque => {
                    changes.opaque.insert(entry.path);
                }
                kind => {
                    if kind == Kind::File && entry.size > max_file_bytes {
                        changes.skipped.push(format!(
                            "{}: {} bytes, larger than the {max_file_bytes} byte limit; not scanned",
                            entry.path, entry.size
                        ));
                    }
                    changes.written.insert(entry.path);
                }
            }
        }
        Ok(changes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changes(written: &[&str], deleted: &[&str], opaque: &[&str]) -> LayerChanges {
        let set = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect();
        LayerChanges {
            written: set(written),
            deleted: set(deleted),
            opaque: set(opaque),
            skipped: Vec::new(),
        }
    }

    #[test]
    fn fate_follows_whiteouts_opaque_folders_and_overwrites() {
        let layers = [
            changes(
                &["/app/.env", "/root/.ssh/id_rsa", "/data/cards.csv"],
                &[],
                &[],
            ),
            changes(&["/app/.env2"], &["/root/.ssh"], &[]),
            changes(&["/app/main", "/data/cards.csv"], &[], &["/app"]),
        ];
        assert_eq!(fate(&layers, 0, "/root/.ssh/id_rsa"), Fate::Deleted(1));
        assert_eq!(fate(&layers, 0, "/app/.env"), Fate::Deleted(2));
        assert_eq!(fate(&layers, 0, "/data/cards.csv"), Fate::Overwritten(2));
        // An opaque folder hides only the layers below it, not its own layer's files.
        assert_eq!(fate(&layers, 2, "/app/main"), Fate::Visible);
        assert_eq!(fate(&layers, 1, "/app/.env2"), Fate::Deleted(2));
        // The opaque folder itself is not deleted by its own marker.
        assert_eq!(fate(&layers, 0, "/app"), Fate::Visible);
        assert_eq!(fate(&layers, 2, "/data/cards.csv"), Fate::Visible);
    }
}
