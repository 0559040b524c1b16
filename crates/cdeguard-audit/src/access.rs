//! Audited access to the trail (PCI DSS 10.2.1.3: all access to audit logs is logged;
//! 10.2.1.2: administrators' actions on the log, such as checkpoints and retention;
//! 10.2.1.6: an interruption of forwarding to the SIEM is recorded where it starts and
//! where it ends).
//!
//! Every command that reads the log appends one record to the log it read, in the log's
//! own reserved `audit.*` namespace so that no user can forge one: who read
//! ([`Access::actor`]), what kind of access ([`AccessAction`]), what ([`Access::details`]:
//! the command, the range of records read, the filter or format, how many records came
//! out) and whether it worked. Open the writer with [`LogWriter::open_existing`]
//! *before* reading, so that a log that cannot record the access is not read at all, and
//! record the access once the read is over (a read never sees its own record).
//!
//! | command | action | details besides `command` |
//! |---|---|---|
//! | `tail`, `query` | `audit.read` | `range`, `records`, `format`; `filter` for `query` |
//! | `export` | `audit.export` | `range`, `records`, `format` |
//! | `prove`, `consistency` | `audit.prove` | `range`, `records`, `checkpoint_size`; `old_size`, `new_size` |
//! | `forward` | `audit.export` | `cursor`, `destination` (`kind`, `endpoint`: `scheme://host:port`, never a token, secret or URL path), `range` and `records` confirmed, `format` (syslog); on failure `unconfirmed` and `error`; `failed_retries` when a run ends an outage |
//! | `health` | `audit.read` when healthy (`status`, thresholds), else one `audit.alert` per failed control, the checker in `checked_by` (`crate::health`) |
//! | `retention` | `audit.retention.archive` / `audit.retention.delete` per segment; `audit.read` (`range`, `hot_days`, `retain_days`) when it moved nothing (`crate::retention`) |
//! | `checkpoint` | `audit.checkpoint` ([`LogWriter::checkpoint_by`]), covered by the checkpoint it asks for |
//!
//! A forwarding run is recorded once per run, and only when it read something: see
//! [`crate::forward::Forwarder::run_recorded`] for why runs that ship only forwarding
//! records, and retries within an outage, are not recorded again. `append` writes the
//! caller's own records; `rotate-key` leaves an `audit.key.add` record by the operator
//! ([`LogWriter::rotate_key`]); `keygen` touches no log (a key enters
//! a log through `audit.key.add` when it first signs).
//!
//! Assessors verify without writing (`verify`, `verify-proof`, `verify-consistency` never
//! record): a verifier works on a copy, and a verification that changed the log would
//! change what it checks.
//!
//! Example record (`cdeguard audit tail -n 2` on a log of 10 records):
//!
//! ```json
//! {"v":1,"seq":10,"time":"…","actor":"user:alice (uid 1000)","action":"audit.read",
//!  "resource":"audit-log","outcome":"success","origin":{…},
//!  "details":{"command":"tail","range":{"from":8,"to":10},"records":2}}
//! ```

use serde_json::{Map, Value, json};

use crate::checkpoint::Checkpoint;
use crate::error::{AuditError, Result};
use crate::layout::Layout;
use crate::record::{Outcome, RecordInput};
use crate::writer::{Committed, LogWriter, WriterOptions};

/// The kinds of access that are recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessAction {
    /// Records shown (`tail`, `query`): `audit.read`.
    Read,
    /// Records exported in bulk (`export`): `audit.export`.
    Export,
    /// Inclusion or consistency proof made (`prove`, `consistency`): `audit.prove`.
    Prove,
}

impl AccessAction {
    /// The record's action.
    pub fn as_str(self) -> &'static str {
        match self {
            AccessAction::Read => "audit.read",
            AccessAction::Export => "audit.export",
            AccessAction::Prove => "audit.prove",
        }
    }
}

/// The resource of access records: the log itself.
pub const ACCESS_RESOURCE: &str = "audit-log";

/// One access to the log, filled in while the read runs.
#[derive(Clone, Debug)]
pub struct Access {
    /// Who read.
    pub actor: String,
    /// The kind of access.
    pub action: AccessAction,
    /// `command` (the subcommand), `range` (`{"from", "to"}`: sequence numbers read,
    /// half-open), `records` (how many came out), what else says what was read, and
    /// `error` when the read failed.
    pub details: Map<String, Value>,
    /// Whether the read worked.
    pub outcome: Outcome,
}

impl Access {
    /// A successful access by `actor` through `command` (until [`Access::failed`]).
    pub fn new(actor: &str, action: AccessAction, command: &str) -> Self {
        let mut details = Map::new();
        details.insert("command".into(), json!(command));
        Access {
            actor: actor.to_owned(),
            action,
            details,
            outcome: Outcome::Success,
        }
    }

    /// Adds one detail.
    pub fn detail(&mut self, key: &str, value: Value) -> &mut Self {
        self.details.insert(key.into(), value);
        self
    }

    /// Notes the records read: sequence numbers `[from, to)`, `records` of them output.
    pub fn range(&mut self, from: u64, to: u64, records: u64) -> &mut Self {
        self.detail("range", json!({ "from": from, "to": to }))
            .detail("records", json!(records))
    }

    /// Marks the read as failed with `error`.
    pub fn failed(&mut self, error: impl std::fmt::Display) -> &mut Self {
        self.outcome = Outcome::Failure;
        self.detail("error", json!(error.to_string()))
    }
}

impl LogWriter {
    /// Opens the log in `dir` for appending, refusing to create one: a read of a log
    /// that does not exist must not leave an empty log behind.
    pub fn open_existing(
        dir: &std::path::Path,
        options: WriterOptions,
        key: Option<crate::keys::SigningKey>,
    ) -> Result<Self> {
        let meta = Layout::new(dir).meta();
        if !meta.exists() {
            return Err(AuditError::Invalid(format!(
                "no audit log in `{}` (`{}` is missing)",
                dir.display(),
                meta.display()
            )));
        }
        LogWriter::open(dir, options, key)
    }

    /// Signs a checkpoint on `actor`'s request (`cdeguard audit checkpoint`): an
    /// `audit.checkpoint` record first, so that the checkpoint covers the record of its
    /// own request. Meant for a writer with a signing key: without one, no checkpoint
    /// is signed (`None`) and the record waits for the next checkpoint.
    pub fn checkpoint_by(&mut self, actor: &str) -> Result<Option<Checkpoint>> {
        self.append_reserved(RecordInput::new(
            actor,
            "audit.checkpoint",
            ACCESS_RESOURCE,
            Outcome::Success,
            json!({ "command": "checkpoint" }),
        ))?;
        self.checkpoint()
    }

    /// Appends the record of `access`.
    pub fn record_access(&mut self, access: Access) -> Result<Committed> {
        self.append_reserved(RecordInput::new(
            &access.actor,
            access.action.as_str(),
            ACCESS_RESOURCE,
            access.outcome,
            Value::Object(access.details),
        ))
    }
}
