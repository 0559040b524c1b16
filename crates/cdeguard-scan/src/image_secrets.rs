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
use cdeguard_model::{Finding, InputError, Resource};
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
    let key: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
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

/// How findings name layers: `layer 2/3 (sha256:0a1b2c3d4e5f…, RUN …)`. A history line
/// that itself holds a secret is not repeated (its own configuration finding masks it).
struct LayerNames {
    names: Vec<String>,
    digests: Vec<String>,
}

impl LayerNames {
    fn new(scanner: &Scanner, layers: &[LayerInfo]) -> Self {
        let count = layers.len();
        let names = layers
            .iter()
            .map(|l| {
                let short: String = l.digest.chars().take(19).collect();
                let made_by = match &l.created_by {
                    Some(c) if scanner.scan_text(c.as_bytes(), true).is_empty() => {
                        let c = c.trim();
                        let cut: String = c.chars().take(80).collect();
                        let ellipsis = if cut.len() < c.len() { "…" } else { "" };
                        format!(", `{cut}{ellipsis}`")
                    }
                    Some(_) => ", history line withheld: it holds a secret".to_owned(),
                    None => String::new(),
                };
                format!("layer {}/{count} ({short}…{made_by})", l.index + 1)
            })
            .collect();
        Self {
            names,
            digests: layers.iter().map(|l| l.digest.clone()).collect(),
        }
    }
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
    for (layer, files) in found.iter().enumerate() {
        for f in files {
            let fate = fate(changes, layer, &f.path);
            for d in &f.detections {
                let same: SameSecret<'_> = (&*f.path, &*f.label, &*d.rule_id, &*d.fingerprint);
                if let Fate::Overwritten(newer) = fate
                    && present.contains(&(newer, same))
                {
                    first_shipped.entry(same).or_insert(layer);
                    continue;
                }
                let mut context = match fate {
                    Fate::Visible => format!("in {}", layers.names[layer]),
                    Fate::Deleted(by) => format!(
                        "deleted in {} but still shipped in {}",
                        layers.names[by], layers.names[layer]
                    ),
                    Fate::Overwritten(by) => format!(
                        "overwritten in {} but still shipped in {}",
                        layers.names[by], layers.names[layer]
                    ),
                };
                if let Some(first) = first_shipped.get(&same) {
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
                    ..Resource::default()
                };
                let mut finding =
                    cdeguard_secrets::findings::finding(d.clone(), resource, Some(&context));
                finding.evidence = format!(
                    "{}; layer {} {}",
                    finding.evidence,
                    layer + 1,
                    layers.digests[layer]
                );
                out.push(finding);
            }
        }
    }
    out
}
