//! RPM packages from an NDB `Packages.db` database (rpm's own "new database" format:
//! SUSE Linux Enterprise 15 and openSUSE Leap 15 images,
//! `/var/lib/rpm/Packages.db` or `/usr/lib/sysimage/rpm/Packages.db`).
//!
//! Why: PCI DSS v4.0.1 6.3.2 asks for an inventory of the third-party software in the
//! CDE so that 6.3.1/6.3.3 can match it against vulnerabilities; on these distributions
//! this file is the only record of what is installed (CIS Docker 4.3).
//!
//! Layout (rpm `lib/backend/ndb/rpmpkg.c`, all numbers little-endian): a 32-byte header
//! (`RpmP` magic, format version 0, generation, number of 4 KiB slot pages, next package
//! index), then the slot pages: 16-byte slots (`Slot` magic, package index, first block,
//! block count; block 0 = free slot) where the header itself takes the first two. A
//! package's blob starts at its block (16 bytes each): a head (`BlbS` magic, package
//! index, timestamp, length), the header blob, zero padding and a tail (Adler-32,
//! length, `BlbE` magic). As rpm does when it reads a package, the head and tail are
//! checked, the checksum is not.
//!
//! Example: a SLES 15 image's `Packages.db` listing `bash` 4.4-19.6.1 yields
//! `pkg:rpm/sles/bash@4.4-19.6.1?arch=x86_64&distro=sles-15.3`. A corrupt or truncated
//! file yields an error naming it and the slot, e.g. `/var/lib/rpm/Packages.db: NDB:
//! slot 7: blob of package 5 is past the end of the file`; fix: rebuild the database in
//! the image (`rpmdb --rebuilddb`) or scan an intact image.

use cdeguard_model::Package;

use super::{Cataloger, rpm_header};
use crate::{CatalogError, Context, FileMeta};

pub(crate) struct RpmNdb;

impl Cataloger for RpmNdb {
    fn id(&self) -> &'static str {
        "rpm-ndb"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, file: &FileMeta<'_>) -> bool {
        matches!(
            file.path,
            "/var/lib/rpm/Packages.db" | "/usr/lib/sysimage/rpm/Packages.db"
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
        let blobs = blobs(bytes).map_err(|m| CatalogError::new(path, None, format!("NDB: {m}")))?;
        let mut packages = Vec::new();
        for (index, blob) in blobs {
            packages.extend(rpm_header::package(path, index, blob, ctx)?);
        }
        Ok(packages)
    }
}

const DB_MAGIC: &[u8; 4] = b"RpmP";
const SLOT_MAGIC: &[u8; 4] = b"Slot";
const BLOB_HEAD_MAGIC: &[u8; 4] = b"BlbS";
const BLOB_TAIL_MAGIC: &[u8; 4] = b"BlbE";
const HEADER_SIZE: usize = 32;
const SLOT_PAGE_SIZE: usize = 4096;
const SLOT_SIZE: usize = 16;
const BLOCK_SIZE: usize = 16;
const BLOB_HEAD_SIZE: usize = 16;
const BLOB_TAIL_SIZE: usize = 12;

fn le_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

/// The (package index, header blob) pairs of a `Packages.db`, in package index order.
///
/// # Errors
/// A message naming the first structural problem (header, slot).
pub(crate) fn blobs(bytes: &[u8]) -> Result<Vec<(u32, &[u8])>, String> {
    if bytes.len() < HEADER_SIZE {
        return Err(format!("{} bytes, shorter than the header", bytes.len()));
    }
    if &bytes[..4] != DB_MAGIC {
        return Err("not an rpm NDB database (bad magic)".into());
    }
    let version = le_u32(bytes, 4);
    if version != 0 {
        return Err(format!("unsupported format version {version}"));
    }
    let slot_pages = le_u32(bytes, 12) as usize;
    let slots_end = slot_pages.saturating_mul(SLOT_PAGE_SIZE);
    if slot_pages == 0 || slots_end > bytes.len() {
        return Err(format!(
            "truncated: the header counts {slot_pages} slot pages, the file has {} bytes",
            bytes.len()
        ));
    }
    let first_data_block = slots_end / BLOCK_SIZE;
    let mut blobs = Vec::new();
    for (slot_number, slot) in bytes[HEADER_SIZE..slots_end]
        .chunks_exact(SLOT_SIZE)
        .enumerate()
    {
        let slot_number = slot_number + HEADER_SIZE / SLOT_SIZE;
        if &slot[..4] != SLOT_MAGIC {
            return Err(format!("slot {slot_number}: bad magic"));
        }
        let (index, block, blocks) = (le_u32(slot, 4), le_u32(slot, 8), le_u32(slot, 12));
        if block == 0 {
            continue; // free slot
        }
        let (block, blocks) = (block as usize, blocks as usize);
        if index == 0 || blocks == 0 || block < first_data_block {
            return Err(format!("slot {slot_number}: invalid entry"));
        }
        let blob = block
            .checked_add(blocks)
            .and_then(|end| end.checked_mul(BLOCK_SIZE))
            .and_then(|end| bytes.get(block * BLOCK_SIZE..end))
            .filter(|blob| blob.len() >= BLOB_HEAD_SIZE + BLOB_TAIL_SIZE)
            .ok_or_else(|| {
                format!("slot {slot_number}: blob of package {index} is past the end of the file")
            })?;
        blobs.push((
            index,
            blob_contents(blob, index).map_err(|m| format!("slot {slot_number}: {m}"))?,
        ));
    }
    blobs.sort_by_key(|(index, _)| *index);
    Ok(blobs)
}

