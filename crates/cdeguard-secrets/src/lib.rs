//! Secret and cardholder data discovery.
//!
//! [`Scanner::scan_text`] finds provider credentials (100+ formats, `detectors/`), private
//! keys, credentials in URLs and config files, generic hard-coded passwords, primary
//! account numbers and track data. Everything it returns is already masked: a PAN as first
//! 6 / last 4 digits, a secret as provider + first 4 characters + length, plus a keyed
//! fingerprint. **Architecture invariant:** no unmasked value leaves this crate.

mod block;
pub mod content;
pub mod detectors;
mod engine;
pub mod entropy;
pub mod files;
pub mod findings;
mod high_entropy;
pub mod image_config;
pub mod mask;
pub mod pan;
mod runs;

use cdeguard_model::Severity;

pub use detectors::Check;
pub use mask::FingerprintKey;

/// Bumped whenever detection logic outside the detector table changes (PAN rules,
/// placeholder filters, entropy gates), so cached results of older logic are not reused.
const DETECTION_REVISION: u32 = 5;

/// PCI DSS requirements of a leaked credential.
pub const SECRET_PCI: &[&str] = &["8.6.2", "8.3.2", "3.6.1"];
/// PCI DSS requirements of a stored PAN.
pub const PAN_PCI: &[&str] = &["3.2.1", "3.4.1", "3.5.1"];
/// PCI DSS requirements of sensitive authentication data (track data, PAN with CVV).
pub const SAD_PCI: &[&str] = &["3.2.1", "3.3.1", "3.5.1"];

/// One secret or piece of cardholder data, masked. Serialisable (for the per-layer
/// cache of image scans): it holds nothing that is not safe to print.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Detection {
    /// `CDG-SECRET-<detector>`, `CDG-PAN-001` (PAN), `CDG-PAN-002` (track data).
    pub rule_id: String,
    pub title: String,
    pub provider: String,
    pub severity: Severity,
    #[serde(with = "stored::pci")]
    pub pci: &'static [&'static str],
    /// 1-based line (0 when the text has no meaningful lines, e.g. binary strings).
    pub line: u32,
    /// Masked excerpt, safe to print.
    pub masked: String,
    /// Keyed hash of the value, for suppression and tracking.
    pub fingerprint: String,
    /// Extra facts: "encrypted key", "next to a CVV field", "published test number".
    pub notes: Vec<String>,
    /// The inline allow comment on the detection's line (`cdeguard:allow`,
    /// `pragma: allowlist secret`, `gitleaks:allow`), if any: an accepted risk.
    #[serde(with = "stored::inline_allow")]
    pub allowed_inline: Option<AllowMarker>,
}

/// One of the inline allow markers. A named type: serde's derive would take a field
/// spelled `Option<&'static str>` as borrowed from the input, which a cache file is not.
pub type AllowMarker = &'static str;

/// Inline comments that accept a detection on their line.
const INLINE_ALLOW: &[&str] = &[
    "cdeguard:allow",
    "pragma: allowlist secret",
    "gitleaks:allow",
];

/// Serde forms of the `'static` fields of [`Detection`]: stored by name, read back as
/// the one constant of that name (an unknown name is a corrupt cache entry).
mod stored {
    const PCI_SETS: [(&str, &[&str]); 3] = [
        ("secret", super::SECRET_PCI),
        ("pan", super::PAN_PCI),
        ("sad", super::SAD_PCI),
    ];

    pub(super) mod pci {
        use serde::{Deserialize as _, Deserializer, Serializer, de::Error as _};

        use super::PCI_SETS;

