//! Commands that change state or read sensitive results write an audit record
//! (`--audit-log`, PCI DSS 10.2.1/10.2.2): who, what, the inputs' hashes, the outcome
//! and a summary without finding contents.

use std::path::Path;
use std::process::{Command, Output};

use cdeguard_audit::hash::Digest;

fn cdeguard(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cdeguard"))
        .args(args)
        .current_dir(cwd)
        .env_remove("CDEGUARD_AUDIT_LOG")
        .env_remove("CDEGUARD_AUDIT_KEY")
        .output()
        .unwrap()
}

fn records(log: &Path, action: &str) -> Vec<serde_json::Value> {
    let out = cdeguard(
        &[
            "audit",
            "--log",
            log.to_str().unwrap(),
            "query",
            "--action",
            action,
        ],
        Path::new("."),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: payments\nspec:\n  hostNetwork: true\n  containers:\n  - name: app\n    image: nginx\n    env:\n    - {name: CARD, value: \"4111111111111111\"}\n";

#[test]
fn scan_runs_are_recorded_with_input_hashes_outcome_and_counts_only() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pod.yaml"), POD).unwrap();
    let log = dir.path().join("audit");
    let log_arg = log.to_str().unwrap();

    let clean = cdeguard(&["--audit-log", log_arg, "scan", "pod.yaml"], dir.path());
    assert_eq!(
        clean.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&clean.stderr)
    );
    let failing = cdeguard(
        &[
            "scan",
            "pod.yaml",
            "--scanners",
            "config,secrets",
            "--fail-on",
            "low",
            "--audit-log",
            log_arg,
        ],
        dir.path(),
    );
    assert_eq!(
        failing.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&failing.stderr)
    );
    let missing = cdeguard(&["--audit-log", log_arg, "scan", "absent.yaml"], dir.path());
    assert_eq!(missing.status.code(), Some(2));

    let runs = records(&log, "scan.run");
    assert_eq!(runs.len(), 3, "{runs:?}");
    let pod_sha = Digest::of_file(&dir.path().join("pod.yaml"))
        .unwrap()
        .to_hex();
    for run in &runs[..2] {
        assert!(run["actor"].as_str().unwrap().contains("uid"), "{run}");
        assert_eq!(run["resource"], "pod.yaml");
        assert_eq!(run["outcome"], "success");
        assert_eq!(run["details"]["inputs"][0]["path"], "pod.yaml");
        assert_eq!(run["details"]["inputs"][0]["sha256"], pod_sha.as_str());
        assert!(run["origin"]["pid"].as_u64().unwrap() > 0);
    }
    assert_eq!(runs[0]["details"]["exit_code"], 0);
    assert_eq!(runs[1]["details"]["exit_code"], 1);
    let counts = &runs[1]["details"]["summary"]["findings"];
    let open: u64 = ["critical", "high", "medium", "low", "info"]
        .iter()
        .map(|s| counts[s].as_u64().unwrap())
        .sum();
    assert!(open > 0, "{counts}");
    // Only counts: the card number of the finding never reaches the trail.
    let raw = cdeguard(&["audit", "--log", log_arg, "export"], Path::new("."));
    let text = String::from_utf8(raw.stdout).unwrap();
    assert!(!text.contains("4111111111111111") && !text.contains("111111111111"));
    // The failed run is recorded as a failure, its missing input without a hash.
    assert_eq!(runs[2]["outcome"], "failure");
    assert_eq!(runs[2]["details"]["inputs"][0].get("sha256"), None);

    let verify = cdeguard(&["audit", "--log", log_arg, "verify"], Path::new("."));
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

#[test]
fn without_audit_log_nothing_is_written_and_an_unwritable_log_fails_the_command() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pod.yaml"), POD).unwrap();
    let out = cdeguard(&["scan", "pod.yaml"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    // A plain file where the log folder should be: the run is not silently unlogged.
    std::fs::write(dir.path().join("audit"), "not a folder").unwrap();
    let out = cdeguard(&["scan", "pod.yaml", "--audit-log", "audit"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("audit log"), "{stderr}");
}

#[test]
fn db_build_is_recorded_with_its_sources() {
    let dir = tempfile::tempdir().unwrap();
    let osv = dir.path().join("GHSA-test.json");
    std::fs::write(
        &osv,
        r#"{"id":"GHSA-aaaa-bbbb-cccc","modified":"2026-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"demo"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.0"}]}]}]}"#,
    )
    .unwrap();
    let log = dir.path().join("audit");
    let out = cdeguard(
        &[
            "db",
            "build",
            "--from",
            osv.to_str().unwrap(),
            "--db",
            dir.path().join("v.cdgdb").to_str().unwrap(),
            "--audit-log",
            log.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let builds = records(&log, "db.build");
    assert_eq!(builds.len(), 1);
    assert_eq!(builds[0]["outcome"], "success");
    assert_eq!(
        builds[0]["details"]["sources"][0]["sha256"],
        Digest::of_file(&osv).unwrap().to_hex().as_str()
    );
    // Reading the database is not a state change: no record.
    let info = cdeguard(
        &[
            "db",
            "info",
            "--db",
            dir.path().join("v.cdgdb").to_str().unwrap(),
            "--audit-log",
            log.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(info.status.success());
    assert_eq!(records(&log, "db.*").len(), 1);
}

#[test]
fn netpol_generate_is_recorded_with_its_flows() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let flows = repo.join("examples/netpol/flows/observed.ndjson");
    let manifests = repo.join("examples/netpol/segmented");
    let log = dir.path().join("audit");
    let generate = |extra: &[&str]| {
        let mut args = vec![
            "netpol",
            "generate",
            "--flows",
            flows.to_str().unwrap(),
            manifests.to_str().unwrap(),
        ];
        args.extend(extra);
        cdeguard(&args, dir.path())
    };
    let out = generate(&["--audit-log", log.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let runs = records(&log, "netpol.generate");
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["outcome"], "success");
    assert_eq!(
        runs[0]["details"]["flows"][0]["sha256"],
        Digest::of_file(&flows).unwrap().to_hex().as_str()
    );
    assert_eq!(runs[0]["details"]["flow_count"], 8);
    let documents = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| *l == "---")
        .count();
    assert_eq!(runs[0]["details"]["policies"], documents);
    // Without `--audit-log` nothing more is recorded.
    assert!(generate(&[]).status.success());
    assert_eq!(records(&log, "netpol.*").len(), 1);
}

fn append(log: &Path, input: &str) -> Output {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_cdeguard"))
        .args(["audit", "--log"])
        .arg(log)
        .arg("append")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn append_commits_the_lines_before_a_bad_line_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit");
    let good = |n: u32| {
        format!(
            r#"{{"actor":"svc","action":"test.event","resource":"r/{n}","outcome":"success","details":{{"n":{n}}}}}"#
        )
    };
    let input = format!(
        "{}\n\n{}\n{{\"actor\":\"svc\"}}\n{}\n",
        good(1),
        good(2),
        good(3)
    );
    let out = append(&log, &input);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("input line 4") && stderr.contains("missing field"),
        "{stderr}"
    );
    let stored: Vec<String> = records(&log, "test.event")
        .iter()
        .map(|r| r["resource"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(stored, ["r/1", "r/2"]);
    // Reserved actions are refused, nothing of that batch is stored.
    let out = append(
        &log,
        &format!(
            "{}\n{}\n",
            good(5),
            r#"{"actor":"x","action":"audit.key.add","resource":"r","outcome":"success"}"#
        ),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("reserved"));
    assert_eq!(records(&log, "test.event").len(), 2);
}

#[test]
fn health_exits_1_and_records_an_alert_for_unsigned_records() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit");
    let line = r#"{"actor":"svc","action":"test.event","resource":"r","outcome":"success","time":"2020-01-01T00:00:00Z"}"#;
    assert!(append(&log, line).status.success());
    let out = cdeguard(
        &[
            "audit",
            "--log",
            log.to_str().unwrap(),
            "health",
            "--max-unsigned-secs",
            "0",
            "--max-backlog-secs",
            "315360000",
        ],
        Path::new("."),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("ALERT missing_checkpoint"), "{stdout}");
    let alerts = records(&log, "audit.alert");
    assert!(
        alerts.iter().any(|a| a["resource"] == "missing_checkpoint"),
        "{alerts:?}"
    );
}

/// Every file of a log directory with its bytes, to show that a command wrote nothing.
fn snapshot(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn reads_of_the_trail_are_recorded_in_it_and_verification_never_writes() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit");
    let log_arg = log.to_str().unwrap();
    let key = dir.path().join("key");
    let run = |args: &[&str]| {
        let out = cdeguard(args, dir.path());
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    run(&["audit", "keygen", "--out", key.to_str().unwrap()]);
    let lines: String = (0..5)
        .map(|n| {
            format!(
                "{{\"actor\":\"svc\",\"action\":\"test.event\",\"resource\":\"r/{n}\",\"outcome\":\"success\"}}\n"
            )
        })
        .collect();
    assert!(append(&log, &lines).status.success());
    // audit.log.create, the 5 records, then the key's audit.key.add: 7 in all, signed.
    run(&[
        "audit",
        "--log",
        log_arg,
        "checkpoint",
        "--key",
        key.to_str().unwrap(),
    ]);

    let tail = run(&["audit", "--log", log_arg, "tail", "-n", "2"]);
    assert_eq!(tail.lines().count(), 2, "{tail}");
    run(&["audit", "--log", log_arg, "export", "--format", "cef"]);
    let proof = run(&["audit", "--log", log_arg, "prove", "--seq", "3"]);
    let query = run(&["audit", "--log", log_arg, "query", "--action", "audit.*"]);
    let reads: Vec<serde_json::Value> = query
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|r| r["actor"] != "cdeguard-audit")
        .collect();
    // The query sees the three reads before it, not itself (recorded once it is over).
    let summary: Vec<(&str, &str, serde_json::Value, serde_json::Value)> = reads
        .iter()
        .map(|r| {
            (
                r["action"].as_str().unwrap(),
                r["details"]["command"].as_str().unwrap(),
                r["details"]["range"].clone(),
                r["details"]["records"].clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "audit.read",
                "tail",
                serde_json::json!({"from": 5, "to": 7}),
                serde_json::json!(2)
            ),
            (
                "audit.export",
                "export",
                serde_json::json!({"from": 0, "to": 8}),
                serde_json::json!(8)
            ),
            (
                "audit.prove",
                "prove",
                serde_json::json!({"from": 3, "to": 4}),
                serde_json::json!(1)
            ),
        ]
    );
    for read in &reads {
        assert_eq!(read["outcome"], "success");
        assert_eq!(read["resource"], "audit-log");
        assert!(read["actor"].as_str().unwrap().contains("uid"), "{read}");
    }
    assert_eq!(reads[0]["details"]["format"], "ndjson");
    assert_eq!(reads[1]["details"]["format"], "cef");
    // The query itself is recorded too, with its filter.
    let queries = records(&log, "audit.read");
    let own = queries.last().unwrap();
    assert_eq!(own["details"]["command"], "query");
    assert_eq!(own["details"]["filter"]["action"], "audit.*");
    // log.create and key.add, then the three reads.
    assert_eq!(own["details"]["records"], 5);

    // A failed read is recorded as a failure.
    let missing = cdeguard(
        &["audit", "--log", log_arg, "prove", "--seq", "999"],
        dir.path(),
    );
    assert_eq!(missing.status.code(), Some(2));
    let failed = records(&log, "audit.prove");
    assert_eq!(failed.last().unwrap()["outcome"], "failure");
    assert!(
        failed.last().unwrap()["details"]["error"]
            .as_str()
            .unwrap()
            .contains("999")
    );

    // Verification passes after the reads and writes nothing, nor does checking a proof.
    let proof_file = dir.path().join("proof.json");
    std::fs::write(&proof_file, &proof).unwrap();
    let before = snapshot(&log);
    let pub_key = format!("{}.pub", key.display());
    let verified = run(&[
        "audit",
        "--log",
        log_arg,
        "verify",
        "--public-key",
        &pub_key,
    ]);
    assert!(verified.starts_with("OK"), "{verified}");
    let checked = run(&[
        "audit",
        "--log",
        log_arg,
        "verify-proof",
        proof_file.to_str().unwrap(),
        "--public-key",
        &pub_key,
    ]);
    assert!(checked.starts_with("OK: record 3"), "{checked}");
    assert!(
        snapshot(&log) == before,
        "verify or verify-proof wrote to the log"
    );
}

#[test]
fn reading_a_log_that_does_not_exist_fails_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("absent");
    for command in [
        &["tail"][..],
        &["query"],
        &["export"],
        &["prove", "--seq", "0"],
    ] {
        let mut args = vec!["audit", "--log", log.to_str().unwrap()];
        args.extend_from_slice(command);
        let out = cdeguard(&args, dir.path());
        assert_eq!(out.status.code(), Some(2), "{command:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("no audit log"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!log.exists(), "{command:?} created the log");
    }
}
