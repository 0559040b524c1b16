//! All built-in rules: the groups' `RULES` lists, concatenated.

use std::sync::LazyLock;

use crate::Rule;

static ALL: LazyLock<Vec<&'static Rule>> = LazyLock::new(|| {
    [
        crate::pss::RULES,
        crate::k8s::RULES,
        crate::pci::RULES,
        crate::docker::RULES,
        crate::dockerfile::RULES,
        crate::image::RULES,
    ]
    .into_iter()
    .flatten()
    .copied()
    .collect()
});

/// Every built-in rule, in registration order.
#[must_use]
pub fn all_rules() -> &'static [&'static Rule] {
    &ALL
}

/// Looks a rule up by id (case-insensitive) or by name.
#[must_use]
pub fn find_rule(id_or_name: &str) -> Option<&'static Rule> {
    all_rules()
        .iter()
        .copied()
        .find(|r| r.id.eq_ignore_ascii_case(id_or_name) || r.name == id_or_name)
}
