//! Container images and root filesystems, read without extracting anything to disk.
//!
//! [`read`] recognises a docker-archive (`docker save`), an OCI image layout folder, an
//! oci-archive tar, or a root filesystem folder; streams each layer (plain, gzip or
//! zstd tar) keeping only the files the catalogers of `cdeguard-packages` require;
//! merges the layers in order (whiteouts, opaque folders, links resolved inside the
//! image root); catalogs the packages, each attributed to the layer that added it; and
//! gathers the file facts the image rules read. Layers are read in parallel and cached
//! per verified digest, so a rescan, or an image sharing a base, skips their work.

mod cache;
pub mod config;
mod error;
mod facts;
pub mod fs;
pub mod layer;
pub mod layer_files;
pub mod path;
pub mod reference;
pub mod registry;
mod rootfs;
pub mod store;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use cdeguard_model::Package;
use cdeguard_model::image::{ImageConfig, ImageInfo, ImageKind, Layer};
use cdeguard_packages::{Context, FileMeta};
use rayon::prelude::*;

pub use error::ImageError;
pub use layer::Limits;
pub use registry::{Credentials, RegistryOptions};

/// How to read images.
#[derive(Clone, Debug)]
pub struct ImageOptions {
    /// `os/arch[/variant]` to pick from multi-platform indexes; `None` = the host's.
    pub platform: Option<String>,
    /// Layer cache folder; `None` disables the cache.
    pub cache_dir: Option<PathBuf>,
    pub limits: Limits,
    /// How to reach registries for [`pull`].
    pub registry: RegistryOptions,
}

impl ImageOptions {
    /// The platform to pick from indexes: the one asked for, else the host's.
    fn platform(&self) -> String {
        self.platform.clone().unwrap_or_else(config::host_platform)
    }
}

impl Default for ImageOptions {
    fn default() -> Self {
        Self {
            platform: None,
            cache_dir: cache::default_dir(),
            limits: Limits::default(),
            registry: RegistryOptions::default(),
        }
    }
}

/// A read image plus the non-fatal problems met (skipped members, unparsable files).
#[derive(Debug)]
pub struct ReadImage {
    pub image: ImageInfo,
    pub warnings: Vec<String>,
}

/// What a path looks like, without reading more than a tar's headers.
#[must_use]
pub fn detect(path: &Path) -> Option<ImageKind> {
    if path.is_dir() {
        let has = |p: &str| path.join(p).exists();
        if has("oci-layout") || (has("index.json") && has("blobs")) {
            return Some(ImageKind::OciLayout);
        }
        if has("manifest.json") && !has("etc") {
            return Some(ImageKind::DockerArchive);
        }
        if [
            "etc/os-release",
            "usr/lib/os-release",
            "var/lib/dpkg",
            "lib/apk/db",
            "var/lib/rpm",
        ]
        .iter()
        .any(|p| has(p))
        {
            return Some(ImageKind::RootFs);
        }
        return None;
    }
    let store = store::Store::tar(path).ok()?;
    if store.has("manifest.json") {
        Some(ImageKind::DockerArchive)
    } else if store.has("index.json") || store.has("oci-layout") {
        Some(ImageKind::OciArchive)
    } else {
        None
    }
}

/// One layer to read: where its blob is, the digest it must have, what made it.
struct LayerPlan {
    blob: String,
    /// The digest of the blob's bytes as stored (the cache key once verified).
    digest: Option<String>,
    diff_id: Option<String>,
    size: u64,
}

struct Plan {
    kind: ImageKind,
    store: Box<dyn store::Blobs>,
    id: Option<String>,
    manifest_digest: Option<String>,
    repo_tags: Vec<String>,
    config: ImageConfig,
    layers: Vec<LayerPlan>,
}