/// The header blob inside a block range, after checking its head and tail.
fn blob_contents(blob: &[u8], index: u32) -> Result<&[u8], String> {
    if &blob[..4] != BLOB_HEAD_MAGIC || le_u32(blob, 4) != index {
        return Err(format!("no blob head for package {index}"));
    }
    let len = le_u32(blob, 12) as usize;
    let needed = (BLOB_HEAD_SIZE + len + BLOB_TAIL_SIZE).div_ceil(BLOCK_SIZE) * BLOCK_SIZE;
    if needed != blob.len() {
        return Err(format!(
            "blob of package {index} is {len} bytes, which does not fit its {} blocks",
            blob.len() / BLOCK_SIZE
        ));
    }
    let tail = &blob[blob.len() - BLOB_TAIL_SIZE..];
    if le_u32(tail, 4) as usize != len || &tail[8..] != BLOB_TAIL_MAGIC {
        return Err(format!("bad blob tail for package {index}"));
    }
    Ok(&blob[BLOB_HEAD_SIZE..BLOB_HEAD_SIZE + len])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-package database laid out as rpm writes it.
    fn database(header_blob: &[u8]) -> Vec<u8> {
        let mut db = vec![0u8; SLOT_PAGE_SIZE];
        db[..4].copy_from_slice(DB_MAGIC);
        db[12..16].copy_from_slice(&1u32.to_le_bytes());
        for slot in db[HEADER_SIZE..].chunks_exact_mut(SLOT_SIZE) {
            slot[..4].copy_from_slice(SLOT_MAGIC);
        }
        let block = SLOT_PAGE_SIZE / BLOCK_SIZE;
        let blocks = (BLOB_HEAD_SIZE + header_blob.len() + BLOB_TAIL_SIZE).div_ceil(BLOCK_SIZE);
        let slot = &mut db[HEADER_SIZE..HEADER_SIZE + SLOT_SIZE];
        slot[4..8].copy_from_slice(&7u32.to_le_bytes());
        slot[8..12].copy_from_slice(&(block as u32).to_le_bytes());
        slot[12..16].copy_from_slice(&(blocks as u32).to_le_bytes());
        let mut blob = BLOB_HEAD_MAGIC.to_vec();
        blob.extend_from_slice(&7u32.to_le_bytes());
        blob.extend_from_slice(&0u32.to_le_bytes());
        blob.extend_from_slice(&(header_blob.len() as u32).to_le_bytes());
        blob.extend_from_slice(header_blob);
        blob.resize(blocks * BLOCK_SIZE - BLOB_TAIL_SIZE, 0);
        blob.extend_from_slice(&0u32.to_le_bytes());
        blob.extend_from_slice(&(header_blob.len() as u32).to_le_bytes());
        blob.extend_from_slice(BLOB_TAIL_MAGIC);
        db.extend(blob);
        db
    }

    #[test]
    fn reads_a_package_blob() {
        let db = database(&rpm_header::tests::sample());
        let p = RpmNdb
            .catalog("/var/lib/rpm/Packages.db", &db, &Context::default())
            .unwrap();
        assert_eq!(
            p.iter()
                .map(|p| (p.name.as_str(), p.version.as_str()))
                .collect::<Vec<_>>(),
            [("openssl-libs", "1:3.0.7-24.el9")]
        );
    }

    #[test]
    fn truncation_and_corruption_are_errors_naming_the_file() {
        let db = database(&rpm_header::tests::sample());
        let path = "/usr/lib/sysimage/rpm/Packages.db";
        for cut in [0, 31, 4095, 4096, db.len() - 1] {
            let e = RpmNdb
                .catalog(path, &db[..cut], &Context::default())
                .unwrap_err();
            assert_eq!(e.path, path);
            assert!(e.message.starts_with("NDB: "), "{e}");
        }
        let mut bad_tail = db.clone();
        let last = bad_tail.len() - 1;
        bad_tail[last] = b'X';
        assert!(blobs(&bad_tail).unwrap_err().contains("tail"));
        let mut huge_slot = db.clone();
        huge_slot[HEADER_SIZE + 8..HEADER_SIZE + 16].copy_from_slice(&[0xff; 8]);
        assert!(blobs(&huge_slot).unwrap_err().contains("past the end"));
        for at in 0..db.len() {
            let mut bytes = db.clone();
            bytes[at] = bytes[at].wrapping_add(0x55);
            let _ = blobs(&bytes);
        }
    }
}
