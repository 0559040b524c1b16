//! RPM packages from a Berkeley DB `Packages` database (`/var/lib/rpm/Packages`: RHEL and
//! CentOS up to 8, Amazon Linux 2, Oracle Linux 7/8, older Fedora and SUSE), read without
//! libdb.
//!
//! Why: PCI DSS v4.0.1 6.3.2 asks for an inventory of the third-party software in the
//! CDE so that 6.3.1/6.3.3 can match it against vulnerabilities; on these distributions
//! the Berkeley DB file is the only record of what is installed (CIS Docker 4.3: know
//! what an image contains).
//!
//! The file is a libdb hash database (either byte order; the metadata page's magic says
//! which). Every hash page (`P_HASH`, or `P_HASH_UNSORTED` written before libdb 4.6)
//! holds key/data item pairs; the key is rpm's instance number, the data the package's
//! header blob, stored inline (`H_KEYDATA`) or, being larger than a quarter page, in a
//! chain of overflow pages (`H_OFFPAGE`). Key 0 is rpm's "next instance" counter, not a
//! package.
//!
//! Example: a CentOS 7 image whose `/var/lib/rpm/Packages` lists `openssl-libs`
//! 1:1.0.2k-19.el7 yields that package with purl
//! `pkg:rpm/centos/openssl-libs@1.0.2k-19.el7?arch=x86_64&epoch=1&distro=centos-7`.
//! A truncated or corrupt file yields an error naming it (and the page or record), e.g.
//! `/var/lib/rpm/Packages: Berkeley DB: overflow page 12 is past the end of the file`;
//! fix: rebuild the database in the image (`rpmdb --rebuilddb`) or scan an intact image.

use cdeguard_model::Package;

use super::{Cataloger, rpm_header};
use crate::{CatalogError, Context, FileMeta};

pub(crate) struct RpmBerkeleyDb;

impl Cataloger for RpmBerkeleyDb {
    fn id(&self) -> &'static str {
        "rpm-bdb"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, file: &FileMeta<'_>) -> bool {
        matches!(
            file.path,
            "/var/lib/rpm/Packages" | "/usr/lib/sysimage/rpm/Packages"
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
        let records = records(bytes)
            .map_err(|m| CatalogError::new(path, None, format!("Berkeley DB: {m}")))?;
        let mut packages = Vec::new();
        for (instance, blob) in records {
            packages.extend(rpm_header::package(path, instance, &blob, ctx)?);
        }
        Ok(packages)
    }
}

const HASH_MAGIC: u32 = 0x0006_1561;
const BTREE_MAGIC: u32 = 0x0005_3162;
const PAGE_HASH_UNSORTED: u8 = 2;
const PAGE_OVERFLOW: u8 = 7;
const PAGE_HASH_META: u8 = 8;
const PAGE_HASH: u8 = 13;
const ITEM_KEYDATA: u8 = 1;
const ITEM_OFFPAGE: u8 = 3;
/// `DBMETA_CHKSUM`: page checksums, which move every page's item index. rpm never
/// enables them (its own read-only Berkeley DB reader does not read such files either).
const META_CHECKSUM: u8 = 0x01;
/// Page header length; the item index follows it.
const PAGE_HEADER: usize = 26;

/// The database's byte order, page geometry and bytes.
struct Db<'a> {
    bytes: &'a [u8],
    big_endian: bool,
    page_size: usize,
    pages: u32,
}

