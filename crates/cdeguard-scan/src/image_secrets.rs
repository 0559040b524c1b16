//! Secrets and card data in every layer of an image, not only in its merged filesystem:
//! a key that a later layer deletes (whiteout, opaque folder) or overwrites is still in
//! the layer that added it, and anyone who can pull the image can read it (PCI DSS 3.2.1,
//! 3.5.1, 8.6.2). Each finding names the file, line, layer (position, digest, the
//! history line that made it) and, when the file is no longer visible, which layer
//! deleted or overwrote it. A secret that stays the same across versions of a file is
//! reported once, on its newest version.
//!
//! Layers are streamed in parallel (one file in memory per layer); each layer's results
//! are cached per layer digest and scanner version (`Scanner::version`), so a warm scan
//! of an image, or of another image sharing its base, reads no layer again.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use cdeguard_image::ImageOptions;
use cdeguard_image::layer_files::{Fate, LayerChanges, LayerInfo, LayeredImage, fate};
use cdeguard_model::{Finding, InputError, LayerLocation, LayerStatus, Resource};
use cdeguard_secrets::Scanner;
use cdeguard_secrets::files::{FileDetections, FileScanOptions, in_os_docs, scan_bytes};
use rayon::prelude::*;
use sha2::{Digest as _, Sha256};

/// What one layer holds: its detections, what it changes, and what could not be scanned.
#[derive(Default, serde::Serialize, serde::Deserialize)]
struct LayerScan {
    found: Vec<FileDetections>,
    changes: LayerChanges,
    /// Files skipped as too large, archives cut short.
    problems: Vec<String>,
}

/// Where a layered image comes from.
pub(crate) enum LayeredSource<'a> {
    /// A docker-archive, OCI layout or oci-archive.
    File(&'a Path),
    /// A registry reference: on a cold scan its layers are fetched a second time (the
    /// package pass keeps only what catalogers need), then this pass's cache answers.
    Registry(&'a str),
}

impl LayeredSource<'_> {
    fn display(&self) -> String {
        match self {
            LayeredSource::File(path) => path.display().to_string(),
            LayeredSource::Registry(reference) => (*reference).to_owned(),
        }
    }

    /// The short name findings use as the image part of `image!/path`.
    fn name(&self) -> String {
        match self {
            LayeredSource::File(path) => path
                .file_name()
                .map_or_else(|| self.display(), |n| n.to_string_lossy().into_owned()),
            LayeredSource::Registry(reference) => (*reference).to_owned(),
        }
    }

    fn open(&self, options: &ImageOptions) -> Result<LayeredImage, cdeguard_image::ImageError> {
        match self {
            LayeredSource::File(path) => LayeredImage::open(path, options),
            LayeredSource::Registry(reference) => LayeredImage::pull(reference, options),
        }
    }
}

/// The secrets of every layer of the image, and the problems met (one per unreadable
/// layer or skipped file; the other layers are still reported).
pub(crate) fn scan(
    scanner: &Scanner,
    source: &LayeredSource<'_>,
    image_options: &ImageOptions,
    options: &FileScanOptions,
) -> (Vec<Finding>, Vec<InputError>) {
    let display = source.display();
    let error = |path: String, message: String| InputError {
        path,
        line: None,
        message,
    };
    let image = match source.open(image_options) {
        Ok(image) => image,
        Err(e) => return (Vec::new(), vec![error(display, e.to_string())]),
    };
    let layers = image.layers();
    let cache = image_options
        .cache_dir
        .as_deref()
        .map(|d| d.with_file_name("layer-secrets"));
    let scans: Vec<_> = layers
        .par_iter()
        .map(|l| scan_layer(scanner, &image, l, options, cache.as_deref()))
        .collect();
    let mut errors = Vec::new();
    let mut found = Vec::new();
    let mut changes = Vec::new();
    for scan in scans {
        // An unreadable layer is reported; the others are judged as if it changed nothing.
        let scan = scan.unwrap_or_else(|e| {
            errors.push(error(display.clone(), e.to_string()));
            LayerScan::default()
        });
        errors.extend(scan.problems.into_iter().map(|p| error(display.clone(), p)));
        found.push(scan.found);
        changes.push(scan.changes);
    }
    let name = source.name();
    let history = LayerNames::new(scanner, &layers);
    let findings = layered_findings(&display, &name, &history, &found, &changes);
    (findings, errors)
}

