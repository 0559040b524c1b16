//! Failures of the audit control itself (PCI DSS 10.7.2): verification failure, a
//! forwarding backlog older than a threshold, a clock jump, and records left unsigned
//! too long (missing checkpoint). Each becomes an `audit.alert` record and a non-zero
//! `audit health` status.
//!
//! A check reads the whole log, so it is an access (PCI DSS 10.2.1.3) and
//! [`record_check`] records it once: a check that finds problems through its alerts (one
//! per failed control, raised by the audit system like the writer's own clock alert, with
//! `"command":"health"` and the checker in `checked_by`), a healthy one as an `audit.read`
//! record by the checker with `"status":"healthy"`. Alerts and a read record for the
//! same run would say the same thing twice. Unlike the other reads, the check runs even
//! when the log cannot record it: it is what must report that failure (10.7).

use std::ops::ControlFlow;
use std::path::Path;
use std::time::Duration;

use serde_json::json;

use crate::access::{Access, AccessAction};

use crate::checkpoint::read_checkpoints;
use crate::cursor::Cursor;
use crate::error::Result;
use crate::head::{Head, boot_id, boot_ns};
use crate::keys::PublicKey;
use crate::layout::Layout;
use crate::reader::for_each_frame;
use crate::record::{Outcome, Record};
use crate::verify::{VerifyOptions, verify};
use crate::writer::LogWriter;

/// Thresholds.
#[derive(Clone, Debug)]
pub struct HealthOptions {
    /// Keys trusted for verification.
    pub trusted_keys: Vec<PublicKey>,
    /// Oldest unforwarded record allowed.
    pub max_backlog: Duration,
    /// Oldest unsigned record allowed.
    pub max_unsigned: Duration,
    /// Wall-clock drift against the boot clock since the last commit that counts as a jump.
    pub clock_jump: Duration,
}

impl Default for HealthOptions {
    fn default() -> Self {
        HealthOptions {
            trusted_keys: Vec::new(),
            max_backlog: Duration::from_secs(15 * 60),
            max_unsigned: Duration::from_secs(60 * 60),
            clock_jump: Duration::from_secs(10),
        }
    }
}

/// One failed control.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alert {
    /// `verify_failed`, `forward_backlog`, `missing_checkpoint`, `clock_jump`.
    pub kind: &'static str,
    /// What is wrong.
    pub message: String,
}

fn record_time(layout: &Layout, seq: u64) -> Result<Option<jiff::Timestamp>> {
    let mut time = None;
    for_each_frame(layout, seq, seq + 1, |frame| {
        time = Record::from_canonical(frame.payload)
            .ok()
            .and_then(|r| r.time.parse().ok());
        Ok(ControlFlow::Break(()))
    })?;
    Ok(time)
}

fn age(now: jiff::Timestamp, then: jiff::Timestamp) -> Duration {
    Duration::from_nanos(u64::try_from(now.as_nanosecond() - then.as_nanosecond()).unwrap_or(0))
}

/// Checks the log in `dir` as of `now`.
pub fn check(dir: &Path, options: &HealthOptions, now: jiff::Timestamp) -> Result<Vec<Alert>> {
    let layout = Layout::new(dir);
    let mut alerts = Vec::new();
    let report = verify(
        dir,
        &VerifyOptions {
            trusted_keys: options.trusted_keys.clone(),
            ..VerifyOptions::default()
        },
    )?;
    if let Some(failure) = report.failure {
        alerts.push(Alert {
            kind: "verify_failed",
            message: failure.to_string(),
        });
    }
    let head = Head::load(&layout);
    let size = head
        .as_ref()
        .map_or(report.first_seq + report.records, |h| h.size);
    for (name, next) in Cursor::all(&layout)? {
        if next < size
            && let Some(oldest) = record_time(&layout, next)?
            && age(now, oldest) > options.max_backlog
        {
            alerts.push(Alert {
                kind: "forward_backlog",
                message: format!(
                    "forwarder `{name}` is {} records behind; the oldest unsent (record {next}) is {}s old",
                    size - next,
                    age(now, oldest).as_secs()
                ),
            });
        }
    }
    let signed = read_checkpoints(&layout.checkpoints())?
        .checkpoints
        .last()
        .map_or(0, |c| c.size);
    if signed < size
        && let Some(oldest) = record_time(&layout, signed.max(report.first_seq))?
        && age(now, oldest) > options.max_unsigned
    {
        alerts.push(Alert {
            kind: "missing_checkpoint",
            message: format!(
                "{} records are not covered by a signed checkpoint; the oldest is {}s old",
                size - signed,
                age(now, oldest).as_secs()
            ),
        });
    }
    if let Some(head) = &head
        && !head.boot_id.is_empty()
        && head.boot_id == boot_id()
        && let Ok(wall) = head.wall.parse::<jiff::Timestamp>()
    {
        let drift = (jiff::Timestamp::now().as_nanosecond() - wall.as_nanosecond())
            - (i128::from(boot_ns()) - i128::from(head.boot_ns));
        if drift.unsigned_abs() > options.clock_jump.as_nanos() {
            alerts.push(Alert {
                kind: "clock_jump",
                message: format!(
                    "the wall clock moved {:.3}s against the boot clock since the last commit",
                    drift as f64 / 1e9
                ),
            });
        }
    }
    Ok(alerts)
}

/// `details.command` of the records of a health check.
const HEALTH_COMMAND: &str = "health";

/// Records a check `actor` ran with `options`: one `audit.alert` record per alert, or,
/// with none, one `audit.read` record by `actor` saying the log is healthy.
pub fn record_check(
    writer: &mut LogWriter,
    actor: &str,
    options: &HealthOptions,
    alerts: &[Alert],
) -> Result<()> {
    if alerts.is_empty() {
        let mut access = Access::new(actor, AccessAction::Read, HEALTH_COMMAND);
        access
            .detail("status", json!("healthy"))
            .detail("max_backlog_secs", json!(options.max_backlog.as_secs()))
            .detail("max_unsigned_secs", json!(options.max_unsigned.as_secs()))
            .detail("trusted_keys", json!(options.trusted_keys.len()));
        writer.record_access(access)?;
    }
    for alert in alerts {
        writer.append_system(
            "audit.alert",
            alert.kind,
            Outcome::Failure,
            json!({
                "command": HEALTH_COMMAND,
                "checked_by": actor,
                "kind": alert.kind,
                "message": alert.message,
                "requirement": "PCI DSS 10.7.2",
            }),
        )?;
    }
    Ok(())
}
