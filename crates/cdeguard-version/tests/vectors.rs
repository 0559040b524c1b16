//! Every line of the upstream version-ordering vectors (google/osv-scalibr
//! `semantic/testdata`) holds for cdeguard's comparison, in both directions.

use std::cmp::Ordering;
use std::path::Path;

use cdeguard_model::Ecosystem;
use cdeguard_version::{compare, parse_relation};

fn check(file: &str, ecosystem: Ecosystem) -> usize {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut wrong = Vec::new();
    let mut checked = 0;
    for (n, line) in text.lines().enumerate() {
        let Some((a, expected, b)) = parse_relation(line) else {
            continue;
        };
        checked += 1;
        let forward = compare(ecosystem, &a, &b);
        let backward = compare(ecosystem, &b, &a);
        if forward != Ok(expected) || backward != Ok(expected.reverse()) {
            wrong.push(format!(
                "{file}:{}: {line} (got {forward:?} / reverse {backward:?})",
                n + 1
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    checked
}

#[test]
fn debian_vectors() {
    assert!(check("debian-versions.txt", Ecosystem::Debian) >= 20);
}

#[test]
fn redhat_vectors() {
    assert!(check("redhat-versions.txt", Ecosystem::RedHat) >= 100);
}

#[test]
fn semver_vectors() {
    assert!(check("semver-versions.txt", Ecosystem::Npm) >= 50);
}

#[test]
fn pypi_vectors() {
    assert!(check("pypi-versions.txt", Ecosystem::PyPI) >= 30);
}

#[test]
fn orderings_are_total_on_the_vector_versions() {
    // Antisymmetry and transitivity over every version mentioned in the Debian vectors.
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/debian-versions.txt"),
    )
    .unwrap();
    let mut versions: Vec<String> = text
        .lines()
        .filter_map(parse_relation)
        .flat_map(|(a, _, b)| [a, b])
        .collect();
    versions.sort_by(|a, b| compare(Ecosystem::Debian, a, b).unwrap());
    for w in versions.windows(2) {
        assert_ne!(
            compare(Ecosystem::Debian, &w[0], &w[1]).unwrap(),
            Ordering::Greater
        );
    }
    for a in &versions {
        for b in &versions {
            assert_eq!(
                compare(Ecosystem::Debian, a, b).unwrap(),
                compare(Ecosystem::Debian, b, a).unwrap().reverse()
            );
        }
    }
}