        pub(crate) fn serialize<S: Serializer>(
            pci: &&'static [&'static str],
            s: S,
        ) -> Result<S::Ok, S::Error> {
            let name = PCI_SETS
                .iter()
                .find(|(_, set)| set == pci)
                .map_or("secret", |(name, _)| *name);
            s.serialize_str(name)
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<&'static [&'static str], D::Error> {
            let name = String::deserialize(d)?;
            PCI_SETS
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, set)| *set)
                .ok_or_else(|| D::Error::custom(format!("unknown PCI set `{name}`")))
        }
    }

    pub(super) mod inline_allow {
        use serde::{Deserialize as _, Deserializer, Serializer, de::Error as _};

        pub(crate) fn serialize<S: Serializer>(
            marker: &Option<crate::AllowMarker>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            s.serialize_str(marker.unwrap_or_default())
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<crate::AllowMarker>, D::Error> {
            let marker = String::deserialize(d)?;
            if marker.is_empty() {
                return Ok(None);
            }
            super::super::INLINE_ALLOW
                .iter()
                .find(|m| **m == marker)
                .map(|m| Some(*m))
                .ok_or_else(|| D::Error::custom(format!("unknown allow marker `{marker}`")))
        }
    }
}

/// The allow marker on the line around `offset`, if any.
fn inline_allow(text: &[u8], offset: usize) -> Option<&'static str> {
    let start = memchr::memrchr(b'\n', &text[..offset]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &text[offset..]).map_or(text.len(), |i| offset + i);
    let line = &text[start..end];
    INLINE_ALLOW
        .iter()
        .copied()
        .find(|marker| memchr::memmem::find(line, marker.as_bytes()).is_some())
}

/// A compiled set of detectors plus the fingerprint key.
pub struct Scanner {
    engine: engine::Engine,
    key: FingerprintKey,
}

impl Scanner {
    #[must_use]
    pub fn new(key: FingerprintKey) -> Self {
        Self {
            engine: engine::Engine::new(),
            key,
        }
    }

    /// Number of secret detectors.
    #[must_use]
    pub fn detector_count(&self) -> usize {
        detectors::all().count()
    }

    /// Identifies what this scanner finds and how it fingerprints: the detectors, the
    /// detection logic's revision and the fingerprint key (as a keyed hash, never the
    /// key). Results cached under it are valid for exactly this scanner.
    #[must_use]
    pub fn version(&self) -> String {
        use sha2::Digest as _;
        let mut h = sha2::Sha256::new();
        h.update(env!("CARGO_PKG_VERSION"));
        h.update(DETECTION_REVISION.to_le_bytes());
        for d in detectors::all() {
            h.update(format!(
                "\n{}\0{}\0{:?}\0{:?}",
                d.id, d.pattern, d.keywords, d.check
            ));
        }
        h.update(self.key.fingerprint("scanner-version", b""));
        cdeguard_model::hex(&h.finalize())
    }

    /// Scans one text. `lines` says whether line numbers mean anything.
    #[must_use]
    pub fn scan_text(&self, text: &[u8], lines: bool) -> Vec<Detection> {
        self.scan_spans(text, lines)
            .into_iter()
            .map(|(_, d)| d)
            .collect()
    }

    /// `text` with every secret and card number replaced by its masked form
    /// (`«GitHub ghp_… (40 chars)»`), or `None` when it holds none: for text that is shown
    /// as is, such as an image's ENV values and history lines.
    #[must_use]
    pub fn redact(&self, text: &str) -> Option<String> {
        let mut found = self.scan_spans(text.as_bytes(), true);
        if found.is_empty() {
            return None;
        }
        found.sort_by_key(|((start, _), _)| *start);
        let mut out = String::with_capacity(text.len());
        let mut done = 0;
        for ((start, end), d) in found {
            if start < done {
                continue; // overlaps a span already replaced
            }
            out.push_str(&String::from_utf8_lossy(&text.as_bytes()[done..start]));
            out.push('«');
            out.push_str(&d.masked);
            out.push('»');
            done = end;
        }
        out.push_str(&String::from_utf8_lossy(&text.as_bytes()[done..]));
        Some(out)
    }

