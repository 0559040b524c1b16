//! `cdeguard scan HOST:PORT/repo:tag` against a real registry on loopback: the report
//! (findings and SBOM) equals the one of the same image read as a local OCI layout, the
//! layer cache spares the layer downloads of a second scan, secrets are found in every
//! layer of a pulled image as in a local one, credentials come from
//! `--registry-password-stdin`, and an unreachable registry is one error line (exit 2)
//! while the other targets are still scanned.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

// The image crate's test support: images built byte by byte, the registry launcher.
// Not all of it is used here (docker archives, token auth and blob counting serve the
// image crate's tests).
#[allow(dead_code)]
#[path = "../../cdeguard-image/tests/support/images.rs"]
mod fixtures;
#[allow(dead_code)]
#[path = "../../cdeguard-image/tests/support/registry.rs"]
mod registry_server;

use registry_server::{PASSWORD, Registry, USER, free_port};

fn cdeguard(args: &[&str], cwd: &Path, stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cdeguard"))
        .args(args)
        .current_dir(cwd)
        .env("XDG_CACHE_HOME", cwd.join("cache"))
        .env("DOCKER_CONFIG", cwd.join("no-docker-config"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

/// (rule, severity, evidence) of each finding, with the image's name made neutral.
fn findings(out: &Output, name: &str) -> BTreeSet<(String, String, String)> {
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let text = |k: &str| f[k].as_str().unwrap_or_default().replace(name, "IMAGE");
            (text("rule_id"), text("severity"), text("evidence"))
        })
        .collect()
}

fn purls(out: &Output) -> BTreeSet<String> {
    let bom: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["purl"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn registry_image_scans_like_the_local_layout() {
    let registry = Registry::anonymous();
    let (dir, _, reference) = registry.push_test_image("team/app");
    let common = [
        "--platform",
        "linux/amd64",
        "--insecure-registry",
        &registry.addr,
    ];
    let scan = |target: &str, format: &str| {
        let mut args = vec!["scan", target, "--format", format];
        args.extend(common);
        cdeguard(&args, dir.path(), b"")
    };

    // The registry first: a local scan would fill the layer cache with the same digests.
    let pulled = scan(&reference, "json");
    let pulled_purls = purls(&scan(&reference, "cyclonedx"));
    let local = scan("layout", "json");
    assert_eq!(pulled.status.code(), local.status.code());
    let local_findings = findings(&local, "layout");
    assert!(
        local_findings.iter().any(|f| f.0.starts_with("CDG-")),
        "{local_findings:?}"
    );
    assert_eq!(findings(&pulled, &reference), local_findings);
    let local_purls = purls(&scan("layout", "cyclonedx"));
    assert!(
        local_purls
            .iter()
            .any(|p| p.starts_with("pkg:deb/debian/curl@"))
    );
    assert_eq!(pulled_purls, local_purls);

    // Two scans of the reference with every scanner: on the cold scan each layer is
    // downloaded twice, by the package pass (which keeps only what catalogers need) and
    // by the secret pass (which reads every file of every layer, deleted ones too); the
    // warm scan downloads no layer (both passes answer from their caches). Each pass
    // plans the image, so the config blob is fetched twice per scan.
    let log = registry.log();
    let mut gets: BTreeMap<&str, usize> = BTreeMap::new();
    for line in log.lines() {
        if let Some((_, rest)) = line.split_once("\"GET /v2/team/app/blobs/") {
            *gets.entry(rest.split(' ').next().unwrap()).or_default() += 1;
        }
    }
    let mut counts: Vec<usize> = gets.values().copied().collect();
    counts.sort_unstable();
    assert_eq!(counts, [2, 2, 4], "{gets:#?}");
}

/// (rule, path inside the image, line, fate) of each secret finding: what must not
/// depend on where the image came from.
fn secret_findings(out: &Output) -> BTreeSet<(String, String, u64, String)> {
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["rule_id"]
                .as_str()
                .unwrap_or_default()
                .starts_with("CDG-SECRET-")
        })
        .map(|f| {
            let file = f["resource"]["file"].as_str().unwrap_or_default();
            // `image!/path` for files; the image itself for its configuration.
            let inside = file.split_once('!').map_or("(config)", |(_, path)| path);
            let message = f["message"].as_str().unwrap_or_default();
            let fate = [
                "deleted in layer",
                "overwritten in layer",
                "unchanged since layer",
            ]
            .into_iter()
            .find(|fate| message.contains(fate))
            .unwrap_or("visible");
            (
                f["rule_id"].as_str().unwrap_or_default().to_owned(),
                inside.to_owned(),
                f["resource"]["line"].as_u64().unwrap_or_default(),
                fate.to_owned(),
            )
        })
        .collect()
}

#[test]
fn secrets_of_every_layer_of_a_pulled_image() {
    let registry = Registry::anonymous();
    let archive = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../cdeguard-scan/tests/data/layered-secrets.tar");
    registry.push_docker_archive(&archive, "shop/layered:1");
    let reference = format!("{}/shop/layered:1", registry.addr);
    let dir = tempfile::tempdir().unwrap();
    let scan = |target: &str| {
        cdeguard(
            &[
                "scan",
                target,
                "--scanners",
                "secrets",
                "--format",
                "json",
                "--insecure-registry",
                &registry.addr,
            ],
            dir.path(),
            b"",
        )
    };
    let pulled = scan(&reference);
    let local = scan(archive.to_str().unwrap());
    let pulled_secrets = secret_findings(&pulled);
    // The private key that layer 2 deletes is still found in layer 1 of the pulled image.
    assert!(
        pulled_secrets
            .iter()
            .any(|(rule, path, _, fate)| rule == "CDG-SECRET-private-key"
                && path == "/root/.ssh/id_rsa"
                && fate == "deleted in layer"),
        "{pulled_secrets:#?}"
    );
    assert_eq!(pulled_secrets, secret_findings(&local));
}

#[test]
fn credentials_from_stdin_and_unreachable_registry_is_one_error() {
    let registry = Registry::with_basic_auth();
    let (dir, _, reference) = registry.push_test_image("app");
    let base = [
        "scan",
        reference.as_str(),
        "--format",
        "json",
        "--platform",
        "linux/amd64",
        "--insecure-registry",
        registry.addr.as_str(),
    ];

    let anonymous = cdeguard(&base, dir.path(), b"");
    assert_eq!(anonymous.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&anonymous.stderr);
    assert!(
        stderr.contains(&format!("cdeguard: error: {reference}: "))
            && stderr.contains("authentication required"),
        "{stderr}"
    );

    let mut with_user = base.to_vec();
    with_user.extend(["--registry-username", USER, "--registry-password-stdin"]);
    let authenticated = cdeguard(&with_user, dir.path(), format!("{PASSWORD}\n").as_bytes());
    let stderr = String::from_utf8_lossy(&authenticated.stderr);
    assert!(!stderr.contains(PASSWORD), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&authenticated.stdout).unwrap();
    assert_eq!(report["inputs"][0]["path"], reference.as_str());
    assert!(!report.to_string().contains(PASSWORD));
    // The only errors left are the test image's deliberately hostile members.
    for error in report["errors"].as_array().unwrap() {
        let message = error["message"].as_str().unwrap();
        assert!(message.contains("escapes the image root"), "{report:#}");
    }

    // An unreachable registry: one line naming it, exit 2, the layout still scanned.
    let nowhere_host = format!("127.0.0.1:{}", free_port());
    let nowhere = format!("{nowhere_host}/app:1");
    let out = cdeguard(
        &[
            "scan",
            &nowhere,
            "layout",
            "--format",
            "json",
            "--platform",
            "linux/amd64",
            "--insecure-registry",
            &nowhere_host,
        ],
        dir.path(),
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| l.contains(&nowhere)).collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(lines[0].contains("cannot reach registry"), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["errors"][0]["path"], nowhere.as_str());
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["resource"]["file"]
                .as_str()
                .is_some_and(|p| p.contains("layout"))),
        "{report:#}"
    );

    let usage = cdeguard(
        &["scan", &reference, "--registry-password-stdin"],
        dir.path(),
        b"",
    );
    assert_eq!(usage.status.code(), Some(2));
}