fn cache_file(dir: &Path, digest: &str, scanner: &Scanner, options: &FileScanOptions) -> PathBuf {
    let mut h = Sha256::new();
    h.update(digest.as_bytes());
    h.update(scanner.version().as_bytes());
    h.update(format!("{options:?}").as_bytes());
    let key = cdeguard_model::hex(&h.finalize());
    dir.join(format!("{key}.json"))
}

fn scan_layer(
    scanner: &Scanner,
    image: &LayeredImage,
    layer: &LayerInfo,
    options: &FileScanOptions,
    cache: Option<&Path>,
) -> Result<LayerScan, cdeguard_image::ImageError> {
    let cache_file = cache
        .filter(|_| image.has_digest(layer.index))
        .map(|dir| (dir, cache_file(dir, &layer.digest, scanner, options)));
    if let Some(hit) = cache_file
        .as_ref()
        .and_then(|(_, file)| std::fs::read(file).ok())
        .and_then(|bytes| serde_json::from_slice::<LayerScan>(&bytes).ok())
    {
        return Ok(hit);
    }
    let scanned = Mutex::new((Vec::new(), Vec::new()));
    let visit = |path: &str, bytes: &[u8]| {
        if options.skip_os_docs && in_os_docs(Path::new(path)) {
            return;
        }
        let (found, notes) = scan_bytes(scanner, path, bytes, options.limits);
        let mut scanned = scanned
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        scanned.0.extend(found);
        scanned.1.extend(notes);
    };
    let mut changes = image.stream_files(layer.index, options.max_file_size, &visit)?;
    let (found, mut problems) = scanned
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    problems.append(&mut changes.skipped);
    let scan = LayerScan {
        found,
        changes,
        problems,
    };
    if let Some((dir, file)) = cache_file {
        store(dir, &file, &scan);
    }
    Ok(scan)
}

/// Writes a cache entry atomically; a failure only costs a future miss.
fn store(dir: &Path, file: &Path, scan: &LayerScan) {
    let Ok(bytes) = serde_json::to_vec(scan) else {
        return;
    };
    let tmp = file.with_extension(format!("{}.tmp", std::process::id()));
    if std::fs::create_dir_all(dir).is_ok()
        && std::fs::write(&tmp, bytes).is_ok()
        && std::fs::rename(&tmp, file).is_err()
    {
        let _ = std::fs::remove_file(&tmp);
    }
}

/// The layers as findings describe them: in words for messages (`layer 2/3
/// (sha256:0a1b2c3d4e5f…, `RUN …`)`) and as structured [`LayerLocation`]s. A history line
/// that itself holds a secret is not repeated (its own configuration finding masks it).
struct LayerNames {
    names: Vec<String>,
    locations: Vec<LayerLocation>,
}

