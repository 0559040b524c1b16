//! `cdeguard scan --rules pss-baseline|pss-restricted FIXTURE --fail-on low` exits 1
//! exactly when the upstream Pod Security Admission controller (v1.37) rejects the pod
//! at that level and 0 when it admits it, for every upstream fixture copied into
//! `crates/cdeguard-rules/tests/data/pod-security/`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures(level: &str, outcome: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../cdeguard-rules/tests/data/pod-security")
        .join(level)
        .join(outcome);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    files
}

/// Runs the binary on every fixture of `level`/`outcome`; returns the mismatches.
fn check(level: &str, outcome: &str, expected_exit: i32) -> Vec<String> {
    let mut mismatches = Vec::new();
    for file in fixtures(level, outcome) {
        let output = Command::new(env!("CARGO_BIN_EXE_cdeguard"))
            .args(["scan", "--rules", &format!("pss-{level}")])
            .arg(&file)
            .args(["--fail-on", "low", "--format", "json"])
            .output()
            .unwrap();
        let code = output.status.code();
        if code != Some(expected_exit) {
            mismatches.push(format!(
                "{}: exit {code:?}, expected {expected_exit}; stderr: {}",
                file.display(),
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
    }
    mismatches
}

#[test]
fn baseline_exit_codes_match_upstream_admission() {
    let mut mismatches = check("baseline", "fail", 1);
    mismatches.extend(check("baseline", "pass", 0));
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn restricted_exit_codes_match_upstream_admission() {
    let mut mismatches = check("restricted", "fail", 1);
    mismatches.extend(check("restricted", "pass", 0));
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