/// Reads an image or root filesystem.
///
/// # Errors
/// An [`ImageError`] naming the image and member when the image cannot be read at all
/// (problems confined to one file become warnings instead).
pub fn read(path: &Path, options: &ImageOptions) -> Result<ReadImage, ImageError> {
    let display = path.display().to_string();
    let kind = detect(path).ok_or_else(|| {
        ImageError::new(
            &display,
            None,
            "not a docker-archive, OCI layout, oci-archive or root filesystem",
        )
    })?;
    if kind == ImageKind::RootFs {
        let data = rootfs::read(path, options.limits, &layer::Catalogers)
            .map_err(|m| ImageError::new(&display, None, m))?;
        let contents = Contents::of(vec![data], &[String::new()], false);
        return Ok(assemble(display, None, contents));
    }
    let plan = plan(path, kind, options)
        .map_err(|(member, m)| ImageError::new(&display, member.as_deref(), m))?;
    read_planned(display, plan, options)
}

/// Pulls an image from a registry by reference (`host[:port]/path[:tag][@digest]`) and
/// reads it like a local image: manifests and every blob verified against their
/// digests, layers streamed (never written to disk), layers in the cache not fetched.
///
/// # Errors
/// An [`ImageError`] naming the reference (and the digest at fault) when the registry
/// cannot be reached, refuses access, lacks the image, or sends content that does not
/// match its digest.
pub fn pull(reference: &str, options: &ImageOptions) -> Result<ReadImage, ImageError> {
    let plan = registry::plan(reference, options)
        .map_err(|(member, m)| ImageError::new(reference, member.as_deref(), m))?;
    read_planned(reference.to_owned(), plan, options)
}

/// Reads the planned layers (in parallel, each from the cache or its blob) and builds
/// the image; an image whose every layer digest is in the image cache reads no layer.
fn read_planned(
    display: String,
    plan: Plan,
    options: &ImageOptions,
) -> Result<ReadImage, ImageError> {
    let contents = cache::image(options, &plan.image_key(), || {
        let layers: Vec<Result<layer::LayerData, ImageError>> = plan
            .layers
            .par_iter()
            .map(|l| read_layer(&display, plan.store.as_ref(), l, options))
            .collect();
        let layers = layers.into_iter().collect::<Result<Vec<_>, _>>()?;
        Ok(Contents::of(layers, &plan.layer_names(), true))
    })?;
    Ok(assemble(display, Some(plan), contents))
}

/// The image's description: its plan's metadata (`None` for a root filesystem) and what
/// its layers add up to.
fn assemble(display: String, plan: Option<Plan>, contents: Contents) -> ReadImage {
    let Contents {
        os,
        packages,
        files,
        warnings,
    } = contents;
    let image = match plan {
        Some(plan) => {
            let created_by = layer_history(&plan.config);
            let layer_names = plan.layer_names();
            ImageInfo {
                reference: display,
                kind: plan.kind,
                id: plan.id,
                manifest_digest: plan.manifest_digest,
                repo_tags: plan.repo_tags,
                os,
                layers: plan
                    .layers
                    .iter()
                    .enumerate()
                    .map(|(i, l)| Layer {
                        digest: layer_names[i].clone(),
                        diff_id: l.diff_id.clone(),
                        size: l.size,
                        created_by: created_by.get(i).cloned().flatten(),
                    })
                    .collect(),
                config: plan.config,
                packages,
                files,
                loc: None,
            }
        }
        None => ImageInfo {
            os,
            packages,
            files,
            ..ImageInfo::new(display, ImageKind::RootFs)
        },
    };
    ReadImage { image, warnings }
}

/// What an image's layers add up to: everything [`read`] derives from their contents,
/// which is also what the image cache keeps.
#[derive(serde::Serialize, serde::Deserialize)]
struct Contents {
    os: Option<cdeguard_model::image::OsRelease>,
    packages: Vec<Package>,
    files: cdeguard_model::image::ImageFiles,
    warnings: Vec<String>,
}

