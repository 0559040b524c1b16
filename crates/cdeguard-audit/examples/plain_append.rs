//! The cost floors of `bench/audit.sh`: appends NDJSON from standard input to a plain
//! file with one `fdatasync` per group, through the same reader, grouping and threads as
//! `cdeguard audit append` (`cdeguard_audit::ingest`), with no hashing, Merkle tree or
//! signing. Two floors:
//!
//! - `raw`: the input lines as they come (no parsing either);
//! - `records`: each line parsed, validated and stamped exactly as the audit log does
//!   (`cdeguard_audit::batch::Batch`: sequence number, time, origin, canonical JSON) and
//!   written as one JSON line: the audit log's records without framing, hash chain,
//!   Merkle tree or checkpoints. The distance from this floor to `cdeguard audit append`
//!   is what hashing, the tree and signing cost.
//!
//! Usage: `plain_append raw|records FILE [MAX_GROUP]`.

use std::fs::{File, OpenOptions};
use std::io::{BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cdeguard_audit::batch::Batch;
use cdeguard_audit::ingest::{self, Group};
use cdeguard_audit::record::{Origin, format_time};
use cdeguard_audit::{AuditError, Result};

/// Raw lines, each with its line break restored.
#[derive(Default)]
struct RawLines {
    bytes: Vec<u8>,
    count: usize,
}

impl Group for RawLines {
    fn add(&mut self, text: &str, _line: usize) -> Result<()> {
        self.bytes.extend_from_slice(text.as_bytes());
        self.bytes.push(b'\n');
        self.count += 1;
        Ok(())
    }
    fn len(&self) -> usize {
        self.count
    }
    fn clear(&mut self) {
        self.bytes.clear();
        self.count = 0;
    }
}

/// Appends `bytes` and makes them durable.
fn append_durable(file: &mut File, path: &Path, bytes: &[u8]) -> Result<()> {
    file.write_all(bytes)
        .and_then(|()| file.sync_data())
        .map_err(AuditError::at(path))
}

fn run(mode: &str, path: &Path, max: usize) -> Result<()> {
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(AuditError::at(path))?;
    let input = BufReader::with_capacity(1 << 20, std::io::stdin());
    match mode {
        "raw" => ingest::run(input, max, |lines: &RawLines| {
            append_durable(&mut file, path, &lines.bytes)
        }),
        "records" => {
            let origin = serde_json::to_vec(&Origin::current())
                .map_err(|e| AuditError::Invalid(e.to_string()))?;
            let (mut seq, mut out) = (0, Vec::new());
            ingest::run(input, max, |batch: &Batch| {
                let now = format_time(jiff::Timestamp::now());
                out.clear();
                for index in 0..batch.len() {
                    batch.write_payload(index, seq, &now, &origin, &mut out);
                    out.push(b'\n');
                    seq += 1;
                }
                append_durable(&mut file, path, &out)
            })
        }
        other => Err(AuditError::Invalid(format!(
            "unknown floor `{other}` (raw or records)"
        ))),
    }
}

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(mode), Some(path)) = (
        args.next().and_then(|m| m.into_string().ok()),
        args.next().map(PathBuf::from),
    ) else {
        let _ = writeln!(
            std::io::stderr(),
            "usage: plain_append raw|records FILE [MAX_GROUP]"
        );
        return ExitCode::from(2);
    };
    let max = args
        .next()
        .and_then(|n| n.to_str()?.parse().ok())
        .unwrap_or(8192);
    match run(&mode, &path, max) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "plain_append: {e}");
            ExitCode::from(2)
        }
    }
}
