//! Where an image's blobs live: a folder (OCI layout, or an unpacked `docker save`) or a
//! tar (docker-archive, oci-archive) indexed once by member name so that any blob can
//! be streamed from its offset. Blob names are checked so a manifest cannot point
//! outside the image.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Largest manifest, index or config read into memory.
pub const MAX_METADATA: u64 = 16 * 1024 * 1024;

/// Where layer blobs are streamed from: a local [`Store`], or a registry.
pub trait Blobs: Sync {
    /// Opens a blob (`blobs/<algorithm>/<hex>` or an archive member) for streaming,
    /// with its size when known (0 otherwise).
    ///
    /// # Errors
    /// Missing blobs, unsafe names, transport failures.
    fn open(&self, name: &str) -> io::Result<(Box<dyn Read + Send>, u64)>;
}

impl Blobs for Store {
    fn open(&self, name: &str) -> io::Result<(Box<dyn Read + Send>, u64)> {
        Store::open(self, name)
    }
}

pub enum Store {
    Dir(PathBuf),
    Tar {
        path: PathBuf,
        members: HashMap<String, (u64, u64)>,
    },
}

impl Store {
    /// Indexes a tar's members (headers only; data is skipped by seeking).
    ///
    /// # Errors
    /// I/O and tar format errors.
    pub fn tar(path: &Path) -> io::Result<Self> {
        let mut archive = tar::Archive::new(File::open(path)?);
        let mut members = HashMap::new();
        for entry in archive.entries_with_seek()? {
            let entry = entry?;
            if entry.header().entry_type().is_file() {
                let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
                let name = name.trim_start_matches("./").to_owned();
                members.insert(name, (entry.raw_file_position(), entry.size()));
            }
        }
        Ok(Store::Tar {
            path: path.to_owned(),
            members,
        })
    }

    #[must_use]
    pub fn has(&self, name: &str) -> bool {
        match self {
            Store::Dir(root) => safe_name(name) && root.join(name).is_file(),
            Store::Tar { members, .. } => members.contains_key(name),
        }
    }

    /// Opens a member for streaming, with its size.
    ///
    /// # Errors
    /// Missing members and unsafe names.
    pub fn open(&self, name: &str) -> io::Result<(Box<dyn Read + Send>, u64)> {
        if !safe_name(name) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("unsafe blob name `{name}`"),
            ));
        }
        match self {
            Store::Dir(root) => {
                let file = File::open(root.join(name))?;
                let size = file.metadata()?.len();
                Ok((Box::new(file), size))
            }
            Store::Tar { path, members } => {
                let (offset, size) = *members.get(name).ok_or_else(|| {
                    io::Error::new(io::ErrorKind::NotFound, format!("no member `{name}`"))
                })?;
                let mut file = File::open(path)?;
                file.seek(SeekFrom::Start(offset))?;
                Ok((Box::new(file.take(size)), size))
            }
        }
    }

    /// Reads a small member (manifest, index, config) whole.
    ///
    /// # Errors
    /// Missing members, or members larger than [`MAX_METADATA`].
    pub fn read_small(&self, name: &str) -> io::Result<Vec<u8>> {
        let (reader, size) = self.open(name)?;
        if size > MAX_METADATA {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("`{name}` is {size} bytes, over the {MAX_METADATA} byte limit"),
            ));
        }
        let mut bytes = Vec::new();
        reader.take(MAX_METADATA).read_to_end(&mut bytes)?;
        Ok(bytes)
    }
}

/// Relative, no `..`, no absolute paths, no backslashes.
fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('/')
        && !name.contains('\\')
        && name
            .split('/')
            .all(|p| !p.is_empty() && p != "." && p != "..")
}

/// The blob path of a digest (`sha256:abc…` -> `blobs/sha256/abc…`), refusing digests
/// that are not `algorithm:hex`.
#[must_use]
pub fn blob_path(digest: &str) -> Option<String> {
    let (algorithm, hex) = digest.split_once(':')?;
    let valid = !algorithm.is_empty()
        && algorithm.chars().all(|c| c.is_ascii_alphanumeric())
        && !hex.is_empty()
        && hex.chars().all(|c| c.is_ascii_hexdigit());
    valid.then(|| format!("blobs/{algorithm}/{hex}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_digests() {
        assert_eq!(
            blob_path("sha256:abc123").as_deref(),
            Some("blobs/sha256/abc123")
        );
        assert_eq!(blob_path("sha256:../../etc/passwd"), None);
        assert_eq!(blob_path("abc"), None);
        assert!(
            safe_name("blobs/sha256/x")
                && !safe_name("../x")
                && !safe_name("/etc/passwd")
                && !safe_name("a//b")
        );
    }

    #[test]
    fn tar_members_are_streamed_from_their_offset() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.tar");
        let mut builder = tar::Builder::new(File::create(&path).unwrap());
        for (name, data) in [
            ("./manifest.json", &b"[]"[..]),
            ("blobs/sha256/aa", &b"layer-bytes"[..]),
        ] {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_path(name).unwrap();
            h.set_cksum();
            builder.append(&h, data).unwrap();
        }
        builder.finish().unwrap();
        drop(builder);
        let store = Store::tar(&path).unwrap();
        assert!(store.has("manifest.json"));
        assert_eq!(store.read_small("blobs/sha256/aa").unwrap(), b"layer-bytes");
        assert!(store.open("../x").is_err());
    }
}