impl Contents {
    /// Merges the layers in order and catalogs the result; `layered` attributes each
    /// package to the layer (named in `layer_names`) that added it.
    fn of(layers: Vec<layer::LayerData>, layer_names: &[String], layered: bool) -> Self {
        let mut warnings = Vec::new();
        let mut merged = fs::MergedFs::default();
        for (index, layer) in layers.iter().enumerate() {
            merged.apply(index, layer);
            warnings.extend(layer.warnings.iter().cloned());
        }
        drop(layers);
        let os = cdeguard_packages::os::detect(|p| merged.read(p));
        let packages = catalog(&merged, os.as_ref(), layer_names, layered, &mut warnings);
        let files = facts::gather(&merged, if layered { layer_names } else { &[] });
        Self {
            os,
            packages,
            files,
            warnings,
        }
    }
}

/// `created_by` of each non-empty history entry, in layer order.
fn layer_history(config: &ImageConfig) -> Vec<Option<String>> {
    config
        .history
        .iter()
        .filter(|h| !h.empty_layer)
        .map(|h| h.created_by.clone())
        .collect()
}

impl Plan {
    /// Each layer's name in findings: its digest, or its blob path when it has none.
    fn layer_names(&self) -> Vec<String> {
        self.layers
            .iter()
            .map(|l| l.digest.clone().unwrap_or_else(|| l.blob.clone()))
            .collect()
    }

    /// What identifies the image's contents: the digest of every layer, in order (all
    /// verified when the image was first read); `None` when a layer has no digest.
    fn image_key(&self) -> Option<Vec<&str>> {
        self.layers.iter().map(|l| l.digest.as_deref()).collect()
    }
}

type PlanError = (Option<String>, String);

fn plan(path: &Path, kind: ImageKind, options: &ImageOptions) -> Result<Plan, PlanError> {
    let store = if path.is_dir() {
        store::Store::Dir(path.to_owned())
    } else {
        store::Store::tar(path).map_err(|e| (None, e.to_string()))?
    };
    let read_json = |name: &str| {
        store
            .read_small(name)
            .map_err(|e| (Some(name.to_owned()), e.to_string()))
    };
    let json_err = |name: &str, e: serde_json::Error| {
        (Some(name.to_owned()), format!("line {}: {e}", e.line()))
    };
    if kind == ImageKind::DockerArchive {
        let bytes = read_json("manifest.json")?;
        let manifests: Vec<config::DockerManifest> =
            serde_json::from_slice(&bytes).map_err(|e| json_err("manifest.json", e))?;
        let manifest = manifests.into_iter().next().ok_or((
            Some("manifest.json".to_owned()),
            "no image in manifest.json".to_owned(),
        ))?;
        let config_bytes = read_json(&manifest.config)?;
        let parsed =
            config::parse_config(&config_bytes).map_err(|e| json_err(&manifest.config, e))?;
        let layers = manifest
            .layers
            .iter()
            .enumerate()
            .map(|(i, blob)| {
                let diff_id = parsed.diff_ids.get(i).cloned();
                // `blobs/sha256/<hex>` (docker 25+) names its digest; a legacy
                // `<id>/layer.tar` is the uncompressed layer, whose digest is its diff id.
                let digest = blob
                    .strip_prefix("blobs/sha256/")
                    .map(|h| format!("sha256:{h}"))
                    .or_else(|| diff_id.clone());
                LayerPlan {
                    blob: blob.clone(),
                    digest,
                    diff_id,
                    size: 0,
                }
            })
            .collect();
        let id = Some(format!(
            "sha256:{}",
            crate::hex(&sha2_digest(&config_bytes))
        ));
        return Ok(Plan {
            kind,
            store: Box::new(store),
            id,
            manifest_digest: None,
            repo_tags: manifest.repo_tags.unwrap_or_default(),
            config: parsed.config,
            layers,
        });
    }
    let document: config::OciDocument =
        serde_json::from_slice(&read_json("index.json")?).map_err(|e| json_err("index.json", e))?;
    let read_blob = |digest: &str| {
        let blob =
            store::blob_path(digest).ok_or_else(|| (None, format!("invalid digest `{digest}`")))?;
        Ok((read_json(&blob)?, blob))
    };
    let kind = if path.is_dir() {
        ImageKind::OciLayout
    } else {
        ImageKind::OciArchive
    };
    let found = resolve(document, None, &options.platform(), &read_blob, &read_blob)?;
    Ok(Plan {
        kind,
        store: Box::new(store),
        id: Some(found.config_digest),
        manifest_digest: found.manifest_digest,
        repo_tags: found.repo_tags,
        config: found.config,
        layers: found.layers,
    })
}

