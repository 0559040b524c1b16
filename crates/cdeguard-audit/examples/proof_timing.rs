//! In-process proof generation timing for `bench/audit.sh` (issue 7: under 1 ms per
//! proof): opens a log once, then times N inclusion proofs of random records against the
//! newest checkpoint and N consistency proofs between random pairs of its checkpoints,
//! and prints the median and 99th percentile of each. Usage: `proof_timing LOG [N]`.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use cdeguard_audit::proof::Prover;

/// xorshift64: reproducible random indexes without a dependency.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// "median X µs, p99 Y µs" of the samples.
fn summary(mut samples: Vec<Duration>) -> String {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    format!(
        "median {:.1} µs, p99 {:.1} µs, max {:.1} µs",
        at(0.5).as_secs_f64() * 1e6,
        at(0.99).as_secs_f64() * 1e6,
        at(1.0).as_secs_f64() * 1e6
    )
}

fn run(log: PathBuf, n: usize) -> cdeguard_audit::Result<String> {
    let opened = Instant::now();
    let prover = Prover::open(&log)?;
    let open_time = opened.elapsed();
    let checkpoints: Vec<u64> = prover.checkpoints().iter().map(|c| c.size).collect();
    let (Some(&newest), true) = (checkpoints.last(), checkpoints.len() >= 2) else {
        return Err(cdeguard_audit::AuditError::Invalid(
            "the log needs at least two signed checkpoints".into(),
        ));
    };
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut inclusion = Vec::with_capacity(n);
    for _ in 0..n {
        let seq = rng.below(newest);
        let start = Instant::now();
        let proof = prover.inclusion(seq, None)?;
        inclusion.push(start.elapsed());
        assert_eq!(proof.seq, seq);
    }
    let mut consistency = Vec::with_capacity(n);
    for _ in 0..n {
        let a = checkpoints[rng.below(checkpoints.len() as u64) as usize];
        let b = checkpoints[rng.below(checkpoints.len() as u64) as usize];
        let start = Instant::now();
        prover.consistency(a.min(b), Some(a.max(b)))?;
        consistency.push(start.elapsed());
    }
    Ok(format!(
        "log of {newest} records, {} checkpoints, opened in {:.1} µs\n  inclusion proof ({n} random records): {}\n  consistency proof ({n} random checkpoint pairs): {}",
        checkpoints.len(),
        open_time.as_secs_f64() * 1e6,
        summary(inclusion),
        summary(consistency)
    ))
}

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(log) = args.next().map(PathBuf::from) else {
        let _ = writeln!(std::io::stderr(), "usage: proof_timing LOG [N]");
        return ExitCode::from(2);
    };
    let n = args
        .next()
        .and_then(|n| n.to_str()?.parse().ok())
        .unwrap_or(1000);
    match run(log, n.max(1)) {
        Ok(text) => {
            let _ = writeln!(std::io::stdout(), "{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "proof_timing: {e}");
            ExitCode::from(2)
        }
    }
}
