//! The collect stage: reads inputs and produces an [`Inventory`]. It never judges.
//!
//! Inputs are files, folders (recursed) or `-` for stdin. Each file is recognised by its
//! content (and, for Dockerfiles, its name), parsed with line numbers, and added to the
//! inventory. A file that cannot be read or parsed adds an [`InputError`] naming the file
//! and line; every other input is still read.

pub mod compose;
pub mod detect;
pub mod docker_inspect;
pub mod dockerfile;
pub mod image;
pub mod k8s;
pub mod yaml;

pub use cdeguard_image::{Credentials, ImageOptions};

use std::io::Read as _;
use std::path::{Path, PathBuf};

use cdeguard_model::{InputError, InputFormat, Inventory, Location, Source};
use rayon::prelude::*;
use sha2::{Digest as _, Sha256};

/// Options of the collect stage.
#[derive(Clone, Debug)]
pub struct CollectOptions {
    /// Larger files are rejected with an error instead of being read.
    pub max_file_size: u64,
    pub yaml_limits: yaml::Limits,
    /// Image reading (platform, layer cache).
    pub image: cdeguard_image::ImageOptions,
}

impl Default for CollectOptions {
    fn default() -> Self {
        Self {
            max_file_size: 64 * 1024 * 1024,
            yaml_limits: yaml::Limits::default(),
            image: cdeguard_image::ImageOptions::default(),
        }
    }
}

/// One input to read: a path, standard input, or an image in a registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Path(PathBuf),
    Stdin,
    /// `host[:port]/path[:tag][@digest]`, pulled from its registry.
    Registry(String),
}

impl Target {
    /// `-` means standard input; `docker://REF` a registry image, as does any argument
    /// that is not an existing path and reads as an image reference naming a registry,
    /// tag or digest (`registry.example:5000/app:1`, `nginx:1.27`).
    #[must_use]
    pub fn parse(arg: &str) -> Self {
        if arg == "-" {
            return Target::Stdin;
        }
        if let Some(reference) = arg.strip_prefix("docker://") {
            return Target::Registry(reference.to_owned());
        }
        let path = PathBuf::from(arg);
        let reference =
            || cdeguard_image::reference::Reference::parse(arg).is_ok_and(|r| r.is_unambiguous());
        if !path.exists() && reference() {
            Target::Registry(arg.to_owned())
        } else {
            Target::Path(path)
        }
    }
}

/// Reads every target into one inventory. Files are read in parallel; the result is in a
/// deterministic order (targets in the order given, folder contents sorted by path).
#[must_use]
pub fn collect(targets: &[Target], options: &CollectOptions) -> Inventory {
    let mut inventory = Inventory::default();
    let mut files: Vec<(PathBuf, bool)> = Vec::new();
    let mut images: Vec<image::ImageTarget<'_>> = Vec::new();
    for target in targets {
        match target {
            Target::Stdin => {
                let mut bytes = Vec::new();
                let limit = options.max_file_size + 1;
                match std::io::stdin().lock().take(limit).read_to_end(&mut bytes) {
                    Ok(_) => inventory.merge(read_bytes("-", &bytes, options)),
                    Err(e) => inventory
                        .errors
                        .push(error("-", None, format!("cannot read: {e}"))),
                }
            }
            Target::Path(path) if image::is_image(path) => {
                images.push(image::ImageTarget::Path(path));
            }
            Target::Registry(reference) => images.push(image::ImageTarget::Registry(reference)),
            Target::Path(path) => discover(path, &mut files, &mut inventory.errors),
        }
    }
    let parts: Vec<Inventory> = files
        .par_iter()
        .map(|(path, explicit)| read_file(path, *explicit, options))
        .collect();
    for part in parts {
        inventory.merge(part);
    }
    // Images parallelise internally (layers, catalogers); read them one at a time.
    for target in images {
        inventory.merge(image::read(&target, &options.image));
    }
    inventory
}

fn error(path: &str, line: Option<u32>, message: String) -> InputError {
    InputError {
        path: path.to_owned(),
        line,
        message,
    }
}

