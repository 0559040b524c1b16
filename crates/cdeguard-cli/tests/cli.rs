//! End-to-end tests of the `cdeguard` binary: exit codes, inputs, outputs.

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

fn cdeguard(args: &[&str], cwd: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cdeguard"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

const IN_DEFAULT_NS: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers: [{name: app, image: nginx}]\n";

#[test]
fn fail_on_sets_exit_code_one_only_at_or_above_threshold() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pod.yaml"), IN_DEFAULT_NS).unwrap();
    let json = cdeguard(&["scan", "pod.yaml", "--format", "json"], dir.path());
    assert_eq!(
        json.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let severities: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["severity"].as_str().unwrap())
        .collect();
    let worst = ["critical", "high", "medium", "low", "info"]
        .into_iter()
        .find(|s| severities.contains(s))
        .unwrap();
    assert_eq!(
        cdeguard(&["scan", "pod.yaml", "--fail-on", worst], dir.path())
            .status
            .code(),
        Some(1)
    );
    if worst != "critical" {
        assert_eq!(
            cdeguard(&["scan", "pod.yaml", "--fail-on", "critical"], dir.path())
                .status
                .code(),
            Some(0)
        );
    }
}

#[test]
fn json_report_has_documented_fields() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pod.yaml"), IN_DEFAULT_NS).unwrap();
    let out = cdeguard(
        &[
            "scan",
            "pod.yaml",
            "--format",
            "json",
            "--rules",
            "cis-kubernetes",
        ],
        dir.path(),
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["schema_version"], "1.0");
    assert_eq!(report["inputs"][0]["sha256"].as_str().unwrap().len(), 64);
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "CDG-K8S-001")
        .unwrap();
    for key in [
        "rule_id",
        "title",
        "severity",
        "pci",
        "cis",
        "resource",
        "suppressed",
    ] {
        assert!(finding.get(key).is_some(), "missing {key}");
    }
    let resource = &finding["resource"];
    assert_eq!(
        (
            resource["kind"].as_str(),
            resource["name"].as_str(),
            resource["file"].as_str()
        ),
        (Some("Pod"), Some("web"), Some("pod.yaml"))
    );
    assert_eq!(resource["line"], 3);
}

#[test]
fn broken_input_exits_two_and_other_inputs_are_still_scanned() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.yaml"), IN_DEFAULT_NS).unwrap();
    std::fs::write(
        dir.path().join("bad.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: [\n",
    )
    .unwrap();
    let out = cdeguard(
        &["scan", "good.yaml", "bad.yaml", "--format", "json"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let error_lines: Vec<&str> = stderr.lines().filter(|l| l.contains("bad.yaml")).collect();
    assert_eq!(error_lines.len(), 1, "{stderr}");
    assert!(error_lines[0].contains("bad.yaml:"), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["resource"]["name"] == "web")
    );
    assert_eq!(report["errors"][0]["path"], "bad.yaml");
}

#[test]
fn stdin_is_read_with_dash() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_cdeguard"))
        .args(["scan", "-", "--format", "json"])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(IN_DEFAULT_NS.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["inputs"][0]["path"], "-");
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["resource"]["file"] == "-")
    );
}

#[test]
fn usage_errors_exit_two() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        cdeguard(&["scan", "x", "--rules", "nope"], dir.path())
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        cdeguard(&["scan", "missing.yaml"], dir.path())
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        cdeguard(&["rules", "explain", "CDG-NOPE"], dir.path())
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn accepted_risk_from_config_is_reported_not_hidden_and_expires() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pod.yaml"), IN_DEFAULT_NS).unwrap();
    std::fs::write(
        dir.path().join(".cdeguard.yaml"),
        "accepted_risks:\n- rule: CDG-K8S-001\n  name: web\n  justification: sandbox only\n  expires: 2999-12-31\n",
    )
    .unwrap();
    let out = cdeguard(
        &[
            "scan",
            "pod.yaml",
            "--format",
            "json",
            "--rules",
            "cis-kubernetes",
            "--fail-on",
            "low",
        ],
        dir.path(),
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "CDG-K8S-001")
        .unwrap();
    assert_eq!(f["suppressed"]["justification"], "sandbox only");
    assert_eq!(f["suppressed"]["source"], "config");

    std::fs::write(
        dir.path().join(".cdeguard.yaml"),
        "accepted_risks:\n- rule: CDG-K8S-001\n  justification: sandbox only\n  expires: 2000-01-01\n",
    )
    .unwrap();
    let out = cdeguard(
        &[
            "scan",
            "pod.yaml",
            "--format",
            "json",
            "--rules",
            "cis-kubernetes",
        ],
        dir.path(),
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "CDG-K8S-001")
        .unwrap();
    assert!(f["suppressed"].is_null());
    assert!(String::from_utf8_lossy(&out.stderr).contains("expired on 2000-01-01"));

    std::fs::write(
        dir.path().join(".cdeguard.yaml"),
        "accepted_risks:\n- rule: CDG-K8S-001\n",
    )
    .unwrap();
    let out = cdeguard(&["scan", "pod.yaml"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(".cdeguard.yaml:2"));
}

#[test]
fn rules_list_and_explain() {
    let dir = tempfile::tempdir().unwrap();
    let out = cdeguard(&["rules"], dir.path());
    assert!(String::from_utf8_lossy(&out.stdout).contains("CDG-K8S-001"));
    let out = cdeguard(&["rules", "explain", "cdg-k8s-001"], dir.path());
    let doc = String::from_utf8_lossy(&out.stdout);
    assert!(
        doc.contains("## Why it matters") && doc.contains("5.6.4"),
        "{doc}"
    );
    // Segmentation findings come from the scan's segmentation test, documented alike.
    let list = cdeguard(&["rules", "list"], dir.path());
    let list = String::from_utf8_lossy(&list.stdout);
    assert!(
        list.lines()
            .any(|l| l.starts_with("CDG-NET-010") && l.contains("segmentation-test")),
        "{list}"
    );
    let out = cdeguard(&["rules", "explain", "CDG-NET-006"], dir.path());
    let doc = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success()
            && doc.starts_with("# CDG-NET-006 cde-exposed-outside-cluster")
            && doc.contains("## Failing example")
            && doc.contains("kind: Ingress")
            && doc.contains("1.4.1"),
        "{doc}"
    );
}
