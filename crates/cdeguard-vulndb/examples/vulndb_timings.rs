//! Timings for `bench/vulndb.sh`: opens a database, matches a package list, and prints
//! the open and match times, the match count and the peak resident memory.
//!
//! Usage: `vulndb_timings DB PACKAGES.tsv` where each line is `ecosystem<TAB>name<TAB>version`.

#![allow(clippy::print_stdout)] // a benchmark prints its figures

use std::time::Instant;

use cdeguard_model::{Ecosystem, Package};

// As the `cdeguard` binary.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(db), Some(list)) = (args.next(), args.next()) else {
        return Err("usage: vulndb_timings DB PACKAGES.tsv".into());
    };
    let text = std::fs::read_to_string(&list)?;
    let packages: Vec<Package> = text
        .lines()
        .filter_map(|line| {
            let mut fields = line.split('\t');
            let ecosystem = Ecosystem::from_osv(fields.next()?)?;
            Some(Package {
                ecosystem,
                name: fields.next()?.to_owned(),
                version: fields.next()?.to_owned(),
                purl: String::new(),
                distro_release: None,
                source_name: None,
                source_version: None,
                licenses: Vec::new(),
                layer: None,
                found_in: list.clone(),
            })
        })
        .collect();
    let started = Instant::now();
    let db = cdeguard_vulndb::Database::open(std::path::Path::new(&db))?;
    let opened = started.elapsed();
    let started = Instant::now();
    let result = cdeguard_vulndb::matcher::match_packages(&db, &packages)?;
    let matched = started.elapsed();
    let peak_kib = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok())
        })
        .unwrap_or(0);
    println!(
        "open_ms={:.3} match_ms={:.3} threads={} packages={} matches={} peak_rss_mib={:.1}",
        opened.as_secs_f64() * 1e3,
        matched.as_secs_f64() * 1e3,
        rayon::current_num_threads(),
        packages.len(),
        result.matches.len(),
        peak_kib as f64 / 1024.0
    );
    Ok(())
}
