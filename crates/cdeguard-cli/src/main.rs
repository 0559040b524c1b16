//! `cdeguard`: argument parsing and glue only; the work is done by the library crates.

#![allow(clippy::print_stdout, clippy::print_stderr)] // the CLI is where output belongs

mod audit;
mod audit_trail;
mod commands;
mod db;
mod netpol;

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let cli = commands::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("cdeguard: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
