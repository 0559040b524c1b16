//! The scan pipeline: targets are collected into an inventory, the selected analyzers run
//! over it, accepted risks are applied, and the result is a [`ScanReport`].

pub mod config;
mod image_secrets;
pub mod segmentation;
pub mod suppress;

use cdeguard_collect::{CollectOptions, Target};
use cdeguard_model::report::{RuleRun, SCHEMA_VERSION, ToolInfo};
use cdeguard_model::{InputError, InputFormat, Inventory, ScanReport, Severity};
use cdeguard_rules::{Rule, RuleSet};

/// The analyzers a scan can run (`--scanners`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scanner {
    /// Configuration rules (Pod Security Standards, CIS, PCI hygiene) and, when the
    /// manifests declare a CDE, the network segmentation test.
    Config,
    /// Secrets and cardholder data in every file of the targets.
    Secrets,
    /// Known vulnerabilities of the packages of images, root filesystems, SBOMs and
    /// lockfiles.
    Vuln,
}

impl Scanner {
    pub const ALL: [Scanner; 3] = [Scanner::Config, Scanner::Secrets, Scanner::Vuln];

    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Scanner::Config => "config",
            Scanner::Secrets => "secrets",
            Scanner::Vuln => "vuln",
        }
    }

    /// Parses a comma-separated `--scanners` value.
    ///
    /// # Errors
    /// Names the unknown scanner.
    pub fn parse_list(list: &str) -> Result<Vec<Scanner>, String> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|name| {
                Scanner::ALL
                    .into_iter()
                    .find(|s| s.name() == name)
                    .ok_or_else(|| {
                        format!("unknown scanner `{name}` (expected config, secrets, vuln)")
                    })
            })
            .collect()
    }
}

/// What to scan with.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    pub scanners: Vec<Scanner>,
    pub rule_sets: Vec<RuleSet>,
    pub secrets: cdeguard_secrets::files::FileScanOptions,
    pub collect: CollectOptions,
    /// Accepted risks (`.cdeguard.yaml`).
    pub config: Option<config::Config>,
    pub vuln: VulnOptions,
}

/// The vulnerability scanner's database and policy.
#[derive(Clone, Debug)]
pub struct VulnOptions {
    /// The database; `None` falls back to the embedded example data when
    /// `embedded_fallback` is set, else skips the scanner with a notice.
    pub db: Option<std::sync::Arc<cdeguard_vulndb::Database>>,
    /// Without `db`, use the embedded example data, and only when a scanned artifact
    /// has packages (building it costs ~20 ms a scan would otherwise not spend; built
    /// once, it is kept in the image cache folder, `collect.image.cache_dir`).
    pub embedded_fallback: bool,
    /// Apply the PCI DSS 6.3.3 one-month deadline to high vulnerabilities too.
    pub deadline_includes_high: bool,
    /// Data older than this (newest record) raises a notice.
    pub max_data_age_days: i32,
    /// VEX statements (`--vex`): vulnerabilities they mark not affected or fixed become
    /// accepted findings with the statement's justification.
    pub vex: Vec<cdeguard_vex::VexStatement>,
}

impl Default for VulnOptions {
    fn default() -> Self {
        Self {
            db: None,
            embedded_fallback: false,
            deadline_includes_high: false,
            max_data_age_days: 7,
            vex: Vec::new(),
        }
    }
}

impl Default for ScanOptions {
    fn default() -> Self {
        Self {
            scanners: Scanner::ALL.to_vec(),
            rule_sets: RuleSet::ALL.to_vec(),
            secrets: cdeguard_secrets::files::FileScanOptions::default(),
            collect: CollectOptions::default(),
            config: None,
            vuln: VulnOptions::default(),
        }
    }
}

/// The rules `sets` select, in registration order.
#[must_use]
pub fn selected_rules(sets: &[RuleSet]) -> Vec<&'static Rule> {
    cdeguard_rules::all_rules()
        .iter()
        .copied()
        .filter(|r| r.selected_by(sets))
        .collect()
}

fn rule_run(rule: &'static Rule) -> RuleRun {
    RuleRun {
        id: rule.id,
        title: rule.title,
        severity: rule.severity,
        pci: rule.pci,
        cis: rule.cis,
        inputs: rule.inputs,
        help: rule.summary(),
        remediation: rule.remediation,
    }
}

