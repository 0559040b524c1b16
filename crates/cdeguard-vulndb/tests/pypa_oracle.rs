//! Differential test of matching against an independent oracle: for thousands of
//! (package, version) pairs drawn from the PyPA advisory records' ranges and boundaries
//! (each event version, and versions just below, just above and between them), the set
//! of records cdeguard reports must equal the set Python `packaging` computes straight
//! from the same YAML records with the OSV evaluation algorithm (`data/osv_oracle.py`).
//!
//! The oracle (PyYAML and `packaging` in `$CDEGUARD_ORACLES/venv`) is installed by
//! `.ci/setup`.

#![allow(clippy::print_stdout)] // the test reports how many pairs it compared

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use cdeguard_model::{Ecosystem, Package};
use cdeguard_vulndb::osv::Event;
use cdeguard_vulndb::{Builder, Database, Import};

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

fn python() -> PathBuf {
    let oracles = std::env::var_os("CDEGUARD_ORACLES").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.oracles"),
        PathBuf::from,
    );
    let python = oracles.join("venv/bin/python");
    let ok = Command::new(&python)
        .args(["-c", "import yaml, packaging.version"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "{} lacks PyYAML/packaging: run `bash .ci/setup`",
        python.display()
    );
    python
}

fn package(name: &str, version: &str) -> Package {
    Package {
        ecosystem: Ecosystem::PyPI,
        name: name.to_owned(),
        version: version.to_owned(),
        purl: String::new(),
        distro_release: None,
        source_name: None,
        source_version: None,
        licenses: Vec::new(),
        layer: None,
        found_in: "oracle".to_owned(),
    }
}

/// Versions around a boundary: itself, a pre-release and a post-release of it, the next
/// patch, and a version one below in its last component.
fn around(version: &str) -> Vec<String> {
    let mut out = vec![
        version.to_owned(),
        format!("{version}rc1"),
        format!("{version}.post1"),
        format!("{version}.1"),
        format!("{version}.dev0"),
    ];
    let parts: Vec<&str> = version.split('.').collect();
    if let Some(last) = parts.last().and_then(|l| l.parse::<u64>().ok())
        && last > 0
    {
        let mut lower = parts[..parts.len() - 1].join(".");
        if !lower.is_empty() {
            lower.push('.');
        }
        lower.push_str(&(last - 1).to_string());
        out.push(lower);
    }
    out
}

#[test]
fn matching_equals_python_packaging_on_pypa_records() {
    let python = python();
    let mut import = Import::default();
    import.add_path(&data().join("pypa"));
    let (records, warnings) = import.into_records();
    assert!(warnings.is_empty(), "{warnings:?}");
    let mut builder = Builder::new(Vec::new());
    let mut queries: BTreeSet<(String, String)> = BTreeSet::new();
    for record in &records {
        builder.add(record);
        for affected in &record.affected {
            let Some(pkg) = &affected.package else {
                continue;
            };
            queries.insert((pkg.name.clone(), "0.0.1".to_owned()));
            queries.insert((pkg.name.clone(), "9999".to_owned()));
            for range in &affected.ranges {
                for event in &range.events {
                    let (Event::Introduced(v)
                    | Event::Fixed(v)
                    | Event::LastAffected(v)
                    | Event::Limit(v)) = event;
                    if v != "0" {
                        for q in around(v) {
                            queries.insert((pkg.name.clone(), q));
                        }
                    }
                }
            }
            for listed in affected.versions.iter().step_by(7) {
                queries.insert((pkg.name.clone(), listed.clone()));
            }
        }
    }
    // The peers' pinned Python environment.
    for (name, version) in [
        ("django", "2.2.0"),
        ("pytz", "2019.1"),
        ("sqlparse", "0.3.0"),
        ("PyYAML", "5.3"),
        ("urllib3", "1.24.1"),
        ("requests", "2.19.0"),
        ("Jinja2", "2.10"),
        ("MarkupSafe", "1.1.1"),
        ("idna", "2.7"),
        ("chardet", "3.0.4"),
        ("certifi", "2018.4.16"),
    ] {
        queries.insert((name.to_owned(), version.to_owned()));
    }
    let queries: Vec<(String, String)> = queries.into_iter().collect();
    let db = Database::from_bytes("pypa", builder.to_bytes()).unwrap();

    let mut child = Command::new(&python)
        .arg(data().join("osv_oracle.py"))
        .arg(data().join("pypa"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&serde_json::to_vec(&queries).unwrap())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "oracle failed");
    let answers: Vec<Option<BTreeMap<String, Vec<String>>>> =
        serde_json::from_slice(&output.stdout).unwrap();

    let packages: Vec<Package> = queries.iter().map(|(n, v)| package(n, v)).collect();
    let result = cdeguard_vulndb::matcher::match_packages(&db, &packages).unwrap();
    let mut found: Vec<BTreeSet<String>> = vec![BTreeSet::new(); packages.len()];
    for m in &result.matches {
        found[m.package].extend(m.advisories.iter().map(|a| a.id.clone()));
    }
    let (mut compared, mut affected_pairs, mut disagreements) = (0usize, 0usize, Vec::new());
    for (((name, version), answer), ours) in queries.iter().zip(answers).zip(found) {
        let Some(answer) = answer else { continue }; // not a PEP 440 version
        let skipped: BTreeSet<&String> = answer["skipped"].iter().collect();
        let expected: BTreeSet<String> = answer["affected"].iter().cloned().collect();
        let ours: BTreeSet<String> = ours
            .into_iter()
            .filter(|id| !skipped.contains(id))
            .collect();
        compared += 1;
        affected_pairs += usize::from(!expected.is_empty());
        if ours != expected {
            disagreements.push(format!(
                "{name} {version}: cdeguard {ours:?}, packaging {expected:?}"
            ));
        }
    }
    println!(
        "{compared} (package, version) pairs compared, {affected_pairs} affected, {} disagreements",
        disagreements.len()
    );
    assert!(compared >= 5_000, "only {compared} pairs");
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements[..disagreements.len().min(30)].join("\n")
    );
}
