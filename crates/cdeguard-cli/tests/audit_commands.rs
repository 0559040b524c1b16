//! Commands that change state or read sensitive results write an audit record
//! (`--audit-log`, PCI DSS 10.2.1/10.2.2): who, what, the inputs' hashes, the outcome
//! and a summary without finding contents.

use std::path::Path;
use std::process::{Command, Output};

use cdeguard_audit::hash::Digest;

fn cdeguard(args: &[&str], cwd: &Path) -> Output {
    cdeguard_with_env(args, cwd, &[])
}

/// `cdeguard` with these environment variables (the audit ones unset otherwise).
fn cdeguard_with_env(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cdeguard"))
        .args(args)
        .current_dir(cwd)
        .env_remove("CDEGUARD_AUDIT_LOG")
        .env_remove("CDEGUARD_AUDIT_KEY")
        .env_remove("CDEGUARD_HEC_TOKEN")
        .env_remove("CDEGUARD_WEBHOOK_SECRET")
        .envs(env.iter().copied())
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
    append_with(log, &[], input)
}

/// `cdeguard audit --log LOG append ARGS…` with `input` on standard input.
fn append_with(log: &Path, args: &[&str], input: &str) -> Output {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_cdeguard"))
        .args(["audit", "--log"])
        .arg(log)
        .arg("append")
        .args(args)
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

/// `count` NDJSON lines of `test.event` records, resources `r/0`, `r/1`, …
fn event_lines(count: u32) -> String {
    (0..count)
        .map(|n| {
            format!(
                "{{\"actor\":\"svc\",\"action\":\"test.event\",\"resource\":\"r/{n}\",\"outcome\":\"success\"}}\n"
            )
        })
        .collect()
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

/// The records of `action` that `query` prints, minus the `audit.read` records of the
/// queries themselves: what the commands under test wrote.
fn records_of_commands(log: &Path, action: &str) -> Vec<serde_json::Value> {
    records(log, action)
        .into_iter()
        .filter(|r| !(r["action"] == "audit.read" && r["details"]["command"] == "query"))
        .collect()
}

/// Runs `cdeguard audit --log LOG ARGS…`.
fn audit(log: &Path, args: &[&str]) -> Output {
    let mut all = vec!["audit", "--log", log.to_str().unwrap()];
    all.extend_from_slice(args);
    cdeguard(&all, Path::new("."))
}

#[test]
fn health_records_a_healthy_check_as_a_read_and_a_failed_one_as_its_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit");
    let line = r#"{"actor":"svc","action":"test.event","resource":"r","outcome":"success"}"#;
    assert!(append(&log, line).status.success());
    let healthy = audit(&log, &["health", "--max-backlog-secs", "600"]);
    let stdout = String::from_utf8_lossy(&healthy.stdout);
    assert_eq!(healthy.status.code(), Some(0), "{stdout}");
    assert!(stdout.starts_with("OK"), "{stdout}");
    let reads = records_of_commands(&log, "audit.read");
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert!(
        reads[0]["actor"].as_str().unwrap().contains("uid"),
        "{}",
        reads[0]
    );
    assert_eq!(reads[0]["resource"], "audit-log");
    assert_eq!(reads[0]["outcome"], "success");
    assert_eq!(
        reads[0]["details"],
        serde_json::json!({
            "command": "health",
            "status": "healthy",
            "max_backlog_secs": 600,
            "max_unsigned_secs": 3600,
            "trusted_keys": 0,
        })
    );

    // An old unsigned record: the alert is the record of the check, no read record too.
    let old = r#"{"actor":"svc","action":"test.event","resource":"r","outcome":"success","time":"2020-01-01T00:00:00Z"}"#;
    assert!(append(&log, old).status.success());
    let out = audit(
        &log,
        &[
            "health",
            "--max-unsigned-secs",
            "0",
            "--max-backlog-secs",
            "315360000",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("ALERT missing_checkpoint"), "{stdout}");
    let alerts = records(&log, "audit.alert");
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0]["resource"], "missing_checkpoint");
    assert_eq!(alerts[0]["outcome"], "failure");
    assert_eq!(alerts[0]["actor"], "cdeguard-audit");
    assert_eq!(alerts[0]["details"]["checked_by"], reads[0]["actor"]);
    assert_eq!(alerts[0]["details"]["command"], "health");
    assert_eq!(alerts[0]["details"]["kind"], "missing_checkpoint");
    assert_eq!(records_of_commands(&log, "audit.read").len(), 1);
    // Checking a log that does not exist creates none.
    let absent = dir.path().join("absent");
    assert_ne!(audit(&absent, &["health"]).status.code(), Some(0));
    assert!(!absent.exists());
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn forward_runs_are_recorded_once_with_the_endpoint_and_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit");
    let log_arg = log.to_str().unwrap();
    assert!(append(&log, &event_lines(3)).status.success());
    // audit.log.create and the three records.
    let size = 4;

    // A real UDP receiver: syslog over UDP is confirmed once the datagrams are sent.
    let receiver = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    receiver
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let udp = format!("udp://{}", receiver.local_addr().unwrap());
    let forward_udp = || {
        cdeguard(
            &[
                "audit", "--log", log_arg, "forward", "--to", &udp, "--name", "udp",
            ],
            Path::new("."),
        )
    };
    let shipped = forward_udp();
    assert!(
        shipped.status.success(),
        "{}",
        String::from_utf8_lossy(&shipped.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&shipped.stdout),
        format!("forwarded {size} records; next: {size}\n")
    );
    let mut datagram = [0u8; 4096];
    for _ in 0..size {
        receiver.recv(&mut datagram).unwrap();
    }

    // Down destinations: the failed run is recorded and the command fails.
    let hec = format!("hec+http://127.0.0.1:{}", closed_port());
    let out = cdeguard_with_env(
        &[
            "audit", "--log", log_arg, "forward", "--to", &hec, "--name", "hec",
        ],
        Path::new("."),
        &[("CDEGUARD_HEC_TOKEN", "hec-token-0f3a9c")],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("forwarding to hec (splunk-hec"), "{stderr}");
    let hook_port = closed_port();
    let hook = format!("webhook+http://127.0.0.1:{hook_port}/hooks/path-secret-77");
    let out = cdeguard(
        &[
            "audit",
            "--log",
            log_arg,
            "forward",
            "--to",
            &hook,
            "--name",
            "hook",
            "--hmac-secret",
            "hmac-key-5b1e",
        ],
        Path::new("."),
    );
    assert_eq!(out.status.code(), Some(2));
    // The next UDP run ships only forwarding records (its own and the failed runs'):
    // recording that would make forwarders record each other forever.
    let again = forward_udp();
    assert_eq!(
        String::from_utf8_lossy(&again.stdout),
        format!("forwarded 3 records; next: {}\n", size + 3)
    );

    let forwards = records_of_commands(&log, "audit.export");
    assert_eq!(forwards.len(), 3, "{forwards:?}");
    for forward in &forwards {
        assert!(
            forward["actor"].as_str().unwrap().contains("uid"),
            "{forward}"
        );
        assert_eq!(forward["resource"], "audit-log");
    }
    assert_eq!(forwards[0]["outcome"], "success");
    assert_eq!(
        forwards[0]["details"],
        serde_json::json!({
            "command": "forward",
            "cursor": "udp",
            "destination": { "kind": "syslog-udp", "endpoint": udp },
            "format": "rfc5424",
            "range": { "from": 0, "to": size },
            "records": size,
        })
    );
    // Each failed run read everything before it, the records of earlier runs included.
    for (failed, cursor, kind, endpoint, unconfirmed) in [
        (
            &forwards[1],
            "hec",
            "splunk-hec",
            hec.replace("hec+", ""),
            size + 1,
        ),
        (
            &forwards[2],
            "hook",
            "webhook",
            format!("http://127.0.0.1:{hook_port}"),
            size + 2,
        ),
    ] {
        assert_eq!(failed["outcome"], "failure", "{failed}");
        let details = &failed["details"];
        assert_eq!(details["command"], "forward");
        assert_eq!(details["cursor"], cursor);
        assert_eq!(
            details["destination"],
            serde_json::json!({ "kind": kind, "endpoint": endpoint })
        );
        assert_eq!(details["range"], serde_json::json!({ "from": 0, "to": 0 }));
        assert_eq!(details["records"], 0);
        assert_eq!(details["unconfirmed"], unconfirmed);
        assert!(
            details["error"].as_str().unwrap().starts_with(&format!(
                "forwarding to {cursor} ({kind} {endpoint}): connect"
            )),
            "{details}"
        );
    }

    assert_eq!(records_of_commands(&log, "audit.export").len(), 3);

    // No token, HMAC key or secret URL path anywhere in the trail.
    let exported = audit(&log, &["export"]);
    let text = String::from_utf8(exported.stdout).unwrap();
    assert!(text.contains("\"command\":\"forward\""), "{text}");
    for secret in ["hec-token-0f3a9c", "hmac-key-5b1e", "path-secret-77"] {
        assert!(!text.contains(secret), "{secret} leaked into the trail");
    }
}

