//! The matching engine: one case-insensitive Aho-Corasick pass finds which detectors'
//! keywords occur, then only those detectors' regexes run over the input.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::bytes::{Regex, RegexBuilder};

use crate::detectors::{self, Check, Detector};
use crate::entropy::shannon_entropy;

/// A raw match: where the secret is. Callers mask it immediately; the bytes never leave
/// the crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RawMatch {
    pub detector: usize,
    /// Span of the secret itself.
    pub start: usize,
    pub end: usize,
    /// For private keys: whether the key is encrypted.
    pub encrypted: Option<bool>,
}

/// Compiled detectors.
pub(crate) struct Engine {
    detectors: Vec<&'static Detector>,
    /// Each detector's regex, compiled when its keywords first occur: most scans meet
    /// a few detectors' keywords, and compiling all of them up front is most of the
    /// work of a short scan (an image rescan that only redacts its configuration).
    regexes: Vec<OnceLock<Regex>>,
    keywords: AhoCorasick,
    /// Keyword pattern index -> detector index.
    keyword_owner: Vec<usize>,
    /// Per detector: bytes after a keyword hit that a match may extend to.
    reach: Vec<usize>,
}

const LINE_REACH: usize = 512;
const MULTILINE_REACH: usize = 64 * 1024;
/// How far back to look for the start of a keyword's line (minified files have huge lines).
const LOOKBACK: usize = 4096;

fn line_start(haystack: &[u8], pos: usize) -> usize {
    let from = pos.saturating_sub(LOOKBACK);
    memchr::memrchr(b'\n', &haystack[from..pos]).map_or(from, |i| from + i + 1)
}

fn line_end(haystack: &[u8], pos: usize) -> usize {
    let to = (pos + LOOKBACK).min(haystack.len());
    memchr::memchr(b'\n', &haystack[pos..to]).map_or(to, |i| pos + i)
}

