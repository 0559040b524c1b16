//! Conformance with osv-scalibr: every fixture in `tests/data/scalibr/` must yield exactly
//! the (name, version) set that osv-scalibr's own tests expect (`expected.tsv`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use cdeguard_packages::{Context, FileMeta, catalog_file};

/// Where each fixture would live in an image, which picks its cataloger.
fn image_path(fixture: &str) -> &'static str {
    match fixture {
        f if f.starts_with("dpkg-") => "/var/lib/dpkg/status",
        "apk-installed" => "/lib/apk/db/installed",
        f if f.starts_with("nested-dependencies") => "/app/package-lock.json",
        f if f.starts_with("yarn-") => "/app/yarn.lock",
        f if f.starts_with("pnpm-") => "/app/pnpm-lock.yaml",
        f if f.starts_with("poetry-") => "/app/poetry.lock",
        f if f.starts_with("Gemfile-") => "/app/Gemfile.lock",
        f if f.starts_with("composer-") => "/app/composer.lock",
        "deps-valid.json" => "/app/bin/app.deps.json",
        other => panic!("no image path for fixture {other}"),
    }
}

#[test]
fn catalogers_match_osv_scalibr_expectations() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/scalibr");
    let expected_text = std::fs::read_to_string(dir.join("expected.tsv")).unwrap();
    let mut expected: BTreeMap<&str, BTreeSet<(String, String)>> = BTreeMap::new();
    for line in expected_text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let mut fields = line.split('\t');
        let (fixture, name, version) = (
            fields.next().unwrap(),
            fields.next().unwrap(),
            fields.next().unwrap(),
        );
        expected
            .entry(fixture)
            .or_default()
            .insert((name.to_owned(), version.to_owned()));
    }
    assert!(
        expected.len() >= 12,
        "expected.tsv covers {} fixtures",
        expected.len()
    );
    let mut problems = Vec::new();
    for (fixture, want) in &expected {
        let bytes = std::fs::read(dir.join(fixture)).unwrap();
        let path = image_path(fixture);
        let meta = FileMeta {
            path,
            mode: 0o644,
            size: bytes.len() as u64,
        };
        let (packages, errors) = catalog_file(&meta, &bytes, &Context::default());
        assert!(errors.is_empty(), "{fixture}: {errors:?}");
        let got: BTreeSet<(String, String)> =
            packages.into_iter().map(|p| (p.name, p.version)).collect();
        if &got != want {
            problems.push(format!(
                "{fixture}: missing {:?}, extra {:?}",
                want.difference(&got).collect::<Vec<_>>(),
                got.difference(want).collect::<Vec<_>>()
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
