//! Shared by the binary catalogers: which files may be executables worth opening, and
//! the tagged payload a binary is reduced to (so that two catalogers reading the same
//! executables each recognise their own reduction).

use std::io::{self, Read, Seek, SeekFrom};

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

/// An ELF file as `section` needs it for `names`, without reading the rest: a buffer of
/// the file's size where only the ELF header, program and section header tables, the
/// section name table and the sections named `names` are read; every other byte stays
/// zero (allocated lazily by the OS, never read from disk). An ELF file with none of
/// those sections (most executables) comes back empty, without allocating its size:
/// nothing in it is for `section`. `None` when the file is not an ELF file this can lay
/// out (Mach-O, PE, extended section numbering): read it whole.
///
/// # Errors
/// I/O errors, and ranges past the end of the file.
pub(crate) fn read_elf_sparsely(
    file: &mut (impl Read + Seek),
    size: u64,
    names: &[&str],
) -> io::Result<Option<Vec<u8>>> {
    let mut head = [0u8; 64];
    let filled = read_up_to(file, &mut head)?;
    if filled < 52 || &head[..4] != b"\x7fELF" {
        return Ok(None);
    }
    let (wide, little) = match (head[4], head[5]) {
        (1, 1) => (false, true),
        (1, 2) => (false, false),
        (2, 1) => (true, true),
        (2, 2) => (true, false),
        _ => return Ok(None),
    };
    let Ok(len) = usize::try_from(size) else {
        return Ok(None);
    };
    let field = |bytes: &[u8], at: usize, width: usize| -> u64 {
        let b = &bytes[at..at + width];
        let mut v = 0u64;
        for i in 0..width {
            let byte = if little { b[width - 1 - i] } else { b[i] };
            v = (v << 8) | u64::from(byte);
        }
        v
    };
    // (offset, entry size, count) of the program and section header tables.
    let word = if wide { 8 } else { 4 };
    let (ph_at, sh_at) = if wide { (32, 40) } else { (28, 32) };
    let half_at = if wide { 54 } else { 42 };
    let program_headers = (
        field(&head, ph_at, word),
        field(&head, half_at, 2),
        field(&head, half_at + 2, 2),
    );
    let section_headers = (
        field(&head, sh_at, word),
        field(&head, half_at + 4, 2),
        field(&head, half_at + 6, 2),
    );
    let names_index = field(&head, half_at + 8, 2);
    if section_headers.2 == 0 || names_index >= section_headers.2 {
        return Ok(None); // extended numbering, or no sections
    }
    // The section header table and the section names are read into buffers of their
    // own first: only a file that has a wanted section is laid out at its full size.
    let table = read_range(
        file,
        size,
        section_headers.0,
        section_headers.1 * section_headers.2,
    )?;
    // (name offset, file offset, size, type) of section `i`.
    let section = |i: u64| -> io::Result<(u64, u64, u64, u64)> {
        let at = usize::try_from(i * section_headers.1).map_err(invalid)?;
        let (offset_at, size_at) = if wide { (24, 32) } else { (16, 20) };
        let header = table
            .get(at..at + if wide { 64 } else { 40 })
            .ok_or_else(|| invalid("section header"))?;
        Ok((
            field(header, 0, 4),
            field(header, offset_at, word),
            field(header, size_at, word),
            field(header, 4, 4),
        ))
    };
    const NO_BITS: u64 = 8;
    let (_, names_offset, names_size, _) = section(names_index)?;
    let section_names = read_range(file, size, names_offset, names_size)?;
    let mut wanted = Vec::new();
    for i in 0..section_headers.2 {
        let (name, offset, size, kind) = section(i)?;
        let name = usize::try_from(name)
            .ok()
            .and_then(|at| section_names.get(at..))
            .and_then(|rest| rest.split(|b| *b == 0).next())
            .unwrap_or_default();
        if kind != NO_BITS && names.iter().any(|n| n.as_bytes() == name) {
            wanted.push((offset, size));
        }
    }
    if wanted.is_empty() {
        return Ok(Some(Vec::new()));
    }
    let mut image = vec![0u8; len];
    image[..filled].copy_from_slice(&head[..filled]);
    for (offset, entry_size, count) in [program_headers, section_headers] {
        load(file, &mut image, offset, entry_size * count)?;
    }
    load(file, &mut image, names_offset, names_size)?;
    for (offset, size) in wanted {
        load(file, &mut image, offset, size)?;
    }
    Ok(Some(image))
}

