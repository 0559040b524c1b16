//! `cdeguard audit`: the tamper-evident audit trail (clap definitions and glue; the work
//! is in `cdeguard-audit`).

use std::io::{BufWriter, Write as _};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};
use cdeguard_audit::Record;
use cdeguard_audit::access::{Access, AccessAction};
use cdeguard_audit::batch::Batch;
use cdeguard_audit::export::{self, Format};
use cdeguard_audit::ingest;
use cdeguard_audit::keys::{PublicKey, SigningKey, public_path_for};
use cdeguard_audit::proof::{self, ConsistencyProof, InclusionProof};
use cdeguard_audit::query::{self, Filter};
use cdeguard_audit::verify::{VerifyOptions, verify};
use cdeguard_audit::{LogWriter, WriterOptions};
use clap::{Args, Subcommand};
use serde_json::json;

use crate::audit_trail::{actor, signing_key_from_env};

/// Exit code when verification finds tampering or a check fails.
const EXIT_FAILED: u8 = 1;

#[derive(Args, Debug)]
pub(crate) struct AuditArgs {
    /// The log directory.
    #[arg(long, global = true, env = "CDEGUARD_AUDIT_LOG")]
    log: Option<PathBuf>,
    #[command(subcommand)]
    command: AuditCommand,
}

#[derive(Args, Debug)]
struct WriterArgs {
    /// Private key that signs checkpoints (from `cdeguard audit keygen`).
    #[arg(long, env = "CDEGUARD_AUDIT_KEY")]
    key: Option<PathBuf>,
    /// Start a new segment file at this size, in bytes.
    #[arg(long, default_value_t = 64 << 20)]
    segment_bytes: u64,
    /// Sign a checkpoint after this many records.
    #[arg(long, default_value_t = 10_000)]
    checkpoint_records: u64,
    /// Sign a checkpoint when the last one is older than this many seconds.
    #[arg(long, default_value_t = 60)]
    checkpoint_secs: u64,
}

