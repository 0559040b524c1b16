//! Export formats: NDJSON (the stored bytes, one record per line), CEF (ArcSight Common
//! Event Format) and RFC 5424 syslog lines. The forwarders send the same renderings.

use crate::record::{Outcome, Record};

/// Private Enterprise Number used in structured-data ids (32473 is reserved for
/// documentation by RFC 5612; deployments may want their own).
pub const SD_ENTERPRISE: u32 = 32473;
/// Syslog facility 13: log audit.
const FACILITY_LOG_AUDIT: u8 = 13;

/// An export format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The stored record bytes, one per line.
    Ndjson,
    /// ArcSight Common Event Format.
    Cef,
    /// RFC 5424 syslog message with the record as MSG.
    Rfc5424,
    /// RFC 5424 syslog message whose MSG is the CEF rendering (CEF over syslog).
    CefSyslog,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ndjson" | "json" => Ok(Format::Ndjson),
            "cef" => Ok(Format::Cef),
            "rfc5424" | "syslog" => Ok(Format::Rfc5424),
            "cef-syslog" => Ok(Format::CefSyslog),
            _ => Err(format!(
                "unknown format `{s}` (ndjson, cef, rfc5424, cef-syslog)"
            )),
        }
    }
}

impl Format {
    /// The format's name, as `from_str` reads it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Ndjson => "ndjson",
            Format::Cef => "cef",
            Format::Rfc5424 => "rfc5424",
            Format::CefSyslog => "cef-syslog",
        }
    }
}

/// Renders one record (without a line ending). `payload` is the stored bytes.
pub fn render(format: Format, payload: &[u8], record: &Record) -> String {
    match format {
        Format::Ndjson => String::from_utf8_lossy(payload).into_owned(),
        Format::Cef => cef(record),
        Format::Rfc5424 => rfc5424(record, &String::from_utf8_lossy(payload)),
        Format::CefSyslog => rfc5424(record, &cef(record)),
    }
}

fn syslog_severity(record: &Record) -> u8 {
    if record.action == "audit.alert" {
        return 2; // critical: a security control failed (10.7)
    }
    match record.outcome {
        Outcome::Success => 6,
        Outcome::Unknown => 5,
        Outcome::Failure => 4,
    }
}

/// RFC 5424 PRINTUSASCII token of at most `max` characters; `-` when empty.
fn header_token(text: &str, max: usize) -> String {
    let token: String = text
        .chars()
        .map(|c| if c.is_ascii_graphic() { c } else { '_' })
        .take(max)
        .collect();
    if token.is_empty() { "-".into() } else { token }
}

fn sd_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '"' | '\\' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// RFC 5424 timestamps carry at most 6 fractional digits.
fn syslog_time(time: &str) -> String {
    match time.parse::<jiff::Timestamp>() {
        Ok(ts) => format!("{ts:.6}"),
        Err(_) => "-".into(),
    }
}

/// An RFC 5424 message: facility log-audit, the record's fields as structured data.
pub fn rfc5424(record: &Record, msg: &str) -> String {
    let pri = FACILITY_LOG_AUDIT * 8 + syslog_severity(record);
    format!(
        "<{pri}>1 {} {} cdeguard {} {} [cdeguard@{SD_ENTERPRISE} seq=\"{}\" actor=\"{}\" resource=\"{}\" outcome=\"{}\"] {msg}",
        syslog_time(&record.time),
        header_token(&record.origin.host, 255),
        header_token(&record.origin.pid.to_string(), 128),
        header_token(&record.action, 32),
        record.seq,
        sd_value(&record.actor),
        sd_value(&record.resource),
        record.outcome.as_str(),
    )
}

fn cef_header(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

fn cef_value(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('=', "\\=")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

/// A CEF:0 event.
pub fn cef(record: &Record) -> String {
    let severity = match (record.action.as_str(), record.outcome) {
        ("audit.alert", _) => 10,
        (_, Outcome::Failure) => 7,
        (_, Outcome::Unknown) => 5,
        (_, Outcome::Success) => 3,
    };
    let rt = record
        .time
        .parse::<jiff::Timestamp>()
        .map_or(0, |t| t.as_millisecond());
    format!(
        "CEF:0|cdeguard|cdeguard|{}|{}|{}|{severity}|rt={rt} suser={} act={} cs1Label=resource cs1={} outcome={} dvchost={} dvcpid={} dproc={} externalId={} msg={}",
        env!("CARGO_PKG_VERSION"),
        cef_header(&record.action),
        cef_header(&record.action),
        cef_value(&record.actor),
        cef_value(&record.action),
        cef_value(&record.resource),
        record.outcome.as_str(),
        cef_value(&record.origin.host),
        record.origin.pid,
        cef_value(&record.origin.process),
        record.seq,
        cef_value(&record.details.to_string()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Origin;

    fn record() -> Record {
        Record {
            v: 1,
            seq: 9,
            time: "2026-03-04T05:06:07.123456789Z".into(),
            actor: "a\"b]".into(),
            action: "policy|change".into(),
            resource: "x=y".into(),
            outcome: Outcome::Failure,
            origin: Origin {
                host: "web 1".into(),
                pid: 42,
                process: "cdeguard".into(),
            },
            details: serde_json::json!({"k": "v=1"}),
        }
    }

    #[test]
    fn rfc5424_escapes_and_truncates_time() {
        let line = rfc5424(&record(), "m");
        assert_eq!(
            line,
            r#"<108>1 2026-03-04T05:06:07.123456Z web_1 cdeguard 42 policy|change [cdeguard@32473 seq="9" actor="a\"b\]" resource="x=y" outcome="failure"] m"#
        );
    }

    #[test]
    fn cef_escapes_header_and_extension() {
        let line = cef(&record());
        assert!(line.starts_with("CEF:0|cdeguard|cdeguard|"), "{line}");
        assert!(
            line.contains("|policy\\|change|policy\\|change|7|rt=1772600767123 "),
            "{line}"
        );
        assert!(line.contains("cs1=x\\=y"), "{line}");
        assert!(line.contains("externalId=9"), "{line}");
        assert!(line.contains("msg={\"k\":\"v\\=1\"}"), "{line}");
    }
}
