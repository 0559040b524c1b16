//! Container images and root filesystems as collected: where they came from, their
//! configuration, layers, OS, packages, and the file facts the image rules read.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::inventory::Location;
use crate::package::Package;

/// How an image was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImageKind {
    /// `docker save` tarball (`manifest.json`).
    DockerArchive,
    /// OCI image layout folder (`oci-layout`, `index.json`, `blobs/`).
    OciLayout,
    /// OCI image layout packed in a tar.
    OciArchive,
    /// A root filesystem folder (no layers, no configuration).
    RootFs,
    /// Pulled from a registry.
    Registry,
    /// Packages read from a CycloneDX or SPDX SBOM (no files, no configuration).
    Sbom,
    /// Packages of one lockfile or package manifest found in a source folder.
    Lockfile,
}

/// The image configuration (`config` of the OCI image config / docker config).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageConfig {
    /// `USER`, `None` when unset (the image runs as root).
    pub user: Option<String>,
    /// `ENV` as (name, value).
    pub env: Vec<(String, String)>,
    pub labels: BTreeMap<String, String>,
    /// `EXPOSE`d ports as written in the config (`22/tcp`).
    pub exposed_ports: Vec<String>,
    /// `HEALTHCHECK` test command; `Some(["NONE"])` when explicitly disabled.
    pub healthcheck: Option<Vec<String>>,
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    pub working_dir: Option<String>,
    /// RFC 3339 creation time.
    pub created: Option<String>,
    pub history: Vec<HistoryEntry>,
    /// `os/architecture[/variant]`.
    pub platform: Option<String>,
}

/// One `history` entry (one Dockerfile instruction).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub created: Option<String>,
    pub created_by: Option<String>,
    pub empty_layer: bool,
}

/// `/etc/os-release` (or a fallback) of the image.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsRelease {
    /// `ID` (`debian`, `alpine`, `ubuntu`, `rhel`, ...).
    pub id: String,
    /// `VERSION_ID` (`12`, `3.20.3`, `22.04`).
    pub version_id: Option<String>,
    pub version_codename: Option<String>,
    pub pretty_name: Option<String>,
    pub id_like: Vec<String>,
    /// The file it was read from.
    pub path: String,
}

/// One layer, in application order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layer {
    /// Digest of the blob as stored (compressed), `sha256:…`.
    pub digest: String,
    /// Digest of the uncompressed tar (`rootfs.diff_ids`), when known.
    pub diff_id: Option<String>,
    /// Size of the blob in bytes.
    pub size: u64,
    /// The history entry that made the layer.
    pub created_by: Option<String>,
}

/// A file or folder of the final (merged) filesystem worth a rule's attention.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileFact {
    /// Absolute path inside the image (`/usr/bin/passwd`).
    pub path: String,
    /// Permission bits including setuid/setgid/sticky (`0o4755`).
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub is_dir: bool,
    /// Size in bytes (for folders: total size of the files below).
    pub size: u64,
    /// Digest of the layer that last wrote it.
    pub layer: Option<String>,
}

/// File facts of the merged filesystem. Lists are capped (see `truncated`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageFiles {
    /// Regular files with the setuid or setgid bit.
    pub setuid_setgid: Vec<FileFact>,
    /// Files and folders writable by everyone (symlinks excluded).
    pub world_writable: Vec<FileFact>,
    /// Non-empty package manager caches (`/var/cache/apt/archives`, `/root/.cache/pip`, ...).
    pub package_caches: Vec<FileFact>,
    /// Compilers and build tools present (`/usr/bin/gcc`, `/usr/bin/make`, ...).
    pub build_tools: Vec<FileFact>,
    /// Number of files and folders in the merged filesystem.
    pub total_entries: u64,
    /// True when a list hit its cap.
    pub truncated: bool,
}

/// A container image or root filesystem.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ImageInfo {
    /// What the user named: a path or a registry reference.
    pub reference: String,
    pub kind: ImageKind,
    /// Image id: digest of the config blob, when there is one.
    pub id: Option<String>,
    /// Digest of the manifest, when known.
    pub manifest_digest: Option<String>,
    pub repo_tags: Vec<String>,
    pub config: ImageConfig,
    pub os: Option<OsRelease>,
    pub layers: Vec<Layer>,
    pub packages: Vec<Package>,
    pub files: ImageFiles,
    #[serde(skip)]
    pub loc: Option<Location>,
}

impl ImageInfo {
    /// An artifact known by its reference and kind, with nothing read from it yet.
    #[must_use]
    pub fn new(reference: impl Into<String>, kind: ImageKind) -> Self {
        Self {
            reference: reference.into(),
            kind,
            id: None,
            manifest_digest: None,
            repo_tags: Vec::new(),
            config: ImageConfig::default(),
            os: None,
            layers: Vec::new(),
            packages: Vec::new(),
            files: ImageFiles::default(),
            loc: None,
        }
    }

    /// A short name for findings: the file name of the path, or the reference.
    #[must_use]
    pub fn display_name(&self) -> &str {
        let trimmed = self.reference.trim_end_matches('/');
        if self.kind == ImageKind::Registry {
            return trimmed;
        }
        trimmed.rsplit('/').next().unwrap_or(trimmed)
    }

    /// True for images that carry an image configuration (not root filesystems or SBOMs).
    #[must_use]
    pub fn has_config(&self) -> bool {
        matches!(
            self.kind,
            ImageKind::DockerArchive
                | ImageKind::OciLayout
                | ImageKind::OciArchive
                | ImageKind::Registry
        )
    }

    /// True when the image runs as root: no `USER`, or user `0`/`root` (with any group).
    #[must_use]
    pub fn runs_as_root(&self) -> bool {
        match self.config.user.as_deref().map(str::trim) {
            None | Some("") => true,
            Some(user) => {
                let name = user.split(':').next().unwrap_or(user);
                name == "0" || name == "root"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(user: Option<&str>) -> ImageInfo {
        ImageInfo {
            config: ImageConfig {
                user: user.map(str::to_owned),
                ..ImageConfig::default()
            },
            ..ImageInfo::new("/tmp/x/app.tar", ImageKind::DockerArchive)
        }
    }

    #[test]
    fn root_user_detection() {
        assert!(image(None).runs_as_root());
        assert!(image(Some("")).runs_as_root());
        assert!(image(Some("0:0")).runs_as_root());
        assert!(image(Some("root")).runs_as_root());
        assert!(!image(Some("1000")).runs_as_root());
        assert!(!image(Some("app:0")).runs_as_root());
        assert_eq!(image(None).display_name(), "app.tar");
    }
}
