//! Every output format on a report built in code that covers each requirement status,
//! hostile strings, accepted risks and input errors. SARIF is validated against the
//! official SARIF 2.1.0 schema (installed by `.ci/setup`); XML for well-formedness.

use std::path::PathBuf;
use std::process::Command;

use cdeguard_model::report::{RuleRun, SCHEMA_VERSION, ToolInfo};
use cdeguard_model::{
    Cis, Finding, InputError, InputFormat, LayerLocation, LayerStatus, Resource, ScanReport,
    Severity, Source, Suppression, SuppressionSource,
};
use cdeguard_report::requirements::{Status, evaluate};
use cdeguard_report::{Format, TerminalOptions, render};

const CIS: &[Cis] = &[Cis::k8s("5.2.2")];

fn rule(id: &'static str, pci: &'static [&'static str], inputs: &'static [InputFormat]) -> RuleRun {
    RuleRun {
        id,
        title: "A rule",
        severity: Severity::High,
        pci,
        cis: CIS,
        inputs,
        help: "Checks a thing.".into(),
        remediation: "Fix it.",
    }
}

fn finding(rule_id: &str, pci: &str, name: &str, suppressed: bool) -> Finding {
    Finding {
        rule_id: rule_id.into(),
        title: "A rule".into(),
        severity: Severity::High,
        pci: vec![pci.into()],
        cis: vec![Cis::k8s("5.2.2")],
        resource: Resource {
            kind: "Deployment".into(),
            namespace: Some("pay".into()),
            name: name.into(),
            container: Some("app".into()),
            file: "k8s/app.yaml".into(),
            line: Some(7),
            layer: None,
        },
        message: "bad =thing, \"quoted\"".into(),
        evidence: "spec.x = true".into(),
        remediation: "Fix it.".into(),
        fingerprint: None,
        vulnerability: None,
        suppressed: suppressed.then(|| Suppression {
            justification: "vendor image, PAY-1".into(),
            source: SuppressionSource::Config,
            expires: Some("2027-01-31".into()),
        }),
    }
}

fn report(errors: bool) -> ScanReport {
    ScanReport {
        schema_version: SCHEMA_VERSION,
        tool: ToolInfo {
            name: "cdeguard",
            version: "0.1.0",
        },
        started_at: "2026-11-22T12:00:00Z".into(),
        finished_at: "2026-11-22T12:00:01Z".into(),
        inputs: vec![Source {
            path: "k8s/app.yaml".into(),
            sha256: "ab".repeat(32),
            size: 120,
            format: InputFormat::Kubernetes,
        }],
        findings: vec![
            finding("CDG-A", "2.2.6", "<script>alert(1)</script>", false),
            finding("CDG-B", "8.6.2", "accepted-one", true),
        ],
        errors: if errors {
            vec![InputError {
                path: "broken.yaml".into(),
                line: Some(3),
                message: "bad <yaml>".into(),
            }]
        } else {
            Vec::new()
        },
        notices: Vec::new(),
        images: Vec::new(),
        network_graph: None,
        rules: vec![
            rule("CDG-A", &["2.2.6"], &[InputFormat::Kubernetes]),
            rule("CDG-B", &["8.6.2"], &[InputFormat::Kubernetes]),
            rule("CDG-C", &["1.3.1"], &[InputFormat::Kubernetes]),
            rule("CDG-D", &["6.5.1"], &[InputFormat::Dockerfile]),
        ],
    }
}

fn rendered(report: &ScanReport, format: Format) -> String {
    let mut out = Vec::new();
    render(report, format, TerminalOptions::default(), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn status(report: &ScanReport, id: &str) -> Status {
    evaluate(report)
        .into_iter()
        .find(|r| r.id == id)
        .unwrap()
        .status
}

#[test]
fn requirement_statuses_cover_the_assessor_vocabulary() {
    let clean = report(false);
    assert_eq!(status(&clean, "2.2.6"), Status::Fail);
    assert_eq!(status(&clean, "8.6.2"), Status::Excepted);
    assert_eq!(status(&clean, "1.3.1"), Status::Pass);
    assert_eq!(
        status(&clean, "6.5.1"),
        Status::NotApplicable("no Dockerfile inputs were scanned".into())
    );
    assert_eq!(status(&clean, "12.5.2"), Status::Manual);
    // An unreadable input means nothing may be reported as passing.
    let broken = report(true);
    assert!(matches!(status(&broken, "1.3.1"), Status::NotEvaluated(_)));
    assert!(evaluate(&broken).iter().all(|r| r.status != Status::Pass));
    assert_eq!(status(&broken, "2.2.6"), Status::Fail);
}

fn oracles() -> PathBuf {
    std::env::var_os("CDEGUARD_ORACLES").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.oracles"),
        PathBuf::from,
    )
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    let schema = oracles().join("schemas/sarif-2.1.0.json");
    let python = oracles().join("venv/bin/python");
    assert!(
        schema.is_file() && python.is_file(),
        "SARIF schema or validator missing: run `bash .ci/setup` ({})",
        schema.display()
    );
    for errors in [false, true] {
        let sarif = rendered(&report(errors), Format::Sarif);
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), &sarif).unwrap();
        let out = Command::new(&python)
            .args(["-c", "import json,sys,jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))"])
            .arg(file.path())
            .arg(&schema)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "SARIF invalid: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let value: serde_json::Value = serde_json::from_str(&sarif).unwrap();
        let results = value["runs"][0]["results"].as_array().unwrap();
        assert_eq!(
            results[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
            7
        );
        assert_eq!(
            results[1]["suppressions"][0]["justification"],
            "vendor image, PAY-1"
        );
        assert_eq!(
            value["runs"][0]["tool"]["driver"]["rules"]
                .as_array()
                .unwrap()
                .len(),
            4
        );
    }
}

#[test]
fn html_is_self_contained_escaped_and_never_claims_compliance() {
    let html = rendered(&report(false), Format::Html);
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script>"));
    assert!(
        !html.contains("src=\"http") && !html.contains("href=\"http") && !html.contains("<link")
    );
    let lower = html.to_lowercase();
    assert!(!lower.contains("compliant") && !lower.contains(">in place<"));
    for label in ["fail", "excepted", "pass", "not applicable", "manual"] {
        assert!(
            html.contains(&format!(">{label}</span>")),
            "status {label} missing"
        );
    }
    assert!(html.contains("vendor image, PAY-1") && html.contains("expires 2027-01-31"));
    assert!(html.contains(&"ab".repeat(32)));
    let broken = rendered(&report(true), Format::Html);
    assert!(broken.contains(">not evaluated</span>") && broken.contains("bad &lt;yaml&gt;"));
}

#[test]
fn html_inlines_the_network_graph_when_there_is_one() {
    assert!(!rendered(&report(false), Format::Html).contains("Network scope and reachability"));
    let mut with_graph = report(false);
    with_graph.network_graph =
        Some("<svg xmlns=\"http://www.w3.org/2000/svg\"><g class=\"node cde\"/></svg>".to_owned());
    let html = rendered(&with_graph, Format::Html);
    assert!(html.contains("Network scope and reachability"));
    assert!(
        html.contains("<g class=\"node cde\"/></svg>"),
        "inlined as markup"
    );
    let json = rendered(&with_graph, Format::Json);
    assert!(
        !json.contains("<svg"),
        "the graph is for the HTML report only"
    );
}

fn well_formed_xml(xml: &str) {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), xml).unwrap();
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])",
        ])
        .arg(file.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "XML not well-formed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn junit_counts_failures_and_skips() {
    let xml = rendered(&report(true), Format::Junit);
    well_formed_xml(&xml);
    assert!(
        xml.contains(
            "<testsuites name=\"cdeguard\" tests=\"5\" failures=\"1\" skipped=\"1\" errors=\"1\">"
        ),
        "{xml}"
    );
    assert!(xml.contains("&lt;script&gt;"));
}