/// Runs a whole scan.
#[must_use]
pub fn scan(targets: &[Target], options: &ScanOptions) -> ScanReport {
    let started_at = jiff::Timestamp::now();
    let embedded = EmbeddedDb::start(targets, options);
    let inventory = cdeguard_collect::collect(targets, &options.collect);
    let mut inventory = inventory;
    let rules = if options.scanners.contains(&Scanner::Config) {
        selected_rules(&options.rule_sets)
    } else {
        Vec::new()
    };
    let mut findings = cdeguard_rules::run(&inventory, &rules);
    let mut runs: Vec<RuleRun> = rules.into_iter().map(rule_run).collect();
    let mut network_graph = None;
    if options.scanners.contains(&Scanner::Config) {
        let network = segmentation::scan(&inventory);
        if network.graph.is_some() {
            findings.extend(network.findings);
            runs.extend(segmentation::rule_runs());
            network_graph = network.graph;
        }
    }
    let has_configs = inventory.images.iter().any(|i| i.has_config());
    if options.scanners.contains(&Scanner::Secrets) || has_configs {
        let scanner =
            cdeguard_secrets::Scanner::new(cdeguard_secrets::FingerprintKey::load_or_create());
        if options.scanners.contains(&Scanner::Secrets) {
            findings.extend(scan_secrets(&scanner, targets, &mut inventory, options));
            runs.extend(secret_rule_runs());
        }
        // The report lists images with their configuration: whatever the scanners, it
        // must not print a secret there in clear.
        for image in inventory.images.iter_mut().filter(|i| i.has_config()) {
            cdeguard_secrets::image_config::redact(&scanner, image);
        }
    }
    let today = jiff::Zoned::now().date();
    let mut notices = Vec::new();
    if options.scanners.contains(&Scanner::Vuln) {
        findings.extend(scan_vulnerabilities(
            &mut inventory,
            &options.vuln,
            embedded,
            today,
            &mut notices,
        ));
        runs.push(vuln_rule_run());
    }
    notices.extend(suppress::apply(
        &mut findings,
        &inventory,
        options.config.as_ref(),
        today,
    ));
    ScanReport {
        schema_version: SCHEMA_VERSION,
        tool: ToolInfo {
            name: "cdeguard",
            version: env!("CARGO_PKG_VERSION"),
        },
        started_at: started_at.to_string(),
        finished_at: jiff::Timestamp::now().to_string(),
        inputs: inventory.sources,
        findings,
        errors: inventory.errors,
        notices,
        images: inventory.images,
        rules: runs,
        network_graph,
    }
}

/// Every input format: the secret scanner reads any file.
const ANY_INPUT: &[InputFormat] = &[
    InputFormat::Kubernetes,
    InputFormat::Compose,
    InputFormat::DockerInspect,
    InputFormat::Dockerfile,
    InputFormat::Unknown,
];

fn secret_rule_runs() -> [RuleRun; 3] {
    let run = |id, title, severity, pci, help: &str| RuleRun {
        id,
        title,
        severity,
        pci,
        cis: &[],
        inputs: ANY_INPUT,
        help: help.to_owned(),
        remediation: "",
    };
    [
        run(
            "CDG-SECRET",
            "Hard-coded secret",
            Severity::High,
            cdeguard_secrets::SECRET_PCI,
            "Credentials (100+ provider formats, private keys, passwords in URLs and assignments) found in files, archives and Kubernetes Secrets; shown masked.",
        ),
        run(
            "CDG-PAN-001",
            "Primary account number stored in clear",
            Severity::Critical,
            cdeguard_secrets::PAN_PCI,
            "Luhn-valid card numbers with a known issuer prefix; shown as first 6 / last 4 digits.",
        ),
        run(
            "CDG-PAN-002",
            "Magnetic-stripe track data stored",
            Severity::Critical,
            cdeguard_secrets::SAD_PCI,
            "Track 1 / track 2 data (sensitive authentication data).",
        ),
    ]
}

