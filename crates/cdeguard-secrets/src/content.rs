//! Turning a file's bytes into the texts to scan: plain text as is; UTF-16 decoded;
//! gzip, tar and zip (jar/war/ear) archives opened in memory, nested up to a depth;
//! other binary content (SQLite databases, executables) reduced to its printable strings.
//! Everything is bounded: nesting depth, entry count and total expanded bytes.

use std::borrow::Cow;
use std::io::Read as _;

/// Bounds of archive expansion (defeats zip bombs and deep nesting).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_depth: usize,
    pub max_entries: usize,
    pub max_expanded_bytes: u64,
    pub max_entry_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 3,
            max_entries: 10_000,
            max_expanded_bytes: 256 << 20,
            max_entry_bytes: 64 << 20,
        }
    }
}

/// One text to scan: where it is (`file` or `archive.jar!/inner/file`), whether line
/// numbers are meaningful, and the bytes.
pub struct Text<'a> {
    pub label: String,
    pub lines: bool,
    pub bytes: Cow<'a, [u8]>,
}

/// Expansion state shared across nesting levels.
struct Budget {
    limits: Limits,
    entries: usize,
    expanded: u64,
    notes: Vec<String>,
}

/// Splits `bytes` into texts. Returns the texts and notes about what was cut short.
#[must_use]
pub fn texts<'a>(label: &str, bytes: &'a [u8], limits: Limits) -> (Vec<Text<'a>>, Vec<String>) {
    let mut budget = Budget {
        limits,
        entries: 0,
        expanded: 0,
        notes: Vec::new(),
    };
    let mut out = Vec::new();
    expand(label, Cow::Borrowed(bytes), 0, &mut budget, &mut out);
    (out, budget.notes)
}

fn is_tar(bytes: &[u8]) -> bool {
    bytes.get(257..262) == Some(b"ustar")
}

/// Whether content (given at least its first 512 bytes) is an archive this module opens.
#[must_use]
pub fn is_archive(head: &[u8]) -> bool {
    head.starts_with(&[0x1f, 0x8b]) || head.starts_with(b"PK\x03\x04") || is_tar(head)
}

fn expand<'a>(
    label: &str,
    bytes: Cow<'a, [u8]>,
    depth: usize,
    budget: &mut Budget,
    out: &mut Vec<Text<'a>>,
) {
    let archive =
        bytes.starts_with(&[0x1f, 0x8b]) || bytes.starts_with(b"PK\x03\x04") || is_tar(&bytes);
    if archive && depth >= budget.limits.max_depth {
        budget.notes.push(format!(
            "{label}: archive nested deeper than {} levels; not opened",
            budget.limits.max_depth
        ));
        return;
    }
    if bytes.starts_with(&[0x1f, 0x8b]) {
        match read_bounded(flate2::read::GzDecoder::new(&bytes[..]), budget, label) {
            Some(inner) => expand(label, Cow::Owned(inner), depth + 1, budget, out),
            None => budget.notes.push(format!(
                "{label}: corrupt or oversized gzip data; not scanned"
            )),
        }
        return;
    }
    if bytes.starts_with(b"PK\x03\x04") {
        expand_zip(label, &bytes, depth, budget, out);
        return;
    }
    if is_tar(&bytes) {
        expand_tar(label, &bytes, depth, budget, out);
        return;
    }
    out.push(decode(label, bytes));
}

fn read_bounded(reader: impl std::io::Read, budget: &mut Budget, label: &str) -> Option<Vec<u8>> {
    let room = budget.limits.max_entry_bytes.min(
        budget
            .limits
            .max_expanded_bytes
            .saturating_sub(budget.expanded),
    );
    let mut data = Vec::new();
    reader.take(room + 1).read_to_end(&mut data).ok()?;
    if data.len() as u64 > room {
        budget.notes.push(format!(
            "{label}: expands beyond the size limit; scanned up to it"
        ));
        data.truncate(usize::try_from(room).unwrap_or(usize::MAX));
    }
    budget.expanded += data.len() as u64;
    Some(data)
}

fn take_entry(budget: &mut Budget, label: &str) -> bool {
    budget.entries += 1;
    if budget.entries > budget.limits.max_entries {
        if budget.entries == budget.limits.max_entries + 1 {
            budget.notes.push(format!(
                "{label}: more than {} archive entries; the rest not scanned",
                budget.limits.max_entries
            ));
        }
        return false;
    }
    budget.expanded < budget.limits.max_expanded_bytes
}

fn expand_zip<'a>(
    label: &str,
    bytes: &[u8],
    depth: usize,
    budget: &mut Budget,
    out: &mut Vec<Text<'a>>,
) {
    let Ok(mut archive) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else {
        budget
            .notes
            .push(format!("{label}: corrupt zip archive; not scanned"));
        return;
    };
    for i in 0..archive.len() {
        let Ok(entry) = archive.by_index(i) else {
            continue;
        };
        if entry.is_dir() {
            continue;
        }
        let inner_label = format!("{label}!/{}", entry.name().unwrap_or_default());
        if !take_entry(budget, &inner_label) {
            return;
        }
        if let Some(data) = read_bounded(entry, budget, &inner_label) {
            expand(&inner_label, Cow::Owned(data), depth + 1, budget, out);
        }
    }
}

