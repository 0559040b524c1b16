//! Faults against the real `cdeguard audit append` binary: SIGKILL at random points,
//! a full disk (file-size limit, and a full tmpfs), and concurrent writer processes.

#![allow(clippy::print_stdout)] // the random seed is printed so a failure can be replayed

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const BIN: &str = env!("CARGO_BIN_EXE_cdeguard");

fn line(writer: u32, n: u64) -> String {
    format!(
        "{{\"actor\":\"writer-{writer}\",\"action\":\"test.event\",\"resource\":\"item/{n}\",\"outcome\":\"success\",\"details\":{{\"w\":{writer},\"n\":{n},\"pad\":\"{}\"}}}}\n",
        "x".repeat(120)
    )
}

/// `(writer, n)` of every user record in the log, in log order.
fn stored(log: &Path) -> Vec<(u64, u64)> {
    let out = Command::new(BIN)
        .args(["audit", "--log"])
        .arg(log)
        .args(["query", "--action", "test.event"])
        .output()
        .expect("run query");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf8")
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json");
            (
                v["details"]["w"].as_u64().unwrap(),
                v["details"]["n"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn verify_ok(log: &Path) -> String {
    let out = Command::new(BIN)
        .args(["audit", "--log"])
        .arg(log)
        .arg("verify")
        .output()
        .expect("verify");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "verify failed: {text}");
    text
}

/// A small pseudo-random sequence (xorshift) seeded from the clock; the seed is printed
/// so a failing run can be reproduced.
struct Rng(u64);
impl Rng {
    fn new() -> Self {
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
            | 1;
        println!("seed {seed}");
        Rng(seed)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn sigkill_at_random_points_loses_no_acknowledged_record() {
    let mut rng = Rng::new();
    let mut total_acked = 0;
    for round in 0..6 {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("log");
        let mut child = Command::new(BIN)
            .args(["audit", "--log"])
            .arg(&log)
            .args(["append", "--batch", "37", "--segment-bytes", "20000"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        let mut stdin = child.stdin.take().unwrap();
        let feeder = std::thread::spawn(move || {
            for n in 0..200_000 {
                if stdin.write_all(line(0, n).as_bytes()).is_err() {
                    return;
                }
            }
        });
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut acked = 0u64;
            for l in BufReader::new(stdout).lines() {
                let Ok(l) = l else { break };
                let v: serde_json::Value = serde_json::from_str(&l).expect("ack json");
                acked = v["acked"].as_u64().unwrap();
            }
            acked
        });
        std::thread::sleep(Duration::from_millis(20 + rng.below(300)));
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
        let acked = reader.join().unwrap();
        feeder.join().unwrap();
        total_acked += acked;

        // Recovery happens on the next append.
        let mut next = Command::new(BIN)
            .args(["audit", "--log"])
            .arg(&log)
            .arg("append")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        next.stdin
            .take()
            .unwrap()
            .write_all(line(1, 0).as_bytes())
            .unwrap();
        assert!(next.wait().unwrap().success());

        let records = stored(&log);
        let from_killed: Vec<u64> = records
            .iter()
            .filter(|(w, _)| *w == 0)
            .map(|(_, n)| *n)
            .collect();
        // A prefix of the input, in order, without gaps or duplicates, covering every ack.
        assert!(
            from_killed.len() as u64 >= acked,
            "round {round}: {} stored < {acked} acknowledged",
            from_killed.len()
        );
        assert!(
            from_killed.iter().enumerate().all(|(i, n)| *n == i as u64),
            "round {round}: not a prefix"
        );
        assert_eq!(records.last(), Some(&(1, 0)));
        verify_ok(&log);
    }
    assert!(
        total_acked > 0,
        "the writer acknowledged records before being killed"
    );
}

#[test]
fn full_disk_fails_clearly_and_leaves_a_valid_log() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log");
    // 128 KiB file-size limit; SIGXFSZ ignored so writes fail with EFBIG instead of killing.
    let mut child = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f 128; exec {BIN} audit --log \"$0\" append --batch 50",
        ))
        .arg(&log)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        for n in 0..5000 {
            if stdin.write_all(line(0, n).as_bytes()).is_err() {
                return;
            }
        }
    });
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("disk full or file size limit reached"),
        "{stderr}"
    );
    assert!(
        stderr.contains("no record of it was acknowledged"),
        "{stderr}"
    );
    let acked = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["acked"].as_u64())
        .next_back()
        .unwrap_or(0);
    assert!(acked > 0, "some batches fit before the limit");
    let records = stored(&log);
    assert_eq!(
        records.len() as u64,
        acked,
        "exactly the acknowledged records, nothing partial"
    );
    let text = verify_ok(&log);
    assert!(
        !text.contains("torn"),
        "the failed batch was rolled back: {text}"
    );
}

