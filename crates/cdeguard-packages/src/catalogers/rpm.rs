//! RPM packages from `rpmdb.sqlite` (RHEL 9+, Fedora 33+, Rocky, Alma, recent SUSE):
//! the `Packages` table's header blobs, decoded by `rpm_header`. The database is opened
//! from memory, read-only; nothing is written to disk.

use cdeguard_model::Package;
use rusqlite::{Connection, MAIN_DB, OpenFlags};

use super::Cataloger;
use super::rpm_header;
use crate::{CatalogError, Context, FileMeta};

pub(crate) struct Rpm;

impl Cataloger for Rpm {
    fn id(&self) -> &'static str {
        "rpm"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, file: &FileMeta<'_>) -> bool {
        matches!(
            file.path,
            "/var/lib/rpm/rpmdb.sqlite" | "/usr/lib/sysimage/rpm/rpmdb.sqlite"
        )
    }
    fn max_size(&self) -> u64 {
        512 * 1024 * 1024
    }
    fn catalog(
        &self,
        path: &str,
        bytes: &[u8],
        ctx: &Context<'_>,
    ) -> Result<Vec<Package>, CatalogError> {
        let err = |e: rusqlite::Error| CatalogError::new(path, None, format!("rpmdb.sqlite: {e}"));
        let mut image = bytes.to_vec();
        // A WAL-mode database (header bytes 18-19 = 2) cannot be deserialized; the WAL
        // file is not part of it anyway, so read it as a rollback-journal database.
        if image.len() >= 100 && image.starts_with(b"SQLite format 3\0") {
            image[18] = 1;
            image[19] = 1;
        }
        let mut conn = Connection::open_with_flags(
            ":memory:",
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(err)?;
        conn.deserialize_read_exact(MAIN_DB, image.as_slice(), image.len(), true)
            .map_err(err)?;
        let mut statement = conn
            .prepare("SELECT hnum, blob FROM Packages")
            .map_err(err)?;
        let rows = statement
            .query_map([], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, Vec<u8>>(1)?))
            })
            .map_err(err)?;
        let mut packages = Vec::new();
        for row in rows {
            let (hnum, blob) = row.map_err(err)?;
            packages.extend(rpm_header::package(path, hnum, &blob, ctx)?);
        }
        Ok(packages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_sqlite_rpmdb() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("rpmdb.sqlite");
        let conn = Connection::open(&db).unwrap();
        conn.execute_batch("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL); PRAGMA journal_mode=WAL;").unwrap();
        conn.execute(
            "INSERT INTO Packages (blob) VALUES (?1)",
            [rpm_header::tests::sample()],
        )
        .unwrap();
        drop(conn);
        let bytes = std::fs::read(&db).unwrap();
        let p = Rpm
            .catalog("/var/lib/rpm/rpmdb.sqlite", &bytes, &Context::default())
            .unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(
            (p[0].name.as_str(), p[0].version.as_str()),
            ("openssl-libs", "1:3.0.7-24.el9")
        );
        assert_eq!(
            (p[0].source_name.as_deref(), p[0].source_version.as_deref()),
            (Some("openssl"), Some("3.0.7-24.el9"))
        );
        assert_eq!(
            p[0].purl,
            "pkg:rpm/redhat/openssl-libs@3.0.7-24.el9?arch=x86_64&epoch=1"
        );
    }

    #[test]
    fn corrupt_database_is_an_error() {
        let e = Rpm
            .catalog(
                "/var/lib/rpm/rpmdb.sqlite",
                b"SQLite format 3\0garbage",
                &Context::default(),
            )
            .unwrap_err();
        assert!(e.message.contains("rpmdb.sqlite"), "{e}");
        assert!(
            Rpm.catalog("/var/lib/rpm/rpmdb.sqlite", b"", &Context::default())
                .is_err()
        );
    }
}
