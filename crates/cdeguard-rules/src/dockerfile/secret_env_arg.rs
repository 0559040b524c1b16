//! ## What it checks
//! `ENV` and `ARG` instructions that give a credential-like variable (`*PASSWORD*`, `*TOKEN*`, `*KEY*`, …) a literal
//! value. The value is never shown.
//!
//! ## Why it matters
//! ENV values are stored in the image configuration and ARG values in its history: anyone who can pull the image
//! reads them. PCI DSS 8.6.2, 3.6.1; CIS Docker v1.6.0 4.10.
//!
//! ## Failing example
//! ```dockerfile
//! ENV STRIPE_API_KEY=sk_live_abc123
//! ```
//!
//! ## Passing example
//! ```dockerfile
//! RUN --mount=type=secret,id=stripe_key cat /run/secrets/stripe_key > /dev/null
//! ```
//!
//! ## How to fix
//! Use build secrets (RUN --mount=type=secret) and inject runtime secrets at deploy time.

use cdeguard_model::docker::Dockerfile;
use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Problem, report};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-DOCKERFILE-005",
    name: "dockerfile-secret-in-env-or-arg",
    title: "Secret in ENV or ARG",
    severity: Severity::High,
    sets: &[RuleSet::CisDocker],
    pci: &["8.6.2", "3.6.1"],
    cis: &[Cis::docker("4.10")],
    inputs: &[InputFormat::Dockerfile],
    remediation: "Use build secrets (RUN --mount=type=secret) and inject runtime secrets at deploy time.",
    source: include_str!("secret_env_arg.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report(inventory, out, problems);
}

fn problems(d: &Dockerfile) -> Vec<Problem> {
    use crate::credentials::{is_credential_name, is_literal_value, redacted};
    d.instructions
        .iter()
        .filter(|i| i.keyword == "ENV" || i.keyword == "ARG")
        .flat_map(|i| {
            super::assignments(&i.args).into_iter().filter_map(move |(name, value)| {
                (is_credential_name(&name) && is_literal_value(&value)).then(|| {
                    Problem::new(i.line, format!("{} {name} holds a literal credential", i.keyword), format!("{} {name}={}", i.keyword, redacted(&value)))
                })
            })
        })
        .collect()
}