/// An image manifest reached from an index (or given), with its configuration read.
struct Resolved {
    manifest_digest: Option<String>,
    /// Names the index annotated the chosen manifest with.
    repo_tags: Vec<String>,
    config_digest: String,
    config: ImageConfig,
    layers: Vec<LayerPlan>,
}

/// Fetches a JSON document by digest: its bytes and the name to blame in errors.
type Fetch<'a> = &'a dyn Fn(&str) -> Result<(Vec<u8>, String), PlanError>;

/// Follows indexes (OCI image index, docker manifest list) down to the image manifest
/// for `platform`, then reads its config and plans its layers. Shared by OCI layouts
/// and registries, which differ only in how a manifest or config is fetched.
fn resolve(
    mut document: config::OciDocument,
    mut manifest_digest: Option<String>,
    platform: &str,
    fetch_manifest: Fetch<'_>,
    fetch_config: Fetch<'_>,
) -> Result<Resolved, PlanError> {
    let json_err = |name: &str, e: serde_json::Error| {
        (Some(name.to_owned()), format!("line {}: {e}", e.line()))
    };
    let mut repo_tags = Vec::new();
    // Bounded: nested indexes are rare, and a loop of indexes must end.
    for _ in 0..4 {
        let Some(manifests) = document.manifests.take() else {
            break;
        };
        let chosen = config::select(&manifests, platform)
            .map_err(|m| {
                let index = manifest_digest.as_deref().unwrap_or("index.json");
                (Some(index.to_owned()), m)
            })?
            .clone();
        if let Some(tag) = chosen
            .annotations
            .get("org.opencontainers.image.ref.name")
            .or_else(|| chosen.annotations.get("io.containerd.image.name"))
        {
            repo_tags.push(tag.clone());
        }
        let (bytes, name) = fetch_manifest(&chosen.digest)?;
        document = serde_json::from_slice(&bytes).map_err(|e| json_err(&name, e))?;
        manifest_digest = Some(chosen.digest);
    }
    let config_desc = document.config.ok_or((
        manifest_digest.clone(),
        "manifest without config".to_owned(),
    ))?;
    let (bytes, name) = fetch_config(&config_desc.digest)?;
    let parsed = config::parse_config(&bytes).map_err(|e| json_err(&name, e))?;
    let mut layers = Vec::new();
    for (i, desc) in document.layers.iter().enumerate() {
        let blob = store::blob_path(&desc.digest)
            .ok_or_else(|| (None, format!("invalid layer digest `{}`", desc.digest)))?;
        layers.push(LayerPlan {
            blob,
            digest: Some(desc.digest.clone()),
            diff_id: parsed.diff_ids.get(i).cloned(),
            size: desc.size,
        });
    }
    Ok(Resolved {
        manifest_digest,
        repo_tags,
        config_digest: config_desc.digest,
        config: parsed.config,
        layers,
    })
}

fn sha2_digest(bytes: &[u8]) -> Vec<u8> {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).to_vec()
}