impl<'a> Db<'a> {
    fn open(bytes: &'a [u8]) -> Result<Self, String> {
        let magic_at = |big_endian| read_u32(bytes, 12, big_endian);
        let big_endian = match (magic_at(false), magic_at(true)) {
            (Some(HASH_MAGIC), _) => false,
            (_, Some(HASH_MAGIC)) => true,
            (Some(BTREE_MAGIC), _) | (_, Some(BTREE_MAGIC)) => {
                return Err("a btree database, not rpm's hash-format Packages".into());
            }
            (None, _) => {
                return Err(format!(
                    "{} bytes, shorter than a metadata page",
                    bytes.len()
                ));
            }
            _ => return Err("not a Berkeley DB hash database (bad magic)".into()),
        };
        let field = |at| read_u32(bytes, at, big_endian).ok_or("metadata page truncated");
        let page_size = field(20)?;
        if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
            return Err(format!("invalid page size {page_size}"));
        }
        let page_size = page_size as usize;
        match bytes.get(24..27) {
            Some(&[0, PAGE_HASH_META, flags]) if flags & META_CHECKSUM != 0 => {
                Err("page checksums are enabled, which rpm never does; not an rpmdb".into())
            }
            Some(&[0, PAGE_HASH_META, _]) => {
                let last_page = field(32)?;
                let pages = last_page.checked_add(1).ok_or("invalid last page number")?;
                if (pages as usize).saturating_mul(page_size) > bytes.len() {
                    return Err(format!(
                        "truncated: the metadata page counts {pages} pages of {page_size} bytes, \
                         the file has {} bytes",
                        bytes.len()
                    ));
                }
                Ok(Self {
                    bytes,
                    big_endian,
                    page_size,
                    pages,
                })
            }
            Some(&[0, kind, _]) => Err(format!("page 0 has type {kind}, not hash metadata")),
            Some(_) => Err("encrypted database".into()),
            None => Err("metadata page truncated".into()),
        }
    }

    fn page(&self, number: u32) -> Result<&'a [u8], String> {
        if number >= self.pages {
            return Err(format!("page {number} is past the end of the file"));
        }
        let start = number as usize * self.page_size;
        Ok(&self.bytes[start..start + self.page_size])
    }

    fn u16_at(&self, page: &[u8], at: usize) -> usize {
        let b = [page[at], page[at + 1]];
        usize::from(if self.big_endian {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    }

    /// Item `index` of a hash page: its bytes from the type byte to the next item.
    fn item(&self, number: u32, page: &'a [u8], index: usize) -> Result<&'a [u8], String> {
        let start = self.u16_at(page, PAGE_HEADER + 2 * index);
        let end = match index {
            0 => self.page_size,
            _ => self.u16_at(page, PAGE_HEADER + 2 * (index - 1)),
        };
        if start < PAGE_HEADER || start >= end || end > self.page_size {
            return Err(format!("page {number}: item {index} has a bad offset"));
        }
        Ok(&page[start..end])
    }

    /// The bytes an item stands for: inline, or gathered from its overflow chain.
    fn value(&self, number: u32, item: &[u8]) -> Result<Vec<u8>, String> {
        match item[0] {
            ITEM_KEYDATA => Ok(item[1..].to_vec()),
            ITEM_OFFPAGE => {
                let field = |at| {
                    read_u32(item, at, self.big_endian)
                        .ok_or_else(|| format!("page {number}: off-page reference truncated"))
                };
                let (mut next, total) = (field(4)?, field(8)? as usize);
                let mut value = Vec::with_capacity(total.min(self.bytes.len()));
                let mut hops = 0;
                while next != 0 {
                    let page = self.page(next).map_err(|m| format!("overflow {m}"))?;
                    if page[25] != PAGE_OVERFLOW {
                        return Err(format!("page {next} is not an overflow page"));
                    }
                    let len = self.u16_at(page, 22);
                    let data = page
                        .get(PAGE_HEADER..PAGE_HEADER + len)
                        .ok_or_else(|| format!("overflow page {next} claims {len} bytes"))?;
                    value.extend_from_slice(data);
                    hops += 1;
                    if value.len() > total || hops > self.pages {
                        return Err(format!("overflow chain from page {number} overruns"));
                    }
                    next = read_u32(page, 16, self.big_endian).unwrap_or(0);
                }
                if value.len() != total {
                    return Err(format!(
                        "overflow chain from page {number} holds {} of {total} bytes",
                        value.len()
                    ));
                }
                Ok(value)
            }
            kind => Err(format!("page {number}: unsupported item type {kind}")),
        }
    }
}

fn read_u32(bytes: &[u8], at: usize, big_endian: bool) -> Option<u32> {
    let b: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
    Some(if big_endian {
        u32::from_be_bytes(b)
    } else {
        u32::from_le_bytes(b)
    })
}

/// The (instance number, header blob) records of a `Packages` database, in instance order.
///
/// # Errors
/// A message naming the first structural problem (page, item).
pub(crate) fn records(bytes: &[u8]) -> Result<Vec<(u32, Vec<u8>)>, String> {
    let db = Db::open(bytes)?;
    let mut records = Vec::new();
    for number in 1..db.pages {
        let page = db.page(number)?;
        if page[25] != PAGE_HASH && page[25] != PAGE_HASH_UNSORTED {
            continue; // overflow, free and bucket-less pages hold no pairs of their own
        }
        let entries = db.u16_at(page, 20);
        if entries % 2 != 0 || PAGE_HEADER + 2 * entries > db.page_size {
            return Err(format!("page {number}: invalid item count {entries}"));
        }
        for pair in 0..entries / 2 {
            let key = db.value(number, db.item(number, page, 2 * pair)?)?;
            let instance = read_u32(&key, 0, db.big_endian)
                .filter(|_| key.len() == 4)
                .ok_or_else(|| format!("page {number}: key of {} bytes", key.len()))?;
            if instance == 0 {
                continue; // rpm's next-instance counter
            }
            records.push((
                instance,
                db.value(number, db.item(number, page, 2 * pair + 1)?)?,
            ));
        }
    }
    records.sort_by_key(|(instance, _)| *instance);
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &[u8] = include_bytes!("../../tests/data/rpmdb/Packages_epoch.bdb");

    #[test]
    fn reads_the_osv_scalibr_fixture() {
        let p = RpmBerkeleyDb
            .catalog("/var/lib/rpm/Packages", FIXTURE, &Context::default())
            .unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(
            (p[0].name.as_str(), p[0].version.as_str()),
            ("hello", "1:0.0.1-rls")
        );
        assert_eq!(p[0].licenses, ["GPL"]);
        assert_eq!(
            (p[0].source_name.as_deref(), p[0].source_version.as_deref()),
            (Some("hello"), Some("0.0.1-rls"))
        );
        assert!(p[0].purl.contains("arch=x86_64"), "{}", p[0].purl);
    }

    #[test]
    fn truncation_and_corruption_are_errors_naming_the_file() {
        let path = "/var/lib/rpm/Packages";
        for cut in [0, 100, 511, 4096, FIXTURE.len() - 1] {
            let e = RpmBerkeleyDb
                .catalog(path, &FIXTURE[..cut], &Context::default())
                .unwrap_err();
            assert_eq!(e.path, path);
            assert!(e.message.starts_with("Berkeley DB: "), "{e}");
        }
        let mut bad_magic = FIXTURE.to_vec();
        bad_magic[12] ^= 0xff;
        assert!(records(&bad_magic).unwrap_err().contains("magic"));
        // Every single-byte corruption is an error or a result, never a panic.
        for at in 0..FIXTURE.len() {
            let mut bytes = FIXTURE.to_vec();
            bytes[at] = bytes[at].wrapping_add(0x55);
            let _ = records(&bytes);
        }
    }
}
