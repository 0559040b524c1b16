//! Alerts for failed controls (PCI DSS 10.7): verify failure, forwarding backlog,
//! missing checkpoint, clock jump.

mod common;

use std::time::Duration;

use cdeguard_audit::cursor::Cursor;
use cdeguard_audit::head::Head;
use cdeguard_audit::health::{HealthOptions, check, record_check};
use cdeguard_audit::layout::Layout;
use cdeguard_audit::query::{Filter, query};
use cdeguard_audit::{LogWriter, Outcome, WriterOptions};

/// Who runs the checks in these tests.
const CHECKER: &str = "user:ops (uid 1001)";

fn kinds(log: &std::path::Path, options: &HealthOptions) -> Vec<&'static str> {
    check(log, options, jiff::Timestamp::now())
        .unwrap()
        .into_iter()
        .map(|a| a.kind)
        .collect()
}

#[test]
fn healthy_log_has_no_alerts() {
    let log = common::build(2, 10, common::options(1 << 20, 100));
    let options = HealthOptions {
        trusted_keys: vec![log.public],
        ..HealthOptions::default()
    };
    assert_eq!(kinds(&log.log, &options), Vec::<&str>::new());
}

#[test]
fn each_failed_control_raises_its_alert_and_alerts_are_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log");
    // Two hours old, unsigned (no key), and a forwarder that never ran.
    let old = WriterOptions {
        fixed_time: Some(jiff::Timestamp::now() - jiff::SignedDuration::from_secs(7200)),
        ..WriterOptions::default()
    };
    let mut writer = LogWriter::open(&log, old, None).unwrap();
    writer.append((0..5).map(common::input).collect()).unwrap();
    Cursor::load(&Layout::new(&log), "siem")
        .unwrap()
        .advance(0)
        .unwrap();
    let options = HealthOptions::default();
    let found = kinds(&log, &options);
    assert!(found.contains(&"missing_checkpoint"), "{found:?}");
    assert!(found.contains(&"forward_backlog"), "{found:?}");
    assert!(!found.contains(&"verify_failed"));
    // Within the thresholds nothing fires.
    let lenient = HealthOptions {
        max_backlog: Duration::from_secs(3 * 3600),
        max_unsigned: Duration::from_secs(3 * 3600),
        ..HealthOptions::default()
    };
    assert_eq!(kinds(&log, &lenient), Vec::<&str>::new());

    // The wall clock jumps: head.json says the last commit was an hour "later" than the boot clock allows.
    let layout = Layout::new(&log);
    let mut head = Head::load(&layout).unwrap();
    let wall: jiff::Timestamp = head.wall.parse().unwrap();
    head.wall = cdeguard_audit::record::format_time(wall + jiff::SignedDuration::from_secs(3600));
    head.store(&layout).unwrap();
    assert!(kinds(&log, &lenient).contains(&"clock_jump"));
    // The writer notices it too and records an alert with its next batch.
    let mut writer = LogWriter::open(&log, WriterOptions::default(), None).unwrap();
    writer.append(vec![common::input(9)]).unwrap();
    let mut jump_alerts = 0;
    query(
        &log,
        0,
        &Filter {
            action: Some("audit.alert".into()),
            resource: Some("clock".into()),
            ..Filter::default()
        },
        |_, r| {
            assert_eq!(r.details["kind"], "clock_jump");
            jump_alerts += 1;
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(jump_alerts, 1);

    // Tampering fails verification, and alerts become records.
    let (path, start, end) = common::locate(&log, 3);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[(start + end) / 2] ^= 1;
    std::fs::write(&path, bytes).unwrap();
    let alerts = check(&log, &lenient, jiff::Timestamp::now()).unwrap();
    assert!(
        alerts
            .iter()
            .any(|a| a.kind == "verify_failed" && a.message.contains("record 3")),
        "{alerts:?}"
    );
    let before = Head::load(&layout).unwrap().size;
    record_check(&mut writer, CHECKER, &lenient, &alerts).unwrap();
    assert_eq!(
        Head::load(&layout).unwrap().size,
        before + alerts.len() as u64
    );
    // (The damaged segment no longer reads back through the verifying reader.)
    let raw = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
    assert!(raw.contains(r#""action":"audit.alert","resource":"verify_failed""#));
    assert!(raw.contains(&format!(r#""checked_by":"{CHECKER}""#)));
}

#[test]
fn a_check_is_recorded_once_as_a_read_or_as_its_alerts() {
    let log = common::build(2, 10, common::options(1 << 20, 100));
    let options = HealthOptions {
        trusted_keys: vec![log.public],
        max_backlog: Duration::from_secs(60),
        ..HealthOptions::default()
    };
    let mut writer = LogWriter::open(&log.log, WriterOptions::default(), None).unwrap();
    let alerts = check(&log.log, &options, jiff::Timestamp::now()).unwrap();
    assert_eq!(alerts, []);
    record_check(&mut writer, CHECKER, &options, &alerts).unwrap();
    let reads = common::with_action(&log.log, "audit.read");
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert_eq!(reads[0].actor, CHECKER);
    assert_eq!(reads[0].resource, "audit-log");
    assert_eq!(reads[0].outcome, Outcome::Success);
    assert_eq!(
        reads[0].details,
        serde_json::json!({
            "command": "health",
            "status": "healthy",
            "max_backlog_secs": 60,
            "max_unsigned_secs": 3600,
            "trusted_keys": 1,
        })
    );
    assert!(common::with_action(&log.log, "audit.alert").is_empty());

    // A forwarder that never ran, checked two hours later: alerts, and no read record.
    Cursor::load(&Layout::new(&log.log), "siem")
        .unwrap()
        .advance(0)
        .unwrap();
    let later = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(7200);
    let alerts = check(&log.log, &options, later).unwrap();
    let kinds: Vec<&str> = alerts.iter().map(|a| a.kind).collect();
    assert_eq!(kinds, ["forward_backlog", "missing_checkpoint"]);
    record_check(&mut writer, CHECKER, &options, &alerts).unwrap();
    assert_eq!(common::with_action(&log.log, "audit.read").len(), 1);
    let recorded = common::with_action(&log.log, "audit.alert");
    assert_eq!(
        recorded
            .iter()
            .map(|r| (r.actor.as_str(), r.resource.as_str(), r.outcome))
            .collect::<Vec<_>>(),
        [
            ("cdeguard-audit", "forward_backlog", Outcome::Failure),
            ("cdeguard-audit", "missing_checkpoint", Outcome::Failure)
        ]
    );
    for (record, alert) in recorded.iter().zip(&alerts) {
        assert_eq!(
            record.details,
            serde_json::json!({
                "command": "health",
                "checked_by": CHECKER,
                "kind": alert.kind,
                "message": alert.message,
                "requirement": "PCI DSS 10.7.2",
            })
        );
    }
}
