//! The database file: one file, memory-mapped, looked up by (ecosystem, package) without
//! decoding anything else.
//!
//! Layout (integers little-endian):
//!
//! | offset | size | content |
//! |---|---|---|
//! | 0 | 8 | magic `CDGVULN\0` |
//! | 8 | 4 | format version ([`FORMAT_VERSION`]) |
//! | 12 | 4 | header length `H` |
//! | 16 | 8 | index length `F` |
//! | 24 | 8 | entries length `E` |
//! | 32 | 4 | CRC-32 of header and index |
//! | 36 | 4 | reserved (0) |
//! | 40 | H | header: JSON [`Info`] |
//! | 40+H | F | `fst::Map` from key (`ecosystem[:release]\0name`) to entry offset |
//! | 40+H+F | E | entries: `len u32, crc32 u32`, then the advisories of one key ([`crate::entry`]) |
//! | end-32 | 32 | SHA-256 of everything before |
//!
//! Opening checks magic, version, that the lengths add up to the file size (a truncated
//! file is refused) and the header/index CRC; each entry's CRC is checked when it is
//! read; [`Database::verify`] checks the whole-file SHA-256. A corrupt file is an error,
//! never an empty result.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::entry::AdvisoryView;
use crate::key;
use crate::osv::Record;
use crate::store::{StoredAdvisory, StoredAffected};

const MAGIC: &[u8; 8] = b"CDGVULN\0";
/// Bumped whenever the layout or the stored JSON changes incompatibly.
pub const FORMAT_VERSION: u32 = 3;
const FIXED_HEADER: usize = 40;
const DIGEST: usize = 32;

/// A database that cannot be opened or read.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("{path}: cannot read the vulnerability database: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "{path}: vulnerability database is corrupt ({reason}); rebuild it with `cdeguard db update` or `cdeguard db build`"
    )]
    Corrupt { path: String, reason: String },
    #[error(
        "{path}: vulnerability database format {found} is not supported (this cdeguard reads format {FORMAT_VERSION}); rebuild it with `cdeguard db update` or `cdeguard db build`"
    )]
    Version { path: String, found: u32 },
}

/// What the header records about the data.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Info {
    pub format: u32,
    /// When the file was built (RFC 3339).
    pub built_at: String,
    /// The newest `modified` of any record: how current the data is.
    pub newest_modified: Option<String>,
    /// Records stored (withdrawn ones excluded).
    pub records: usize,
    pub withdrawn: usize,
    /// Per OSV ecosystem (with release): advisories and packages.
    pub ecosystems: BTreeMap<String, EcosystemCount>,
    /// Where the records came from (paths or URLs).
    pub sources: Vec<String>,
}

