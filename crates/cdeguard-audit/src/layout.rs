//! Where things live in a log directory, and the list of its segments.
//!
//! ```text
//! DIR/log.json              log id and format version
//! DIR/LOCK                  flock: one writer at a time, across processes
//! DIR/head.json             cache of the writer state (size, chain, frontier, clocks)
//! DIR/segments/seg-<first seq, 20 digits>.log        hot segments, append-only
//! DIR/archive/seg-<first seq>.log.zst                archived (compressed) segments
//! DIR/archive/seg-<first seq>.checkpoints.ndjson     checkpoints covering them
//! DIR/checkpoints.ndjson    signed checkpoints, append-only
//! DIR/tree/level-NN.bin     Merkle perfect-subtree hashes per level (proof index)
//! DIR/forward/<name>.cursor forwarding cursors
//! DIR/quarantine/           bytes removed by crash recovery, kept as evidence
//! ```

use std::path::{Path, PathBuf};

use crate::error::{AuditError, Result};

/// Paths of one log directory.
#[derive(Clone, Debug)]
pub struct Layout {
    root: PathBuf,
}

/// One segment file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentFile {
    /// Sequence number of its first record (from the file name; checked against the header).
    pub first_seq: u64,
    /// Its path.
    pub path: PathBuf,
    /// Whether it is a compressed archive.
    pub archived: bool,
}

impl Layout {
    /// The layout of `root`.
    pub fn new(root: &Path) -> Self {
        Layout {
            root: root.to_owned(),
        }
    }
    /// The log directory.
    pub fn root(&self) -> &Path {
        &self.root
    }
    /// `log.json`.
    pub fn meta(&self) -> PathBuf {
        self.root.join("log.json")
    }
    /// `LOCK`.
    pub fn lock(&self) -> PathBuf {
        self.root.join("LOCK")
    }
    /// `head.json`.
    pub fn head(&self) -> PathBuf {
        self.root.join("head.json")
    }
    /// `checkpoints.ndjson`.
    pub fn checkpoints(&self) -> PathBuf {
        self.root.join("checkpoints.ndjson")
    }
    /// `segments/`.
    pub fn segments_dir(&self) -> PathBuf {
        self.root.join("segments")
    }
    /// `archive/`.
    pub fn archive_dir(&self) -> PathBuf {
        self.root.join("archive")
    }
    /// `tree/`.
    pub fn tree_dir(&self) -> PathBuf {
        self.root.join("tree")
    }
    /// `forward/`.
    pub fn forward_dir(&self) -> PathBuf {
        self.root.join("forward")
    }
    /// `quarantine/`.
    pub fn quarantine_dir(&self) -> PathBuf {
        self.root.join("quarantine")
    }
    /// Path of the hot segment starting at `first_seq`.
    pub fn segment(&self, first_seq: u64) -> PathBuf {
        self.segments_dir().join(segment_name(first_seq))
    }
    /// Path of the archived segment starting at `first_seq`.
    pub fn archived_segment(&self, first_seq: u64) -> PathBuf {
        self.archive_dir()
            .join(format!("{}.zst", segment_name(first_seq)))
    }
    /// Path of the checkpoints kept with an archived segment.
    pub fn archived_checkpoints(&self, first_seq: u64) -> PathBuf {
        self.archive_dir()
            .join(format!("seg-{first_seq:020}.checkpoints.ndjson"))
    }

    /// Archived then hot segments, ordered by first sequence number.
    pub fn list_segments(&self) -> Result<Vec<SegmentFile>> {
        let mut out = Vec::new();
        for (dir, archived) in [(self.archive_dir(), true), (self.segments_dir(), false)] {
            let entries = match std::fs::read_dir(&dir) {
                Ok(e) => e,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(AuditError::io(&dir, e)),
            };
            for entry in entries {
                let entry = entry.map_err(AuditError::at(&dir))?;
                let name = entry.file_name();
                let Some(name) = name.to_str() else { continue };
                let suffix = if archived { ".log.zst" } else { ".log" };
                let Some(first_seq) = name
                    .strip_prefix("seg-")
                    .and_then(|n| n.strip_suffix(suffix))
                    .and_then(|n| n.parse().ok())
                else {
                    continue;
                };
                out.push(SegmentFile {
                    first_seq,
                    path: entry.path(),
                    archived,
                });
            }
        }
        out.sort_by_key(|s| (s.first_seq, s.archived));
        // A crash while archiving can leave both copies; the hot one is authoritative.
        out.dedup_by_key(|s| s.first_seq);
        Ok(out)
    }
}

/// `seg-<20 digits>.log`.
pub fn segment_name(first_seq: u64) -> String {
    format!("seg-{first_seq:020}.log")
}

/// Makes `dir` and fsyncs its parent so the entry survives a crash.
pub fn create_dir_durable(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(AuditError::at(dir))?;
    sync_dir(parent_of(dir))
}

/// fsyncs a directory (makes renames and new entries in it durable).
pub fn sync_dir(dir: &Path) -> Result<()> {
    std::fs::File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(AuditError::at(dir))
}

/// Writes `bytes` to `path` atomically: temp file, fsync, rename, fsync the directory.
pub fn write_durable(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = tmp_path(path);
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::File::open(&tmp)?.sync_all())
        .map_err(AuditError::at(&tmp))?;
    std::fs::rename(&tmp, path).map_err(AuditError::at(path))?;
    sync_dir(parent_of(path))
}

/// Overwrites `path` in place, without fsync, without truncating it to zero and without
/// renaming over it (both make ext4 write the file out at once, `auto_da_alloc`). Only for
/// checksummed caches: a torn write is detected when the file is read.
pub fn overwrite_cache(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::os::unix::fs::FileExt as _;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .and_then(|file| {
            file.write_all_at(bytes, 0)?;
            file.set_len(bytes.len() as u64)
        })
        .map_err(AuditError::at(path))
}

/// The directory holding `path` (`.` for a bare name).
fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn tmp_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".tmp");
    name.into()
}