/// Expands a path into the files to read: the file itself (explicit), or the candidate
/// files of a folder (sorted, hidden folders and `node_modules` skipped).
fn discover(path: &Path, files: &mut Vec<(PathBuf, bool)>, errors: &mut Vec<InputError>) {
    let display = path.display().to_string();
    match std::fs::metadata(path) {
        Err(e) => errors.push(error(&display, None, format!("cannot read: {e}"))),
        Ok(meta) if meta.is_dir() => {
            let walker = walkdir::WalkDir::new(path).sort_by_file_name().into_iter();
            let entries = walker.filter_entry(|e| {
                e.depth() == 0 || !(is_hidden(e.file_name()) || e.file_name() == "node_modules")
            });
            for entry in entries {
                match entry {
                    Ok(e)
                        if e.file_type().is_file()
                            && (detect::is_candidate(e.path()) || image::is_lockfile(e.path())) =>
                    {
                        files.push((e.into_path(), false));
                    }
                    Ok(_) => {}
                    Err(e) => errors.push(error(&display, None, format!("cannot walk: {e}"))),
                }
            }
        }
        Ok(_) => files.push((path.to_path_buf(), true)),
    }
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .is_some_and(|n| n.starts_with('.') && n != "." && n != "..")
}

/// Reads one file. `explicit` files (named on the command line) that are not recognised
/// are errors; unrecognised files found in a folder are recorded as `unknown` inputs.
fn read_file(path: &Path, explicit: bool, options: &CollectOptions) -> Inventory {
    let display = path.display().to_string();
    let mut inventory = Inventory::default();
    let bytes = match std::fs::metadata(path) {
        Ok(meta) if meta.len() > options.max_file_size => {
            inventory.errors.push(error(
                &display,
                None,
                format!(
                    "file is {} bytes, larger than the {} byte limit; skipped",
                    meta.len(),
                    options.max_file_size
                ),
            ));
            return inventory;
        }
        Ok(_) => std::fs::read(path),
        Err(e) => Err(e),
    };
    match bytes {
        Ok(bytes) => {
            let mut part = read_bytes(&display, &bytes, options);
            if !explicit {
                // Inside a folder, files that are not ours (Helm values, kustomization)
                // are not errors.
                part.errors
                    .retain(|e| !e.message.starts_with(detect::UNRECOGNISED));
            }
            part
        }
        Err(e) => {
            inventory
                .errors
                .push(error(&display, None, format!("cannot read: {e}")));
            inventory
        }
    }
}

/// Recognises and parses one input's bytes.
#[must_use]
pub fn read_bytes(path: &str, bytes: &[u8], options: &CollectOptions) -> Inventory {
    if path != "-" && image::is_lockfile(Path::new(path)) {
        return image::read_lockfile(path, bytes);
    }
    let mut inventory = Inventory::default();
    let text = if bytes.len() as u64 > options.max_file_size {
        Err(format!(
            "input larger than the {} byte limit",
            options.max_file_size
        ))
    } else {
        match std::str::from_utf8(bytes) {
            Ok(text) if text.contains('\0') => {
                Err("binary content (NUL bytes); not a text input".into())
            }
            Ok(text) => Ok(text),
            Err(e) => {
                let line = bytes[..e.valid_up_to()]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count()
                    + 1;
                inventory.errors.push(error(
                    path,
                    u32::try_from(line).ok(),
                    "invalid UTF-8; not a text input".into(),
                ));
                Err(String::new())
            }
        }
    };
    let parsed = text.as_ref().ok().map(|text| classify(path, text, options));
    let id = inventory.add_source(Source {
        path: path.to_owned(),
        sha256: hex(&Sha256::digest(bytes)),
        size: bytes.len() as u64,
        format: parsed.as_ref().map_or(InputFormat::Unknown, |p| p.format),
    });
    let (text, parsed) = match (text, parsed) {
        (Ok(text), Some(parsed)) => (text, parsed),
        (Err(message), _) => {
            if !message.is_empty() {
                inventory.errors.push(error(path, None, message));
            }
            return inventory;
        }
        (Ok(_), None) => return inventory,
    };
    let loc = Location {
        source: id,
        line: 1,
    };
    let inv = &mut inventory;
    match parsed.format {
        InputFormat::Kubernetes => {
            for doc in parsed.docs {
                k8s::read_document(
                    doc.root,
                    loc.at_line(doc.line),
                    path,
                    &mut inv.objects,
                    &mut inv.errors,
                );
            }
        }
        InputFormat::Compose => {
            for doc in parsed.docs.iter().filter(|d| !d.root.is_null()) {
                compose::read_document(
                    &doc.root,
                    loc.at_line(doc.line),
                    path,
                    &mut inv.containers,
                    &mut inv.errors,
                );
            }
        }
        InputFormat::DockerInspect => {
            for doc in &parsed.docs {
                docker_inspect::read_document(
                    &doc.root,
                    loc.at_line(doc.line),
                    path,
                    &mut inv.containers,
                    &mut inv.errors,
                );
            }
        }
        InputFormat::Dockerfile => {
            let (dockerfile, errors) = dockerfile::parse(text, loc, path);
            inv.dockerfiles.push(dockerfile);
            inv.errors.extend(errors);
            return inventory;
        }
        InputFormat::Sbom => {
            image::read_sbom(path, text, loc, inv);
            return inventory;
        }
        // Recognised by path before parsing, so only standard input gets here.
        InputFormat::Image | InputFormat::Lockfile => {
            inv.errors.push(error(
                path,
                None,
                "container images and lockfiles are read from paths, not from standard input"
                    .into(),
            ));
            return inventory;
        }
        InputFormat::Unknown => {
            inv.errors.push(error(
                path,
                None,
                format!("{}: not a Kubernetes manifest, Compose file, docker inspect output or Dockerfile", detect::UNRECOGNISED),
            ));
            return inventory;
        }
    }
    if let Some(e) = parsed.error {
        inventory.errors.push(error(path, Some(e.line), e.message));
    }
    inventory
}

