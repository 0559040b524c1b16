//! The OSV schema (v1.7) as far as matching and reporting need it. Unknown fields are
//! ignored; fields whose shape is wrong make the record fail to parse with serde's
//! message, which names the field.

use serde::Deserialize;

/// One OSV record.
#[derive(Clone, Debug, Deserialize)]
pub struct Record {
    pub id: String,
    #[serde(default)]
    pub modified: Option<String>,
    #[serde(default)]
    pub published: Option<String>,
    #[serde(default)]
    pub withdrawn: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub upstream: Vec<String>,
    #[serde(default)]
    pub related: Vec<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub details: Option<String>,
    #[serde(default)]
    pub severity: Vec<SeverityScore>,
    #[serde(default)]
    pub affected: Vec<Affected>,
    #[serde(default)]
    pub references: Vec<Reference>,
    #[serde(default)]
    pub database_specific: Option<serde_json::Value>,
}

/// `severity[]`: a typed score, e.g. `{type: CVSS_V3, score: "CVSS:3.1/AV:N/..."}`.
#[derive(Clone, Debug, Deserialize)]
pub struct SeverityScore {
    #[serde(rename = "type")]
    pub kind: String,
    pub score: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Affected {
    #[serde(default)]
    pub package: Option<AffectedPackage>,
    #[serde(default)]
    pub severity: Vec<SeverityScore>,
    #[serde(default)]
    pub ranges: Vec<Range>,
    #[serde(default)]
    pub versions: Vec<String>,
    #[serde(default)]
    pub ecosystem_specific: Option<serde_json::Value>,
    #[serde(default)]
    pub database_specific: Option<serde_json::Value>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct AffectedPackage {
    pub ecosystem: String,
    pub name: String,
    #[serde(default)]
    pub purl: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Range {
    #[serde(rename = "type")]
    pub kind: RangeKind,
    #[serde(default)]
    pub repo: Option<String>,
    pub events: Vec<Event>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum RangeKind {
    Semver,
    Ecosystem,
    Git,
}

/// One range event; the schema allows exactly one key per event object.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    Introduced(String),
    Fixed(String),
    LastAffected(String),
    Limit(String),
}

#[derive(Clone, Debug, Deserialize)]
pub struct Reference {
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
}

/// The qualitative severity a database states outside `severity[]`: GHSA and PyPA
/// (`database_specific.severity`), Debian/Ubuntu/Alpine (`ecosystem_specific.urgency` or
/// `severity`). Returned as written.
#[must_use]
pub fn stated_severity(value: Option<&serde_json::Value>) -> Option<String> {
    let object = value?.as_object()?;
    ["severity", "urgency"]
        .iter()
        .find_map(|key| object.get(*key)?.as_str())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_take_exactly_one_key() {
        let e: Event = serde_json::from_str(r#"{"last_affected":"1.2"}"#).unwrap();
        assert_eq!(e, Event::LastAffected("1.2".into()));
        assert!(serde_json::from_str::<Event>(r#"{"introduced":"0","fixed":"1"}"#).is_err());
        assert!(serde_json::from_str::<Event>(r#"{"fixes":"1"}"#).is_err());
    }

    #[test]
    fn stated_severity_reads_database_and_ecosystem_fields() {
        let ghsa = serde_json::json!({"severity": "HIGH", "cwe_ids": []});
        assert_eq!(stated_severity(Some(&ghsa)).as_deref(), Some("HIGH"));
        let debian = serde_json::json!({"urgency": "unimportant"});
        assert_eq!(
            stated_severity(Some(&debian)).as_deref(),
            Some("unimportant")
        );
        assert_eq!(stated_severity(Some(&serde_json::json!([]))), None);
    }
}
