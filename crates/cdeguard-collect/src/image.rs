//! Images, root filesystems and SBOMs as collect inputs. Only explicit targets are
//! checked for being an image: a tar whose members include `manifest.json` or
//! `index.json`/`oci-layout`, a folder with `oci-layout`, or a folder that looks like a
//! root filesystem (`etc/os-release`, `var/lib/dpkg`, ...). Folders found while walking
//! are never taken for root filesystems. Registry references are pulled
//! (`cdeguard_image::pull`) and become the same inventory entries as a local image.

use std::io::Read as _;
use std::path::Path;

use cdeguard_image::ImageOptions;
use cdeguard_model::image::{ImageInfo, ImageKind};
use cdeguard_model::{InputFormat, Inventory, Location, Source};

/// Whether an explicit target is an image or root filesystem (cheap: a tar's first
/// header block is checked before its member list is read).
#[must_use]
pub fn is_image(path: &Path) -> bool {
    if path.is_dir() {
        return cdeguard_image::detect(path).is_some();
    }
    let mut head = [0u8; 512];
    let looks_like_tar = std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && &head[257..262] == b"ustar";
    looks_like_tar && cdeguard_image::detect(path).is_some()
}

/// An explicit image target: a local image or root filesystem, or a registry reference.
pub enum ImageTarget<'a> {
    Path(&'a Path),
    Registry(&'a str),
}

/// Reads (or pulls) one image into an inventory (its source, the image, and its
/// problems).
#[must_use]
pub fn read(target: &ImageTarget<'_>, options: &ImageOptions) -> Inventory {
    let (display, size, result) = match target {
        ImageTarget::Path(path) => (
            path.display().to_string(),
            std::fs::metadata(path)
                .map(|m| if m.is_dir() { 0 } else { m.len() })
                .unwrap_or(0),
            cdeguard_image::read(path, options),
        ),
        ImageTarget::Registry(reference) => (
            (*reference).to_owned(),
            0,
            cdeguard_image::pull(reference, options),
        ),
    };
    let mut inventory = Inventory::default();
    match result {
        Ok(read) => {
            let id = read.image.id.as_deref().unwrap_or_default();
            let source = Source {
                path: display.clone(),
                sha256: id.strip_prefix("sha256:").unwrap_or(id).to_owned(),
                size,
                format: InputFormat::Image,
            };
            let loc = Location {
                source: inventory.add_source(source),
                line: 1,
            };
            let mut image = read.image;
            image.loc = Some(loc);
            inventory.images.push(image);
            inventory.errors.extend(
                read.warnings
                    .into_iter()
                    .map(|w| crate::error(&display, None, w)),
            );
        }
        Err(e) => {
            inventory.add_source(Source {
                path: display.clone(),
                sha256: String::new(),
                size,
                format: InputFormat::Image,
            });
            inventory.errors.push(crate::error(
                &display,
                None,
                e.member
                    .map_or(e.message.clone(), |m| format!("{m}: {}", e.message)),
            ));
        }
    }
    inventory
}

/// Reads a CycloneDX or SPDX SBOM as an image of kind `sbom` holding its packages.
pub(crate) fn read_sbom(path: &str, text: &str, loc: Location, inventory: &mut Inventory) {
    match cdeguard_packages::sbom::read::read(path, text.as_bytes()) {
        Ok(sbom) => inventory.images.push(ImageInfo {
            packages: sbom.packages,
            loc: Some(loc),
            ..ImageInfo::new(path, ImageKind::Sbom)
        }),
        Err(e) => inventory.errors.push(crate::error(path, e.line, e.message)),
    }
}

/// The package-file view of a file in a source folder: its absolute path, as catalogers
/// match paths of a root filesystem, and non-executable (binaries in source folders are
/// build outputs, not shipped packages).
fn source_file_meta(path: &str, size: u64) -> cdeguard_packages::FileMeta<'_> {
    cdeguard_packages::FileMeta {
        path,
        mode: 0o644,
        size,
    }
}

fn absolute(path: &Path) -> String {
    let text = path.display().to_string();
    if text.starts_with('/') {
        text
    } else {
        format!("/{text}")
    }
}

/// Whether a file of a source folder is a lockfile or manifest a package cataloger reads
/// (`requirements.txt`, `package-lock.json`, `poetry.lock`, `Cargo.lock`, `go.mod`, ...).
#[must_use]
pub fn is_lockfile(path: &Path) -> bool {
    let absolute = absolute(path);
    cdeguard_packages::catalogers_for(&source_file_meta(&absolute, 0))
        .next()
        .is_some()
}

/// Catalogs one lockfile into an image of kind `lockfile` holding its packages; a file
/// that does not parse is an error naming the file and line.
#[must_use]
pub fn read_lockfile(path: &str, bytes: &[u8]) -> Inventory {
    use sha2::Digest as _;
    let mut inventory = Inventory::default();
    let source = inventory.add_source(Source {
        path: path.to_owned(),
        sha256: crate::hex(&sha2::Sha256::digest(bytes)),
        size: bytes.len() as u64,
        format: InputFormat::Lockfile,
    });
    let absolute = absolute(Path::new(path));
    let meta = source_file_meta(&absolute, bytes.len() as u64);
    let (mut packages, errors) =
        cdeguard_packages::catalog_file(&meta, bytes, &cdeguard_packages::Context::default());
    for package in &mut packages {
        package.found_in = path.to_owned();
    }
    inventory.errors.extend(
        errors
            .into_iter()
            .map(|e| crate::error(path, e.line, e.message)),
    );
    inventory.images.push(ImageInfo {
        packages,
        loc: Some(Location { source, line: 1 }),
        ..ImageInfo::new(path, ImageKind::Lockfile)
    });
    inventory
}