    /// Every detection with the span (start, end) of its value in `text`.
    fn scan_spans(&self, text: &[u8], lines: bool) -> Vec<((usize, usize), Detection)> {
        let mut out = Vec::new();
        let line_of = |offset: usize| -> u32 {
            if lines {
                u32::try_from(memchr::memchr_iter(b'\n', &text[..offset]).count() + 1)
                    .unwrap_or(u32::MAX)
            } else {
                0
            }
        };
        let matches = self.engine.find(text, !lines);
        let spans: Vec<(usize, usize)> = matches.iter().map(|m| (m.start, m.end)).collect();
        for m in matches {
            let d = self.engine.detector(m.detector);
            let value = &text[m.start..m.end];
            let mut notes = Vec::new();
            let mut severity = d.severity;
            match m.encrypted {
                Some(true) => {
                    notes.push("the key is encrypted (passphrase-protected)".to_owned());
                    severity = Severity::Medium;
                }
                Some(false) => notes.push("the key is NOT encrypted".to_owned()),
                None => {}
            }
            if is_documented_example(value) {
                notes.push("a documented example value".to_owned());
                severity = Severity::Low;
            }
            out.push((
                (m.start, m.end),
                Detection {
                    rule_id: format!("CDG-SECRET-{}", d.id),
                    title: d.title.to_owned(),
                    provider: d.provider.to_owned(),
                    severity,
                    pci: SECRET_PCI,
                    line: line_of(m.start),
                    masked: mask::mask_secret(d.provider, value),
                    fingerprint: self.key.fingerprint(d.id, value),
                    notes,
                    allowed_inline: inline_allow(text, m.start),
                },
            ));
        }
        if lines {
            for literal in high_entropy::find(text) {
                if spans
                    .iter()
                    .any(|(s, e)| literal.start < *e && literal.end > *s)
                {
                    continue;
                }
                let value = &text[literal.start..literal.end];
                let provider = match literal.charset {
                    high_entropy::Charset::Hex => "High-entropy hex string",
                    high_entropy::Charset::Base64 => "High-entropy base64 string",
                };
                out.push((
                    (literal.start, literal.end),
                    Detection {
                        rule_id: "CDG-SECRET-high-entropy-string".to_owned(),
                        title: "Hard-coded high-entropy string (likely a secret)".to_owned(),
                        provider: provider.to_owned(),
                        severity: Severity::Medium,
                        pci: SECRET_PCI,
                        line: line_of(literal.start),
                        masked: mask::mask_secret(provider, value),
                        fingerprint: self.key.fingerprint("high-entropy-string", value),
                        notes: vec![
                            "no provider format matched: flagged by its randomness".to_owned(),
                        ],
                        allowed_inline: inline_allow(text, literal.start),
                    },
                ));
            }
        }
        for p in pan::find(text, !lines) {
            let (rule_id, title, pci) = match p.kind {
                pan::CardDataKind::Pan if p.near_cvv => (
                    "CDG-PAN-001",
                    "Primary account number (PAN) stored in clear, next to a CVV field",
                    SAD_PCI,
                ),
                pan::CardDataKind::Pan => (
                    "CDG-PAN-001",
                    "Primary account number (PAN) stored in clear",
                    PAN_PCI,
                ),
                pan::CardDataKind::Track1 | pan::CardDataKind::Track2 => {
                    ("CDG-PAN-002", "Magnetic-stripe track data stored", SAD_PCI)
                }
            };
            let mut notes = vec![format!("{} card number", p.brand.name())];
            if p.near_cvv {
                notes.push(
                    "a CVV/CVC field is nearby (sensitive authentication data, PCI DSS 3.3.1)"
                        .to_owned(),
                );
            }
            if p.near_expiry && p.kind == pan::CardDataKind::Pan {
                notes.push("an expiry date is nearby".to_owned());
            }
            let severity = if p.test {
                notes.push("a published test card number".to_owned());
                Severity::Low
            } else {
                Severity::Critical
            };
            out.push((
                (p.start, p.end),
                Detection {
                    rule_id: rule_id.to_owned(),
                    title: title.to_owned(),
                    provider: p.brand.name().to_owned(),
                    severity,
                    pci,
                    line: line_of(p.start),
                    masked: mask::mask_pan(&p.digits),
                    fingerprint: self.key.fingerprint("pan", p.digits.as_bytes()),
                    notes,
                    allowed_inline: inline_allow(text, p.start),
                },
            ));
        }
        out.sort_by_key(|(_, d)| d.line);
        out
    }
}