impl Engine {
    pub(crate) fn new() -> Self {
        let detectors: Vec<&'static Detector> = detectors::all().collect();
        let regexes = detectors.iter().map(|_| OnceLock::new()).collect();
        let mut words = Vec::new();
        let mut keyword_owner = Vec::new();
        for (i, d) in detectors.iter().enumerate() {
            for k in d.keywords {
                words.push(*k);
                keyword_owner.push(i);
            }
        }
        let keywords = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&words)
            .expect("keywords build");
        // How far past a keyword a match can end: multi-line formats (private keys) reach
        // far, everything else stays within a few lines.
        let reach = detectors
            .iter()
            .map(|d| {
                if d.pattern.contains("-----END") || d.pattern.contains("Private-Lines") {
                    MULTILINE_REACH
                } else {
                    LINE_REACH
                }
            })
            .collect();
        Self {
            detectors,
            regexes,
            keywords,
            keyword_owner,
            reach,
        }
    }

    pub(crate) fn detector(&self, index: usize) -> &'static Detector {
        self.detectors[index]
    }

    fn regex(&self, index: usize) -> &Regex {
        self.regexes[index].get_or_init(|| {
            // ASCII classes and word boundaries: credentials are ASCII, and Unicode
            // `\w`/`\b` would cost tens of MB and a third of a second to compile.
            RegexBuilder::new(self.detectors[index].pattern)
                .unicode(false)
                .build()
                .expect("detector patterns are tested to compile")
        })
    }

    /// Finds every secret in `haystack`. In `binary` content (printable strings pulled out
    /// of executables and databases) the generic assignment detector is off: format strings
    /// like `password=%s` are everywhere there and a real assignment is not.
    pub(crate) fn find(&self, haystack: &[u8], binary: bool) -> Vec<RawMatch> {
        // Windows of the input around keyword hits, per detector, merged when they
        // overlap: regexes only run there, so a keyword that is everywhere in a large file
        // costs a few lines, not a full pass per detector.
        let mut windows: Vec<Vec<(usize, usize)>> = vec![Vec::new(); self.detectors.len()];
        for m in self.keywords.find_overlapping_iter(haystack) {
            let index = self.keyword_owner[m.pattern().as_usize()];
            let start = line_start(haystack, m.start());
            let end = line_end(haystack, (m.end() + self.reach[index]).min(haystack.len()));
            let list = &mut windows[index];
            match list.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => list.push((start, end)),
            }
        }
        let mut out = Vec::new();
        for (index, list) in windows.iter().enumerate().filter(|(_, l)| !l.is_empty()) {
            let detector = self.detectors[index];
            if binary && detector.is_generic() {
                continue;
            }
            for &(from, to) in list {
                let window = &haystack[from..to];
                for caps in self.regex(index).captures_iter(window) {
                    let whole = caps.get(0).expect("group 0 always matches");
                    // The secret is the last group that took part in the match (earlier groups
                    // capture context such as an assignment's key).
                    let secret = (1..caps.len())
                        .rev()
                        .find_map(|g| caps.get(g))
                        .unwrap_or(whole);
                    let key = caps.name("key").map(|k| k.as_bytes());
                    let value = secret.as_bytes();
                    let encrypted = match detector.check {
                        Check::None => None,
                        Check::Entropy(min) => {
                            if shannon_entropy(value) < min {
                                continue;
                            }
                            None
                        }
                        Check::Assignment(min) => {
                            let quoted = secret.start() > 0
                                && matches!(window[secret.start() - 1], b'"' | b'\'' | b'`');
                            if is_placeholder(value)
                                || (key.is_some() && !quoted && is_identifier(value))
                                || key.is_some_and(is_reference_key)
                                || shannon_entropy(value) < min
                            {
                                continue;
                            }
                            None
                        }
                        Check::Block(min) => {
                            if key.is_some_and(is_reference_key) {
                                continue;
                            }
                            let indent = caps.name("indent").map_or(0, |m| m.len());
                            out.extend(
                                crate::block::values(window, secret.start(), secret.end(), indent)
                                    .into_iter()
                                    .filter(|&(start, end)| {
                                        let value = &window[start..end];
                                        !is_placeholder(value) && shannon_entropy(value) >= min
                                    })
                                    .map(|(start, end)| RawMatch {
                                        detector: index,
                                        start: from + start,
                                        end: from + end,
                                        encrypted: None,
                                    }),
                            );
                            continue;
                        }
                        Check::DockerAuth => {
                            if !decodes_to_user_password(value) {
                                continue;
                            }
                            None
                        }
                        Check::PrivateKey => Some(private_key_is_encrypted(value)),
                    };
                    out.push(RawMatch {
                        detector: index,
                        start: from + secret.start(),
                        end: from + secret.end(),
                        encrypted,
                    });
                }
            }
        }
        // Overlapping windows of one detector can report the same match twice.
        out.sort_by_key(|m| (m.detector, m.start, m.end));
        out.dedup_by_key(|m| (m.detector, m.start, m.end));
        // The same bytes found by a specific detector and by a generic one: keep the
        // specific one (it names the provider).
        out.sort_by_key(|m| (m.start, m.end, self.detectors[m.detector].is_generic()));
        out.dedup_by(|later, earlier| later.start < earlier.end && later.end > earlier.start);
        out
    }
}

/// Values that are not secrets but references to one: variables, templates, masks,
/// obvious placeholders, code.
/// A bare word of code (`credentials`, `nextchar`, `pkg.module:function`): unquoted, it
/// names a variable or an entry point.
fn is_identifier(value: &[u8]) -> bool {
    value
        .first()
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        && value
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'[' | b']' | b':'))
        && !value.iter().any(u8::is_ascii_digit)
}

pub(crate) fn is_placeholder(value: &[u8]) -> bool {
    let text = String::from_utf8_lossy(value);
    let t = text.trim();
    let lower = t.to_ascii_lowercase();
    if t.len() < 6 {
        return true;
    }
    let starts = [
        "[",
        "{",
        "$",
        "%(",
        "{{",
        "${",
        "<",
        "#{",
        "@",
        "env(",
        "env.",
        "os.environ",
        "process.env",
        "getenv",
        "secretkeyref",
        "valuefrom",
        "vault:",
        "ref+",
        "!ref",
    ];
    if starts.iter().any(|p| lower.starts_with(p)) || lower.contains("{{") || lower.contains("${") {
        return true;
    }
    let placeholders = [
        "xxxx",
        "****",
        "....",
        "<your",
        "your_",
        "your-",
        "changeit",
        "redacted",
        "placeholder",
        "replace_me",
        "replace-me",
        "example",
        "dummy",
        "sample",
        "none",
        "null",
        "undefined",
        "true",
        "false",
        "password",
        "secret",
        "********",
    ];
    if placeholders
        .iter()
        .any(|p| lower == *p || (p.len() >= 4 && lower.contains(p) && t.len() <= p.len() + 4))
    {
        return true;
    }
    // Code, not a literal: function calls, attribute access chains, type annotations.
    if t.contains('(')
        || t.ends_with(')')
        || lower.starts_with("self.")
        || lower.starts_with("this.")
    {
        return true;
    }
    // Identifiers (`current_token`, `tokens[0]`, `getPassword`) are code, not literals.
    let identifier_chars = t
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'[' | b']'));
    let has_digit = t.bytes().any(|b| b.is_ascii_digit());
    if identifier_chars && !has_digit && (t.contains('_') || t.contains('.')) {
        return true;
    }
    // Prose, not a credential: messages and docstrings have spaces.
    if t.contains(' ') {
        return true;
    }
    let first = t.as_bytes()[0];
    t.bytes().all(|b| b == first)
}

