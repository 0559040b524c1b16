//! ## What it checks
//! Images built more than 365 days ago (`created` in the image configuration).
//!
//! ## Why it matters
//! An old image carries every vulnerability fixed since it was built; rebuilding
//! regularly is how patches reach containers. PCI DSS 6.3.3 (security patches installed
//! within a month for critical ones) and 11.3.1.
//!
//! ## Failing example
//! ```json
//! {"created": "2015-06-01T00:00:00Z"}
//! ```
//!
//! ## Passing example
//! ```json
//! {"created": "2026-11-01T00:00:00Z"}
//! ```
//!
//! ## How to fix
//! Rebuild images on a schedule (and on base image updates) so that they pick up patched
//! packages; use reproducible `SOURCE_DATE_EPOCH` builds only together with a rebuild policy.

use cdeguard_model::{InputFormat, Inventory, Severity};

use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-IMG-009",
    name: "image-too-old",
    title: "Image is older than 365 days",
    severity: Severity::Medium,
    sets: &[RuleSet::Pci],
    pci: &["6.3.3", "11.3.1"],
    cis: &[],
    inputs: &[InputFormat::Image],
    remediation: "Rebuild the image from an up-to-date base on a schedule and redeploy it.",
    source: include_str!("image_age.rs"),
    check,
};

/// Age past which an image is reported.
const MAX_AGE_DAYS: i64 = 365;

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    let today = super::today();
    for image in super::configured(inventory) {
        let Some(created) = image.config.created.as_deref() else { continue };
        // `docker build` with SOURCE_DATE_EPOCH=0 gives 1970: no real build date.
        let Some(day) = super::days_from_date(created).filter(|d| *d > 0) else { continue };
        let age = today - day;
        if age > MAX_AGE_DAYS {
            out.image(image, format!("built {age} days ago (more than {MAX_AGE_DAYS})"), format!("created = {created}"));
        }
    }
}
