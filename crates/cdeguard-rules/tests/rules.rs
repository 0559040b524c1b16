//! Contract tests every rule must pass: documentation, metadata, and its fixture.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cdeguard_collect::{CollectOptions, Target, collect};
use cdeguard_model::Inventory;
use cdeguard_rules::all_rules;

const DOC_SECTIONS: &[&str] = &[
    "## What it checks",
    "## Why it matters",
    "## Failing example",
    "## Passing example",
    "## How to fix",
];

#[test]
fn every_rule_is_documented_and_well_formed() {
    let mut ids = BTreeSet::new();
    let mut names = BTreeSet::new();
    for rule in all_rules() {
        assert!(ids.insert(rule.id), "duplicate rule id {}", rule.id);
        assert!(names.insert(rule.name), "duplicate rule name {}", rule.name);
        assert!(
            rule.id.starts_with("CDG-"),
            "{}: ids start with CDG-",
            rule.id
        );
        assert!(
            !rule.sets.is_empty() && !rule.inputs.is_empty(),
            "{}: sets and inputs",
            rule.id
        );
        assert_documented(rule.id, rule.pci, &rule.doc(), &rule.summary());
    }
}

/// A rule cites known PCI DSS requirements and its doc has every section and a summary.
fn assert_documented(id: &str, pci: &[&str], doc: &str, summary: &str) {
    assert!(!pci.is_empty(), "{id}: every rule cites PCI DSS");
    for pci in pci {
        assert!(
            cdeguard_model::pci::requirement(pci).is_some(),
            "{id}: PCI {pci} is not in cdeguard_model::pci::REQUIREMENTS"
        );
    }
    for section in DOC_SECTIONS {
        assert!(doc.contains(section), "{id}: doc lacks `{section}`");
    }
    assert!(!summary.is_empty(), "{id}: empty summary");
}

/// The segmentation rules (findings from the scan's segmentation test) are documented
/// like every other rule, with ids that no registry rule takes.
#[test]
fn every_segmentation_rule_is_documented() {
    let mut ids: BTreeSet<&str> = all_rules().iter().map(|r| r.id).collect();
    for (i, rule) in cdeguard_rules::network::RULES.iter().enumerate() {
        assert_eq!(rule.id, format!("CDG-NET-{:03}", i + 1), "ids in order");
        assert!(ids.insert(rule.id), "duplicate rule id {}", rule.id);
        assert!(
            cdeguard_rules::find_rule(rule.name).is_none(),
            "{}",
            rule.name
        );
        assert_documented(rule.id, rule.pci, &rule.doc(), &rule.summary());
        let by_id = cdeguard_rules::network::find(&rule.id.to_lowercase()).expect("by id");
        let by_name = cdeguard_rules::network::find(rule.name).expect("by name");
        assert_eq!((by_id.id, by_name.id), (rule.id, rule.id));
    }
    assert_eq!(cdeguard_rules::network::RULES.len(), 11);
}

fn fixture_dir(id: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(id)
}

/// The `*.tar` images of a fixture folder.
fn fixture_images(dir: &Path) -> Vec<PathBuf> {
    let mut images: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tar"))
        .collect();
    images.sort();
    images
}

/// Image options for fixtures: no layer cache (tests leave no state behind).
fn cdeguard_image_options() -> cdeguard_collect::ImageOptions {
    cdeguard_collect::ImageOptions {
        cache_dir: None,
        ..cdeguard_collect::ImageOptions::default()
    }
}

/// Names of every resource in the inventory (objects, containers, Dockerfiles, images).
fn resource_names(inventory: &Inventory) -> Vec<String> {
    let mut names: Vec<String> = inventory.objects.iter().map(|o| o.name.clone()).collect();
    names.extend(inventory.containers.iter().map(|c| c.name.clone()));
    names.extend(inventory.images.iter().map(|i| i.display_name().to_owned()));
    names.extend(inventory.dockerfiles.iter().map(|d| {
        let path = inventory.path(d.loc);
        Path::new(path)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned()
    }));
    names
}

/// Each rule's fixture: resources named `fail*` are flagged, `pass*` are not, and nothing
/// else is flagged. Fixtures must contain at least one of each.
#[test]
fn every_rule_flags_exactly_its_failing_fixtures() {
    let mut problems = Vec::new();
    for rule in all_rules() {
        let dir = fixture_dir(rule.id);
        if !dir.is_dir() {
            problems.push(format!("{}: no fixture folder {}", rule.id, dir.display()));
            continue;
        }
        // Images are read only when named explicitly: pass each fixture image as a target.
        let mut targets = vec![Target::Path(dir.clone())];
        targets.extend(fixture_images(&dir).into_iter().map(Target::Path));
        let options = CollectOptions {
            image: cdeguard_image_options(),
            ..CollectOptions::default()
        };
        let inventory = collect(&targets, &options);
        if !inventory.errors.is_empty() {
            problems.push(format!(
                "{}: fixture input errors: {:?}",
                rule.id, inventory.errors
            ));
        }
        let findings = rule.run(&inventory);
        let flagged: BTreeSet<&str> = findings.iter().map(|f| f.resource.name.as_str()).collect();
        let names = resource_names(&inventory);
        let (fails, passes): (Vec<_>, Vec<_>) = (
            names.iter().filter(|n| n.starts_with("fail")).collect(),
            names.iter().filter(|n| n.starts_with("pass")).collect(),
        );
        if fails.is_empty() || passes.is_empty() {
            problems.push(format!(
                "{}: fixture needs `fail*` and `pass*` resources",
                rule.id
            ));
        }
        for name in &fails {
            if !flagged.contains(name.as_str()) {
                problems.push(format!(
                    "{}: `{name}` should be flagged but is not",
                    rule.id
                ));
            }
        }
        for finding in &findings {
            if !finding.resource.name.starts_with("fail") {
                problems.push(format!(
                    "{}: unexpected finding on `{}` ({}:{:?}): {}",
                    rule.id,
                    finding.resource.name,
                    finding.resource.file,
                    finding.resource.line,
                    finding.message
                ));
            }
            assert_eq!(finding.rule_id, rule.id);
            assert!(
                finding.resource.line.is_some_and(|l| l > 0),
                "{}: finding without line",
                rule.id
            );
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
