//! The RPM header blob, as stored in every rpmdb flavour (SQLite `Packages.blob`, NDB,
//! Berkeley DB): `il` index entries of 16 bytes (tag, type, offset, count) followed by
//! `dl` bytes of data. Only the tags a package inventory needs are decoded; every rpmdb
//! reader turns its records into packages with [`package`].

use cdeguard_model::{Ecosystem, Package};

use super::os_package;
use crate::{CatalogError, Context};

/// The fields of one installed RPM.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct RpmHeader {
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) release: String,
    pub(crate) epoch: Option<i32>,
    pub(crate) arch: String,
    pub(crate) license: String,
    pub(crate) source_rpm: String,
}

const TAG_NAME: i32 = 1000;
const TAG_VERSION: i32 = 1001;
const TAG_RELEASE: i32 = 1002;
const TAG_EPOCH: i32 = 1003;
const TAG_LICENSE: i32 = 1014;
const TAG_ARCH: i32 = 1022;
const TAG_SOURCERPM: i32 = 1044;

const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;
const TYPE_I18NSTRING: u32 = 9;

/// rpm's own limits (`hdrchkTags`, `hdrchkData`).
const MAX_TAGS: u32 = 0xffff;
const MAX_DATA: u32 = 256 * 1024 * 1024;

