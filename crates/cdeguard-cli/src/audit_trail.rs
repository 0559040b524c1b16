//! Audit records of the commands that change state or read sensitive results (PCI DSS
//! 10.2.1, 10.2.2): with `--audit-log DIR` (or `CDEGUARD_AUDIT_LOG`), `scan`, `db build`,
//! `db update` and `netpol generate` each append one record once they finish: who ran it
//! (the user), what (`scan.run`, `db.build`, `db.update`, `netpol.generate`), on what (the targets, with the SHA-256 of every
//! input file, the accepted-risk file and VEX documents, so a change to accepted risks
//! shows in the trail), the outcome (exit code, or the error) and a summary (finding
//! counts per severity, never a finding's content). Checkpoints are signed with
//! `CDEGUARD_AUDIT_KEY` when it is set. A record that cannot be written fails the command
//! (exit 2): an unlogged run is a failed control (10.7).

use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use cdeguard_audit::hash::Digest;
use cdeguard_audit::keys::SigningKey;
use cdeguard_audit::{LogWriter, Outcome, RecordInput, WriterOptions};
use cdeguard_model::{ScanReport, Severity};
use serde_json::{Map, Value, json};

/// The record of one command run, filled while the command runs.
pub(crate) struct CommandRecord {
    action: &'static str,
    resource: String,
    details: Map<String, Value>,
}

impl CommandRecord {
    pub(crate) fn new(action: &'static str, resource: String) -> Self {
        CommandRecord {
            action,
            resource,
            details: Map::new(),
        }
    }

    /// Adds one detail.
    pub(crate) fn detail(&mut self, key: &str, value: Value) {
        self.details.insert(key.into(), value);
    }

    /// Notes input files by path and SHA-256 (folders and unreadable paths by path only).
    pub(crate) fn inputs<'a>(&mut self, key: &str, paths: impl IntoIterator<Item = &'a Path>) {
        let inputs: Vec<Value> = paths
            .into_iter()
            .map(|path| {
                let mut input = json!({ "path": path.display().to_string() });
                if path.is_file()
                    && let Ok(digest) = Digest::of_file(path)
                {
                    input["sha256"] = json!(digest.to_hex());
                }
                input
            })
            .collect();
        self.details.insert(key.into(), Value::Array(inputs));
    }

    /// Notes a scan's summary: finding counts per severity (suppressed apart), errors.
    pub(crate) fn scan_summary(&mut self, report: &ScanReport) {
        let mut by_severity = Map::new();
        for severity in Severity::ALL {
            let count = report
                .findings
                .iter()
                .filter(|f| f.severity == severity && !f.is_suppressed())
                .count();
            by_severity.insert(severity.to_string(), json!(count));
        }
        let suppressed = report.findings.iter().filter(|f| f.is_suppressed()).count();
        self.details.insert(
            "summary".into(),
            json!({
                "findings": by_severity,
                "suppressed": suppressed,
                "input_errors": report.errors.len(),
            }),
        );
    }

    /// Appends the record to the log in `log` with the command's result as outcome.
    pub(crate) fn write(
        mut self,
        log: &Path,
        result: &anyhow::Result<ExitCode>,
    ) -> anyhow::Result<()> {
        let outcome = match result {
            Ok(code) => {
                let number = (0..=u8::MAX).find(|n| ExitCode::from(*n) == *code);
                self.details.insert("exit_code".into(), json!(number));
                // 1 = findings at or above `--fail-on`: the run itself succeeded.
                if number.is_some_and(|n| n <= 1) {
                    Outcome::Success
                } else {
                    Outcome::Failure
                }
            }
            Err(e) => {
                self.details.insert("error".into(), json!(format!("{e:#}")));
                Outcome::Failure
            }
        };
        let mut writer = LogWriter::open(log, WriterOptions::default(), signing_key_from_env()?)
            .with_context(|| format!("cannot open the audit log `{}`", log.display()))?;
        let record = RecordInput::new(
            &actor(),
            self.action,
            &self.resource,
            outcome,
            Value::Object(self.details),
        );
        writer
            .append(vec![record])
            .with_context(|| format!("cannot write the audit record to `{}`", log.display()))?;
        Ok(())
    }
}

/// The checkpoint key named by `CDEGUARD_AUDIT_KEY`, if set.
pub(crate) fn signing_key_from_env() -> anyhow::Result<Option<SigningKey>> {
    Ok(std::env::var_os("CDEGUARD_AUDIT_KEY")
        .map(PathBuf::from)
        .map(|path| SigningKey::load(&path))
        .transpose()?)
}

/// The user running the command: the login name, else the numeric user id.
pub(crate) fn actor() -> String {
    let uid = std::fs::metadata("/proc/self").map_or_else(|_| "?".into(), |m| m.uid().to_string());
    match std::env::var("USER").or_else(|_| std::env::var("LOGNAME")) {
        Ok(name) if !name.is_empty() => format!("user:{name} (uid {uid})"),
        _ => format!("uid:{uid}"),
    }
}
