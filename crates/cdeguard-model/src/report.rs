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

impl RuleRun {
    /// Whether findings with `rule_id` belong to this run: the same id, or one of the
    /// family this run stands for (`CDG-SECRET` runs every `CDG-SECRET-<detector>`).
    #[must_use]
    pub fn covers(&self, rule_id: &str) -> bool {
        rule_id
            .strip_prefix(self.id)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('-'))
    }
}

/// The run that a finding's rule id belongs to: its own, else its family's.
#[must_use]
pub fn run_of<'a>(runs: &'a [RuleRun], rule_id: &str) -> Option<&'a RuleRun> {
    runs.iter()
        .find(|r| r.id == rule_id)
        .or_else(|| runs.iter().find(|r| r.covers(rule_id)))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn run(id: &'static str) -> RuleRun {
        RuleRun {
            id,
            title: "",
            severity: crate::Severity::High,
            pci: &[],
            cis: &[],
            inputs: &[],
            help: String::new(),
            remediation: "",
        }
    }

    #[test]
    fn findings_belong_to_their_own_run_else_their_family() {
        let runs = [run("CDG-SECRET"), run("CDG-SECRET-jwt"), run("CDG-NET-001")];
        assert_eq!(
            run_of(&runs, "CDG-SECRET-aws-access-key").unwrap().id,
            "CDG-SECRET"
        );
        assert_eq!(
            run_of(&runs, "CDG-SECRET-jwt").unwrap().id,
            "CDG-SECRET-jwt"
        );
        assert_eq!(run_of(&runs, "CDG-NET-001").unwrap().id, "CDG-NET-001");
        assert!(run_of(&runs, "CDG-NET-0011").is_none());
        assert!(run_of(&runs, "CDG-SECRETS").is_none());
    }
}
