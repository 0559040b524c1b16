//! Small text helpers shared by the line-based parsers.

/// Decodes bytes as UTF-8, naming the file and line of the first invalid byte.
pub(crate) fn utf8<'a>(path: &str, bytes: &'a [u8]) -> Result<&'a str, crate::CatalogError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        crate::CatalogError::new(path, u32::try_from(line).ok(), "invalid UTF-8")
    })
}

/// One `Key: value` paragraph of an RFC 822-style file (dpkg status, Python METADATA),
/// continuation lines joined with `\n`. Keys keep their case.
#[derive(Debug, Default)]
pub(crate) struct Stanza<'a> {
    pub(crate) fields: Vec<(&'a str, String)>,
    /// 1-based line of the paragraph's first field.
    pub(crate) line: u32,
}

impl Stanza<'_> {
    /// First value of `key` (case-insensitive).
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `key` (case-insensitive).
    pub(crate) fn all<'s>(&'s self, key: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.fields
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }
}

/// Splits RFC 822-style text into paragraphs separated by blank lines. With
/// `stop_at_body`, only the first paragraph (the headers) is read (Python METADATA).
pub(crate) fn stanzas(text: &str, stop_at_body: bool) -> Vec<Stanza<'_>> {
    let mut out = Vec::new();
    let mut current = Stanza::default();
    for (index, raw) in text.lines().enumerate() {
        let line_no = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() {
            if !current.fields.is_empty() {
                out.push(std::mem::take(&mut current));
                if stop_at_body {
                    return out;
                }
            }
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = current.fields.last_mut() {
                value.push('\n');
                value.push_str(line.trim());
            }
            continue;
        }
        if let Some((key, value)) = line.split_once(':') {
            if current.fields.is_empty() {
                current.line = line_no;
            }
            current.fields.push((key.trim(), value.trim().to_owned()));
        }
    }
    if !current.fields.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_and_continuations() {
        let text = "Package: a\nDescription: x\n more\n\n\nPackage: b\r\nVersion: 1\n";
        let parsed = stanzas(text, false);
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0].get("description"), Some("x\nmore"));
        assert_eq!(parsed[1].get("Version"), Some("1"));
        assert_eq!(parsed[1].line, 6);
        assert_eq!(stanzas(text, true).len(), 1);
    }

    #[test]
    fn invalid_utf8_names_line() {
        let err = utf8("f", b"a\nb\xff").unwrap_err();
        assert_eq!(err.line, Some(2));
    }
}