impl Info {
    /// The date of the newest record and its age in days on `today` (how current the
    /// threat data is, PCI DSS 6.3.1).
    #[must_use]
    pub fn data_age(&self, today: jiff::civil::Date) -> Option<(jiff::civil::Date, i32)> {
        let newest = self
            .newest_modified
            .as_deref()?
            .parse::<jiff::Timestamp>()
            .ok()?;
        let date = newest.to_zoned(jiff::tz::TimeZone::UTC).date();
        Some((date, (today - date).get_days()))
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EcosystemCount {
    pub advisories: usize,
    pub packages: usize,
}

/// Collects records and writes a database.
#[derive(Debug, Default)]
pub struct Builder {
    entries: BTreeMap<Vec<u8>, Vec<StoredAdvisory>>,
    info: Info,
    /// Records that named at least one catalogued ecosystem, per ecosystem label.
    advisories_per_ecosystem: BTreeMap<String, std::collections::BTreeSet<String>>,
}

impl Builder {
    #[must_use]
    pub fn new(sources: Vec<String>) -> Self {
        Self {
            info: Info {
                sources,
                ..Info::default()
            },
            ..Self::default()
        }
    }

    /// Adds one record under every package it names. Returns what was skipped in it.
    pub fn add(&mut self, record: &Record) -> Vec<String> {
        if record.withdrawn.is_some() {
            self.info.withdrawn += 1;
            return Vec::new();
        }
        let mut skipped = Vec::new();
        let header = StoredAdvisory::header(record);
        let mut per_key: BTreeMap<Vec<u8>, (String, Vec<StoredAffected>)> = BTreeMap::new();
        for (index, affected) in record.affected.iter().enumerate() {
            let Some(package) = &affected.package else {
                continue;
            };
            let Some((ecosystem, release)) = key::osv_ecosystem(&package.ecosystem) else {
                continue; // an ecosystem cdeguard does not catalog
            };
            let mut stored = StoredAffected::from_osv(affected, ecosystem);
            stored.ranges.retain(|range| {
                let has_start = range
                    .events
                    .iter()
                    .any(|e| matches!(e, crate::osv::Event::Introduced(_)));
                if !has_start {
                    skipped.push(format!(
                        "affected[{index}] ({}): a range without an `introduced` event is invalid OSV, skipped",
                        package.name
                    ));
                }
                has_start
            });
            if stored.ranges.is_empty() && stored.versions.is_empty() {
                continue;
            }
            let label = match &release {
                Some(r) => format!("{}:{r}", ecosystem.osv_name()),
                None => ecosystem.osv_name().to_owned(),
            };
            let key = key::key(ecosystem, release.as_deref(), &package.name);
            per_key
                .entry(key)
                .or_insert_with(|| (label, Vec::new()))
                .1
                .push(stored);
        }
        if per_key.is_empty() && !record.affected.is_empty() {
            return skipped;
        }
        self.info.records += 1;
        if let Some(modified) = &record.modified
            && self.info.newest_modified.as_ref() < Some(modified)
        {
            self.info.newest_modified = Some(modified.clone());
        }
        for (key, (label, affected)) in per_key {
            self.advisories_per_ecosystem
                .entry(label)
                .or_default()
                .insert(record.id.clone());
            let mut advisory = header.clone();
            advisory.affected = affected;
            self.entries.entry(key).or_default().push(advisory);
        }
        skipped
    }

    /// Serialises the database.
    #[must_use]
    pub fn to_bytes(mut self) -> Vec<u8> {
        self.info.format = FORMAT_VERSION;
        self.info.built_at = jiff::Timestamp::now().to_string();
        for key in self.entries.keys() {
            let label = String::from_utf8_lossy(key.split(|b| *b == 0).next().unwrap_or(key));
            self.info
                .ecosystems
                .entry(label.into_owned())
                .or_default()
                .packages += 1;
        }
        for (label, ids) in &self.advisories_per_ecosystem {
            self.info
                .ecosystems
                .entry(label.clone())
                .or_default()
                .advisories = ids.len();
        }
        let mut entries = Vec::new();
        let mut index = fst::MapBuilder::memory();
        for (key, advisories) in &self.entries {
            let body = crate::entry::encode(advisories);
            index
                .insert(key, entries.len() as u64)
                .unwrap_or_else(|_| unreachable!("BTreeMap keys are sorted and unique"));
            entries.extend_from_slice(&u32::try_from(body.len()).unwrap_or(u32::MAX).to_le_bytes());
            entries.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
            entries.extend_from_slice(&body);
        }
        let index = index.into_inner().unwrap_or_default();
        let header = serde_json::to_vec(&self.info).unwrap_or_default();
        let mut crc = crc32fast::Hasher::new();
        crc.update(&header);
        crc.update(&index);
        let mut out =
            Vec::with_capacity(FIXED_HEADER + header.len() + index.len() + entries.len() + DIGEST);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(
            &u32::try_from(header.len())
                .unwrap_or(u32::MAX)
                .to_le_bytes(),
        );
        out.extend_from_slice(&(index.len() as u64).to_le_bytes());
        out.extend_from_slice(&(entries.len() as u64).to_le_bytes());
        out.extend_from_slice(&crc.finalize().to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(&index);
        out.extend_from_slice(&entries);
        let digest = Sha256::digest(&out);
        out.extend_from_slice(&digest);
        out
    }

    /// Writes the database to `path` atomically: a temporary file in the same folder,
    /// fsynced, then renamed over the old one, so readers see the old or the new file,
    /// never a partial one.
    ///
    /// # Errors
    /// The file system error, naming the path.
    pub fn write(self, path: &Path) -> Result<(), DbError> {
        let bytes = self.to_bytes();
        write_atomically(path, &bytes)
    }
}

/// Writes `bytes` to `path` through a synced temporary file and a rename.
///
/// # Errors
/// The file system error, naming the path.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), DbError> {
    let io = |source| DbError::Io {
        path: path.display().to_string(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("vulndb"),
        std::process::id()
    ));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}

/// The bytes of an open database: a read-only mapping of the file, or memory.
enum Backing {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl AsRef<[u8]> for Backing {
    fn as_ref(&self) -> &[u8] {
        match self {
            Backing::Mapped(m) => m,
            Backing::Owned(v) => v,
        }
    }
}

/// A window of the backing bytes (the `fst` index).
#[derive(Clone)]
struct Window {
    backing: Arc<Backing>,
    start: usize,
    end: usize,
}

impl AsRef<[u8]> for Window {
    fn as_ref(&self) -> &[u8] {
        &(*self.backing).as_ref()[self.start..self.end]
    }
}

/// An open database.
pub struct Database {
    name: String,
    backing: Arc<Backing>,
    index: fst::Map<Window>,
    entries_start: usize,
    entries_end: usize,
    info: Info,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("name", &self.name)
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

/// The default database location: `$XDG_DATA_HOME/cdeguard/vulndb.cdgdb`, else
/// `~/.local/share/cdeguard/vulndb.cdgdb`.
#[must_use]
pub fn default_path() -> Option<PathBuf> {
    Some(user_dir("XDG_DATA_HOME", ".local/share")?.join("vulndb.cdgdb"))
}

/// `$<xdg_var>/cdeguard`, else `$HOME/<home_fallback>/cdeguard` (XDG base directories).
pub(crate) fn user_dir(xdg_var: &str, home_fallback: &str) -> Option<PathBuf> {
    let base = std::env::var_os(xdg_var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(home_fallback))
        })?;
    Some(base.join("cdeguard"))
}

impl Database {
    /// Memory-maps and checks a database file.
    ///
    /// # Errors
    /// Unreadable, truncated, corrupt or of another format version.
    pub fn open(path: &Path) -> Result<Self, DbError> {
        let name = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|source| DbError::Io {
            path: name.clone(),
            source,
        })?;
        // SAFETY: the mapping is read-only and cdeguard replaces database files only by
        // rename (`write_atomically`), never in place, so the mapped bytes do not change
        // under us; every byte is treated as untrusted input and bounds-checked below.
        #[allow(unsafe_code)]
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|source| DbError::Io {
            path: name.clone(),
            source,
        })?;
        Self::from_backing(name, Backing::Mapped(map))
    }

