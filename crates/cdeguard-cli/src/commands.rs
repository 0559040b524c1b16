//! Command-line definition and dispatch.

use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use cdeguard_collect::Target;
use cdeguard_model::Severity;
use cdeguard_report::{Format, TerminalOptions};
use cdeguard_rules::RuleSet;
use clap::{Parser, Subcommand};

/// Exit code when findings at or above `--fail-on` remain.
const EXIT_FINDINGS: u8 = 1;
/// Exit code for usage and input errors.
const EXIT_ERROR: u8 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "cdeguard",
    version,
    about = "PCI DSS v4.0.1 compliance and security for containerized cardholder data environments"
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Scan Kubernetes manifests, Compose files, docker inspect output, Dockerfiles, container images (docker-archive, OCI layout or archive), root filesystems and SBOMs.
    Scan(ScanArgs),
    /// List the built-in rules, or explain one.
    Rules {
        #[command(subcommand)]
        action: Option<RulesAction>,
    },
}

#[derive(Subcommand, Debug)]
enum RulesAction {
    /// List every rule: id, severity, rule sets, PCI DSS and CIS references.
    List,
    /// Print a rule's documentation.
    Explain { id: String },
}

#[derive(clap::Args, Debug)]
struct ScanArgs {
    /// Files or folders to scan; `-` reads standard input.
    #[arg(required = true)]
    targets: Vec<String>,
    /// Output format: terminal, json, cyclonedx, spdx (SBOMs of the images scanned).
    #[arg(long, short = 'f', default_value = "terminal")]
    format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
    /// Exit 1 when an open finding has this severity or higher.
    #[arg(long)]
    fail_on: Option<Severity>,
    /// Rule sets, comma-separated: pss-baseline, pss-restricted, cis-kubernetes,
    /// cis-docker, pci, all.
    #[arg(long, default_value = "all")]
    rules: String,
    /// Platform to read from multi-platform images (`os/arch[/variant]`); default: the host's.
    #[arg(long)]
    platform: Option<String>,
    /// Do not read or write the image layer cache.
    #[arg(long)]
    no_cache: bool,
}

pub(crate) fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Scan(args) => scan(args),
        Command::Rules {
            action: None | Some(RulesAction::List),
        } => {
            list_rules();
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules {
            action: Some(RulesAction::Explain { id }),
        } => {
            let Some(rule) = cdeguard_rules::find_rule(&id) else {
                bail!("no rule `{id}` (see `cdeguard rules`)");
            };
            println!("# {} {}: {}\n", rule.id, rule.name, rule.title);
            let cis: Vec<String> = rule.cis.iter().map(ToString::to_string).collect();
            println!(
                "Severity: {}  PCI DSS v4.0.1: {}  CIS: {}\n",
                rule.severity,
                rule.pci.join(", "),
                if cis.is_empty() {
                    "-".into()
                } else {
                    cis.join(", ")
                }
            );
            print!("{}", rule.doc());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn list_rules() {
    println!(
        "{:<16} {:<9} {:<32} {:<22} CIS",
        "ID", "SEVERITY", "SETS", "PCI DSS"
    );
    for rule in cdeguard_rules::all_rules() {
        let sets: Vec<&str> = rule.sets.iter().map(|s| s.name()).collect();
        let cis: Vec<String> = rule.cis.iter().map(|c| c.id.to_owned()).collect();
        println!(
            "{:<16} {:<9} {:<32} {:<22} {}",
            rule.id,
            rule.severity,
            sets.join(","),
            rule.pci.join(","),
            cis.join(",")
        );
    }
}

fn scan(args: ScanArgs) -> anyhow::Result<ExitCode> {
    let rule_sets = RuleSet::parse_list(&args.rules).map_err(anyhow::Error::msg)?;
    let targets: Vec<Target> = args.targets.iter().map(|t| Target::parse(t)).collect();
    let mut options = cdeguard_scan::ScanOptions {
        rule_sets,
        ..Default::default()
    };
    options.collect.image.platform = args.platform.clone();
    if args.no_cache {
        options.collect.image.cache_dir = None;
    }
    let report = cdeguard_scan::scan(&targets, &options);

    for error in &report.errors {
        eprintln!("cdeguard: error: {error}");
    }
    let mut buffer = Vec::new();
    let color = args.output.is_none() && std::io::stdout().is_terminal();
    cdeguard_report::render(&report, args.format, TerminalOptions { color }, &mut buffer)?;
    match &args.output {
        Some(path) => std::fs::write(path, &buffer)
            .with_context(|| format!("cannot write `{}`", path.display()))?,
        None => std::io::stdout().lock().write_all(&buffer)?,
    }

    if !report.errors.is_empty() {
        return Ok(ExitCode::from(EXIT_ERROR));
    }
    let failing = args.fail_on.is_some_and(|threshold| {
        report
            .findings
            .iter()
            .any(|f| !f.is_suppressed() && f.severity >= threshold)
    });
    Ok(if failing {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    })
}
