//! High-entropy literals with no provider format and no telling key name: a random
//! base64 or hex string assigned (`mimi=gX69YO4C…`, `key: !!binary MjNj…`) or quoted
//! (`SUPER_VALUE = 'c3VwZXIg…'`) is how most hand-made credentials look (PCI DSS 8.6.2,
//! 8.3.2). The keyword detectors cannot see them: nothing in the line names a secret.
//!
//! What counts, as in detect-secrets' high-entropy plugins: a whole token of one charset,
//! quoted or right after `=`/`:`, with a Shannon entropy of at least 4.5 bits per
//! character for base64 (at least 20 characters) or 3.0 for hex (at least 16). What
//! does not, because it is random but public: UUIDs; digests named as such (`sha256:`,
//! `h1:` in `go.sum`, SRI `sha512-…`, keys such as `checksum`, `MD5sum`, `integrity`,
//! `hash`, `commit`, and public key ids such as `GPG_KEY`); hex longer than 128 digits; keys that name or point to a value (`*_id`, `*_name`, `*_path`, see
//! `engine::is_reference_key`); identifiers and words (no digit, or no letter);
//! alphabet and counting runs (`ABCDEFGH`, `0123456789`); `data:` URIs; base64 of PEM
//! blocks (`caBundle: LS0tLS1CRUdJTi…`); hex that decodes to text; placeholders;
//! comment lines.
//! Printable strings of binaries are not searched (they are full of tables).
//!
//! Failing: `api = "Zk3pQ9vX2mLr8sT4wY7bN1cD6fH0jK5a"`. Passing:
//! `integrity = "sha512-9Zk3pQ9vX2mLr8sT4wY7bN1cD6fH0jK5a=="` (a digest), or
//! `build_id = "5f0c9a7e3b1d4c2a8e6f"` (an identifier).
//!
//! Fix: as for every hard-coded secret, remove, rotate, and load it at run time.

use crate::engine::{is_placeholder, is_reference_key};
use crate::entropy::shannon_entropy;

/// The charset of a candidate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Charset {
    Hex,
    Base64,
}

impl Charset {
    /// detect-secrets' default limits (`--base64-limit 4.5`, `--hex-limit 3.0`).
    fn min_entropy(self) -> f64 {
        match self {
            Charset::Hex => 3.0,
            Charset::Base64 => 4.5,
        }
    }
    /// Hex keys are 16 to 128 digits (64 to 512 bits); longer hex runs are data tables
    /// (Unicode ranges, test vectors).
    fn max_len(self) -> usize {
        match self {
            Charset::Hex => 128,
            Charset::Base64 => MAX_LEN,
        }
    }
    fn min_len(self) -> usize {
        match self {
            Charset::Hex => 16,
            Charset::Base64 => 20,
        }
    }
}

/// One high-entropy literal: its span in the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Literal {
    pub start: usize,
    pub end: usize,
    pub charset: Charset,
}

const MAX_LEN: usize = 512;

/// Bytes of base64, base64url and hex (`=` only as trailing padding, see `find_in_line`),
/// by byte value: every byte of every text goes through this test.
const TOKEN_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'_' | b'-');
        b += 1;
    }
    table
};

fn is_token_byte(b: u8) -> bool {
    TOKEN_BYTES[usize::from(b)]
}

/// The shortest candidate (hex): shorter tokens are skipped unread.
const MIN_LEN: usize = 16;

/// Whether a key names a public digest or identifier: one of its words is a digest or
/// identifier word (`checksum`, `fileHash`, `sha256`, `h1`, `Build-Ids`, `GPG_KEY`
/// fingerprints as the official images set them), not merely containing `sha`
/// (`shared_key`).
fn is_digest_key(key: &str) -> bool {
    key.split(|c: char| !c.is_ascii_alphanumeric()).any(|word| {
        ["hash", "checksum", "digest", "integrity"]
            .iter()
            .any(|d| word.contains(d))
            || [
                "etag",
                "commit",
                "revision",
                "rev",
                "h1",
                "md5",
                "crc",
                "crc32",
                "shasum",
                "blake2b",
                "gpg",
                "pgp",
                "keyid",
                "fingerprint",
                "thumbprint",
                "ids",
                "uuid",
                "guid",
            ]
            .contains(&word)
            || is_digest_name(word)
    })
}

/// A digest algorithm's name, as keys spell it: `md5`, `MD5sum`, `sha`, `sha256`,
/// `sha512sums`, `blake2b`, `crc32`.
fn is_digest_name(word: &str) -> bool {
    ["md", "sha", "blake", "crc", "xxh"]
        .iter()
        .any(|algorithm| {
            word.strip_prefix(algorithm).is_some_and(|rest| {
                let rest =
                    rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == 'b' || c == 's');
                matches!(rest, "" | "um" | "ums")
            })
        })
}

fn charset(token: &[u8]) -> Option<Charset> {
    let body = token
        .strip_suffix(b"==")
        .or_else(|| token.strip_suffix(b"="))
        .unwrap_or(token);
    if body.iter().all(u8::is_ascii_hexdigit) {
        return Some(Charset::Hex);
    }
    if body.contains(&b'=') {
        return None;
    }
    Some(Charset::Base64)
}

