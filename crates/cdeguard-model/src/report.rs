//! The result of one scan, as every output format renders it.

use serde::Serialize;

use crate::finding::Finding;
use crate::inventory::{InputError, Source};

/// Version of the JSON report schema (`docs/json-report.md`). Bump on breaking changes.
pub const SCHEMA_VERSION: &str = "1.0";

/// Metadata of one rule that ran, so reports can tell "passed" from "not evaluated".
#[derive(Clone, Debug, Serialize)]
pub struct RuleRun {
    pub id: &'static str,
    pub title: &'static str,
    pub severity: crate::Severity,
    pub pci: &'static [&'static str],
    pub cis: &'static [crate::Cis],
    /// The input formats this rule reads; if none of them was scanned the rule's
    /// requirements are "not evaluated" by it.
    pub inputs: &'static [crate::InputFormat],
    /// Short help text (first paragraph of the rule's documentation).
    pub help: String,
    pub remediation: &'static str,
}

/// Everything a scan produced.
#[derive(Clone, Debug, Serialize)]
pub struct ScanReport {
    pub schema_version: &'static str,
    pub tool: ToolInfo,
    /// RFC 3339 UTC timestamps.
    pub started_at: String,
    pub finished_at: String,
    pub inputs: Vec<Source>,
    pub findings: Vec<Finding>,
    pub errors: Vec<InputError>,
    /// Non-fatal remarks, e.g. accepted risks that expired or match nothing.
    pub notices: Vec<String>,
    pub rules: Vec<RuleRun>,
    /// Images, root filesystems and SBOMs read, with their packages.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<crate::ImageInfo>,
    /// The scope and reachability graph as SVG markup (HTML report only), when the
    /// manifests declare a CDE.
    #[serde(skip)]
    pub network_graph: Option<String>,
}

/// Name and version of the tool that produced a report.
#[derive(Clone, Debug, Serialize)]
pub struct ToolInfo {
    pub name: &'static str,
    pub version: &'static str,
}
