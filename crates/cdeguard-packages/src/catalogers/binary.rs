//! Shared by the binary catalogers: which files may be executables worth opening, and
//! the tagged payload a binary is reduced to (so that two catalogers reading the same
//! executables each recognise their own reduction).

use object::{Object as _, ObjectSection as _};

use crate::FileMeta;

/// Executables between 1 KiB and 512 MiB (smaller ones are scripts or stubs).
pub(crate) fn is_executable_candidate(file: &FileMeta<'_>) -> bool {
    file.mode & 0o111 != 0
        && (1024..=512 * 1024 * 1024).contains(&file.size)
        && !file.path.starts_with("/proc/")
}

/// The contents of the first section named one of `names`, if `bytes` is an
/// ELF, Mach-O or PE file that has one.
pub(crate) fn section<'a>(bytes: &'a [u8], names: &[&str]) -> Option<std::borrow::Cow<'a, [u8]>> {
    let file = object::File::parse(bytes).ok()?;
    names
        .iter()
        .find_map(|n| file.section_by_name(n))
        .and_then(|s| s.uncompressed_data().ok())
}

/// `tag\n` + payload.
pub(crate) fn tagged(tag: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(tag.len() + 1 + payload.len());
    out.extend_from_slice(tag.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(payload);
    out
}

/// The payload of a reduction made with `tag`, `None` for anything else.
pub(crate) fn untag<'a>(tag: &str, bytes: &'a [u8]) -> Option<&'a [u8]> {
    bytes.strip_prefix(tag.as_bytes())?.strip_prefix(b"\n")
}