#[test]
fn retention_records_archives_by_the_operator_and_a_run_that_moves_nothing_as_a_read() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit");
    let appended = append_with(
        &log,
        &["--segment-bytes", "1024", "--batch", "4"],
        &event_lines(40),
    );
    assert!(appended.status.success());

    // A hundred days on, every sealed segment leaves the hot window; none expires.
    let later = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 100)).to_string();
    let out = audit(&log, &["retention", "--now", &later]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.ends_with("deleted segments: []\n"), "{stdout}");
    let archives = records(&log, "audit.retention.archive");
    assert!(archives.len() > 1, "{stdout}");
    for archive in &archives {
        assert!(
            archive["actor"].as_str().unwrap().contains("uid"),
            "{archive}"
        );
        assert_eq!(archive["outcome"], "success");
        let first = archive["details"]["first_seq"].as_u64().unwrap();
        let file = format!("archive/seg-{first:020}.log.zst");
        assert_eq!(archive["resource"], file.as_str());
        assert_eq!(
            archive["details"]["segment"],
            format!("segments/seg-{first:020}.log")
        );
        assert!(!log.join(format!("segments/seg-{first:020}.log")).exists());
        assert_eq!(
            archive["details"]["sha256_compressed"],
            Digest::of_file(&log.join(&file)).unwrap().to_hex().as_str()
        );
        assert!(archive["details"]["end_seq"].as_u64().unwrap() > first);
    }
    assert!(
        records_of_commands(&log, "audit.read").is_empty(),
        "the archive records tell that run"
    );

    // Today nothing is due: the run read the segments' dates, and records that.
    let out = audit(&log, &["retention"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "archived segments: []; deleted segments: []\n"
    );
    let reads = records_of_commands(&log, "audit.read");
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert_eq!(reads[0]["actor"], archives[0]["actor"]);
    assert_eq!(reads[0]["resource"], "audit-log");
    let details = &reads[0]["details"];
    assert_eq!(details["command"], "retention");
    assert_eq!(details["range"]["from"], 0);
    assert_eq!(details["records"], 0);
    assert_eq!(details["hot_days"], 92);
    assert_eq!(details["retain_days"], 366);
    let hot: Vec<u64> = std::fs::read_dir(log.join("segments"))
        .unwrap()
        .map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name["seg-".len().."seg-".len() + 20].parse().unwrap()
        })
        .collect();
    assert_eq!(details["range"]["to"], *hot.iter().max().unwrap());
    assert!(audit(&log, &["verify"]).status.success());
}

