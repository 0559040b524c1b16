//! Per-requirement result of a scan, in the vocabulary a PCI DSS assessor expects
//! (`shared/reference/controls.md` §4): the tool reports evidence, never "compliant" or
//! "in place", which is the assessor's call.

use cdeguard_model::pci::{REQUIREMENTS, Requirement};
use cdeguard_model::{InputFormat, ScanReport};
use serde::Serialize;

/// The result for one requirement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "reason", rename_all = "kebab-case")]
pub enum Status {
    /// At least one open finding.
    Fail,
    /// Findings exist but every one is an accepted risk.
    Excepted,
    /// The rules for this requirement ran on inputs they read, and found nothing.
    Pass,
    /// None of the inputs these rules read was scanned.
    NotApplicable(String),
    /// Inputs could not be read: the result would not be trustworthy.
    NotEvaluated(String),
    /// No automated check covers it: evidence must come from people and documents.
    Manual,
}

impl Status {
    #[must_use]
    pub fn label(&self) -> &'static str {
        match self {
            Status::Fail => "fail",
            Status::Excepted => "excepted",
            Status::Pass => "pass",
            Status::NotApplicable(_) => "not applicable",
            Status::NotEvaluated(_) => "not evaluated",
            Status::Manual => "manual",
        }
    }

    #[must_use]
    pub fn reason(&self) -> Option<&str> {
        match self {
            Status::NotApplicable(r) | Status::NotEvaluated(r) => Some(r),
            _ => None,
        }
    }
}

/// One requirement's result with its counts.
#[derive(Clone, Debug, Serialize)]
pub struct RequirementResult {
    pub id: &'static str,
    pub title: &'static str,
    #[serde(flatten)]
    pub status: Status,
    pub open_findings: usize,
    pub accepted_findings: usize,
    /// Ids of the rules that produce evidence for it.
    pub rules: Vec<&'static str>,
}

fn format_name(format: InputFormat) -> &'static str {
    match format {
        InputFormat::Kubernetes => "Kubernetes",
        InputFormat::Compose => "Compose",
        InputFormat::DockerInspect => "docker inspect",
        InputFormat::Dockerfile => "Dockerfile",
        InputFormat::Image => "image",
        InputFormat::Sbom => "SBOM",
        InputFormat::Lockfile => "lockfile",
        InputFormat::Unknown => "file",
    }
}

/// Evaluates every requirement of the catalogue against a report.
#[must_use]
pub fn evaluate(report: &ScanReport) -> Vec<RequirementResult> {
    REQUIREMENTS
        .iter()
        .map(|r| evaluate_one(report, r))
        .collect()
}

fn evaluate_one(report: &ScanReport, requirement: &Requirement) -> RequirementResult {
    let id = requirement.id;
    let rules: Vec<_> = report
        .rules
        .iter()
        .filter(|r| r.pci.contains(&id))
        .collect();
    let findings = report
        .findings
        .iter()
        .filter(|f| f.pci.iter().any(|p| p == id));
    let (accepted, open): (Vec<_>, Vec<_>) = findings.partition(|f| f.is_suppressed());
    let present = |format: &InputFormat| report.inputs.iter().any(|i| i.format == *format);
    let ran_on_inputs = rules.iter().any(|r| r.inputs.iter().any(present));
    let status = if rules.is_empty() {
        Status::Manual
    } else if !open.is_empty() {
        Status::Fail
    } else if !report.errors.is_empty() {
        Status::NotEvaluated(format!(
            "{} input(s) could not be read",
            report.errors.len()
        ))
    } else if !accepted.is_empty() {
        Status::Excepted
    } else if ran_on_inputs {
        Status::Pass
    } else {
        let mut wanted: Vec<&str> = rules
            .iter()
            .flat_map(|r| r.inputs.iter().map(|f| format_name(*f)))
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        Status::NotApplicable(format!("no {} inputs were scanned", wanted.join(" / ")))
    };
    RequirementResult {
        id,
        title: requirement.title,
        status,
        open_findings: open.len(),
        accepted_findings: accepted.len(),
        rules: rules.iter().map(|r| r.id).collect(),
    }
}
