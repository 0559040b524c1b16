//! The audit record (schema version 1, documented in `docs/audit-record.md`): the six
//! PCI DSS 10.2.2 elements plus a sequence number and free-form details.
//!
//! A record is stored as its canonical JSON (fields in the order below, no whitespace);
//! those exact bytes are the Merkle leaf, so an exported NDJSON line can be hashed by
//! anyone to check a proof.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Version of the record schema written by this build.
pub const SCHEMA_VERSION: u32 = 1;
/// Largest canonical record, in bytes.
pub const MAX_RECORD_BYTES: usize = 1 << 20;
/// Largest single text field (actor, action, resource, host, process), in bytes.
pub(crate) const MAX_FIELD_BYTES: usize = 4096;

/// Whether the audited action succeeded (PCI DSS 10.2.2 "success or failure").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The action succeeded.
    Success,
    /// The action failed or was denied.
    Failure,
    /// The outcome is not known (e.g. an action still in progress).
    Unknown,
}

impl Outcome {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Unknown => "unknown",
        }
    }
}

/// Where the event came from (PCI DSS 10.2.2 "origination of event").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Origin {
    /// Host name.
    pub host: String,
    /// Process id.
    pub pid: u32,
    /// Process name.
    pub process: String,
}

impl Origin {
    /// This process on this host.
    pub fn current() -> Self {
        let host = rustix::system::uname()
            .nodename()
            .to_string_lossy()
            .into_owned();
        let process = std::env::current_exe()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "unknown".into());
        Origin {
            host,
            pid: std::process::id(),
            process,
        }
    }
}

/// One stored audit record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// Schema version ([`SCHEMA_VERSION`]).
    pub v: u32,
    /// Position in the log, from 0, without gaps; also the Merkle leaf index.
    pub seq: u64,
    /// When the event happened: UTC, RFC 3339 with nanoseconds.
    pub time: String,
    /// Who: user or service identity.
    pub actor: String,
    /// What: event type, dotted (`scan.run`, `policy.change`, `audit.key.add`).
    pub action: String,
    /// The affected item.
    pub resource: String,
    /// Success or failure.
    pub outcome: Outcome,
    /// Origination.
    pub origin: Origin,
    /// Free-form JSON object with event specifics (never a card number in clear).
    pub details: Value,
}

impl Record {
    /// Canonical bytes: the stored payload and Merkle leaf.
    pub fn to_canonical(&self) -> Vec<u8> {
        // Serialising a struct of strings, integers and a `Value` cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Parses a stored payload.
    pub fn from_canonical(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }
}

/// What a caller submits: a record without its sequence number; `time` and `origin`
/// default to now and this process.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordInput {
    /// Event time, RFC 3339 with any offset; normalised to UTC nanoseconds.
    #[serde(default)]
    pub time: Option<String>,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// The affected item.
    pub resource: String,
    /// Success or failure.
    pub outcome: Outcome,
    /// Origination; defaults to the appending process.
    #[serde(default)]
    pub origin: Option<Origin>,
    /// Event specifics; must be a JSON object when present.
    #[serde(default)]
    pub details: Option<Value>,
}

impl RecordInput {
    /// A record input stamped now, from this process.
    pub fn new(
        actor: &str,
        action: &str,
        resource: &str,
        outcome: Outcome,
        details: Value,
    ) -> Self {
        RecordInput {
            time: None,
            actor: actor.into(),
            action: action.into(),
            resource: resource.into(),
            outcome,
            origin: None,
            details: Some(details),
        }
    }
}

/// RFC 3339, UTC, exactly nine fractional digits.
pub fn format_time(ts: jiff::Timestamp) -> String {
    format!("{ts:.9}")
}

/// Parses RFC 3339 with any offset into the canonical UTC form.
pub fn normalise_time(text: &str) -> Result<String, String> {
    text.parse::<jiff::Timestamp>()
        .map(format_time)
        .map_err(|e| format!("`time` {text:?} is not RFC 3339: {e}"))
}

/// Parses a stored (canonical) time.
pub fn parse_time(text: &str) -> Option<jiff::Timestamp> {
    text.parse().ok()
}

/// Reads `seq` from the start of a canonical payload (`{"v":1,"seq":N,`) without a full
/// JSON parse; `None` when the payload does not start that way.
pub fn peek_seq(payload: &[u8]) -> Option<u64> {
    let rest = payload.strip_prefix(b"{\"v\":1,\"seq\":")?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 20 || rest.get(digits) != Some(&b',') {
        return None;
    }
    std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::Batch;

    #[test]
    fn canonical_form_is_stable_and_peekable() {
        let origin = Origin {
            host: "h".into(),
            pid: 7,
            process: "p".into(),
        };
        let mut batch = Batch::new();
        batch
            .push_line(
                r#"{"actor":"alice","action":"policy.change","resource":"ns/payments","outcome":"success","time":"2026-01-02T03:04:05.5+01:00","details":{"b":1,"a":2}}"#,
                1,
            )
            .expect("valid");
        let mut bytes = Vec::new();
        let origin_json = serde_json::to_vec(&origin).expect("origin");
        batch.write_payload(0, 42, "unused", &origin_json, &mut bytes);
        assert_eq!(
            std::str::from_utf8(&bytes).expect("utf8"),
            r#"{"v":1,"seq":42,"time":"2026-01-02T02:04:05.500000000Z","actor":"alice","action":"policy.change","resource":"ns/payments","outcome":"success","origin":{"host":"h","pid":7,"process":"p"},"details":{"a":2,"b":1}}"#
        );
        assert_eq!(peek_seq(&bytes), Some(42));
        let record = Record::from_canonical(&bytes).expect("parse");
        assert_eq!(record.to_canonical(), bytes);
        assert_eq!(peek_seq(b"{\"v\":1,\"seq\":x"), None);
    }
}