/// Hex that decodes to printable UTF-8 text is encoded text (`Buffer.from('74686973…',
/// 'hex')`), not a key: hex keys are random bytes. (Base64 is not judged so: it is how
/// textual credentials are commonly encoded, e.g. HTTP basic auth.)
fn is_hex_encoded_text(token: &[u8]) -> bool {
    if !token.len().is_multiple_of(2) {
        return false;
    }
    let nibble = |b: u8| {
        char::from(b)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    let bytes: Option<Vec<u8>> = token
        .chunks_exact(2)
        .map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?))
        .collect();
    bytes
        .and_then(|b| String::from_utf8(b).ok())
        .is_some_and(|text| text.chars().all(|c| !c.is_control() || c.is_whitespace()))
}

/// `8-4-4-4-12` hex groups.
fn is_uuid(token: &[u8]) -> bool {
    let groups: Vec<&[u8]> = token.split(|b| *b == b'-').collect();
    groups.len() == 5
        && groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups.iter().all(|g| g.iter().all(u8::is_ascii_hexdigit))
}

/// A run of 8 characters each one more than the last (`abcdefgh`, `12345678`).
fn has_counting_run(token: &[u8]) -> bool {
    token
        .windows(8)
        .any(|w| w.windows(2).all(|p| p[1] == p[0].wrapping_add(1)))
}

/// The key of an assignment that ends at `before` (`name = `, `"name": `, `name: !!binary `).
fn key_before(line: &[u8], before: usize) -> Option<&[u8]> {
    let mut i = before;
    while i > 0 && matches!(line[i - 1], b' ' | b'\t') {
        i -= 1;
    }
    // A YAML tag between the separator and the value.
    if line[..i].ends_with(b"!!binary") {
        i -= b"!!binary".len();
        while i > 0 && matches!(line[i - 1], b' ' | b'\t') {
            i -= 1;
        }
    }
    let separator = *line[..i].last()?;
    if !matches!(separator, b'=' | b':') {
        return None;
    }
    i -= 1;
    while i > 0
        && matches!(
            line[i - 1],
            b'=' | b':' | b'>' | b' ' | b'\t' | b'"' | b'\''
        )
    {
        i -= 1;
    }
    let end = i;
    while i > 0
        && (line[i - 1].is_ascii_alphanumeric() || matches!(line[i - 1], b'_' | b'-' | b'.'))
    {
        i -= 1;
    }
    (end > i).then(|| &line[i..end])
}

fn is_public_value(token: &[u8], key: Option<&[u8]>, line: &[u8], start: usize) -> bool {
    let lower_key = key.map(|k| String::from_utf8_lossy(k).to_ascii_lowercase());
    if lower_key.as_deref().is_some_and(is_digest_key) || key.is_some_and(is_reference_key) {
        return true;
    }
    let lower = String::from_utf8_lossy(token).to_ascii_lowercase();
    // `sha512-…` (SRI), `sha256:` split off as a key above, `h1:` likewise.
    if ["sha1-", "sha256-", "sha384-", "sha512-", "md5-"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        return true;
    }
    // base64 of a PEM block (`-----BEGIN …`): certificates (`tls.crt`, `caBundle`) are
    // public, and keys are found by the private-key detector once Secret data is decoded.
    token.starts_with(b"LS0tLS1")
        || (charset(token) == Some(Charset::Hex) && is_hex_encoded_text(token))
        || line[..start].ends_with(b"base64,")
        || is_uuid(token)
        || has_counting_run(token)
        || is_placeholder(token)
        || !token.iter().any(u8::is_ascii_digit)
        || !token.iter().any(u8::is_ascii_alphabetic)
}

/// A comment line (`#`, `//`, `;`, `--`, `/*`, `*`, `<!--`): comments cite commit ids,
/// digests and examples far more often than they hold a bare random secret (keyword
/// detectors still read them).
fn is_comment(line: &[u8]) -> bool {
    let start = line
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(line.len());
    let line = &line[start..];
    [&b"#"[..], b"//", b";", b"--", b"/*", b"*", b"<!--"]
        .iter()
        .any(|c| line.starts_with(c))
}

/// The high-entropy literals of `text` (not binary strings).
pub(crate) fn find(text: &[u8]) -> Vec<Literal> {
    let mut out = Vec::new();
    let mut line_start = 0;
    let ends = memchr::memchr_iter(b'\n', text).chain(std::iter::once(text.len()));
    for line_end in ends {
        let line = &text[line_start..line_end];
        if line.len() >= MIN_LEN && !is_comment(line) {
            find_in_line(line, line_start, &mut out);
        }
        line_start = line_end + 1;
    }
    out
}

