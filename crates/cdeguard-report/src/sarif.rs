//! SARIF 2.1.0: one run; the rules that ran as `tool.driver.rules` (help from the rule
//! documentation, PCI DSS/CIS ids and `security-severity` as properties); findings as
//! results with file and line; accepted risks as results with `suppressions`.

use std::collections::BTreeMap;
use std::io::{self, Write};

use cdeguard_model::{Finding, ScanReport, Severity};
use serde_json::{Value, json};

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub code scanning's numeric severity scale.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// A relative URI for a file path (`-` becomes `stdin`).
fn uri(path: &str) -> String {
    let path = if path == "-" {
        "stdin"
    } else {
        path.trim_start_matches("./")
    };
    path.split('/')
        .map(|seg| {
            seg.replace('%', "%25")
                .replace(' ', "%20")
                .replace('#', "%23")
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn result(f: &Finding, rule_index: Option<usize>) -> Value {
    let mut region = json!({});
    if let Some(line) = f.resource.line.filter(|l| *l > 0) {
        region = json!({"startLine": line});
    }
    let mut location =
        json!({"physicalLocation": {"artifactLocation": {"uri": uri(&f.resource.file)}}});
    if region.get("startLine").is_some() {
        location["physicalLocation"]["region"] = region;
    }
    let mut logical = f.resource.kind.clone();
    if let Some(ns) = &f.resource.namespace {
        logical = format!("{logical}/{ns}");
    }
    logical = format!("{logical}/{}", f.resource.name);
    if let Some(c) = &f.resource.container {
        logical = format!("{logical}/{c}");
    }
    location["logicalLocations"] = json!([{"fullyQualifiedName": logical, "kind": "resource"}]);
    let mut fingerprint = format!("{}|{}|{}", f.rule_id, logical, f.evidence);
    if let Some(fp) = &f.fingerprint {
        fingerprint = format!("{}|{fp}", f.rule_id);
    }
    let mut value = json!({
        "ruleId": f.rule_id,
        "level": level(f.severity),
        "message": {"text": format!("{} ({})", f.message, f.evidence)},
        "locations": [location],
        "partialFingerprints": {"cdeguard/v1": fingerprint},
        "properties": {"pci-dss": f.pci, "severity": f.severity.as_str(), "security-severity": security_severity(f.severity)},
    });
    if let Some(layer) = &f.resource.layer {
        value["properties"]["layer"] = json!(layer);
    }
    if let Some(index) = rule_index {
        value["ruleIndex"] = json!(index);
    }
    if let Some(s) = &f.suppressed {
        let kind = match s.source {
            cdeguard_model::SuppressionSource::Annotation => "inSource",
            cdeguard_model::SuppressionSource::Config | cdeguard_model::SuppressionSource::Vex => {
                "external"
            }
        };
        value["suppressions"] =
            json!([{"kind": kind, "status": "accepted", "justification": s.justification}]);
    }
    value
}

pub(crate) fn render(report: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    let mut rules = Vec::new();
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &report.rules {
        index.insert(r.id, rules.len());
        let cis: Vec<String> = r.cis.iter().map(ToString::to_string).collect();
        rules.push(json!({
            "id": r.id,
            "name": r.id,
            "shortDescription": {"text": r.title},
            "fullDescription": {"text": if r.help.is_empty() { r.title.to_owned() } else { r.help.clone() }},
            "help": {"text": format!("{}\n\nFix: {}", r.help, r.remediation), "markdown": format!("{}\n\n**Fix:** {}\n\nPCI DSS v4.0.1: {}", r.help, r.remediation, r.pci.join(", "))},
            "defaultConfiguration": {"level": level(r.severity)},
            "properties": {"pci-dss": r.pci, "cis": cis, "security-severity": security_severity(r.severity), "tags": ["security", "pci-dss"]},
        }));
    }
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| result(f, index.get(f.rule_id.as_str()).copied()))
        .collect();
    let notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| {
            let mut n = json!({"level": "error", "message": {"text": e.message}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri(&e.path)}}}]});
            if let Some(line) = e.line.filter(|l| *l > 0) {
                n["locations"][0]["physicalLocation"]["region"] = json!({"startLine": line});
            }
            n
        })
        .collect();
    let artifacts: Vec<Value> = report
        .inputs
        .iter()
        .map(|i| json!({"location": {"uri": uri(&i.path)}, "length": i.size, "hashes": {"sha-256": i.sha256}}))
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": report.tool.name,
                "version": report.tool.version,
                "informationUri": "https://example.invalid/cdeguard",
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": report.errors.is_empty(),
                "startTimeUtc": report.started_at,
                "endTimeUtc": report.finished_at,
                "toolExecutionNotifications": notifications,
            }],
            "artifacts": artifacts,
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}
