//! Images, root filesystems and SBOMs as collect inputs. Only explicit targets are
//! checked for being an image: a tar whose members include `manifest.json` or
//! `index.json`/`oci-layout`, a folder with `oci-layout`, or a folder that looks like a
//! root filesystem (`etc/os-release`, `var/lib/dpkg`, ...). Folders found while walking
//! are never taken for root filesystems.

use std::io::Read as _;
use std::path::Path;

use cdeguard_image::ImageOptions;
use cdeguard_model::image::{ImageConfig, ImageFiles, ImageInfo, ImageKind};
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

/// Reads one image into an inventory (its source, the image, and its problems).
#[must_use]
pub fn read(path: &Path, options: &ImageOptions) -> Inventory {
    let display = path.display().to_string();
    let mut inventory = Inventory::default();
    let size = std::fs::metadata(path)
        .map(|m| if m.is_dir() { 0 } else { m.len() })
        .unwrap_or(0);
    match cdeguard_image::read(path, options) {
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
            reference: path.to_owned(),
            kind: ImageKind::Sbom,
            id: None,
            manifest_digest: None,
            repo_tags: Vec::new(),
            config: ImageConfig::default(),
            os: None,
            layers: Vec::new(),
            packages: sbom.packages,
            files: ImageFiles::default(),
            loc: Some(loc),
        }),
        Err(e) => inventory.errors.push(crate::error(path, e.line, e.message)),
    }
}
