//! The cost floor of `bench/audit.sh`: appends NDJSON lines from standard input to a
//! plain file with one `fdatasync` per group, through the same reader, grouping and
//! threads as `cdeguard audit append` (`cdeguard_audit::ingest`), but with no parsing,
//! hashing, Merkle tree or signing. Usage: `plain_append FILE [MAX_GROUP]`.

use std::fs::OpenOptions;
use std::io::{BufReader, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use cdeguard_audit::AuditError;
use cdeguard_audit::ingest::{self, Group};

/// Raw lines, each with its line break restored.
#[derive(Default)]
struct RawLines {
    bytes: Vec<u8>,
    count: usize,
}

impl Group for RawLines {
    fn add(&mut self, text: &str, _line: usize) -> cdeguard_audit::Result<()> {
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

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(path) = args.next().map(PathBuf::from) else {
        let _ = writeln!(std::io::stderr(), "usage: plain_append FILE [MAX_GROUP]");
        return ExitCode::from(2);
    };
    let max = args
        .next()
        .and_then(|n| n.to_str()?.parse().ok())
        .unwrap_or(8192);
    let run = || -> cdeguard_audit::Result<()> {
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(AuditError::at(&path))?;
        let input = BufReader::with_capacity(1 << 20, std::io::stdin());
        ingest::run(input, max, |lines: &RawLines| {
            file.write_all(&lines.bytes)
                .and_then(|()| file.sync_data())
                .map_err(AuditError::at(&path))
        })
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "plain_append: {e}");
            ExitCode::from(2)
        }
    }
}