fn expand_tar<'a>(
    label: &str,
    bytes: &[u8],
    depth: usize,
    budget: &mut Budget,
    out: &mut Vec<Text<'a>>,
) {
    let mut archive = tar::Archive::new(bytes);
    let Ok(entries) = archive.entries() else {
        budget
            .notes
            .push(format!("{label}: corrupt tar archive; not scanned"));
        return;
    };
    for entry in entries {
        let Ok(entry) = entry else {
            budget
                .notes
                .push(format!("{label}: corrupt tar entry; rest not scanned"));
            return;
        };
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = entry
            .path()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let inner_label = format!("{label}!/{name}");
        if !take_entry(budget, &inner_label) {
            return;
        }
        if let Some(data) = read_bounded(entry, budget, &inner_label) {
            expand(&inner_label, Cow::Owned(data), depth + 1, budget, out);
        }
    }
}

/// UTF-16 (by BOM, or by the NUL pattern of mostly-ASCII UTF-16LE) is decoded; other
/// binary content is reduced to its printable strings (line numbers then meaningless).
fn decode<'a>(label: &str, bytes: Cow<'a, [u8]>) -> Text<'a> {
    let head = &bytes[..bytes.len().min(8192)];
    let utf16 = match head {
        [0xff, 0xfe, ..] => Some((true, 2)),
        [0xfe, 0xff, ..] => Some((false, 2)),
        _ if head.len() >= 16
            && head.iter().skip(1).step_by(2).filter(|b| **b == 0).count() * 10
                >= head.len() / 2 * 9
            && head.iter().step_by(2).all(|b| *b != 0) =>
        {
            Some((true, 0))
        }
        _ => None,
    };
    if let Some((little, skip)) = utf16 {
        let units: Vec<u16> = bytes[skip..]
            .chunks_exact(2)
            .map(|c| {
                if little {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        return Text {
            label: label.to_owned(),
            lines: true,
            bytes: Cow::Owned(String::from_utf16_lossy(&units).into_bytes()),
        };
    }
    if memchr::memchr(0, head).is_none() {
        return Text {
            label: label.to_owned(),
            lines: true,
            bytes,
        };
    }
    Text {
        label: label.to_owned(),
        lines: false,
        bytes: Cow::Owned(printable_strings(&bytes, 6)),
    }
}

/// Printable ASCII and tab, by byte value.
const PRINTABLE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0x20;
    while b < 0x7f {
        table[b] = true;
        b += 1;
    }
    table[b'\t' as usize] = true;
    table
};

/// Runs of at least `min` (> 0) printable ASCII bytes, one per line.
fn printable_strings(bytes: &[u8], min: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() / 4);
    for (start, end) in crate::runs::long_runs(bytes, min, |b| PRINTABLE[usize::from(b)]) {
        out.extend_from_slice(&bytes[start..end]);
        if end < bytes.len() {
            out.push(b'\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    fn labels_and_text(label: &str, bytes: &[u8]) -> Vec<(String, String)> {
        texts(label, bytes, Limits::default())
            .0
            .into_iter()
            .map(|t| (t.label, String::from_utf8_lossy(&t.bytes).into_owned()))
            .collect()
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn zip_of(name: &str, data: &[u8]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        w.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(data).unwrap();
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn nested_jar_in_gzip_is_opened_with_labels() {
        let jar = zip_of(
            "BOOT-INF/application.properties",
            b"db.password=s3cr3t-value\n",
        );
        let outer = zip_of("lib/app.jar", &jar);
        let got = labels_and_text("app.zip", &gzip(&outer));
        assert_eq!(
            got,
            vec![(
                "app.zip!/lib/app.jar!/BOOT-INF/application.properties".into(),
                "db.password=s3cr3t-value\n".into()
            )]
        );
    }

    #[test]
    fn printable_strings_are_one_per_line() {
        assert_eq!(
            printable_strings(b"\0abcdef\0ab\0\tghijklm", 6),
            b"abcdef\n\tghijklm"
        );
        assert_eq!(printable_strings(b"abcdefg\x01", 6), b"abcdefg\n");
    }

    #[test]
    fn utf16_and_binary_are_decoded() {
        let utf16: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain("key=value\n".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(labels_and_text("a.txt", &utf16)[0].1, "key=value\n");
        let binary = b"\x00\x01\x02token=abcdefgh\x00\x00xy\x00";
        assert_eq!(labels_and_text("a.db", binary)[0].1, "token=abcdefgh\n");
    }

    #[test]
    fn zip_bomb_and_depth_are_bounded() {
        let limits = Limits {
            max_entry_bytes: 1024,
            ..Limits::default()
        };
        let bomb = zip_of("zeros", &vec![b'0'; 1 << 20]);
        let (texts, notes) = texts("bomb.zip", &bomb, limits);
        assert_eq!(texts[0].bytes.len(), 1024);
        assert!(notes[0].contains("size limit"), "{notes:?}");

        let mut nested = b"deep".to_vec();
        for i in 0..6 {
            nested = zip_of(&format!("l{i}.zip"), &nested);
        }
        let (texts, notes) = super::texts("n.zip", &nested, Limits::default());
        assert!(texts.is_empty());
        assert!(notes[0].contains("nested deeper"), "{notes:?}");
    }

    #[test]
    fn corrupt_archives_are_reported_not_panicking() {
        let (texts, notes) = super::texts("x.gz", &[0x1f, 0x8b, 0, 1, 2], Limits::default());
        assert!(texts.is_empty() && notes[0].contains("corrupt"));
        let (_, notes) = super::texts("x.zip", b"PK\x03\x04garbage", Limits::default());
        assert!(notes[0].contains("corrupt"));
    }
}
