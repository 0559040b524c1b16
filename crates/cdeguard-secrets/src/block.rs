//! The values of an indented block under a key that has none on its own line: ini
//! multi-line values, YAML plain and block scalars, sequences, and one-entry mappings that
//! wrap a value (Travis CI's `secure:`). Used by the `generic-password-block` detector.
//!
//! A block is the run of lines indented deeper than its key; its value lines are those
//! at the indentation of its first line (deeper ones belong to a nested entry, such as
//! the list under `rules_file:` in a `create_secret:` test case). Comment lines (`#`,
//! `;`) are skipped. A mapping entry counts only when it is
//! the block's only one and its key does not name or point to something else
//! (`secretName`, `path`): several entries make a settings object (`existingSecret`,
//! `length`, `enabled`), whose values are not the secret.

use crate::engine::is_reference_key;

/// Spans (relative to `text`) of the value lines of the block `text[start..end]`, whose
/// key line is indented by `key_indent` bytes.
pub(crate) fn values(
    text: &[u8],
    start: usize,
    end: usize,
    key_indent: usize,
) -> Vec<(usize, usize)> {
    let mut scalars = Vec::new();
    let mut entries = Vec::new();
    let mut level = None;
    let mut line_start = start;
    while line_start < end {
        let line_end =
            memchr::memchr(b'\n', &text[line_start..end]).map_or(end, |i| line_start + i);
        let line = &text[line_start..line_end];
        let next = line_end + 1;
        let indent = line
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
        if indent <= key_indent {
            break;
        }
        let mut from = line_start + indent;
        let mut to = line_end;
        while to > from && text[to - 1].is_ascii_whitespace() {
            to -= 1;
        }
        line_start = next;
        if from == to || matches!(text[from], b'#' | b';') {
            continue;
        }
        // Lines deeper than the block's first belong to a nested entry, not to the key.
        if *level.get_or_insert(indent) != indent {
            continue;
        }
        // A sequence item is its value.
        if text[from..to].starts_with(b"- ") {
            from += 2;
            while from < to && matches!(text[from], b' ' | b'\t') {
                from += 1;
            }
        }
        match mapping_entry(&text[from..to]) {
            Some((key, value)) => entries.push((
                (from + key.0, from + key.1),
                (from + value.0, from + value.1),
            )),
            None => scalars.push((from, to)),
        }
    }
    if let [(key, value)] = entries[..]
        && !is_reference_key(&text[key.0..key.1])
    {
        scalars.push(value);
    }
    scalars
        .into_iter()
        .map(|(from, to)| unquote(text, from, to))
        .filter(|(from, to)| from < to)
        .collect()
}

/// `key: value` (YAML mapping entry): the spans (relative to `line`) of the key and of the
/// value, `None` when the line is no mapping entry. An entry whose value is on the next
/// lines (`key:`) has an empty value.
fn mapping_entry(line: &[u8]) -> Option<((usize, usize), (usize, usize))> {
    let key_end = line
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')))?;
    if key_end == 0 || line[key_end] != b':' {
        return None;
    }
    let rest = &line[key_end + 1..];
    if !rest.is_empty() && !matches!(rest[0], b' ' | b'\t') {
        return None; // `host:port`, `scheme://`: a scalar
    }
    let mut from = key_end + 1;
    while from < line.len() && matches!(line[from], b' ' | b'\t') {
        from += 1;
    }
    // A trailing comment is not part of the value.
    let to = memchr::memmem::find(&line[from..], b" #").map_or(line.len(), |i| from + i);
    Some(((0, key_end), (from, to)))
}

/// The span without the quotes around it, if any.
fn unquote(text: &[u8], from: usize, to: usize) -> (usize, usize) {
    if to - from >= 2 && matches!(text[from], b'"' | b'\'') && text[to - 1] == text[from] {
        (from + 1, to - 1)
    } else {
        (from, to)
    }
}
