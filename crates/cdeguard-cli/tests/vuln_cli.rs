//! End-to-end tests of the vulnerability scanner and `cdeguard db`: the example app with
//! the embedded data, a database built from OSV files (folder, zip, malformed record),
//! corrupt and truncated databases, and VEX.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output};

fn cdeguard(args: &[&str], data_home: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cdeguard"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        // No database at the default location: scans fall back to the embedded data.
        .env("XDG_DATA_HOME", data_home)
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn vulns(output: &Output) -> Vec<serde_json::Value> {
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", stderr(output)));
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "CDG-VULN-001")
        .cloned()
        .collect()
}

fn find<'a>(vulns: &'a [serde_json::Value], id: &str) -> Option<&'a serde_json::Value> {
    vulns.iter().find(|f| f["vulnerability"]["id"] == id)
}

#[test]
fn example_app_is_scanned_with_the_embedded_data() {
    let home = tempfile::tempdir().unwrap();
    let out = cdeguard(
        &[
            "scan",
            "examples/payment-app",
            "--scanners",
            "vuln",
            "--format",
            "json",
        ],
        home.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("embedded example data"),
        "{}",
        stderr(&out)
    );
    let vulns = vulns(&out);
    // PyYAML 5.3.1: full_load code execution, fixed in 5.4 (PYSEC-2021-142).
    let pyyaml = find(&vulns, "CVE-2020-14343").expect("PyYAML CVE-2020-14343");
    let v = &pyyaml["vulnerability"];
    assert_eq!(v["package"], "PyYAML");
    assert_eq!(v["installed_version"], "5.3.1");
    assert_eq!(v["fixed_versions"], serde_json::json!(["5.4"]));
    assert!(
        v["aliases"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "PYSEC-2021-142")
    );
    assert_eq!(
        pyyaml["resource"]["file"],
        "examples/payment-app/app/requirements.txt"
    );
    // requests 2.31.0 is fixed for CVE-2023-32681 (fixed in 2.31.0): never reported.
    assert!(find(&vulns, "CVE-2023-32681").is_none());
    // Alias groups are one finding each: no id appears twice for one package.
    let mut keys: Vec<(String, String)> = vulns
        .iter()
        .map(|f| {
            (
                f["vulnerability"]["package"].as_str().unwrap().to_owned(),
                f["vulnerability"]["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let before = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), before);
}

const RECORD: &str = r#"{"id":"GHSA-test-0001","aliases":["CVE-2099-0001"],"published":"2020-01-01T00:00:00Z","modified":"2020-02-01T00:00:00Z","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],"affected":[{"package":{"ecosystem":"PyPI","name":"pyyaml"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"5.4"}]}]}]}"#;

fn osv_sources(dir: &Path) {
    std::fs::create_dir_all(dir.join("folder")).unwrap();
    std::fs::write(dir.join("folder/GHSA-test-0001.json"), RECORD).unwrap();
    // A record whose package lacks its ecosystem: skipped with a warning.
    std::fs::write(
        dir.join("folder/broken.json"),
        r#"{"id":"GHSA-bad","affected":[{"package":{"name":"x"}}]}"#,
    )
    .unwrap();
    let zip = std::fs::File::create(dir.join("all.zip")).unwrap();
    let mut zip = zip::ZipWriter::new(zip);
    zip.start_file(
        "GHSA-test-0002.json",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    zip.write_all(
        RECORD
            .replace("0001", "0002")
            .replace("\"fixed\":\"5.4\"", "\"last_affected\":\"5.3.1\"")
            .as_bytes(),
    )
    .unwrap();
    zip.finish().unwrap();
    std::fs::write(dir.join("requirements.txt"), "PyYAML==5.3.1\n").unwrap();
}

#[test]
fn database_built_from_folders_and_zips_is_used_and_checked() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    osv_sources(dir.path());
    let db = dir.path().join("db/vuln.cdgdb");
    let db_arg = db.to_str().unwrap();
    let folder = dir.path().join("folder");
    let zip = dir.path().join("all.zip");
    let built = cdeguard(
        &[
            "db",
            "build",
            "--db",
            db_arg,
            "--from",
            folder.to_str().unwrap(),
            zip.to_str().unwrap(),
        ],
        home.path(),
    );
    // The malformed record makes the build exit 2, naming file and field; the rest imports.
    assert_eq!(built.status.code(), Some(2), "{}", stderr(&built));
    assert!(
        stderr(&built).contains("broken.json") && stderr(&built).contains("ecosystem"),
        "{}",
        stderr(&built)
    );
    let info = cdeguard(
        &["db", "info", "--db", db_arg, "--verify", "--json"],
        home.path(),
    );
    assert_eq!(info.status.code(), Some(0), "{}", stderr(&info));
    let info: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
    assert_eq!(info["records"], 2);
    assert_eq!(info["ecosystems"]["PyPI"]["packages"], 1);

    let requirements = dir.path().join("requirements.txt");
    let scan = |extra: &[&str]| {
        let mut args = vec![
            "scan",
            requirements.to_str().unwrap(),
            "--scanners",
            "vuln",
            "--format",
            "json",
            "--db",
            db_arg,
        ];
        args.extend_from_slice(extra);
        cdeguard(&args, home.path())
    };
    let out = scan(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let found = vulns(&out);
    assert_eq!(found.len(), 2, "{found:?}");
    let first = find(&found, "CVE-2099-0001").unwrap();
    assert_eq!(first["severity"], "critical");
    assert_eq!(first["vulnerability"]["score"], 9.8);
    // Published 2020-01-01 with a fix: the one-month deadline passed long ago.
    assert_eq!(first["vulnerability"]["patch_deadline"], "2020-02-01");
    assert_eq!(first["vulnerability"]["overdue"], true);
    assert!(
        first["pci"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "6.3.3")
    );
    // The data is years old: the scan says so.
    assert!(stderr(&out).contains("days old"), "{}", stderr(&out));

    // VEX: not_affected accepts the finding with the statement's justification.
    let vex = dir.path().join("vex.json");
    std::fs::write(
        &vex,
        r#"{"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://example.test/vex/1","author":"Payments Security","timestamp":"2024-01-01T00:00:00Z","version":1,
            "statements":[{"vulnerability":{"name":"CVE-2099-0001"},"products":[{"@id":"pkg:pypi/pyyaml"}],"status":"not_affected","justification":"vulnerable_code_not_in_execute_path","impact_statement":"yaml.full_load is never called"}]}"#,
    )
    .unwrap();
    let out = scan(&["--vex", vex.to_str().unwrap()]);
    let found = vulns(&out);
    let accepted = find(&found, "CVE-2099-0001").unwrap();
    assert_eq!(accepted["suppressed"]["source"], "vex");
    assert!(
        accepted["suppressed"]["justification"]
            .as_str()
            .unwrap()
            .contains("vulnerable_code_not_in_execute_path")
    );
    assert!(find(&found, "CVE-2099-0002").unwrap()["suppressed"].is_null());

    // A flipped byte in an entry, and a truncated file: clear errors, exit 2, never an
    // empty result.
    let mut bytes = std::fs::read(&db).unwrap();
    let at = bytes.len() - 40;
    bytes[at] ^= 0x55;
    std::fs::write(&db, &bytes).unwrap();
    let out = scan(&[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("corrupt"), "{}", stderr(&out));
    std::fs::write(&db, &bytes[..bytes.len() / 2]).unwrap();
    let out = scan(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("truncated"), "{}", stderr(&out));
}
