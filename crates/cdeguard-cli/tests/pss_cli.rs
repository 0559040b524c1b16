//! `cdeguard scan --rules pss-<level> pod.yaml --fail-on low` exits 1 exactly when the
//! upstream Pod Security Admission controller would reject the pod at that level, 0 when
//! it would admit it (fixtures of kubernetes/pod-security-admission v1.37).

use std::path::Path;
use std::process::Command;

fn verdicts(level: &str) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../cdeguard-rules/tests/data/pod-security")
        .join(level);
    let mut wrong = Vec::new();
    let mut checked = 0;
    for (verdict, expected_exit) in [("pass", 0), ("fail", 1)] {
        for entry in std::fs::read_dir(root.join(verdict)).unwrap() {
            let path = entry.unwrap().path();
            let status = Command::new(env!("CARGO_BIN_EXE_cdeguard"))
                .args([
                    "scan",
                    "--rules",
                    &format!("pss-{level}"),
                    "--fail-on",
                    "low",
                    "--format",
                    "json",
                ])
                .arg(&path)
                .output()
                .unwrap()
                .status;
            if status.code() != Some(expected_exit) {
                wrong.push(format!(
                    "{}: exit {:?}, expected {expected_exit}",
                    path.display(),
                    status.code()
                ));
            }
            checked += 1;
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    checked
}

#[test]
fn baseline_exit_codes_match_admission() {
    assert!(verdicts("baseline") >= 30);
}

#[test]
fn restricted_exit_codes_match_admission() {
    assert!(verdicts("restricted") >= 60);
}