fn read_layer(
    image: &str,
    store: &dyn store::Blobs,
    plan: &LayerPlan,
    options: &ImageOptions,
) -> Result<layer::LayerData, ImageError> {
    let cache_dir = options.cache_dir.as_deref();
    if let (Some(dir), Some(digest)) = (cache_dir, &plan.digest)
        && let Some(hit) = cache::load(dir, digest, options.limits)
    {
        return Ok(hit);
    }
    let err = |m: String| ImageError::new(image, Some(&plan.blob), m);
    let (reader, _) = store.open(&plan.blob).map_err(|e| err(e.to_string()))?;
    let mut hashing =
        layer::HashingReader::new(std::io::BufReader::with_capacity(1024 * 1024, reader));
    let data = layer::read(&mut hashing, options.limits, &layer::Catalogers);
    // Hash the rest even when the layer is unreadable: a blob other than the one the
    // manifest names (corrupt, truncated) is reported as such, not as a bad tar.
    let hashed = hashing.finish();
    if let (Some(expected), Ok((actual, _))) = (&plan.digest, &hashed)
        && expected != actual
    {
        return Err(err(format!(
            "digest mismatch: manifest says {expected}, content is {actual}"
        )));
    }
    let data = data.map_err(err)?;
    hashed.map_err(|e| err(e.to_string()))?;
    if let (Some(dir), Some(expected)) = (cache_dir, &plan.digest) {
        cache::store(dir, expected, options.limits, &data);
    }
    Ok(data)
}

/// Runs the catalogers over the kept files; each package gets the layer that added it.
fn catalog(
    merged: &fs::MergedFs,
    os: Option<&cdeguard_model::image::OsRelease>,
    layers: &[String],
    layered: bool,
    warnings: &mut Vec<String>,
) -> Vec<Package> {
    let ctx = Context { os };
    let files: Vec<(&String, &fs::Node)> = merged
        .nodes
        .iter()
        .filter(|(_, n)| n.content.is_some())
        .collect();
    let results: Vec<(Vec<Package>, Vec<String>)> = files
        .par_iter()
        .map(|(path, node)| {
            let content = node.content.as_deref().unwrap_or_default();
            let meta = FileMeta {
                path,
                mode: node.mode,
                size: node.size,
            };
            let (mut packages, errors) = cdeguard_packages::catalog_file(&meta, content, &ctx);
            if layered {
                attribute_layers(
                    &mut packages,
                    &meta,
                    node.layer,
                    merged.history.get(path.as_str()),
                    &ctx,
                    layers,
                );
            }
            (packages, errors.iter().map(ToString::to_string).collect())
        })
        .collect();
    let mut packages = Vec::new();
    for (found, errors) in results {
        packages.extend(found);
        warnings.extend(errors);
    }
    packages
}

/// A package's layer: the earliest layer from which every later version of its file
/// still lists it (dpkg's `status` is rewritten by every layer that installs anything).
fn attribute_layers(
    packages: &mut [Package],
    meta: &FileMeta<'_>,
    last_layer: usize,
    history: Option<&fs::Versions>,
    ctx: &Context<'_>,
    layers: &[String],
) {
    let mut first_layer: BTreeMap<(String, String), usize> = packages
        .iter()
        .map(|p| ((p.name.clone(), p.version.clone()), last_layer))
        .collect();
    if let Some(history) = history {
        for (layer, content) in history.iter().rev() {
            let (older, _) = cdeguard_packages::catalog_file(meta, content, ctx);
            let present: BTreeSet<(String, String)> =
                older.into_iter().map(|p| (p.name, p.version)).collect();
            let mut extended = false;
            for (key, first) in &mut first_layer {
                // Only extend a run that reached the layer just after this one.
                if present.contains(key) && *first > *layer {
                    *first = *layer;
                    extended = true;
                }
            }
            if !extended {
                break;
            }
        }
    }
    for p in packages {
        let index = first_layer
            .get(&(p.name.clone(), p.version.clone()))
            .copied()
            .unwrap_or(last_layer);
        p.layer = layers.get(index).cloned();
    }
}

pub(crate) use cdeguard_model::hex;
