//! The Berkeley DB and NDB rpmdb readers against outside truth (`tests/data/rpmdb/`,
//! see its SOURCES.md): the generated Berkeley DB fixtures against what rpm itself lists
//! (`rpm -qa` with its read-only Berkeley DB backend; Debian's `rpm`, installed by
//! `.ci/setup`), the SUSE NDB fixture against go-rpmdb's expectation, osv-scalibr's
//! fixture against osv-scalibr's expectation.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use cdeguard_model::Package;
use cdeguard_packages::{Context, FileMeta, catalog_file};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/rpmdb")
        .join(name)
}

fn catalog(image_path: &str, bytes: &[u8]) -> Vec<Package> {
    let meta = FileMeta {
        path: image_path,
        mode: 0o644,
        size: bytes.len() as u64,
    };
    let (packages, errors) = catalog_file(&meta, bytes, &Context::default());
    assert!(errors.is_empty(), "{image_path}: {errors:?}");
    packages
}

/// A purl qualifier's value (`arch`).
fn qualifier<'a>(purl: &'a str, key: &str) -> &'a str {
    purl.split_once('?')
        .into_iter()
        .flat_map(|(_, q)| q.split('&'))
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
        .unwrap_or("")
}

/// name, epoch:version-release (epoch 0 when absent), arch, source package, licence:
/// the fields rpm prints with the query format below.
fn row(p: &Package) -> String {
    let evr = if p.version.contains(':') {
        p.version.clone()
    } else {
        format!("0:{}", p.version)
    };
    let source = match (&p.source_name, &p.source_version) {
        (Some(n), Some(v)) => format!("{n}-{v}"),
        _ => String::new(),
    };
    format!(
        "{}\t{evr}\t{}\t{source}\t{}",
        p.name,
        qualifier(&p.purl, "arch"),
        p.licenses.join(" ")
    )
}

/// What `rpm -qa` lists for a Berkeley DB `Packages` file, in `row`'s format.
fn rpm_oracle(packages_file: &Path) -> BTreeSet<String> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(packages_file, dir.path().join("Packages")).unwrap();
    let output = Command::new("rpm")
        .arg("-qa")
        .arg("--dbpath")
        .arg(dir.path())
        .args(["--define", "_db_backend bdb_ro", "--queryformat"])
        .arg("%{NAME}\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\t%{ARCH}\t%{SOURCERPM}\t%{LICENSE}\n")
        .output()
        .unwrap_or_else(|e| {
            panic!("rpm is missing ({e}): run `bash .ci/setup` (installs Debian's rpm)")
        });
    assert!(output.status.success(), "rpm -qa failed: {output:?}");
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("gpg-pubkey\t"))
        .map(|l| {
            let mut fields: Vec<String> = l.split('\t').map(str::to_owned).collect();
            // `name-version-release.src.rpm` -> `name-version-release`, as `row` prints it.
            fields[3] = fields[3]
                .strip_suffix(".rpm")
                .and_then(|s| s.rsplit_once('.'))
                .map_or(String::new(), |(stem, _arch)| stem.to_owned());
            fields.join("\t")
        })
        .collect()
}

#[test]
fn berkeley_db_fixtures_list_exactly_what_rpm_lists() {
    for fixture in [
        "Packages.le-4096.bdb",
        "Packages.be-4096.bdb",
        "Packages.le-512.bdb",
        "Packages_epoch.bdb",
    ] {
        let path = data(fixture);
        let want = rpm_oracle(&path);
        assert!(!want.is_empty(), "{fixture}: rpm lists nothing");
        let packages = catalog("/var/lib/rpm/Packages", &std::fs::read(&path).unwrap());
        let got: BTreeSet<String> = packages.iter().map(row).collect();
        assert_eq!(got.len(), packages.len(), "{fixture}: duplicate packages");
        assert_eq!(got, want, "{fixture}");
    }
}

#[test]
fn osv_scalibr_berkeley_db_expectation() {
    let packages = catalog(
        "/var/lib/rpm/Packages",
        &std::fs::read(data("Packages_epoch.bdb")).unwrap(),
    );
    let rows: Vec<String> = packages.iter().map(row).collect();
    assert_eq!(rows, ["hello\t1:0.0.1-rls\tx86_64\thello-0.0.1-rls\tGPL"]);
}

#[test]
fn suse_ndb_fixture_matches_go_rpmdb_expectation() {
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(data("sle15-bci.Packages.db.gz")).unwrap())
        .read_to_end(&mut bytes)
        .unwrap();
    let want: BTreeSet<String> = std::fs::read_to_string(data("sle15-bci.expected.tsv"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let epoch = if f[1].is_empty() { "0" } else { f[1] };
            format!("{}\t{epoch}:{}-{}\t{}", f[0], f[2], f[3], f[4])
        })
        .collect();
    assert_eq!(want.len(), 35);
    for image_path in [
        "/var/lib/rpm/Packages.db",
        "/usr/lib/sysimage/rpm/Packages.db",
    ] {
        let packages = catalog(image_path, &bytes);
        let got: BTreeSet<String> = packages
            .iter()
            .map(|p| {
                let r = row(p);
                r.splitn(4, '\t').take(3).collect::<Vec<_>>().join("\t")
            })
            .collect();
        assert_eq!(got.len(), packages.len(), "duplicate packages");
        assert_eq!(got, want, "{image_path}");
    }
}

#[test]
fn damaged_databases_are_one_error_naming_the_file() {
    let bdb = std::fs::read(data("Packages.le-512.bdb")).unwrap();
    let mut gz = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(data("sle15-bci.Packages.db.gz")).unwrap())
        .read_to_end(&mut gz)
        .unwrap();
    for (image_path, bytes) in [
        ("/var/lib/rpm/Packages", &bdb),
        ("/var/lib/rpm/Packages.db", &gz),
    ] {
        for cut in [bytes.len() / 3, bytes.len() - 512] {
            let meta = FileMeta {
                path: image_path,
                mode: 0o644,
                size: cut as u64,
            };
            let (packages, errors) = catalog_file(&meta, &bytes[..cut], &Context::default());
            assert!(packages.is_empty(), "{image_path} cut at {cut}");
            assert_eq!(errors.len(), 1, "{image_path} cut at {cut}: {errors:?}");
            assert_eq!(errors[0].path, image_path);
            assert!(
                !errors[0].to_string().contains('\n'),
                "one line: {}",
                errors[0]
            );
        }
    }
}
