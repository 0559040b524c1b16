//! The SBOM writers' output validates against the official JSON schemas (CycloneDX 1.6,
//! SPDX 2.3), installed by `.ci/setup` into `$CDEGUARD_ORACLES` (default `.oracles`),
//! and reads back into the same packages.

use std::path::{Path, PathBuf};
use std::process::Command;

use cdeguard_model::image::{ImageConfig, ImageFiles, ImageInfo, ImageKind, OsRelease};
use cdeguard_model::{Ecosystem, Package};
use cdeguard_packages::sbom::{Subject, cyclonedx, read, spdx};

fn oracles() -> PathBuf {
    std::env::var_os("CDEGUARD_ORACLES").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.oracles"),
        PathBuf::from,
    )
}

fn package(
    ecosystem: Ecosystem,
    name: &str,
    version: &str,
    purl: &str,
    licenses: &[&str],
) -> Package {
    Package {
        ecosystem,
        name: name.into(),
        version: version.into(),
        purl: purl.into(),
        distro_release: ecosystem.is_os().then(|| "12".into()),
        source_name: ecosystem.is_os().then(|| "openssl".into()),
        source_version: ecosystem.is_os().then(|| version.into()),
        licenses: licenses.iter().map(|l| (*l).to_owned()).collect(),
        layer: Some("sha256:0123".into()),
        found_in: "/var/lib/dpkg/status".into(),
    }
}

fn images() -> Vec<ImageInfo> {
    let image = |reference: &str, kind| ImageInfo {
        reference: reference.into(),
        kind,
        id: Some("sha256:abcd".into()),
        manifest_digest: None,
        repo_tags: vec![],
        config: ImageConfig::default(),
        os: Some(OsRelease {
            id: "debian".into(),
            version_id: Some("12".into()),
            path: "/etc/os-release".into(),
            ..OsRelease::default()
        }),
        layers: vec![],
        packages: vec![
            package(
                Ecosystem::Debian,
                "libssl3",
                "3.0.11-1~deb12u2",
                "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12",
                &["Apache-2.0"],
            ),
            package(
                Ecosystem::Npm,
                "@types/node",
                "20.1.0",
                "pkg:npm/%40types/node@20.1.0",
                &["MIT"],
            ),
            package(
                Ecosystem::PyPI,
                "flask",
                "3.0.3",
                "pkg:pypi/flask@3.0.3",
                &["BSD License, see LICENSE"],
            ),
        ],
        files: ImageFiles::default(),
        loc: None,
    };
    vec![
        image("/tmp/app.tar", ImageKind::DockerArchive),
        image("/srv/rootfs", ImageKind::RootFs),
    ]
}

fn validate(schema: &str, document: &[u8], name: &str) {
    let oracles = oracles();
    let python = oracles.join("venv/bin/python");
    let schema = oracles.join("schemas").join(schema);
    assert!(
        python.exists() && schema.exists(),
        "{} or {} missing: run `.ci/setup` to install the SBOM schemas and jsonschema",
        python.display(),
        schema.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, document).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.ci/validate-json-schema.py");
    let out = Command::new(&python)
        .arg(&script)
        .arg(&schema)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{name} is not valid:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn subject(images: &[ImageInfo]) -> Subject<'_> {
    Subject {
        images,
        tool_version: "0.1.0",
        timestamp: "2026-11-22T12:00:00.123456Z",
    }
}

#[test]
fn cyclonedx_is_valid_and_round_trips() {
    let images = images();
    let mut out = Vec::new();
    cyclonedx::write(&subject(&images), &mut out).unwrap();
    validate(
        "cyclonedx/bom-1.6.SNAPSHOT.schema.json",
        &out,
        "bom.cdx.json",
    );
    let back = read::read("bom.cdx.json", &out).unwrap();
    assert_eq!(back.format, Some(read::SbomFormat::CycloneDx));
    let purls: Vec<&str> = back.packages.iter().map(|p| p.purl.as_str()).collect();
    assert_eq!(purls.len(), 6);
    assert_eq!(back.packages[0].distro_release.as_deref(), Some("12"));
    assert_eq!(back.packages[1].name, "@types/node");
}

#[test]
fn spdx_is_valid_and_round_trips() {
    let images = images();
    let mut out = Vec::new();
    spdx::write(&subject(&images), &mut out).unwrap();
    validate("spdx/2.3-schema.json", &out, "sbom.spdx.json");
    let back = read::read("sbom.spdx.json", &out).unwrap();
    assert_eq!(back.format, Some(read::SbomFormat::Spdx));
    assert_eq!(back.packages.len(), 6);
    assert_eq!(back.packages[0].licenses, ["Apache-2.0"]);
    assert!(
        back.packages[2].licenses.is_empty(),
        "free-text licences are NOASSERTION"
    );
}

#[test]
fn invalid_document_is_rejected_by_the_validator() {
    // The oracle itself must catch a broken document, or the tests above prove nothing.
    let oracles = oracles();
    let schema = oracles.join("schemas/spdx/2.3-schema.json");
    assert!(
        schema.exists(),
        "{} missing: run `.ci/setup`",
        schema.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.json");
    std::fs::write(
        &path,
        br#"{"spdxVersion": "SPDX-2.3", "packages": [{"SPDXID": "bad id!"}]}"#,
    )
    .unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.ci/validate-json-schema.py");
    let out = Command::new(oracles.join("venv/bin/python"))
        .arg(&script)
        .arg(&schema)
        .arg(&path)
        .output()
        .unwrap();
    assert!(!out.status.success());
}