#[test]
fn csv_quotes_fields_and_has_a_row_per_finding() {
    let csv = rendered(&report(false), Format::Csv);
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("rule_id,severity,title,pci,cis"));
    assert!(lines[1].contains("\"bad =thing, \"\"quoted\"\"\""));
    assert!(lines[2].ends_with(",true,\"vendor image, PAY-1\""));
}

#[test]
fn json_carries_schema_version_and_requirements() {
    let value: serde_json::Value =
        serde_json::from_str(&rendered(&report(false), Format::Json)).unwrap();
    assert_eq!(value["schema_version"], SCHEMA_VERSION);
    let reqs = value["requirements"].as_array().unwrap();
    let r = reqs.iter().find(|r| r["id"] == "6.5.1").unwrap();
    assert_eq!(
        (r["status"].as_str(), r["reason"].as_str()),
        (
            Some("not-applicable"),
            Some("no Dockerfile inputs were scanned")
        )
    );
}

#[test]
fn terminal_output_groups_by_severity_and_lists_accepted_risks() {
    let text = rendered(&report(true), Format::Terminal);
    assert!(
        text.contains("HIGH (1)")
            && text.contains("ACCEPTED RISKS (1)")
            && text.contains("error: broken.yaml:3: bad <yaml>")
    );
    assert!(!text.contains('\x1b'), "no colour when not asked");
}