#[test]
fn concurrent_writer_processes_are_serialised() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log");
    let per_writer = 3000u64;
    let children: Vec<_> = (0..4u32)
        .map(|w| {
            let mut child = Command::new(BIN)
                .args(["audit", "--log"])
                .arg(&log)
                .args(["append", "--batch", "100", "--segment-bytes", "65536"])
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let mut stdin = child.stdin.take().unwrap();
            std::thread::spawn(move || {
                for n in 0..per_writer {
                    stdin.write_all(line(w, n).as_bytes()).unwrap();
                }
            });
            child
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let records = stored(&log);
    assert_eq!(records.len() as u64, 4 * per_writer);
    for w in 0..4 {
        let ns: Vec<u64> = records
            .iter()
            .filter(|(x, _)| *x == w)
            .map(|(_, n)| *n)
            .collect();
        assert_eq!(
            ns,
            (0..per_writer).collect::<Vec<_>>(),
            "writer {w} in order, complete"
        );
    }
    // Several writers really interleaved (else the lock was not exercised).
    let switches = records.windows(2).filter(|p| p[0].0 != p[1].0).count();
    assert!(switches >= 4, "{switches} switches");
    verify_ok(&log);
}

#[test]
fn enospc_on_a_full_tmpfs_fails_clearly_and_leaves_a_valid_log() {
    // A 256 KiB tmpfs mounted in a private user and mount namespace (no privileges
    // needed); everything that reads the log runs inside it, before it vanishes.
    let dir = tempfile::tempdir().unwrap();
    let (mnt, out) = (dir.path().join("mnt"), dir.path().join("out"));
    std::fs::create_dir_all(&mnt).unwrap();
    std::fs::create_dir_all(&out).unwrap();
    let input: String = (0..5000).map(|n| line(0, n)).collect();
    std::fs::write(out.join("input.ndjson"), input).unwrap();
    let script = r#"
        mount -t tmpfs -o size=256k tmpfs "$0" || exit 90
        "$1" audit --log "$0/log" append --batch 50 < "$2/input.ndjson" > "$2/acks" 2> "$2/append.err"
        echo $? > "$2/append.rc"
        "$1" audit --log "$0/log" verify > "$2/verify" 2>&1
        echo $? > "$2/verify.rc"
        # A read is recorded in the log it reads, which the full disk may refuse: read a copy.
        cp -r "$0/log" "$2/copy"
        "$1" audit --log "$2/copy" query --action test.event > "$2/stored" 2> "$2/query.err"
    "#;
    let status = Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-c", script])
        .arg(&mnt)
        .arg(BIN)
        .arg(&out)
        .status()
        .expect("unshare (util-linux) runs");
    assert!(
        status.success(),
        "could not mount a tmpfs in a user namespace: {status}"
    );
    let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap();
    let stderr = read("append.err");
    assert_eq!(read("append.rc").trim(), "2", "{stderr}");
    assert!(stderr.contains("disk full"), "{stderr}");
    let acked = read("acks")
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["acked"].as_u64())
        .next_back()
        .unwrap_or(0);
    assert!(acked > 0, "some batches fit before the disk filled up");
    let stored: Vec<u64> = read("stored")
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["details"]["n"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert!(
        stored.len() as u64 >= acked,
        "an acknowledged record was lost"
    );
    assert!(
        stored.iter().enumerate().all(|(i, n)| *n == i as u64),
        "not a prefix of the input"
    );
    assert_eq!(read("verify.rc").trim(), "0", "{}", read("verify"));
}