/// Scans every file of the targets for secrets and card data: images layer by layer
/// (deleted and overwritten files included) plus their configuration, everything else
/// file by file. Problems (unreadable files and layers, archives cut short) become input
/// errors.
fn scan_secrets(
    scanner: &cdeguard_secrets::Scanner,
    targets: &[Target],
    inventory: &mut Inventory,
    options: &ScanOptions,
) -> Vec<cdeguard_model::Finding> {
    let mut images = Vec::new();
    let mut paths = Vec::new();
    for target in targets {
        match target {
            Target::Path(p) if is_layered_image(p) => {
                images.push(image_secrets::LayeredSource::File(p));
            }
            Target::Path(p) => paths.push(p.clone()),
            // A registry the package pass could not read was reported there already.
            Target::Registry(reference)
                if inventory.images.iter().any(|i| i.reference == *reference) =>
            {
                images.push(image_secrets::LayeredSource::Registry(reference));
            }
            Target::Registry(_) => {}
            Target::Stdin => {}
        }
    }
    let scan = cdeguard_secrets::files::scan_paths(scanner, &paths, &options.secrets);
    for (path, message) in &scan.problems {
        inventory.errors.push(InputError {
            path: path.clone(),
            line: None,
            message: message.clone(),
        });
    }
    let mut findings = Vec::new();
    for image in &images {
        let (found, errors) =
            image_secrets::scan(scanner, image, &options.collect.image, &options.secrets);
        findings.extend(found);
        inventory.errors.extend(errors);
    }
    for image in inventory.images.iter().filter(|i| i.has_config()) {
        let file = image
            .loc
            .map_or(image.reference.as_str(), |loc| inventory.path(loc));
        findings.extend(cdeguard_secrets::image_config::findings(
            scanner, image, file,
        ));
    }
    findings.extend(cdeguard_secrets::findings::findings(
        scanner, inventory, scan,
    ));
    findings
}

/// An image with layers (docker-archive, OCI layout or archive), as opposed to a root
/// filesystem folder, which is scanned file by file.
fn is_layered_image(path: &std::path::Path) -> bool {
    cdeguard_collect::image::is_image(path)
        && cdeguard_image::detect(path).is_some_and(|k| k != cdeguard_model::ImageKind::RootFs)
}

fn vuln_rule_run() -> RuleRun {
    RuleRun {
        id: cdeguard_vulndb::findings::RULE_ID,
        title: cdeguard_vulndb::findings::RULE_TITLE,
        severity: Severity::High,
        pci: cdeguard_vulndb::findings::PCI,
        cis: &[],
        inputs: &[InputFormat::Image, InputFormat::Sbom, InputFormat::Lockfile],
        help: "Packages of images, root filesystems, SBOMs and lockfiles matched against OSV advisories with each ecosystem's version order; ranked by CVSS (PCI DSS 6.3.1), critical ones with a fix older than one month flagged (6.3.3).".to_owned(),
        remediation: "Upgrade the package to a fixed version and rebuild; where no fix exists, mitigate and record an accepted risk.",
    }
}

/// The embedded example database, when the vulnerability scanner may fall back to it:
/// for images (the targets that have packages, and take a while to read) it is loaded
/// on its own thread while the targets are collected, otherwise only if some artifact
/// turns out to have packages.
enum EmbeddedDb {
    Unused,
    Loading(std::thread::JoinHandle<Result<cdeguard_vulndb::Database, String>>),
    OnDemand(Option<std::path::PathBuf>),
}

impl EmbeddedDb {
    fn start(targets: &[Target], options: &ScanOptions) -> Self {
        if !options.scanners.contains(&Scanner::Vuln)
            || options.vuln.db.is_some()
            || !options.vuln.embedded_fallback
        {
            return Self::Unused;
        }
        let cache_dir = options.collect.image.cache_dir.clone();
        let has_image = targets.iter().any(|t| match t {
            Target::Path(p) => cdeguard_collect::image::is_image(p),
            Target::Registry(_) => true,
            Target::Stdin => false,
        });
        if !has_image {
            return Self::OnDemand(cache_dir);
        }
        Self::Loading(std::thread::spawn(move || {
            cdeguard_vulndb::embedded::database_cached(cache_dir.as_deref())
                .map_err(|e| e.to_string())
        }))
    }

    /// The database (`None` when unused).
    fn get(self) -> Option<Result<cdeguard_vulndb::Database, String>> {
        match self {
            Self::Unused => None,
            Self::Loading(thread) => Some(
                thread
                    .join()
                    .unwrap_or_else(|_| Err("building the embedded data failed".to_owned())),
            ),
            Self::OnDemand(cache_dir) => Some(
                cdeguard_vulndb::embedded::database_cached(cache_dir.as_deref())
                    .map_err(|e| e.to_string()),
            ),
        }
    }
}

