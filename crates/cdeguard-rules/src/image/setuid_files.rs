//! ## What it checks
//! Regular files in the image with the setuid or setgid bit set.
//!
//! ## Why it matters
//! setuid/setgid binaries let an unprivileged process gain the file owner's rights; in a
//! container they are a ready-made privilege escalation path. PCI DSS 2.2.5/2.2.6; CIS
//! Docker v1.6.0 4.8 ("Ensure setuid and setgid permissions are removed").
//!
//! ## Failing example
//! ```text
//! -rwsr-xr-x root root /usr/local/bin/helper
//! ```
//!
//! ## Passing example
//! ```dockerfile
//! RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +
//! ```
//!
//! ## How to fix
//! Strip the bits in the Dockerfile (`chmod a-s`), or remove binaries the workload does
//! not need (`passwd`, `su`, `mount`, ...).

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-IMG-002",
    name: "image-setuid-setgid-files",
    title: "Image contains setuid/setgid files",
    severity: Severity::Low,
    sets: &[RuleSet::CisDocker, RuleSet::Pci],
    pci: &["2.2.5", "2.2.6"],
    cis: &[Cis::docker("4.8")],
    inputs: &[InputFormat::Image],
    remediation: "Remove setuid/setgid bits in the Dockerfile: `RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +`.",
    source: include_str!("setuid_files.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for image in &inventory.images {
        let files = &image.files.setuid_setgid;
        if files.is_empty() {
            continue;
        }
        let listed: Vec<String> = files.iter().take(10).map(|f| format!("{} ({:o})", f.path, f.mode)).collect();
        let more = if files.len() > 10 { format!(" and {} more", files.len() - 10) } else { String::new() };
        out.image(image, format!("{} setuid/setgid file(s)", files.len()), format!("{}{more}", listed.join(", ")));
    }
}
