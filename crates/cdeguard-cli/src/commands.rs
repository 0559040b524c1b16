//! Command-line definition and dispatch.

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use cdeguard_collect::Target;
use cdeguard_model::Severity;
use cdeguard_report::{Format, TerminalOptions};
use cdeguard_rules::RuleSet;
use clap::{Parser, Subcommand};

use crate::audit_trail::CommandRecord;

/// Exit code when findings at or above `--fail-on` remain.
const EXIT_FINDINGS: u8 = 1;
/// Exit code for usage and input errors.
pub(crate) const EXIT_ERROR: u8 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "cdeguard",
    version,
    about = "PCI DSS v4.0.1 compliance and security for containerized cardholder data environments"
)]
pub(crate) struct Cli {
    /// Audit log that `scan`, `db build`, `db update` and `netpol generate` record their
    /// runs in.
    #[arg(long, global = true, env = "CDEGUARD_AUDIT_LOG")]
    audit_log: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Scan Kubernetes manifests, Compose files, docker inspect output, Dockerfiles,
    /// container images (docker-archive, OCI layout or archive), root filesystems, SBOMs
    /// and any folder for configuration weaknesses, secrets and card numbers.
    Scan(ScanArgs),
    /// The tamper-evident audit trail: append, verify, prove, export, forward.
    Audit(crate::audit::AuditArgs),
    /// The vulnerability database: build from OSV records, update, inspect.
    Db(crate::db::DbArgs),
    /// NetworkPolicy reachability: matrix, check one connection, segmentation test.
    Netpol(crate::netpol::NetpolArgs),
    /// PCI DSS scope: CDE, connected-to/security-impacting and out-of-scope workloads.
    Scope(crate::netpol::ScopeArgs),
    /// List the built-in rules, or explain one.
    Rules {
        #[command(subcommand)]
        action: Option<RulesAction>,
    },
    /// Version ordering of package ecosystems.
    Version {
        #[command(subcommand)]
        action: VersionAction,
    },
}

#[derive(Subcommand, Debug)]
enum VersionAction {
    /// Compare two versions (`A B`), or check a file of `A < B` / `A = B` / `A > B` lines and
    /// print every line computed differently (exit 1 if any).
    Cmp {
        /// OSV ecosystem name: Debian, Ubuntu, Alpine, Red Hat, Rocky Linux, AlmaLinux, SUSE, PyPI, npm, crates.io, Go, Maven, RubyGems, Packagist, NuGet.
        #[arg(long)]
        ecosystem: String,
        /// A file of relations, or the first version.
        first: String,
        /// The second version (compare mode).
        second: Option<String>,
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
    /// Files or folders to scan; `-` reads standard input; an image reference
    /// (`registry.example:5000/app:1`, `host/app@sha256:…`, or `docker://REF`) is pulled
    /// from its registry.
    #[arg(required = true)]
    targets: Vec<String>,
    /// Output format: terminal, json, sarif, html, junit, csv, cyclonedx, spdx (SBOMs of
    /// the images scanned).
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
    /// Analyzers, comma-separated: config, secrets, vuln.
    #[arg(long, default_value = "config,secrets,vuln")]
    scanners: String,
    /// Vulnerability database (default: `$XDG_DATA_HOME/cdeguard/vulndb.cdgdb` if it
    /// exists, else the embedded example data).
    #[arg(long)]
    db: Option<PathBuf>,
    /// Apply the PCI DSS 6.3.3 one-month patch deadline to high vulnerabilities too
    /// (v4.0.1 requires it for critical ones).
    #[arg(long)]
    deadline_includes_high: bool,
    /// OpenVEX or CycloneDX VEX documents: vulnerabilities they mark `not_affected` or
    /// `fixed` are reported as accepted, with the statement's justification.
    #[arg(long)]
    vex: Vec<PathBuf>,
    /// Note when the newest vulnerability record is older than this many days.
    #[arg(long, default_value_t = 7)]
    max_db_age: i32,
    /// Skip files that `.gitignore` ignores (secret scanning of folders).
    #[arg(long)]
    respect_gitignore: bool,
    /// Accepted risks file (default: `.cdeguard.yaml` in the current folder, if present).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Platform to read from multi-platform images (`os/arch[/variant]`); default: the host's.
    #[arg(long)]
    platform: Option<String>,
    /// Do not read or write the image layer cache.
    #[arg(long)]
    no_cache: bool,
    /// Registry (`HOST:PORT`) to reach over plain HTTP; loopback registries only.
    #[arg(long, value_name = "HOST:PORT")]
    insecure_registry: Vec<String>,
    /// User name for registries that ask for credentials (default: the `auths` of
    /// `~/.docker/config.json`); the password is read from standard input.
    #[arg(long, requires = "registry_password_stdin")]
    registry_username: Option<String>,
    /// Read the registry password from standard input (with `--registry-username`).
    #[arg(long, requires = "registry_username")]
    registry_password_stdin: bool,
}

pub(crate) fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut record = match (&cli.audit_log, &cli.command) {
        (Some(_), Command::Scan(args)) => Some(scan_record(args)),
        (Some(_), Command::Db(args)) => crate::db::audit_record(args),
        (Some(_), Command::Netpol(args)) => crate::netpol::audit_record(args),
        _ => None,
    };
    let result = dispatch(cli.command, record.as_mut());
    if let (Some(log), Some(record)) = (&cli.audit_log, record) {
        record.write(log, &result)?;
    }
    result
}