/// Most undecidable-advisory notices listed one by one.
const MAX_UNDECIDABLE_NOTICES: usize = 20;

/// Matches the packages of every image, root filesystem, SBOM and lockfile.
fn scan_vulnerabilities(
    inventory: &mut Inventory,
    options: &VulnOptions,
    embedded_db: EmbeddedDb,
    today: jiff::civil::Date,
    notices: &mut Vec<String>,
) -> Vec<cdeguard_model::Finding> {
    let embedded;
    let db = match &options.db {
        Some(db) => db.as_ref(),
        None if options.embedded_fallback => {
            if inventory.images.iter().all(|i| i.packages.is_empty()) {
                return Vec::new();
            }
            embedded = match embedded_db.get() {
                Some(Ok(db)) => db,
                Some(Err(message)) => {
                    inventory.errors.push(InputError {
                        path: cdeguard_vulndb::embedded::NAME.to_owned(),
                        line: None,
                        message,
                    });
                    return Vec::new();
                }
                None => return Vec::new(),
            };
            notices.push(format!(
                "no vulnerability database at the default location: using the {} (run `cdeguard db update` for the full OSV data)",
                cdeguard_vulndb::embedded::NAME
            ));
            &embedded
        }
        None => {
            notices.push("vulnerability scanner skipped: no vulnerability database (run `cdeguard db update` or pass `--db`)".into());
            return Vec::new();
        }
    };
    match db.info().data_age(today) {
        Some((date, age)) if age > options.max_data_age_days => notices.push(format!(
            "vulnerability data in {} is {age} days old (newest record {date}); PCI DSS 6.3.1 needs current threat data: run `cdeguard db update`",
            db.name(),
        )),
        None => notices.push(format!("vulnerability data in {} has no dated record", db.name())),
        Some(_) => {}
    }
    let policy = cdeguard_vulndb::findings::Policy {
        deadline_includes_high: options.deadline_includes_high,
        today,
    };
    let mut findings = Vec::new();
    let mut undecidable = Vec::new();
    for image in &inventory.images {
        match cdeguard_vulndb::matcher::match_packages(db, &image.packages) {
            Ok(result) => {
                findings.extend(result.matches.iter().map(|m| {
                    let package = &image.packages[m.package];
                    let mut finding =
                        cdeguard_vulndb::findings::finding(m, package, &image.reference, policy);
                    finding.suppressed = vex_acceptance(&options.vex, m, package);
                    finding
                }));
                undecidable.extend(result.undecidable);
            }
            Err(e) => {
                inventory.errors.push(InputError {
                    path: db.name().to_owned(),
                    line: None,
                    message: e.to_string(),
                });
                break;
            }
        }
    }
    let extra = undecidable.len().saturating_sub(MAX_UNDECIDABLE_NOTICES);
    notices.extend(undecidable.into_iter().take(MAX_UNDECIDABLE_NOTICES));
    if extra > 0 {
        notices.push(format!("... and {extra} more advisories not evaluated"));
    }
    findings
}

/// The acceptance a VEX statement gives a match: the last statement (documents in the
/// order given) naming one of its ids for the package's purl decides; `not_affected` and
/// `fixed` accept the finding with the statement's justification, `affected` and
/// `under_investigation` leave it open.
fn vex_acceptance(
    statements: &[cdeguard_vex::VexStatement],
    m: &cdeguard_vulndb::matcher::Match,
    package: &cdeguard_model::Package,
) -> Option<cdeguard_model::Suppression> {
    let statement = statements.iter().rev().find(|s| {
        (s.mentions(&m.id) || m.aliases.iter().any(|a| s.mentions(a)))
            && s.products
                .iter()
                .any(|p| cdeguard_vex::product_matches(p, &package.purl))
    })?;
    matches!(
        statement.status,
        cdeguard_vex::VexStatus::NotAffected | cdeguard_vex::VexStatus::Fixed
    )
    .then(|| cdeguard_model::Suppression {
        justification: format!(
            "VEX {} ({}): {}{}{}",
            statement.status,
            statement.source,
            statement.vulnerability,
            statement
                .justification
                .as_deref()
                .map(|j| format!(", {j}"))
                .unwrap_or_default(),
            statement
                .detail
                .as_deref()
                .map(|d| format!(": {d}"))
                .unwrap_or_default()
        ),
        source: cdeguard_model::SuppressionSource::Vex,
        expires: None,
    })
}
