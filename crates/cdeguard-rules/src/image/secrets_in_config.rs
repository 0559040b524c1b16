//! ## What it checks
//! `ENV` variables and labels in the image configuration that hold a secret: a name
//! such as `*PASSWORD*`, `*SECRET*`, `*TOKEN*`, `*API_KEY*`, `*PRIVATE_KEY*` with a
//! literal value (not a `*_FILE` / `/run/secrets/...` reference), or a value shaped like
//! a known credential (AWS access key, GitHub/Slack/Stripe token, PEM private key).
//! Values are shown redacted.
//!
//! ## Why it matters
//! Image configuration is readable by anyone who can pull the image and is copied into
//! every registry, cache and SBOM. PCI DSS 8.6.2 (no hard-coded passwords for system
//! accounts) and 3.6.1/8.3.2 (credentials protected); CIS Docker v1.6.0 4.10.
//!
//! ## Failing example
//! ```dockerfile
//! ENV DB_PASSWORD=hunter2hunter2
//! ```
//!
//! ## Passing example
//! ```dockerfile
//! ENV DB_PASSWORD_FILE=/run/secrets/db
//! ```
//!
//! ## How to fix
//! Remove the value from the image, rotate the credential, and inject it at run time
//! (Kubernetes Secret mounted as a file, a secrets manager, `cdeguard` vault).

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-IMG-007",
    name: "image-secret-in-config",
    title: "Secret in image ENV or labels",
    severity: Severity::High,
    sets: &[RuleSet::CisDocker, RuleSet::Pci],
    pci: &["8.6.2", "3.6.1", "8.3.2"],
    cis: &[Cis::docker("4.10")],
    inputs: &[InputFormat::Image],
    remediation: "Remove the secret from the image, rotate it, and inject it at run time as a mounted file from a secrets manager.",
    source: include_str!("secrets_in_config.rs"),
    check,
};

const SECRET_NAMES: &[&str] = &["PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY", "APIKEY", "PRIVATE_KEY", "ACCESS_KEY", "CREDENTIAL"];
const SECRET_PREFIXES: &[&str] = &["AKIA", "ASIA", "ghp_", "gho_", "ghs_", "github_pat_", "xoxb-", "xoxp-", "sk_live_", "rk_live_", "-----BEGIN"];

fn is_reference(name: &str, value: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    upper.ends_with("_FILE") || upper.ends_with("_PATH") || value.starts_with('/') || value.starts_with("${") || value.is_empty()
}

fn looks_secret(name: &str, value: &str) -> bool {
    let upper = name.to_ascii_uppercase().replace(['.', '-'], "_");
    let named = SECRET_NAMES.iter().any(|s| upper.contains(s)) && !is_reference(name, value) && value.len() >= 4;
    named || SECRET_PREFIXES.iter().any(|p| value.starts_with(p) && value.len() >= 16)
}

/// `NAME=<redacted, N chars>`: never the value itself.
fn redacted(name: &str, value: &str) -> String {
    format!("{name}=<redacted, {} chars>", value.chars().count())
}

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for image in super::configured(inventory) {
        for (name, value) in &image.config.env {
            if looks_secret(name, value) {
                out.image(image, format!("ENV {name} holds a secret"), redacted(name, value));
            }
        }
        for (name, value) in &image.config.labels {
            if looks_secret(name, value) {
                out.image(image, format!("label {name} holds a secret"), redacted(name, value));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_values_and_redaction() {
        assert!(looks_secret("DB_PASSWORD", "hunter2hunter2"));
        assert!(!looks_secret("DB_PASSWORD_FILE", "/run/secrets/db"));
        assert!(!looks_secret("PASSWORD", ""));
        assert!(looks_secret("NOTE", "AKIAIOSFODNN7EXAMPLE"));
        assert!(!looks_secret("PATH", "/usr/bin"));
        assert_eq!(redacted("X", "secret"), "X=<redacted, 6 chars>");
    }
}