#[derive(Subcommand, Debug)]
enum AuditCommand {
    /// Generate an Ed25519 checkpoint key (FILE, and its public key FILE.pub).
    Keygen {
        /// Where to write the private key (never overwritten).
        #[arg(long)]
        out: PathBuf,
    },
    /// Append records: NDJSON on standard input, one record per line; prints an
    /// acknowledgement line after each durable group commit.
    Append {
        #[command(flatten)]
        writer: WriterArgs,
        /// Most records per group commit.
        #[arg(long, default_value_t = 8192)]
        batch: usize,
    },
    /// Sign a checkpoint now.
    Checkpoint {
        #[command(flatten)]
        writer: WriterArgs,
    },
    /// Replace the checkpoint key; the old key vouches for the new one in the log.
    RotateKey {
        #[command(flatten)]
        writer: WriterArgs,
        /// The new private key.
        #[arg(long)]
        new_key: PathBuf,
    },
    /// Print the last records.
    Tail {
        /// How many.
        #[arg(short = 'n', long, default_value_t = 10)]
        count: u64,
        /// ndjson, cef, rfc5424.
        #[arg(long, default_value = "ndjson")]
        format: Format,
    },
    /// Print the records matching a filter (text fields: exact, or prefix with a trailing `*`).
    Query {
        /// At or after this time (RFC 3339).
        #[arg(long)]
        since: Option<jiff::Timestamp>,
        /// Before this time (RFC 3339).
        #[arg(long)]
        until: Option<jiff::Timestamp>,
        /// Actor.
        #[arg(long)]
        actor: Option<String>,
        /// Action.
        #[arg(long)]
        action: Option<String>,
        /// Resource.
        #[arg(long)]
        resource: Option<String>,
        /// ndjson, cef, rfc5424.
        #[arg(long, default_value = "ndjson")]
        format: Format,
    },
    /// Verify the whole log (or a range) offline; exit 1 naming the first bad record.
    Verify {
        /// Trusted checkpoint public key(s); without one, the log's first key is trusted.
        #[arg(long)]
        public_key: Vec<PathBuf>,
        /// First record to verify.
        #[arg(long)]
        from: Option<u64>,
        /// Last record to verify.
        #[arg(long)]
        to: Option<u64>,
    },
    /// Export records: ndjson, cef, rfc5424 or cef-syslog, one per line.
    Export {
        /// Output format.
        #[arg(long, default_value = "ndjson")]
        format: Format,
        /// First record.
        #[arg(long, default_value_t = 0)]
        from: u64,
    },
    /// Inclusion proof of one record against a signed checkpoint (JSON).
    Prove {
        /// The record's sequence number.
        #[arg(long)]
        seq: u64,
        /// Size of the checkpoint to prove against (default: the newest).
        #[arg(long)]
        checkpoint: Option<u64>,
    },
    /// Check an inclusion proof with only the public key; prints the record.
    VerifyProof {
        /// The proof file (`-` for standard input).
        proof: PathBuf,
        /// Trusted public key(s).
        #[arg(long, required = true)]
        public_key: Vec<PathBuf>,
    },
    /// Consistency proof between two checkpoints (JSON).
    Consistency {
        /// Size of the older checkpoint.
        #[arg(long)]
        old: u64,
        /// Size of the newer checkpoint (default: the newest).
        #[arg(long)]
        new: Option<u64>,
    },
    /// Ship records to a SIEM at least once, from an on-disk cursor:
    /// tcp://, tls://, udp:// (syslog), hec+http(s):// (Splunk), webhook+http(s)://.
    /// Each run that ships records is recorded in the log (`audit.export`).
    Forward {
        /// Destination URL.
        #[arg(long)]
        to: cdeguard_audit::forward::Destination,
        /// Cursor name (one per destination).
        #[arg(long, default_value = "siem")]
        name: String,
        /// Syslog rendering: rfc5424 or cef-syslog.
        #[arg(long, default_value = "rfc5424")]
        format: Format,
        /// Records per batch.
        #[arg(long, default_value_t = 500)]
        batch: usize,
        /// CA certificates (PEM) for TLS destinations.
        #[arg(long)]
        ca: Option<PathBuf>,
        /// Splunk HEC token.
        #[arg(long, env = "CDEGUARD_HEC_TOKEN", hide_env_values = true)]
        hec_token: Option<String>,
        /// Webhook HMAC secret.
        #[arg(long, env = "CDEGUARD_WEBHOOK_SECRET", hide_env_values = true)]
        hmac_secret: Option<String>,
        /// Keep running: forward new records as they arrive, retrying after failures.
        #[arg(long)]
        follow: bool,
    },
    /// Archive (zstd) segments older than the hot window; delete those older than the
    /// retention (both recorded in the log).
    Retention {
        #[command(flatten)]
        writer: WriterArgs,
        /// Days kept uncompressed.
        #[arg(long, default_value_t = 92)]
        hot_days: u64,
        /// Days kept at all.
        #[arg(long, default_value_t = 366)]
        retain_days: u64,
        /// Evaluate as of this time (RFC 3339; default now).
        #[arg(long)]
        now: Option<jiff::Timestamp>,
    },
    /// Check the audit control (verify, forwarding backlog, unsigned records, clock);
    /// record the check (an alert per problem) and exit 1 if there is any problem.
    Health {
        #[command(flatten)]
        writer: WriterArgs,
        /// Trusted checkpoint public key(s).
        #[arg(long)]
        public_key: Vec<PathBuf>,
        /// Oldest unforwarded record allowed, seconds.
        #[arg(long, default_value_t = 900)]
        max_backlog_secs: u64,
        /// Oldest record not covered by a signed checkpoint allowed, seconds.
        #[arg(long, default_value_t = 3600)]
        max_unsigned_secs: u64,
    },
    /// Check a consistency proof with only the public key.
    VerifyConsistency {
        /// The proof file (`-` for standard input).
        proof: PathBuf,
        /// Trusted public key(s).
        #[arg(long, required = true)]
        public_key: Vec<PathBuf>,
    },
}

impl WriterArgs {
    fn open(&self, log: &Path) -> anyhow::Result<LogWriter> {
        let key = self.key.as_deref().map(SigningKey::load).transpose()?;
        Ok(LogWriter::open(log, self.options(), key)?)
    }

    /// Opens the log for a command that reads it (see [`access_writer`]), with these
    /// settings.
    fn open_existing(&self, log: &Path) -> anyhow::Result<LogWriter> {
        let key = self.key.as_deref().map(SigningKey::load).transpose()?;
        access_writer(log, self.options(), key)
    }

    fn options(&self) -> WriterOptions {
        WriterOptions {
            segment_bytes: self.segment_bytes,
            checkpoint_records: self.checkpoint_records,
            checkpoint_interval: Duration::from_secs(self.checkpoint_secs),
            ..WriterOptions::default()
        }
    }
}