/// Keys that name or point to a secret rather than hold it: `secretName`,
/// `passwordFile`, `token_path`, `secretKeyRef`, `password_env`.
pub(crate) fn is_reference_key(key: &[u8]) -> bool {
    let lower = String::from_utf8_lossy(key).to_ascii_lowercase();
    let lower = lower.trim_end_matches(['"', '\'', ' ']);
    // Hashes and digests of secrets are not secrets.
    if ["hash", "sha", "digest", "checksum", "fingerprint"]
        .iter()
        .any(|h| lower.contains(h))
    {
        return true;
    }
    [
        "name", "ref", "file", "path", "dir", "env", "type", "mode", "length", "policy", "field",
        "id", "_url", "expiry", "ttl", "version", "header", "hash",
    ]
    .iter()
    .any(|suffix| lower.ends_with(suffix))
}

fn decodes_to_user_password(value: &[u8]) -> bool {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(value)
        .is_ok_and(|raw| {
            raw.iter()
                .position(|b| *b == b':')
                .is_some_and(|i| i > 0 && i + 1 < raw.len())
        })
}

/// PEM `ENCRYPTED PRIVATE KEY` / `Proc-Type: 4,ENCRYPTED`, OpenSSH keys whose cipher is not
/// `none`, PuTTY keys with `Encryption:` other than `none`.
fn private_key_is_encrypted(key: &[u8]) -> bool {
    use base64::Engine as _;
    let text = String::from_utf8_lossy(key);
    if text.contains("ENCRYPTED") {
        return true;
    }
    if let Some(rest) = text.split("Encryption: ").nth(1) {
        return !rest.starts_with("none");
    }
    if text.contains("OPENSSH PRIVATE KEY") {
        let body: String = text
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .flat_map(|l| l.trim().chars())
            .collect();
        let head = body.get(..body.len().min(100) / 4 * 4).unwrap_or_default();
        if let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(head) {
            // "openssh-key-v1\0" then a length-prefixed cipher name.
            let cipher = raw.get(15..19).and_then(|n| {
                let len = u32::from_be_bytes(n.try_into().ok()?) as usize;
                raw.get(19..19 + len)
            });
            return cipher.is_some_and(|c| c != b"none");
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(engine: &Engine, text: &str) -> Vec<&'static str> {
        engine
            .find(text.as_bytes(), false)
            .iter()
            .map(|m| engine.detector(m.detector).id)
            .collect()
    }

    #[test]
    fn provider_formats_are_found_and_specific_beats_generic() {
        let e = Engine::new();
        assert_eq!(
            ids(&e, "aws_access_key_id = AKIAZ7XQ3B5N2K4M6P7R"),
            vec!["aws-access-key-id"]
        );
        assert_eq!(
            ids(&e, "token: ghp_0123456789abcdefghijABCDEFGHIJ012345"),
            vec!["github-pat"]
        );
        assert_eq!(
            ids(&e, "STRIPE_KEY=sk_live_51HqT2bC4xYzAbCdEfGhIjKlMn"),
            vec!["stripe-live-secret-key"]
        );
        assert!(
            ids(&e, "DATABASE_URL=postgres://app:S3cr3t-Pa55@db:5432/shop")
                .contains(&"database-url-password")
        );
    }

    #[test]
    fn placeholders_and_references_are_not_secrets() {
        let e = Engine::new();
        for text in [
            "password = ${DB_PASSWORD}",
            "password: \"{{ .Values.db.password }}\"",
            "password = os.environ['DB_PASSWORD']",
            "secret: <your-secret-here>",
            "password: xxxxxxxx",
            "password = get_password()",
            "url: postgres://user:${PASS}@db/x",
        ] {
            assert!(ids(&e, text).is_empty(), "{text}: {:?}", ids(&e, text));
        }
        assert_eq!(
            ids(&e, "db_password: \"Tk-9f3!vault-2024\""),
            vec!["generic-password-assignment"]
        );
    }

    fn block_values(text: &str) -> Vec<&str> {
        Engine::new()
            .find(text.as_bytes(), false)
            .iter()
            .map(|m| &text[m.start..m.end])
            .collect()
    }

    #[test]
    fn values_on_the_lines_under_a_secret_key_are_found() {
        // ini multi-line value: each line is a value; weak or placeholder lines are not.
        assert_eq!(
            block_values(
                "[s]\nsecrets_for_app =\n    hunter2\n    password123\n    BEEF0123456789a\n"
            ),
            vec!["BEEF0123456789a"]
        );
        // YAML one-entry mapping wrapping the value, a digit-less one included.
        assert_eq!(
            block_values(
                "deploy:\n    password:\n        secure: thequickbrownfoxjumpsoverthelazydog\n    on:\n        repo: x/y\n"
            ),
            vec!["thequickbrownfoxjumpsoverthelazydog"]
        );
        // Block scalars and sequences.
        assert_eq!(
            block_values(
                "api_tokens:\n  - 'Zk3pQ9vX2mLr8sT4'\n  - ${TOKEN}\nprivate_key_pass: |\n  q8Rk-2mZv-Lp4x\nnext: 1\n"
            ),
            vec!["Zk3pQ9vX2mLr8sT4", "q8Rk-2mZv-Lp4x"]
        );
    }

    #[test]
    fn settings_objects_and_references_under_a_secret_key_are_not_values() {
        for text in [
            // Several entries: a settings object.
            "password:\n  fromVault: kv-prod-db-01\n  rotate: weekly\n",
            // One entry whose key points to the secret.
            "secret:\n  secretName: tls-cert-prod-01\n",
            "- name: DB\n  secretKeyRef:\n    key: pw-key-2024\n",
            // Not indented deeper than the key: the next key, not a value.
            "password:\nuser: Zk3pQ9vX2mLr8sT4\n",
            // Items of a nested entry of a settings object.
            "create_secret:\n  detect: True\n  rules_file:\n    - BUILD_DIR/k8s_audit_rules.yaml\n",
            // Comments and prose.
            "token:\n  # Zk3pQ9vX2mLr8sT4\n  see the vault for it\n",
        ] {
            assert!(
                block_values(text).is_empty(),
                "{text}: {:?}",
                block_values(text)
            );
        }
    }

    #[test]
    fn docker_auth_must_decode_to_user_and_password() {
        let e = Engine::new();
        // base64("deploy:hunter2-long") and base64("nocolon")
        assert_eq!(
            ids(
                &e,
                r#"{"auths":{"r":{"auth":"ZGVwbG95Omh1bnRlcjItbG9uZw=="}}}"#
            ),
            vec!["docker-config-auth"]
        );
        assert!(ids(&e, r#"{"auth":"bm9jb2xvbg=="}"#).is_empty());
    }

    #[test]
    fn multi_kilobyte_keys_are_found_whole() {
        let body: String = (0..40)
            .map(|i| format!("{}{}\n", "A".repeat(63), i % 10))
            .collect();
        let key = format!("-----BEGIN RSA PRIVATE KEY-----\n{body}-----END RSA PRIVATE KEY-----\n");
        let m = Engine::new().find(key.as_bytes(), false);
        assert_eq!((m.len(), m[0].end - m[0].start), (1, key.len() - 1));
    }

    #[test]
    fn private_key_encryption_is_detected() {
        let e = Engine::new();
        let plain = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n-----END RSA PRIVATE KEY-----\n";
        let enc = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHzBJBgkqhkiG9w0BBQ0wPDAbBgkqhkiG9w0BBQwwDgQI\n-----END ENCRYPTED PRIVATE KEY-----\n";
        assert_eq!(e.find(plain.as_bytes(), false)[0].encrypted, Some(false));
        assert_eq!(e.find(enc.as_bytes(), false)[0].encrypted, Some(true));
    }
}