fn find_in_line(line: &[u8], offset: usize, out: &mut Vec<Literal>) {
    for (start, token_end) in crate::runs::long_runs(line, MIN_LEN, is_token_byte) {
        // Up to two `=` of base64 padding, unless they start an assignment (`key=value`).
        let padding = line[token_end..]
            .iter()
            .take(2)
            .take_while(|b| **b == b'=')
            .count();
        let end = if line
            .get(token_end + padding)
            .is_some_and(|b| is_token_byte(*b) || *b == b'=')
        {
            token_end
        } else {
            token_end + padding
        };
        let token = &line[start..end];
        let len = token.len();
        if !(MIN_LEN..=MAX_LEN).contains(&len) {
            continue;
        }
        let before = start.checked_sub(1).map(|p| line[p]);
        let after = line.get(end).copied();
        let quoted =
            matches!((before, after), (Some(q @ (b'"' | b'\'' | b'`')), Some(r)) if q == r);
        let key = key_before(line, if quoted { start - 1 } else { start });
        let assigned = key.is_some()
            && (quoted
                || after.is_none_or(|b| matches!(b, b' ' | b'\t' | b'\r' | b',' | b';' | b'#')));
        if !(quoted || assigned) {
            continue;
        }
        let Some(charset) = charset(token) else {
            continue;
        };
        if len < charset.min_len()
            || len > charset.max_len()
            || shannon_entropy(token) < charset.min_entropy()
            || is_public_value(token, key, line, start)
        {
            continue;
        }
        out.push(Literal {
            start: offset + start,
            end: offset + end,
            charset,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        find(text.as_bytes())
            .iter()
            .map(|l| &text[l.start..l.end])
            .collect()
    }

    #[test]
    fn assigned_and_quoted_random_strings_are_found() {
        assert_eq!(
            found("mimi=gX69YO4CvBsVjzAwYxdGyDd30t5+9ez31gKATtj4\n"),
            vec!["gX69YO4CvBsVjzAwYxdGyDd30t5+9ez31gKATtj4"]
        );
        assert_eq!(
            found("VALUE = 'c3VwZXIgbG9uZyBzdHJpbmcgc2hvdWxkIGNhdXNlIGVub3VnaCBlbnRyb3B5'"),
            vec!["c3VwZXIgbG9uZyBzdHJpbmcgc2hvdWxkIGNhdXNlIGVub3VnaCBlbnRyb3B5"]
        );
        assert_eq!(
            found("k: !!binary MjNjcnh1IDJieXJpdXYyeXJpaTJidnl1MnI4OXkyb3UwMg==\n"),
            vec!["MjNjcnh1IDJieXJpdXYyeXJpaTJidnl1MnI4OXkyb3UwMg=="]
        );
        assert_eq!(
            found(r#"{"v": "60b725f10c9c85c70d97880dfe8191b3"}"#),
            vec!["60b725f10c9c85c70d97880dfe8191b3"]
        );
    }

    #[test]
    fn digest_keys_are_whole_words() {
        assert!(is_digest_key("filehash") && is_digest_key("sha256") && is_digest_key("go.h1"));
        assert!(is_digest_key("gpg_key") && is_digest_key("md5sum") && is_digest_key("sha512sums"));
        assert!(is_digest_key("blake2b") && is_digest_key("crc32") && !is_digest_key("shadow"));
        assert!(!is_digest_key("shared_key") && !is_digest_key("auth1_key"));
    }

    #[test]
    fn digests_ids_words_and_bare_tokens_are_not() {
        for text in [
            // Digests, by key, by prefix, and go.sum's `h1:`.
            "MD5sum: 8d4fe17e66ba25de16a117035d1396aa",
            "Build-Ids: d228a551d96c115cc391b0f04ffb907d57f7d9ff",
            "ranges = '00280029005b005d007b007d0f3a0f3b0f3c0f3d169b169c2045204620752076208d208e23082309232923299232923290328032e802d8026702570264025402c961b961d3f0c3f0b3f0a3f0d700b700d500b50092008200'",
            "checksum = \"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"",
            "\"integrity\": \"sha512-9Zk3pQ9vX2mLr8sT4wY7bN1cD6fH0jK5aQ==\"",
            "golang.org/x/text v0.3.7 h1:olpwvP2KacW1ZWvsR7uQhoyTYvKAupfQrRGBFM352Gk=",
            "image: app@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            // Identifiers and UUIDs.
            "foreign_key_id = vh987tyw9ehy8ghis7vwyhiwbwitefy7w3ASDGYDGUASDG",
            "uuid: '203db13e-70c7-462b-9a3d-bf32640cb0be'",
            "class = 'AbstractSingletonProxyFactoryBean'",
            "sha256 = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'",
            // Counting runs, data URIs, low entropy, bare (unassigned, unquoted) tokens.
            "alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef0123456789'",
            "src=\"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk\"",
            "x = 'aaaaaaaabbbbbbbb11111111'",
            "caBundle: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUM1ekNDQWMrZ0F3SUJBZ0lCQURBTk",
            "MIIEowIBAAKCAQEAzq8L3vN5pQ2rT7xW9yB4cF6hJ1kM3nP5sU8vX0zA2dG4jL7o",
            "  # fixed in yaml.dump('2b00042f7481c7b056c4b410d28f33cf')",
            "const buf2 = Buffer.from('7468697320697320612074c3a97374', 'hex');",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }
}