/// Reads bytes `offset..offset + len` of a file of `size` bytes into a buffer of their own.
fn read_range(
    file: &mut (impl Read + Seek),
    size: u64,
    offset: u64,
    len: u64,
) -> io::Result<Vec<u8>> {
    if offset.checked_add(len).is_none_or(|end| end > size) {
        return Err(invalid("range"));
    }
    let mut bytes = vec![0u8; usize::try_from(len).map_err(invalid)?];
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(&mut bytes)?;
    Ok(bytes)
}

fn invalid(what: impl std::fmt::Display) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("ELF: {what} out of range"),
    )
}

/// Reads bytes `offset..offset + len` of `file` into the same place of `image`.
fn load(file: &mut (impl Read + Seek), image: &mut [u8], offset: u64, len: u64) -> io::Result<()> {
    let start = usize::try_from(offset).map_err(invalid)?;
    let end = start
        .checked_add(usize::try_from(len).map_err(invalid)?)
        .filter(|end| *end <= image.len())
        .ok_or_else(|| invalid("range"))?;
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(&mut image[start..end])
}

fn read_up_to(file: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
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

#[cfg(test)]
pub(crate) mod tests {
    /// A little-endian ELF64 executable: `filler` bytes of code (a `.text` section),
    /// then the named sections, the section names and the section header table.
    pub(crate) fn elf64(filler: usize, sections: &[(&str, &[u8])]) -> Vec<u8> {
        let mut names = b"\0.shstrtab\0.text\0".to_vec();
        let mut out = vec![0u8; 64];
        // (name offset, type, offset, size): null section, .text, the named ones, names.
        let mut headers = vec![(0u32, 0u32, 0u64, 0u64), (11, 1, 64, filler as u64)];
        out.resize(64 + filler, 0xaa);
        for (name, data) in sections {
            headers.push((names.len() as u32, 1, out.len() as u64, data.len() as u64));
            names.extend_from_slice(name.as_bytes());
            names.push(0);
            out.extend_from_slice(data);
        }
        headers.push((1, 3, out.len() as u64, names.len() as u64));
        out.extend_from_slice(&names);
        out.resize(out.len().next_multiple_of(8), 0);
        let table = out.len() as u64;
        for (name, kind, offset, size) in &headers {
            let mut h = [0u8; 64];
            h[0..4].copy_from_slice(&name.to_le_bytes());
            h[4..8].copy_from_slice(&kind.to_le_bytes());
            h[24..32].copy_from_slice(&offset.to_le_bytes());
            h[32..40].copy_from_slice(&size.to_le_bytes());
            out.extend_from_slice(&h);
        }
        out[..7].copy_from_slice(b"\x7fELF\x02\x01\x01");
        out[16..18].copy_from_slice(&2u16.to_le_bytes()); // executable
        out[18..20].copy_from_slice(&62u16.to_le_bytes()); // x86-64
        out[20..24].copy_from_slice(&1u32.to_le_bytes());
        out[40..48].copy_from_slice(&table.to_le_bytes());
        out[52..54].copy_from_slice(&64u16.to_le_bytes());
        out[54..56].copy_from_slice(&56u16.to_le_bytes());
        out[58..60].copy_from_slice(&64u16.to_le_bytes());
        out[60..62].copy_from_slice(&(headers.len() as u16).to_le_bytes());
        out[62..64].copy_from_slice(&(headers.len() as u16 - 1).to_le_bytes());
        out
    }
}