/// Opens the existing log in `log` to record an access to it (PCI DSS 10.2.1.3), before
/// anything is read: a log that cannot record the access (missing, read-only, damaged)
/// is not read at all.
fn access_writer(
    log: &Path,
    options: WriterOptions,
    key: Option<SigningKey>,
) -> anyhow::Result<LogWriter> {
    LogWriter::open_existing(log, options, key).with_context(|| {
        format!(
            "cannot record this access in the audit log `{}` (PCI DSS 10.2.1.3); \
             an assessor verifies a copy with `cdeguard audit verify`, which never writes",
            log.display()
        )
    })
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> anyhow::Result<T> {
    let text = if path == Path::new("-") {
        std::io::read_to_string(std::io::stdin())?
    } else {
        std::fs::read_to_string(path)
            .with_context(|| format!("cannot read `{}`", path.display()))?
    };
    serde_json::from_str(&text)
        .with_context(|| format!("`{}` is not a valid proof", path.display()))
}

fn public_keys(paths: &[PathBuf]) -> anyhow::Result<Vec<PublicKey>> {
    Ok(paths
        .iter()
        .map(|p| PublicKey::load(p))
        .collect::<Result<_, _>>()?)
}

fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

pub(crate) fn run(args: AuditArgs) -> anyhow::Result<ExitCode> {
    let log = || {
        args.log
            .as_deref()
            .context("--log DIR (or CDEGUARD_AUDIT_LOG) is required")
    };
    match &args.command {
        AuditCommand::Keygen { out } => {
            let key = SigningKey::generate_to(out)?;
            println!(
                "key {} written to {} (public key: {})",
                key.public().id(),
                out.display(),
                public_path_for(out).display()
            );
        }
        AuditCommand::Append { writer, batch } => append(writer.open(log()?)?, (*batch).max(1))?,
        AuditCommand::Checkpoint { writer } => {
            if writer.key.is_none() {
                bail!("no key: pass --key to sign checkpoints");
            }
            match writer.open(log()?)?.checkpoint_by(&actor())? {
                Some(c) => print_json(&c)?,
                None => bail!("no checkpoint was signed"),
            }
        }
        AuditCommand::RotateKey { writer, new_key } => {
            let new_key = SigningKey::load(new_key)?;
            print_json(&writer.open(log()?)?.rotate_key(&actor(), new_key)?)?;
        }
        AuditCommand::Tail { count, format } => {
            let dir = log()?;
            let mut read = AuditedRead::open(dir, AccessAction::Read, "tail")?;
            read.access.detail("format", json!(format.name()));
            let (result, shown) = print_records(*format, |visit| query::tail(dir, *count, visit));
            read.finish(result, |range, access| {
                access.range(range.start, range.end, shown);
            })?;
        }
        AuditCommand::Query {
            since,
            until,
            actor,
            action,
            resource,
            format,
        } => {
            let filter = Filter {
                since: *since,
                until: *until,
                actor: actor.clone(),
                action: action.clone(),
                resource: resource.clone(),
            };
            let dir = log()?;
            let mut read = AuditedRead::open(dir, AccessAction::Read, "query")?;
            read.access
                .detail("filter", filter_details(&filter))
                .detail("format", json!(format.name()));
            let (result, shown) =
                print_records(*format, |visit| query::query(dir, 0, &filter, visit));
            read.finish(result, |range, access| {
                access.range(range.start, range.end, shown);
            })?;
        }
        AuditCommand::Export { format, from } => {
            let dir = log()?;
            let mut read = AuditedRead::open(dir, AccessAction::Export, "export")?;
            read.access.detail("format", json!(format.name()));
            let (result, shown) = print_records(*format, |visit| {
                query::query(dir, *from, &Filter::default(), visit)
            });
            read.finish(result, |range, access| {
                access.range(range.start, range.end, shown);
            })?;
        }
        AuditCommand::Verify {
            public_key,
            from,
            to,
        } => {
            let options = VerifyOptions {
                trusted_keys: public_keys(public_key)?,
                from: *from,
                to: *to,
            };
            let report = verify(log()?, &options)?;
            for warning in &report.warnings {
                eprintln!("cdeguard: warning: {warning}");
            }
            if let Some(failure) = &report.failure {
                println!("FAILED: {failure}");
                return Ok(ExitCode::from(EXIT_FAILED));
            }
            println!(
                "OK: records {}..{} verified; {} checkpoints checked (newest covers {}), keys: {}",
                report.first_seq,
                report.first_seq + report.records,
                report.checkpoints_checked,
                report
                    .last_checkpoint
                    .map_or_else(|| "none".into(), |s| s.to_string()),
                if report.keys.is_empty() {
                    "-".into()
                } else {
                    report.keys.join(", ")
                }
            );
        }
        AuditCommand::Prove { seq, checkpoint } => {
            // Shown only once the access is recorded.
            let read = AuditedRead::open(log()?, AccessAction::Prove, "prove")?;
            let proof = read.finish(
                proof::prove_inclusion(log()?, *seq, *checkpoint),
                |proof, access| {
                    access
                        .range(proof.seq, proof.seq + 1, 1)
                        .detail("checkpoint_size", json!(proof.checkpoint.size));
                },
            )?;
            print_json(&proof)?;
        }
        AuditCommand::VerifyProof {
            proof: path,
            public_key,
        } => {
            let bundle: InclusionProof = read_json(path)?;
            match proof::verify_inclusion_proof(&bundle, &public_keys(public_key)?) {
                Ok(_) => {
                    println!(
                        "OK: record {} is in the log at checkpoint size {} signed by key {}",
                        bundle.seq, bundle.checkpoint.size, bundle.checkpoint.key_id
                    );
                    println!("{}", bundle.record);
                }
                Err(e) => {
                    println!("FAILED: {e}");
                    return Ok(ExitCode::from(EXIT_FAILED));
                }
            }
        }
        AuditCommand::Consistency { old, new } => {
            let read = AuditedRead::open(log()?, AccessAction::Prove, "consistency")?;
            let proof = read.finish(
                proof::prove_consistency(log()?, *old, *new),
                |proof, access| {
                    access
                        .detail("old_size", json!(proof.old.size))
                        .detail("new_size", json!(proof.new.size));
                },
            )?;
            print_json(&proof)?;
        }
        AuditCommand::Forward {
            to,
            name,
            format,
            batch,
            ca,
            hec_token,
            hmac_secret,
            follow,
        } => {
            let options = cdeguard_audit::forward::ForwardOptions {
                format: *format,
                batch: *batch,
                ca_file: ca.clone(),
                hec_token: hec_token.clone(),
                hmac_secret: hmac_secret.as_ref().map(|s| s.as_bytes().to_vec()),
                ..Default::default()
            };
            let dir = log()?;
            let mut writer = access_writer(dir, WriterOptions::default(), signing_key_from_env()?)?;
            let mut forwarder =
                cdeguard_audit::forward::Forwarder::new(dir, name, to.clone(), options)?;
            let actor = actor();
            if !*follow {
                let sent = forwarder.run_recorded(&mut writer, &actor)?;
                println!("forwarded {sent} records; next: {}", forwarder.next_seq());
                return Ok(ExitCode::SUCCESS);
            }
            let mut backoff = Duration::from_secs(1);
            loop {
                match forwarder.run_recorded(&mut writer, &actor) {
                    Ok(_) => backoff = Duration::from_secs(1),
                    Err(e) => {
                        eprintln!("cdeguard: warning: {e}; retrying in {}s", backoff.as_secs());
                        std::thread::sleep(backoff);
                        backoff = (backoff * 2).min(Duration::from_secs(30));
                        continue;
                    }
                }
                std::thread::sleep(Duration::from_secs(1));
            }
        }
        AuditCommand::Retention {
            writer,
            hot_days,
            retain_days,
            now,
        } => {
            let day = 86_400;
            let policy = cdeguard_audit::retention::RetentionPolicy {
                hot: Duration::from_secs(hot_days * day),
                total: Duration::from_secs(retain_days * day),
            };
            let mut log_writer = writer.open_existing(log()?)?;
            let now = now.unwrap_or_else(jiff::Timestamp::now);
            let report = cdeguard_audit::retention::apply(&mut log_writer, &actor(), policy, now)?;
            println!(
                "archived segments: {:?}; deleted segments: {:?}",
                report.archived, report.deleted
            );
        }
        AuditCommand::Health {
            writer,
            public_key,
            max_backlog_secs,
            max_unsigned_secs,
        } => {
            let options = cdeguard_audit::health::HealthOptions {
                trusted_keys: public_keys(public_key)?,
                max_backlog: Duration::from_secs(*max_backlog_secs),
                max_unsigned: Duration::from_secs(*max_unsigned_secs),
                ..Default::default()
            };
            let alerts = cdeguard_audit::health::check(log()?, &options, jiff::Timestamp::now())?;
            for alert in &alerts {
                println!("ALERT {}: {}", alert.kind, alert.message);
            }
            // Checked even when the log cannot record the check: that is a failed control too.
            let recorded = writer.open_existing(log()?).and_then(|mut w| {
                Ok(cdeguard_audit::health::record_check(
                    &mut w,
                    &actor(),
                    &options,
                    &alerts,
                )?)
            });
            if let Err(e) = recorded {
                eprintln!("cdeguard: error: cannot record this health check: {e:#}");
                return Ok(ExitCode::from(EXIT_FAILED));
            }
            if !alerts.is_empty() {
                return Ok(ExitCode::from(EXIT_FAILED));
            }
            println!("OK: the audit trail is healthy");
        }
        AuditCommand::VerifyConsistency {
            proof: path,
            public_key,
        } => {
            let bundle: ConsistencyProof = read_json(path)?;
            match proof::verify_consistency_proof(&bundle, &public_keys(public_key)?) {
                Ok(()) => println!(
                    "OK: the log of size {} is a prefix of the log of size {}",
                    bundle.old.size, bundle.new.size
                ),
                Err(e) => {
                    println!("FAILED: {e}");
                    return Ok(ExitCode::from(EXIT_FAILED));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A read of the log, recorded in the log once it is over (PCI DSS 10.2.1.3, see
/// `cdeguard_audit::access`); the writer is opened before anything is read
/// ([`access_writer`]).
struct AuditedRead {
    writer: LogWriter,
    access: Access,
}

impl AuditedRead {
    fn open(log: &Path, action: AccessAction, command: &str) -> anyhow::Result<Self> {
        Ok(AuditedRead {
            writer: access_writer(log, WriterOptions::default(), signing_key_from_env()?)?,
            access: Access::new(&actor(), action, command),
        })
    }

    /// Records the read with its result (`describe` notes what a successful read covered)
    /// and hands the result on; an access that cannot be recorded fails the command.
    fn finish<T>(
        mut self,
        result: cdeguard_audit::Result<T>,
        describe: impl FnOnce(&T, &mut Access),
    ) -> anyhow::Result<T> {
        match &result {
            Ok(value) => describe(value, &mut self.access),
            Err(e) => {
                self.access.failed(e);
            }
        }
        let recorded = self
            .writer
            .record_access(self.access)
            .context("cannot record this read in the audit log (PCI DSS 10.2.1.3)");
        let value = result?;
        recorded?;
        Ok(value)
    }
}

/// Prints the records `read` visits in `format`; returns its result and how many were
/// printed.
fn print_records(
    format: Format,
    read: impl FnOnce(
        &mut dyn FnMut(&[u8], &Record) -> cdeguard_audit::Result<()>,
    ) -> cdeguard_audit::Result<Range<u64>>,
) -> (cdeguard_audit::Result<Range<u64>>, u64) {
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut printed = 0;
    let result = read(&mut |payload, record| {
        printed += 1;
        writeln!(out, "{}", export::render(format, payload, record)).map_err(io_error)
    })
    .and_then(|range| out.flush().map_err(io_error).map(|()| range));
    (result, printed)
}

/// The filter of a `query`, as given.
fn filter_details(filter: &Filter) -> serde_json::Value {
    json!({
        "since": filter.since.map(|t| t.to_string()),
        "until": filter.until.map(|t| t.to_string()),
        "actor": filter.actor,
        "action": filter.action,
        "resource": filter.resource,
    })
}

fn io_error(e: std::io::Error) -> cdeguard_audit::AuditError {
    cdeguard_audit::AuditError::io(Path::new("<stdout>"), e)
}

/// Reads NDJSON from standard input and commits in groups (see `cdeguard_audit::ingest`),
/// pipelined (`cdeguard_audit::pipeline`), printing an acknowledgement after each durable
/// commit.
fn append(mut writer: LogWriter, batch: usize) -> anyhow::Result<()> {
    let input = std::io::BufReader::with_capacity(1 << 20, std::io::stdin());
    let mut out = std::io::stdout();
    let mut acked: u64 = 0;
    writer.append_pipelined(
        |commit| ingest::run(input, batch, |records: &Batch| commit(records)),
        |committed| {
            // System records (recovery notes, alerts) are not the caller's.
            acked += committed.user_count;
            writeln!(
                out,
                "{{\"acked\":{acked},\"last_seq\":{}}}",
                committed.first_seq + committed.count - 1
            )
            .and_then(|()| out.flush())
            .map_err(io_error)
        },
    )?;
    Ok(())
}
