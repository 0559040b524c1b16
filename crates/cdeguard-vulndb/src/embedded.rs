//! The example vulnerability data built into the binary (`examples/vulndb/`: PyPA records
//! for the example payment app's packages), so the quick start works offline with no
//! database downloaded. Scans say when they use it: it is a demonstration subset, not
//! current threat data.

use crate::db::{Builder, Database, DbError};
use crate::import::parse_records;

static BUNDLE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/example-osv.bundle"));

/// The name scans report for the embedded data.
pub const NAME: &str = "embedded example data (examples/vulndb)";

/// Builds the embedded database in memory (a few milliseconds).
///
/// # Errors
/// Never in practice: the bundle is built from the repository's own files.
pub fn database() -> Result<Database, DbError> {
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
    Database::from_bytes(NAME, builder.to_bytes())
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
}