/// An input's format with its parsed documents (YAML/JSON formats).
struct Parsed {
    format: InputFormat,
    docs: Vec<yaml::Document>,
    error: Option<yaml::YamlError>,
}

/// Decides the format from the parsed structure (a file whose text mentions `apiVersion`
/// is not a manifest unless one of its documents is an object or list); falls back on
/// text heuristics when the YAML does not parse, so syntax errors are still reported.
fn classify(path: &str, text: &str, options: &CollectOptions) -> Parsed {
    if cdeguard_packages::sbom::read::detect(text).is_some() {
        return Parsed {
            format: InputFormat::Sbom,
            docs: Vec::new(),
            error: None,
        };
    }
    let by_text = detect::detect(path, text);
    if by_text == InputFormat::Dockerfile {
        return Parsed {
            format: by_text,
            docs: Vec::new(),
            error: None,
        };
    }
    let (docs, error) = yaml::parse_stream(text, options.yaml_limits);
    let any = |f: fn(&cdeguard_model::Node) -> bool| docs.iter().any(|d| f(&d.root));
    let format = if any(k8s::is_k8s_document) {
        InputFormat::Kubernetes
    } else if any(compose::is_compose_document) {
        InputFormat::Compose
    } else if any(docker_inspect::is_inspect_document) {
        InputFormat::DockerInspect
    } else if error.is_some() && by_text != InputFormat::Unknown {
        by_text
    } else {
        InputFormat::Unknown
    };
    Parsed {
        format,
        docs,
        error,
    }
}

use cdeguard_model::hex;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_paths_unless_they_read_as_image_references() {
        let dir = tempfile::tempdir().unwrap();
        let existing = dir.path().join("app:1");
        std::fs::write(&existing, "kind: Pod\n").unwrap();
        let arg = existing.display().to_string();
        assert_eq!(Target::parse(&arg), Target::Path(existing));
        for reference in ["registry.example:5000/app:1", "nginx:1.27", "localhost/app"] {
            assert_eq!(
                Target::parse(reference),
                Target::Registry(reference.to_owned())
            );
        }
        assert_eq!(
            Target::parse("docker://nginx"),
            Target::Registry("nginx".to_owned())
        );
        for path in ["deploy.yaml", "k8s/missing.yaml", "-x"] {
            assert_eq!(Target::parse(path), Target::Path(PathBuf::from(path)));
        }
        assert_eq!(Target::parse("-"), Target::Stdin);
    }

    #[test]
    fn broken_file_does_not_stop_the_others() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("a.yaml"),
            "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("b.yaml"),
            "apiVersion: v1\nkind: Pod\nmetadata: [\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("c.json"), [0xff, 0xfe, 0x00, 0x41]).unwrap();
        let inv = collect(
            &[Target::Path(dir.path().into())],
            &CollectOptions::default(),
        );
        assert_eq!(inv.objects.len(), 1);
        assert_eq!(inv.sources.len(), 3);
        let messages: Vec<String> = inv.errors.iter().map(ToString::to_string).collect();
        assert!(
            messages.iter().any(|m| m.contains("b.yaml:4: ")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("c.json:1: invalid UTF-8")),
            "{messages:?}"
        );
    }

    #[test]
    fn sources_carry_sha256() {
        let inv = read_bytes(
            "x.yaml",
            b"apiVersion: v1\nkind: Namespace\nmetadata: {name: n}\n",
            &CollectOptions::default(),
        );
        assert_eq!(inv.sources[0].sha256.len(), 64);
        assert_eq!(inv.sources[0].format, InputFormat::Kubernetes);
    }

    #[test]
    fn oversized_input_is_rejected() {
        let options = CollectOptions {
            max_file_size: 8,
            ..CollectOptions::default()
        };
        let inv = read_bytes("big.yaml", b"apiVersion: v1\n", &options);
        assert!(inv.objects.is_empty());
        assert!(inv.errors[0].message.contains("limit"));
    }
}
