//! ## What it checks
//! Files and folders writable by everyone in system paths (`/etc`, `/usr`, `/bin`,
//! `/sbin`, `/lib*`, `/boot`, `/opt`, `/app`, `/srv`, `/var/lib`) — except sticky
//! folders such as `/tmp`.
//!
//! ## Why it matters
//! Any user in the container can replace binaries, libraries or configuration in a
//! world-writable system path and so take over whatever runs them. PCI DSS 2.2.6
//! (secure configuration) and 7.2.1 (least privilege).
//!
//! ## Failing example
//! ```text
//! -rw-rw-rw- root root /etc/app.conf
//! ```
//!
//! ## Passing example
//! ```text
//! -rw-r--r-- root root /etc/app.conf
//! drwxrwxrwt root root /tmp
//! ```
//!
//! ## How to fix
//! `chmod o-w` the paths in the Dockerfile; give the application its own writable folder
//! owned by its user instead.

use cdeguard_model::{InputFormat, Inventory, Severity};

use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-IMG-003",
    name: "image-world-writable-system-paths",
    title: "World-writable files in system paths",
    severity: Severity::Medium,
    sets: &[RuleSet::CisDocker, RuleSet::Pci],
    pci: &["2.2.6", "7.2.1"],
    cis: &[],
    inputs: &[InputFormat::Image],
    remediation: "Remove the world-writable bit (`chmod o-w`) in the Dockerfile; give the application a folder owned by its user.",
    source: include_str!("world_writable.rs"),
    check,
};

const SYSTEM_PATHS: &[&str] = &["/etc", "/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/boot", "/opt", "/app", "/srv", "/var/lib"];
const STICKY: u32 = 0o1000;

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for image in &inventory.images {
        let hits: Vec<String> = image
            .files
            .world_writable
            .iter()
            .filter(|f| !(f.is_dir && f.mode & STICKY != 0))
            .filter(|f| SYSTEM_PATHS.iter().any(|p| f.path == *p || f.path.strip_prefix(p).is_some_and(|r| r.starts_with('/'))))
            .map(|f| format!("{} ({:o})", f.path, f.mode))
            .collect();
        if !hits.is_empty() {
            out.image(image, format!("{} world-writable path(s) in system folders", hits.len()), hits.iter().take(10).cloned().collect::<Vec<_>>().join(", "));
        }
    }
}
