//! Conformance with the upstream Pod Security Admission controller (Kubernetes v1.37).
//!
//! `tests/data/pod-security/{baseline,restricted}/{pass,fail}/*.yaml` are the upstream
//! fixtures (see its SOURCES.md): a `pass` pod must raise no finding from the rules of
//! its level, a `fail` pod at least one, and, since a fixture's file name names the
//! control it exercises, a `fail` pod must be flagged by the rule implementing that
//! control at that level.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use cdeguard_collect::{CollectOptions, Target, collect};
use cdeguard_model::Finding;
use cdeguard_rules::{Rule, RuleSet, all_rules};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/pod-security")
}

/// The rules that make up a level, as `--rules pss-baseline|pss-restricted` selects them.
fn level_rules(level: RuleSet) -> Vec<&'static Rule> {
    all_rules()
        .iter()
        .copied()
        .filter(|r| r.selected_by(&[level]))
        .collect()
}

/// The rule (by name) implementing the upstream control a fixture name starts with, at
/// a level. At restricted, the four baseline controls upstream overrides are checked by
/// their restricted replacements.
fn control_rule(control: &str, level: RuleSet) -> &'static str {
    let restricted = level == RuleSet::PssRestricted;
    match control {
        "apparmorprofile" => "pss-app-armor",
        "capabilities_baseline" if restricted => "pss-capabilities-restricted",
        "capabilities_baseline" => "pss-capabilities-baseline",
        "capabilities_restricted" => "pss-capabilities-restricted",
        "hostnamespaces" => "pss-host-namespaces",
        "hostpathvolumes" if restricted => "pss-restricted-volumes",
        "hostpathvolumes" => "pss-host-path-volumes",
        "hostports" => "pss-host-ports",
        "hostprobesandhostlifecycle" => "pss-host-probes",
        "privileged" => "pss-privileged",
        "procmount" if restricted => "pss-proc-mount-restricted",
        "procmount" => "pss-proc-mount-baseline",
        "procmount_restricted" => "pss-proc-mount-restricted",
        "seccompprofile_baseline" if restricted => "pss-seccomp-restricted",
        "seccompprofile_baseline" => "pss-seccomp-baseline",
        "seccompprofile_restricted" => "pss-seccomp-restricted",
        "selinuxoptions" => "pss-selinux",
        "sysctls" => "pss-sysctls",
        "windowshostprocess" => "pss-host-process",
        "allowprivilegeescalation" => "pss-allow-privilege-escalation",
        "restrictedvolumes" => "pss-restricted-volumes",
        "runasnonroot" => "pss-run-as-non-root",
        "runasuser" => "pss-run-as-user",
        other => panic!("fixture for unknown control `{other}`"),
    }
}

/// `runasnonroot12.yaml` → `runasnonroot`.
fn control_of(file: &Path) -> String {
    let stem = file.file_stem().unwrap().to_string_lossy();
    stem.trim_end_matches(|c: char| c.is_ascii_digit())
        .to_owned()
}

/// Runs a level's rules over one fixture folder; returns every file with its findings.
fn evaluate(level: RuleSet, folder: &str) -> BTreeMap<PathBuf, Vec<Finding>> {
    let level_name = level.name().trim_start_matches("pss-");
    let dir = data_dir().join(level_name).join(folder);
    let inventory = collect(&[Target::Path(dir.clone())], &CollectOptions::default());
    assert!(
        inventory.errors.is_empty(),
        "{}: input errors {:?}",
        dir.display(),
        inventory.errors
    );
    assert_eq!(
        inventory.objects.len(),
        inventory.sources.len(),
        "one pod per fixture file"
    );
    let mut results: BTreeMap<PathBuf, Vec<Finding>> = inventory
        .sources
        .iter()
        .map(|s| (PathBuf::from(&s.path), Vec::new()))
        .collect();
    assert!(!results.is_empty(), "no fixtures in {}", dir.display());
    for finding in cdeguard_rules::run(&inventory, &level_rules(level)) {
        results
            .get_mut(Path::new(&finding.resource.file))
            .expect("finding on a fixture file")
            .push(finding);
    }
    results
}

fn rule_names(findings: &[Finding]) -> BTreeSet<&'static str> {
    findings
        .iter()
        .map(|f| cdeguard_rules::find_rule(&f.rule_id).unwrap().name)
        .collect()
}

fn assert_level_conforms(level: RuleSet) {
    let mut problems = Vec::new();
    for (file, findings) in evaluate(level, "pass") {
        if !findings.is_empty() {
            problems.push(format!(
                "{} should be admitted at {} but: {}",
                file.display(),
                level.name(),
                findings
                    .iter()
                    .map(|f| format!("{} {}", f.rule_id, f.evidence))
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
        }
    }
    for (file, findings) in evaluate(level, "fail") {
        let expected = control_rule(&control_of(&file), level);
        let flagged_by = rule_names(&findings);
        if !flagged_by.contains(expected) {
            problems.push(format!(
                "{} should be rejected at {} by {expected}; flagged by {flagged_by:?}",
                file.display(),
                level.name()
            ));
        }
        for finding in &findings {
            if finding.resource.line.is_none_or(|l| l == 0) || finding.evidence.is_empty() {
                problems.push(format!(
                    "{}: {} without line or evidence",
                    file.display(),
                    finding.rule_id
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn baseline_fixtures_are_classified_as_upstream_does() {
    assert_level_conforms(RuleSet::PssBaseline);
}

#[test]
fn restricted_fixtures_are_classified_as_upstream_does() {
    assert_level_conforms(RuleSet::PssRestricted);
}

/// Every restricted pod passes baseline too: the baseline rules alone never flag a pod
/// the restricted level admits.
#[test]
fn restricted_passing_fixtures_pass_baseline() {
    for (file, findings) in evaluate(RuleSet::PssBaseline, "../restricted/pass") {
        assert!(
            findings.is_empty(),
            "{}: {:?}",
            file.display(),
            rule_names(&findings)
        );
    }
}

/// The restricted level is upstream's: restricted rules plus every baseline rule except
/// the four that restricted rules override.
#[test]
fn restricted_level_runs_upstreams_check_set() {
    let baseline: BTreeSet<&str> = level_rules(RuleSet::PssBaseline)
        .iter()
        .map(|r| r.name)
        .collect();
    let restricted: BTreeSet<&str> = level_rules(RuleSet::PssRestricted)
        .iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(baseline.len(), 12, "{baseline:?}");
    assert_eq!(restricted.len(), 15, "{restricted:?}");
    let dropped: BTreeSet<&str> = baseline.difference(&restricted).copied().collect();
    assert_eq!(
        dropped,
        BTreeSet::from([
            "pss-capabilities-baseline",
            "pss-host-path-volumes",
            "pss-proc-mount-baseline",
            "pss-seccomp-baseline"
        ])
    );
}