#[test]
fn keygen_checkpoint_and_rotate_key_leave_their_records() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit");
    let keygen = |name: &str| {
        let out = audit(
            &log,
            &["keygen", "--out", dir.path().join(name).to_str().unwrap()],
        );
        assert!(out.status.success());
        // "key ID written to …"
        String::from_utf8(out.stdout)
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .to_owned()
    };
    let old_id = keygen("old");
    // A key is a file until a log uses it: keygen touches no log.
    assert!(!log.exists());
    let line = r#"{"actor":"svc","action":"test.event","resource":"r","outcome":"success"}"#;
    assert!(append(&log, line).status.success());

    let unsigned = audit(&log, &["checkpoint"]);
    assert_eq!(unsigned.status.code(), Some(2));
    assert!(records(&log, "audit.checkpoint").is_empty());
    let old = dir.path().join("old");
    let out = audit(&log, &["checkpoint", "--key", old.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let checkpoint: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let added = records(&log, "audit.key.add");
    assert_eq!(added.len(), 1);
    assert_eq!(added[0]["details"]["key_id"], old_id.as_str());
    let requested = records(&log, "audit.checkpoint");
    assert_eq!(requested.len(), 1, "{requested:?}");
    assert!(requested[0]["actor"].as_str().unwrap().contains("uid"));
    assert_eq!(requested[0]["resource"], "audit-log");
    assert_eq!(requested[0]["outcome"], "success");
    assert_eq!(
        requested[0]["details"],
        serde_json::json!({ "command": "checkpoint" })
    );
    // The checkpoint covers the record of its own request.
    assert_eq!(
        checkpoint["size"],
        requested[0]["seq"].as_u64().unwrap() + 1
    );
    assert_eq!(checkpoint["key_id"], old_id.as_str());

    let new_id = keygen("new");
    let new = dir.path().join("new");
    let out = audit(
        &log,
        &[
            "rotate-key",
            "--key",
            old.to_str().unwrap(),
            "--new-key",
            new.to_str().unwrap(),
        ],
    );
    assert!(out.status.success());
    let added = records(&log, "audit.key.add");
    assert_eq!(added.len(), 2);
    assert_eq!(added[1]["details"]["key_id"], new_id.as_str());
    assert_eq!(added[1]["details"]["retires"], old_id.as_str());
    assert_eq!(
        added[1]["actor"], requested[0]["actor"],
        "the operator rotates"
    );
    let verified = audit(
        &log,
        &["verify", "--public-key", &format!("{}.pub", old.display())],
    );
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
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
    assert!(append(&log, &event_lines(5)).status.success());
    // audit.log.create, the 5 records, the key's audit.key.add, then the checkpoint's
    // own audit.checkpoint: 8 in all, signed.
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
        .filter(|r| r["actor"] != "cdeguard-audit" && r["action"] != "audit.checkpoint")
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
                serde_json::json!({"from": 6, "to": 8}),
                serde_json::json!(2)
            ),
            (
                "audit.export",
                "export",
                serde_json::json!({"from": 0, "to": 9}),
                serde_json::json!(9)
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
    // log.create, key.add and the checkpoint, then the three reads.
    assert_eq!(own["details"]["records"], 6);

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
        &["forward", "--to", "udp://127.0.0.1:9"],
        &["retention"],
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