impl LayerNames {
    fn new(scanner: &Scanner, layers: &[LayerInfo]) -> Self {
        let count = layers.len();
        let mut names = Vec::with_capacity(count);
        let mut locations = Vec::with_capacity(count);
        for l in layers {
            let created_by = l
                .created_by
                .as_deref()
                .filter(|c| scanner.scan_text(c.as_bytes(), true).is_empty())
                .map(str::trim);
            let short: String = l.digest.chars().take(19).collect();
            let made_by = match (created_by, &l.created_by) {
                (Some(c), _) => {
                    let cut: String = c.chars().take(80).collect();
                    let ellipsis = if cut.len() < c.len() { "…" } else { "" };
                    format!(", `{cut}{ellipsis}`")
                }
                (None, Some(_)) => ", history line withheld: it holds a secret".to_owned(),
                (None, None) => String::new(),
            };
            names.push(format!("layer {}/{count} ({short}…{made_by})", l.index + 1));
            locations.push(LayerLocation {
                index: to_u32(l.index),
                count: to_u32(count),
                digest: l.digest.clone(),
                created_by: created_by.map(str::to_owned),
                status: LayerStatus::Visible,
                changed_in: None,
                unchanged_since: None,
            });
        }
        Self { names, locations }
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// One detection's identity across versions of a file: path, archive member, rule and
/// fingerprint.
type SameSecret<'a> = (&'a str, &'a str, &'a str, &'a str);

fn layered_findings(
    image_path: &str,
    image_name: &str,
    layers: &LayerNames,
    found: &[Vec<FileDetections>],
    changes: &[LayerChanges],
) -> Vec<Finding> {
    let mut present: HashSet<(usize, SameSecret<'_>)> = HashSet::new();
    for (layer, files) in found.iter().enumerate() {
        for f in files {
            for d in &f.detections {
                present.insert((layer, (&*f.path, &*f.label, &*d.rule_id, &*d.fingerprint)));
            }
        }
    }
    // The oldest layer of a secret carried unchanged into newer versions of its file.
    let mut first_shipped: HashMap<SameSecret<'_>, usize> = HashMap::new();
    let mut out = Vec::new();
    for (layer_index, files) in found.iter().enumerate() {
        for f in files {
            let fate = fate(changes, layer_index, &f.path);
            for d in &f.detections {
                let same: SameSecret<'_> = (&*f.path, &*f.label, &*d.rule_id, &*d.fingerprint);
                if let Fate::Overwritten(newer) = fate
                    && present.contains(&(newer, same))
                {
                    first_shipped.entry(same).or_insert(layer_index);
                    continue;
                }
                let mut layer = layers.locations[layer_index].clone();
                let mut context = match fate {
                    Fate::Visible => format!("in {}", layers.names[layer_index]),
                    Fate::Deleted(by) => {
                        (layer.status, layer.changed_in) = (LayerStatus::Deleted, Some(to_u32(by)));
                        format!(
                            "deleted in {} but still shipped in {}",
                            layers.names[by], layers.names[layer_index]
                        )
                    }
                    Fate::Overwritten(by) => {
                        (layer.status, layer.changed_in) =
                            (LayerStatus::Overwritten, Some(to_u32(by)));
                        format!(
                            "overwritten in {} but still shipped in {}",
                            layers.names[by], layers.names[layer_index]
                        )
                    }
                };
                if let Some(first) = first_shipped.get(&same) {
                    layer.unchanged_since = Some(to_u32(*first));
                    context.push_str(&format!(
                        "; unchanged since {}, which ships it too",
                        layers.names[*first]
                    ));
                }
                if f.label != f.path {
                    context.push_str(&format!("; inside {}", f.label));
                }
                let resource = Resource {
                    kind: "Image".to_owned(),
                    name: image_name.to_owned(),
                    file: format!("{image_path}!{}", f.path),
                    line: (f.has_lines && f.label == f.path && d.line > 0).then_some(d.line),
                    layer: Some(layer),
                    ..Resource::default()
                };
                let mut finding =
                    cdeguard_secrets::findings::finding(d.clone(), resource, Some(&context));
                finding.evidence = format!(
                    "{}; layer {} {}",
                    finding.evidence,
                    layer_index + 1,
                    layers.locations[layer_index].digest
                );
                out.push(finding);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_are_described_without_history_lines_that_hold_secrets() {
        let scanner = Scanner::new(cdeguard_secrets::FingerprintKey::new(b"test"));
        let layer = |index, created_by: Option<&str>| LayerInfo {
            index,
            digest: format!("sha256:{index}"),
            created_by: created_by.map(str::to_owned),
        };
        let names = LayerNames::new(
            &scanner,
            &[
                layer(0, Some("ADD rootfs /")),
                layer(
                    1,
                    Some("|1 NPM_TOKEN=npm_B0u1ldArgAbCdEfGhIjKlMnOpQrStUvWx567 /bin/sh -c make"),
                ),
                layer(2, None),
            ],
        );
        let created_by: Vec<Option<&str>> = names
            .locations
            .iter()
            .map(|l| l.created_by.as_deref())
            .collect();
        assert_eq!(created_by, vec![Some("ADD rootfs /"), None, None]);
        assert!(
            names.names[1].contains("history line withheld"),
            "{}",
            names.names[1]
        );
        assert!(!format!("{:?}{:?}", names.names, names.locations).contains("npm_B0u1ld"));
        assert_eq!((names.locations[2].index, names.locations[2].count), (2, 3));
    }
}