fn be_u32(bytes: &[u8], at: usize) -> Option<u32> {
    bytes
        .get(at..at + 4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// Decodes a header blob.
///
/// # Errors
/// A message describing the first structural problem.
pub(crate) fn parse(blob: &[u8]) -> Result<RpmHeader, String> {
    let index_count = be_u32(blob, 0).ok_or("header shorter than 8 bytes")?;
    let data_len = be_u32(blob, 4).ok_or("header shorter than 8 bytes")?;
    if index_count > MAX_TAGS || data_len > MAX_DATA {
        return Err(format!(
            "header claims {index_count} tags and {data_len} data bytes; over rpm's limits"
        ));
    }
    let index_end = 8 + index_count as usize * 16;
    let data = blob
        .get(index_end..index_end + data_len as usize)
        .ok_or("header truncated")?;
    let mut header = RpmHeader::default();
    for i in 0..index_count as usize {
        let at = 8 + i * 16;
        let tag = be_u32(blob, at).ok_or("index truncated")? as i32;
        let kind = be_u32(blob, at + 4).ok_or("index truncated")?;
        let offset = be_u32(blob, at + 8).ok_or("index truncated")? as usize;
        let target = match tag {
            TAG_NAME => &mut header.name,
            TAG_VERSION => &mut header.version,
            TAG_RELEASE => &mut header.release,
            TAG_LICENSE => &mut header.license,
            TAG_ARCH => &mut header.arch,
            TAG_SOURCERPM => &mut header.source_rpm,
            TAG_EPOCH => {
                if kind != TYPE_INT32 {
                    return Err(format!("EPOCH has type {kind}, expected INT32"));
                }
                let value = data
                    .get(offset..offset + 4)
                    .ok_or("EPOCH outside the data")?;
                header.epoch = Some(i32::from_be_bytes([value[0], value[1], value[2], value[3]]));
                continue;
            }
            _ => continue,
        };
        if kind != TYPE_STRING && kind != TYPE_I18NSTRING {
            return Err(format!("tag {tag} has type {kind}, expected a string"));
        }
        let rest = data
            .get(offset..)
            .ok_or_else(|| format!("tag {tag} points outside the data"))?;
        let end = rest
            .iter()
            .position(|b| *b == 0)
            .ok_or_else(|| format!("tag {tag}: unterminated string"))?;
        *target = String::from_utf8_lossy(&rest[..end]).into_owned();
    }
    if header.name.is_empty() {
        return Err("header without NAME".into());
    }
    Ok(header)
}

/// The package stored in one rpmdb record (`record` numbers it in error messages);
/// `None` for `gpg-pubkey` records, which are imported signing keys, not software.
///
/// # Errors
/// A [`CatalogError`] naming the database file and the record.
pub(crate) fn package(
    path: &str,
    record: impl std::fmt::Display,
    blob: &[u8],
    ctx: &Context<'_>,
) -> Result<Option<Package>, CatalogError> {
    let header = parse(blob)
        .map_err(|m| CatalogError::new(path, None, format!("package #{record}: {m}")))?;
    Ok((header.name != "gpg-pubkey").then(|| to_package(&header, path, ctx)))
}

/// `[epoch:]version-release`, purl `pkg:rpm/<distro>/<name>@<version>-<release>?epoch=&arch=`.
fn to_package(h: &RpmHeader, path: &str, ctx: &Context<'_>) -> Package {
    let evr = format!("{}-{}", h.version, h.release);
    let version = match h.epoch {
        Some(e) if e != 0 => format!("{e}:{evr}"),
        _ => evr.clone(),
    };
    let epoch = h.epoch.map(|e| e.to_string()).unwrap_or_default();
    let mut p = os_package(
        ctx,
        Ecosystem::RedHat,
        "rpm",
        &h.name,
        &evr,
        &[("arch", &h.arch), ("epoch", &epoch)],
        path,
    );
    p.version = version;
    if let Some((name, version)) = split_source_rpm(&h.source_rpm) {
        p.source_name = Some(name.to_owned());
        p.source_version = Some(version.to_owned());
    }
    if !h.license.is_empty() {
        p.licenses.push(h.license.clone());
    }
    p
}

/// `openssl-3.0.7-24.el9.src.rpm` -> (`openssl`, `3.0.7-24.el9`).
fn split_source_rpm(source: &str) -> Option<(&str, &str)> {
    let stem = source.strip_suffix(".rpm")?;
    let stem = stem.rsplit_once('.').map_or(stem, |(s, _arch)| s);
    let (rest, _release) = stem.rsplit_once('-')?;
    let (name, _version) = rest.rsplit_once('-')?;
    Some((name, &stem[name.len() + 1..]))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds a header blob from (tag, type, payload) entries.
    pub(crate) fn blob(entries: &[(i32, u32, Vec<u8>)]) -> Vec<u8> {
        let mut index = Vec::new();
        let mut data = Vec::new();
        for (tag, kind, payload) in entries {
            index.extend_from_slice(&tag.to_be_bytes());
            index.extend_from_slice(&kind.to_be_bytes());
            index.extend_from_slice(&(data.len() as u32).to_be_bytes());
            index.extend_from_slice(&1u32.to_be_bytes());
            data.extend_from_slice(payload);
        }
        let mut out = (entries.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend(index);
        out.extend(data);
        out
    }

    pub(crate) fn sample() -> Vec<u8> {
        let s = |v: &str| format!("{v}\0").into_bytes();
        blob(&[
            (TAG_NAME, TYPE_STRING, s("openssl-libs")),
            (TAG_VERSION, TYPE_STRING, s("3.0.7")),
            (TAG_RELEASE, TYPE_STRING, s("24.el9")),
            (TAG_EPOCH, TYPE_INT32, 1i32.to_be_bytes().to_vec()),
            (TAG_ARCH, TYPE_STRING, s("x86_64")),
            (TAG_LICENSE, TYPE_STRING, s("ASL 2.0")),
            (
                TAG_SOURCERPM,
                TYPE_STRING,
                s("openssl-3.0.7-24.el9.src.rpm"),
            ),
        ])
    }

    #[test]
    fn decodes_fields() {
        let h = parse(&sample()).unwrap();
        assert_eq!(
            (
                h.name.as_str(),
                h.version.as_str(),
                h.release.as_str(),
                h.epoch
            ),
            ("openssl-libs", "3.0.7", "24.el9", Some(1))
        );
        assert_eq!(h.source_rpm, "openssl-3.0.7-24.el9.src.rpm");
    }

    #[test]
    fn rejects_corruption() {
        let blob = sample();
        assert!(parse(&blob[..blob.len() - 3]).is_err());
        assert!(parse(&[0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]).is_err());
        let mut bad_offset = blob.clone();
        bad_offset[8 + 8..8 + 12].copy_from_slice(&0x00ff_ffffu32.to_be_bytes());
        assert!(parse(&bad_offset).is_err());
        for cut in 0..blob.len() {
            let _ = parse(&blob[..cut]);
        }
    }
}