/// The audit record of a scan: targets, and the hashes of every input file.
fn scan_record(args: &ScanArgs) -> CommandRecord {
    let mut record = CommandRecord::new("scan.run", args.targets.join(" "));
    record.inputs("inputs", args.targets.iter().map(Path::new));
    let config = args
        .config
        .as_deref()
        .unwrap_or(Path::new(cdeguard_scan::config::DEFAULT_CONFIG));
    record.inputs(
        "accepted_risks",
        std::iter::once(config).chain(args.vex.iter().map(PathBuf::as_path)),
    );
    record
}

fn dispatch(command: Command, record: Option<&mut CommandRecord>) -> anyhow::Result<ExitCode> {
    match command {
        Command::Scan(args) => scan(args, record),
        Command::Version {
            action:
                VersionAction::Cmp {
                    ecosystem,
                    first,
                    second,
                },
        } => version_cmp(&ecosystem, &first, second.as_deref()),
        Command::Audit(args) => crate::audit::run(args),
        Command::Db(args) => crate::db::run(args),
        Command::Netpol(args) => crate::netpol::run(args, record),
        Command::Scope(args) => crate::netpol::scope(args),
        Command::Rules {
            action: None | Some(RulesAction::List),
        } => {
            list_rules();
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules {
            action: Some(RulesAction::Explain { id }),
        } => {
            if let Some(rule) = cdeguard_rules::find_rule(&id) {
                let cis: Vec<String> = rule.cis.iter().map(ToString::to_string).collect();
                print_rule_doc(
                    [rule.id, rule.name, rule.title],
                    rule.severity,
                    rule.pci,
                    &cis,
                    &rule.doc(),
                );
            } else if let Some(rule) = cdeguard_rules::network::find(&id) {
                print_rule_doc(
                    [rule.id, rule.name, rule.title],
                    rule.severity,
                    rule.pci,
                    &[],
                    &rule.doc(),
                );
            } else {
                bail!("no rule `{id}` (see `cdeguard rules`)");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `rules explain` output: heading, metadata line, documentation.
fn print_rule_doc(
    [id, name, title]: [&str; 3],
    severity: Severity,
    pci: &[&str],
    cis: &[String],
    doc: &str,
) {
    println!("# {id} {name}: {title}\n");
    println!(
        "Severity: {severity}  PCI DSS v4.0.1: {}  CIS: {}\n",
        pci.join(", "),
        if cis.is_empty() {
            "-".into()
        } else {
            cis.join(", ")
        }
    );
    print!("{doc}");
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
    // Reported by the scan's segmentation test, whichever rule sets are selected.
    for rule in cdeguard_rules::network::RULES {
        println!(
            "{:<16} {:<9} {:<32} {}",
            rule.id,
            rule.severity,
            "segmentation-test",
            rule.pci.join(",")
        );
    }
}

fn scan(args: ScanArgs, record: Option<&mut CommandRecord>) -> anyhow::Result<ExitCode> {
    let rule_sets = RuleSet::parse_list(&args.rules).map_err(anyhow::Error::msg)?;
    let targets: Vec<Target> = args.targets.iter().map(|t| Target::parse(t)).collect();
    let config = load_config(args.config.as_deref())?;
    let scanners =
        cdeguard_scan::Scanner::parse_list(&args.scanners).map_err(anyhow::Error::msg)?;
    let mut options = cdeguard_scan::ScanOptions {
        rule_sets,
        scanners,
        config,
        ..Default::default()
    };
    options.secrets.respect_gitignore = args.respect_gitignore;
    if options.scanners.contains(&cdeguard_scan::Scanner::Vuln) {
        options.vuln.db = crate::db::for_scan(args.db.as_deref())?;
        options.vuln.embedded_fallback = true;
    }
    options.vuln.deadline_includes_high = args.deadline_includes_high;
    options.vuln.max_data_age_days = args.max_db_age;
    for path in &args.vex {
        options
            .vuln
            .vex
            .extend(cdeguard_vex::load(path).map_err(|e| anyhow::anyhow!("{e}"))?);
    }
    options.collect.image.platform = args.platform.clone();
    if args.no_cache {
        options.collect.image.cache_dir = None;
    }
    options.collect.image.registry.insecure = args.insecure_registry.clone();
    if let Some(username) = &args.registry_username {
        if targets.contains(&Target::Stdin) {
            bail!("--registry-password-stdin and the `-` target both need standard input");
        }
        options.collect.image.registry.credentials = Some(cdeguard_collect::Credentials {
            username: username.clone(),
            password: read_password_stdin()?,
        });
    }
    let report = cdeguard_scan::scan(&targets, &options);
    if let Some(record) = record {
        record.scan_summary(&report);
    }

    for notice in &report.notices {
        eprintln!("cdeguard: note: {notice}");
    }
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

/// The registry password: standard input up to the end, without the final line break.
fn read_password_stdin() -> anyhow::Result<String> {
    let mut password = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut password)
        .context("cannot read the registry password from standard input")?;
    let password = password.trim_end_matches(['\n', '\r']);
    if password.is_empty() {
        bail!("--registry-password-stdin: standard input is empty");
    }
    Ok(password.to_owned())
}

/// Reads `--config`, or `.cdeguard.yaml` when present. A broken config is a usage error.
fn load_config(
    explicit: Option<&std::path::Path>,
) -> anyhow::Result<Option<cdeguard_scan::config::Config>> {
    let default = std::path::Path::new(cdeguard_scan::config::DEFAULT_CONFIG);
    let path = match explicit {
        Some(path) => path,
        None if default.is_file() => default,
        None => return Ok(None),
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read `{}`", path.display()))?;
    let config = cdeguard_scan::config::Config::parse(&path.display().to_string(), &text)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Some(config))
}

fn version_cmp(ecosystem: &str, first: &str, second: Option<&str>) -> anyhow::Result<ExitCode> {
    let eco = cdeguard_model::Ecosystem::ALL
        .into_iter()
        .find(|e| e.osv_name().eq_ignore_ascii_case(ecosystem))
        .ok_or_else(|| anyhow::anyhow!("unknown ecosystem `{ecosystem}`"))?;
    if let Some(second) = second {
        let ordering = cdeguard_version::compare(eco, first, second)?;
        println!("{first} {} {second}", cdeguard_version::symbol(ordering));
        return Ok(ExitCode::SUCCESS);
    }
    let mismatches = cdeguard_version::check_relations(eco, std::path::Path::new(first))?;
    for m in &mismatches {
        match &m.computed {
            Ok(ordering) => println!(
                "{first}:{}: {} (cdeguard: {})",
                m.line,
                m.text,
                cdeguard_version::symbol(*ordering)
            ),
            Err(e) => println!("{first}:{}: {} (cdeguard: {e})", m.line, m.text),
        }
    }
    Ok(if mismatches.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FINDINGS)
    })
}