/// Vendors' documentation examples (AWS's `…EXAMPLE` keys) are real-looking but public.
fn is_documented_example(value: &[u8]) -> bool {
    value.ends_with(b"EXAMPLE") || value.ends_with(b"EXAMPLEKEY")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scanner() -> Scanner {
        Scanner::new(FingerprintKey::new(b"test"))
    }

    #[test]
    fn detections_are_masked_and_located() {
        let text = b"# config\nstripe = \"sk_live_51HqT2bC4xYzAbCdEfGhIjKlMn\"\ncard: 4539 1488 0343 6467\n";
        let found = scanner().scan_text(text, true);
        let summary: Vec<(&str, u32, &str)> = found
            .iter()
            .map(|d| (d.rule_id.as_str(), d.line, d.masked.as_str()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    "CDG-SECRET-stripe-live-secret-key",
                    2,
                    "Stripe sk_l… (34 chars)"
                ),
                ("CDG-PAN-001", 3, "453914******6467"),
            ]
        );
        assert_eq!(found[1].severity, Severity::Critical);
    }

    #[test]
    fn inline_allow_comments_are_recorded() {
        let found = scanner().scan_text(b"a = 1\ntoken = 'ghp_0123456789abcdefghijABCDEFGHIJ012345'  # pragma: allowlist secret\n", true);
        assert_eq!(found[0].allowed_inline, Some("pragma: allowlist secret"));
        let found = scanner().scan_text(
            b"token = 'ghp_0123456789abcdefghijABCDEFGHIJ012345'\n# cdeguard:allow\n",
            true,
        );
        assert_eq!(
            found[0].allowed_inline, None,
            "the marker must be on the same line"
        );
    }

    #[test]
    fn detections_round_trip_through_the_cache_form() {
        let text = b"card: 4539 1488 0343 6467 cvv: 123\ntoken = 'ghp_0123456789abcdefghijABCDEFGHIJ012345'  # gitleaks:allow\nmimi=gX69YO4CvBsVjzAwYxdGyDd30t5+9ez31gKATtj4\n";
        let found = scanner().scan_text(text, true);
        assert_eq!(found.len(), 3, "{found:?}");
        let json = serde_json::to_string(&found).unwrap();
        assert!(!json.contains("gX69YO4CvBsV") && !json.contains("4539148803436467"));
        let back: Vec<Detection> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, found);
        assert_eq!(back[0].pci, SAD_PCI);
        assert_eq!(back[1].allowed_inline, Some("gitleaks:allow"));
        assert!(
            serde_json::from_str::<Vec<Detection>>(&json.replace("\"sad\"", "\"other\"")).is_err()
        );
    }

    #[test]
    fn keyword_less_high_entropy_literals_are_masked_and_not_doubled() {
        let found = scanner().scan_text(
            b"mimi=gX69YO4CvBsVjzAwYxdGyDd30t5+9ez31gKATtj4\napi_key = 'Zk3pQ9vX2mLr8sT4wY7bN1cD6fH0jK5a'\n",
            true,
        );
        let got: Vec<(&str, u32, &str)> = found
            .iter()
            .map(|d| (d.rule_id.as_str(), d.line, d.masked.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "CDG-SECRET-high-entropy-string",
                    1,
                    "High-entropy base64 string gX69… (40 chars)"
                ),
                (
                    "CDG-SECRET-generic-password-assignment",
                    2,
                    "Generic Zk3p… (32 chars)"
                ),
            ]
        );
        // Binary strings are not searched for bare entropy.
        assert!(
            scanner()
                .scan_text(b"mimi=gX69YO4CvBsVjzAwYxdGyDd30t5+9ez31gKATtj4", false)
                .is_empty()
        );
    }

    #[test]
    fn version_changes_with_the_fingerprint_key() {
        let a = Scanner::new(FingerprintKey::new(b"a"));
        assert_eq!(
            a.version(),
            Scanner::new(FingerprintKey::new(b"a")).version()
        );
        assert_ne!(
            a.version(),
            Scanner::new(FingerprintKey::new(b"b")).version()
        );
    }

    #[test]
    fn documented_examples_and_test_pans_are_low() {
        let found = scanner().scan_text(b"AKIAIOSFODNN7EXAMPLE 4242424242424242", true);
        assert!(
            found.iter().all(|d| d.severity == Severity::Low),
            "{found:?}"
        );
        assert_eq!(found.len(), 2);
    }
}