/// A report whose one finding is a secret in an image layer that a later layer deleted.
fn layered_report() -> ScanReport {
    let mut report = report(false);
    let mut finding = finding("CDG-A", "2.2.6", "app.tar", false);
    finding.resource.layer = Some(LayerLocation {
        index: 0,
        count: 3,
        digest: "sha256:a797caa193bd".into(),
        created_by: Some("ADD rootfs /".into()),
        status: LayerStatus::Deleted,
        changed_in: Some(1),
        unchanged_since: None,
    });
    report.findings = vec![finding];
    report
}

#[test]
fn the_layer_of_a_finding_is_structured_in_every_format() {
    let json: serde_json::Value =
        serde_json::from_str(&rendered(&layered_report(), Format::Json)).unwrap();
    let layer = &json["findings"][0]["resource"]["layer"];
    assert_eq!(
        (
            &layer["index"],
            &layer["count"],
            &layer["digest"],
            &layer["status"],
            &layer["changed_in"]
        ),
        (
            &0.into(),
            &3.into(),
            &"sha256:a797caa193bd".into(),
            &"deleted".into(),
            &1.into()
        )
    );
    assert_eq!(layer["created_by"], "ADD rootfs /");
    assert!(layer.get("unchanged_since").is_none());
    // Findings without a layer have no `layer` key.
    let plain: serde_json::Value =
        serde_json::from_str(&rendered(&report(false), Format::Json)).unwrap();
    assert!(plain["findings"][0]["resource"].get("layer").is_none());

    let sarif: serde_json::Value =
        serde_json::from_str(&rendered(&layered_report(), Format::Sarif)).unwrap();
    let properties = &sarif["runs"][0]["results"][0]["properties"];
    assert_eq!(properties["layer"], *layer);
    assert_eq!(properties["pci-dss"][0], "2.2.6");

    let csv = rendered(&layered_report(), Format::Csv);
    let rows: Vec<Vec<&str>> = csv
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').collect())
        .collect();
    let column = |name: &str| rows[0].iter().position(|c| *c == name).unwrap();
    assert_eq!(
        [
            rows[1][column("layer_index")],
            rows[1][column("layer_digest")],
            rows[1][column("layer_status")],
            rows[1][column("layer_changed_in")]
        ],
        ["0", "sha256:a797caa193bd", "deleted", "1"]
    );

    let printed = "layer 1/3 sha256:a797caa193bd (deleted in layer 2/3)";
    for format in [Format::Html, Format::Junit] {
        let text = rendered(&layered_report(), format);
        assert!(text.contains(printed), "{}: {text}", format.name());
    }
}