    /// Opens a database held in memory (the embedded example data).
    ///
    /// # Errors
    /// As [`Database::open`].
    pub fn from_bytes(name: &str, bytes: Vec<u8>) -> Result<Self, DbError> {
        Self::from_backing(name.to_owned(), Backing::Owned(bytes))
    }

    fn from_backing(name: String, backing: Backing) -> Result<Self, DbError> {
        let corrupt = |reason: &str| DbError::Corrupt {
            path: name.clone(),
            reason: reason.to_owned(),
        };
        let bytes = backing.as_ref();
        if bytes.len() < FIXED_HEADER + DIGEST || &bytes[..8] != MAGIC {
            return Err(corrupt("not a cdeguard vulnerability database"));
        }
        let u32_at = |at: usize| {
            u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        let u64_at = |at: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&bytes[at..at + 8]);
            u64::from_le_bytes(b)
        };
        let version = u32_at(8);
        if version != FORMAT_VERSION {
            return Err(DbError::Version {
                path: name.clone(),
                found: version,
            });
        }
        let header_len = u32_at(12) as usize;
        let (index_len, entries_len) = (u64_at(16), u64_at(24));
        let total = (FIXED_HEADER as u64)
            .checked_add(header_len as u64)
            .and_then(|t| t.checked_add(index_len))
            .and_then(|t| t.checked_add(entries_len))
            .and_then(|t| t.checked_add(DIGEST as u64));
        if total != Some(bytes.len() as u64) {
            return Err(corrupt(
                "truncated or extended: section lengths do not add up to the file size",
            ));
        }
        let index_start = FIXED_HEADER + header_len;
        // Fits: the sum above equals the length of an in-memory slice.
        let index_end = index_start + index_len as usize;
        let entries_end = index_end + entries_len as usize;
        let mut crc = crc32fast::Hasher::new();
        crc.update(&bytes[FIXED_HEADER..index_end]);
        if crc.finalize() != u32_at(32) {
            return Err(corrupt("header or index checksum mismatch"));
        }
        let info: Info = serde_json::from_slice(&bytes[FIXED_HEADER..index_start])
            .map_err(|e| corrupt(&format!("header: {e}")))?;
        let backing = Arc::new(backing);
        let index = fst::Map::new(Window {
            backing: Arc::clone(&backing),
            start: index_start,
            end: index_end,
        })
        .map_err(|e| corrupt(&format!("index: {e}")))?;
        Ok(Self {
            name,
            backing,
            index,
            entries_start: index_end,
            entries_end,
            info,
        })
    }

    #[must_use]
    pub fn info(&self) -> &Info {
        &self.info
    }

    /// The path (or name) the database was opened from.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The advisories stored under a key.
    ///
    /// # Errors
    /// A corrupt entry (checksum or decoding).
    pub fn lookup(&self, key: &[u8]) -> Result<Vec<AdvisoryView<'_>>, DbError> {
        let Some(offset) = self.index.get(key) else {
            return Ok(Vec::new());
        };
        let corrupt = |reason: String| DbError::Corrupt {
            path: self.name.clone(),
            reason,
        };
        let label = String::from_utf8_lossy(key).replace('\0', "/");
        let entries = &(*self.backing).as_ref()[self.entries_start..self.entries_end];
        let start = usize::try_from(offset)
            .ok()
            .filter(|s| s.checked_add(8).is_some_and(|e| e <= entries.len()))
            .ok_or_else(|| corrupt(format!("entry of {label} out of bounds")))?;
        let len = u32::from_le_bytes([
            entries[start],
            entries[start + 1],
            entries[start + 2],
            entries[start + 3],
        ]) as usize;
        let crc = u32::from_le_bytes([
            entries[start + 4],
            entries[start + 5],
            entries[start + 6],
            entries[start + 7],
        ]);
        let body = entries
            .get(start + 8..start + 8 + len)
            .ok_or_else(|| corrupt(format!("entry of {label} out of bounds")))?;
        if crc32fast::hash(body) != crc {
            return Err(corrupt(format!("entry of {label}: checksum mismatch")));
        }
        crate::entry::decode(body).map_err(|e| corrupt(format!("entry of {label}: {e}")))
    }

    /// Checks the whole-file SHA-256.
    ///
    /// # Errors
    /// [`DbError::Corrupt`] when the digest does not match.
    pub fn verify(&self) -> Result<(), DbError> {
        let bytes = (*self.backing).as_ref();
        let (body, digest) = bytes.split_at(bytes.len() - DIGEST);
        if Sha256::digest(body).as_slice() == digest {
            Ok(())
        } else {
            Err(DbError::Corrupt {
                path: self.name.clone(),
                reason: "SHA-256 mismatch".into(),
            })
        }
    }

    /// Number of package keys.
    #[must_use]
    pub fn package_count(&self) -> usize {
        self.index.len()
    }
}
