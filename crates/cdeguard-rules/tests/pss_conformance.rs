//! Conformance with the upstream Pod Security Admission controller: every fixture of
//! kubernetes/pod-security-admission `test/testdata/{baseline,restricted}/v1.37/` copied
//! under `tests/data/pod-security/` is classified as its folder says. `pass` fixtures get
//! no finding of that level; `fail` fixtures get at least one.

use std::path::Path;

use cdeguard_collect::{CollectOptions, read_bytes};
use cdeguard_rules::{Rule, RuleSet, all_rules};

fn level_rules(level: RuleSet) -> Vec<&'static Rule> {
    all_rules()
        .iter()
        .copied()
        .filter(|r| r.selected_by(&[level]))
        .collect()
}

fn check_level(level_dir: &str, level: RuleSet) -> usize {
    let rules = level_rules(level);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/pod-security")
        .join(level_dir);
    let mut wrong = Vec::new();
    let mut checked = 0;
    for verdict in ["pass", "fail"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(verdict))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for file in files {
            let bytes = std::fs::read(&file).unwrap();
            let inventory = read_bytes(
                &file.display().to_string(),
                &bytes,
                &CollectOptions::default(),
            );
            assert!(
                inventory.errors.is_empty(),
                "{}: {:?}",
                file.display(),
                inventory.errors
            );
            assert_eq!(inventory.objects.len(), 1, "{}", file.display());
            let findings: Vec<String> = rules
                .iter()
                .flat_map(|r| r.run(&inventory))
                .map(|f| format!("{} {}", f.rule_id, f.evidence))
                .collect();
            let rejected = !findings.is_empty();
            if rejected != (verdict == "fail") {
                wrong.push(format!(
                    "{level_dir}/{verdict}/{}: {findings:?}",
                    file.file_name().unwrap().to_string_lossy()
                ));
            }
            checked += 1;
        }
    }
    assert!(wrong.is_empty(), "misclassified:\n{}", wrong.join("\n"));
    checked
}

#[test]
fn baseline_fixtures_are_classified_as_upstream() {
    assert!(check_level("baseline", RuleSet::PssBaseline) >= 30);
}

#[test]
fn restricted_fixtures_are_classified_as_upstream() {
    assert!(check_level("restricted", RuleSet::PssRestricted) >= 60);
}
