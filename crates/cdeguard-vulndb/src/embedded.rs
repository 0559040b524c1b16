//! The example vulnerability data built into the binary (`examples/vulndb/`: PyPA records
//! for the example payment app's packages), so the quick start works offline with no
//! database downloaded. Scans say when they use it: it is a demonstration subset, not
//! current threat data.

use std::path::Path;

use crate::db::{Builder, Database, DbError};
use crate::import::parse_records;

static BUNDLE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/example-osv.bundle"));

/// The name scans report for the embedded data.
pub const NAME: &str = "embedded example data (examples/vulndb)";

/// Builds the embedded database in memory (~140 M instructions, parsing YAML records).
///
/// # Errors
/// Never in practice: the bundle is built from the repository's own files.
pub fn database() -> Result<Database, DbError> {
    Database::from_bytes(NAME, build())
}

/// The embedded database, loaded from `cache_dir` when an earlier run of this very
/// binary left it there (whole-file SHA-256 checked: a damaged file is rebuilt), else
/// built and left there for the next run (a rescan then spends ~1 M instructions on it
/// instead of ~140 M). Without a cache folder, or when it cannot be written, just built.
///
/// # Errors
/// Those of [`database`].
pub fn database_cached(cache_dir: Option<&Path>) -> Result<Database, DbError> {
    let Some(dir) = cache_dir else {
        return database();
    };
    let path = dir.join(format!("embedded-vulndb-{}.cdgdb", cache_key()));
    if let Some(db) = std::fs::read(&path)
        .ok()
        .and_then(|bytes| Database::from_bytes(NAME, bytes).ok())
        .filter(|db| db.verify().is_ok())
    {
        return Ok(db);
    }
    let bytes = build();
    // A cache: no sync, and a failed write only costs the next run a rebuild.
    let tmp = dir.join(format!(".embedded-vulndb.{}.tmp", std::process::id()));
    if std::fs::create_dir_all(dir).is_ok()
        && std::fs::write(&tmp, &bytes).is_ok()
        && std::fs::rename(&tmp, &path).is_err()
    {
        let _ = std::fs::remove_file(&tmp);
    }
    Database::from_bytes(NAME, bytes)
}

/// What a cached copy must match: the bundle, and the binary that built it (import
/// and database format change with the code, not only with the records).
fn cache_key() -> String {
    use sha2::Digest as _;
    let mut h = sha2::Sha256::new();
    h.update(BUNDLE);
    h.update(env!("CARGO_PKG_VERSION"));
    if let Some((len, modified)) = std::env::current_exe()
        .and_then(std::fs::metadata)
        .ok()
        .and_then(|m| Some((m.len(), m.modified().ok()?)))
    {
        h.update(format!("{len} {modified:?}"));
    }
    cdeguard_model::hex(&h.finalize()[..16])
}

/// The database file of the bundled records.
fn build() -> Vec<u8> {
    let mut builder = Builder::new(vec![NAME.to_owned()]);
    let mut rest = BUNDLE;
    while let Some((name, after_name)) = split_nul(rest) {
        let Some((len, after_len)) = split_nul(after_name) else {
            break;
        };
        let len: usize = std::str::from_utf8(len)
            .ok()
            .and_then(|l| l.parse().ok())
            .unwrap_or(0);
        let Some(bytes) = after_len.get(..len) else {
            break;
        };
        rest = &after_len[len..];
        if let Ok(records) = parse_records(&String::from_utf8_lossy(name), bytes) {
            for record in &records {
                builder.add(record);
            }
        }
    }
    builder.to_bytes()
}

fn split_nul(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let at = bytes.iter().position(|b| *b == 0)?;
    Some((&bytes[..at], &bytes[at + 1..]))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_bundled_record_imports() {
        let db = super::database().unwrap();
        // 158 PyPA records for 8 packages are bundled; withdrawn ones are not stored.
        assert_eq!(
            db.info().records + db.info().withdrawn,
            158,
            "{:?}",
            db.info()
        );
        assert_eq!(db.info().ecosystems["PyPI"].packages, 8);
    }

    #[test]
    fn the_cached_copy_is_the_built_database_and_a_damaged_one_is_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let built = super::database().unwrap();
        let first = super::database_cached(Some(dir.path())).unwrap();
        let files: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        let cached = super::database_cached(Some(dir.path())).unwrap();
        for db in [&first, &cached] {
            assert_eq!(db.name(), super::NAME);
            assert_eq!(db.info().records, built.info().records);
            assert_eq!(db.info().ecosystems, built.info().ecosystems);
        }
        // Flip one byte of the cached file: the digest check refuses it, and the
        // database is built again (and the file repaired).
        let mut bytes = std::fs::read(&files[0]).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0xff;
        std::fs::write(&files[0], &bytes).unwrap();
        let rebuilt = super::database_cached(Some(dir.path())).unwrap();
        assert_eq!(rebuilt.info().records, built.info().records);
        let repaired = super::Database::from_bytes("x", std::fs::read(&files[0]).unwrap());
        assert!(repaired.unwrap().verify().is_ok());
    }
}
