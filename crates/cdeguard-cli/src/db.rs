//! `cdeguard db`: build, update and inspect the vulnerability database, and the choice of
//! database for `cdeguard scan`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use cdeguard_vulndb::{Builder, Database, Import};

use crate::audit_trail::CommandRecord;

#[derive(clap::Args, Debug)]
pub(crate) struct DbArgs {
    /// Database file (default: `$XDG_DATA_HOME/cdeguard/vulndb.cdgdb`).
    #[arg(long, global = true)]
    db: Option<PathBuf>,
    #[command(subcommand)]
    action: DbAction,
}

#[derive(clap::Subcommand, Debug)]
enum DbAction {
    /// Build the database offline from OSV records: folders (recursed), `all.zip` files
    /// and single JSON/YAML records.
    Build {
        /// Sources of OSV records.
        #[arg(long = "from", required = true, num_args = 1..)]
        from: Vec<PathBuf>,
    },
    /// Download the OSV data (`all.zip` per ecosystem, conditional requests) and rebuild
    /// the database atomically; a failed update leaves the previous database in place.
    Update {
        /// OSV ecosystems (default: every ecosystem cdeguard catalogs).
        #[arg(long = "ecosystem", value_delimiter = ',')]
        ecosystems: Vec<String>,
        /// Base URL of the OSV bucket layout (`<base>/<ecosystem>/all.zip`).
        #[arg(long, default_value = cdeguard_vulndb::update::DEFAULT_BASE_URL)]
        base_url: String,
        /// Download cache (default: `$XDG_CACHE_HOME/cdeguard/osv`).
        #[arg(long)]
        cache_dir: Option<PathBuf>,
    },
    /// Print what the database holds: records and packages per ecosystem, data age.
    Info {
        /// Also check the whole-file SHA-256.
        #[arg(long)]
        verify: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// The database path `--db` names, or the default location.
fn resolve(db: Option<&Path>) -> anyhow::Result<PathBuf> {
    db.map(Path::to_path_buf)
        .or_else(cdeguard_vulndb::db::default_path)
        .context("no database path: pass --db or set XDG_DATA_HOME or HOME")
}

/// The audit record of a command that replaces the database (`info` only reads it).
pub(crate) fn audit_record(args: &DbArgs) -> Option<CommandRecord> {
    let db = resolve(args.db.as_deref())
        .map_or_else(|_| "vulndb".to_owned(), |p| p.display().to_string());
    match &args.action {
        DbAction::Build { from } => {
            let mut record = CommandRecord::new("db.build", db);
            record.inputs("sources", from.iter().map(PathBuf::as_path));
            Some(record)
        }
        DbAction::Update {
            ecosystems,
            base_url,
            ..
        } => {
            let mut record = CommandRecord::new("db.update", db);
            record.detail("base_url", base_url.as_str().into());
            record.detail("ecosystems", ecosystems.clone().into());
            Some(record)
        }
        DbAction::Info { .. } => None,
    }
}

pub(crate) fn run(args: DbArgs) -> anyhow::Result<ExitCode> {
    let path = resolve(args.db.as_deref())?;
    match args.action {
        DbAction::Build { from } => build(&path, &from),
        DbAction::Info { verify, json } => info(&path, verify, json),
        DbAction::Update {
            ecosystems,
            base_url,
            cache_dir,
        } => update(path, ecosystems, base_url, cache_dir),
    }
}

fn build(path: &Path, sources: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let mut import = Import::default();
    for source in sources {
        if !source.exists() {
            anyhow::bail!("{}: no such file or folder", source.display());
        }
        import.add_path(source);
    }
    let files = import.files;
    let (records, mut warnings) = import.into_records();
    let mut builder = Builder::new(sources.iter().map(|s| s.display().to_string()).collect());
    for record in &records {
        for skipped in builder.add(record) {
            warnings.push(cdeguard_vulndb::Warning {
                source: record.id.clone(),
                message: skipped,
            });
        }
    }
    builder.write(path)?;
    let db = Database::open(path)?;
    for warning in &warnings {
        eprintln!("cdeguard: warning: {warning}");
    }
    let info = db.info();
    println!(
        "{}: {} records ({} withdrawn skipped) from {files} files, {} packages, in {:.2} s",
        path.display(),
        info.records,
        info.withdrawn,
        db.package_count(),
        started.elapsed().as_secs_f64()
    );
    Ok(if warnings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(crate::commands::EXIT_ERROR)
    })
}

fn update(
    db_path: PathBuf,
    ecosystems: Vec<String>,
    base_url: String,
    cache_dir: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let ecosystems = if ecosystems.is_empty() {
        cdeguard_model::Ecosystem::ALL
            .iter()
            .map(|e| e.osv_name().to_owned())
            .collect()
    } else {
        ecosystems
    };
    let cache_dir = cache_dir
        .or_else(cdeguard_vulndb::update::default_cache_dir)
        .context("no cache folder: pass --cache-dir or set XDG_CACHE_HOME or HOME")?;
    let options = cdeguard_vulndb::update::UpdateOptions {
        base_url,
        ecosystems,
        cache_dir,
        db_path: db_path.clone(),
    };
    let report = cdeguard_vulndb::update::update(&options)?;
    for warning in &report.warnings {
        eprintln!("cdeguard: warning: {warning}");
    }
    println!(
        "{}: downloaded {} ({}), not modified {} ({}); {} in {:.2} s",
        db_path.display(),
        report.downloaded.len(),
        report.downloaded.join(", "),
        report.not_modified.len(),
        report.not_modified.join(", "),
        if report.rebuilt {
            format!("rebuilt with {} records", report.records)
        } else {
            "database up to date".to_owned()
        },
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

fn info(path: &Path, verify: bool, json: bool) -> anyhow::Result<ExitCode> {
    let db = Database::open(path)?;
    if verify {
        db.verify()?;
    }
    let info = db.info();
    if json {
        println!("{}", serde_json::to_string_pretty(info)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("database:  {}", path.display());
    println!("format:    {}", info.format);
    println!("built:     {}", info.built_at);
    let age = info
        .data_age(jiff::Zoned::now().date())
        .map(|(_, days)| days);
    println!(
        "data:      newest record {}{}",
        info.newest_modified.as_deref().unwrap_or("-"),
        age.map(|d| format!(" ({d} days old)")).unwrap_or_default()
    );
    println!(
        "records:   {} ({} withdrawn skipped)",
        info.records, info.withdrawn
    );
    println!("sources:   {}", info.sources.join(", "));
    println!("{:<40} {:>10} {:>9}", "ECOSYSTEM", "ADVISORIES", "PACKAGES");
    for (ecosystem, count) in &info.ecosystems {
        println!(
            "{ecosystem:<40} {:>10} {:>9}",
            count.advisories, count.packages
        );
    }
    if verify {
        println!("checksum:  SHA-256 verified");
    }
    Ok(ExitCode::SUCCESS)
}

/// The database a scan uses: `--db`, else the default file when it exists; `None`
/// leaves the scan to fall back to the embedded example data.
pub(crate) fn for_scan(db: Option<&Path>) -> anyhow::Result<Option<Arc<Database>>> {
    let path = db
        .map(Path::to_path_buf)
        .or_else(|| cdeguard_vulndb::db::default_path().filter(|p| p.is_file()));
    Ok(match path {
        Some(path) => Some(Arc::new(Database::open(&path)?)),
        None => None,
    })
}
