//! The secret detectors: one file per provider (or family of credential formats), each a
//! list of [`Detector`]s. Registering a provider file is one word in `providers!`.
//!
//! Every detector has keywords (lower-case, matched case-insensitively by one
//! Aho-Corasick pass over the input) and a regex that runs only where a keyword occurs, so
//! the cost stays one pass over the bytes plus a few targeted regex runs.

use cdeguard_model::Severity;

/// Extra validation a match must pass to count.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Check {
    /// The regex is specific enough.
    None,
    /// The secret must have at least this Shannon entropy (bits per byte).
    Entropy(f64),
    /// A `name = value` assignment: the value must not be a placeholder or variable
    /// reference and must reach the entropy threshold.
    Assignment(f64),
    /// A key alone on its line and its indented block (ini multi-line values, YAML
    /// scalars, sequences and one-entry mappings): each value line of the block must pass
    /// the placeholder and entropy checks of [`Check::Assignment`].
    Block(f64),
    /// `"auth": "<base64>"` in a Docker config: must decode to `user:password`.
    DockerAuth,
    /// A PEM/OpenSSH/PuTTY private key: note whether it is encrypted.
    PrivateKey,
}

/// One credential format.
#[derive(Debug)]
pub struct Detector {
    /// Stable id, e.g. `aws-access-key-id`; findings use `CDG-SECRET-<id>`.
    pub id: &'static str,
    pub provider: &'static str,
    pub title: &'static str,
    /// Lower-case keywords, at least one of which must occur for the regex to run.
    pub keywords: &'static [&'static str],
    /// Regex; capture group 1 (when present) is the secret itself.
    pub pattern: &'static str,
    pub check: Check,
    pub severity: Severity,
}

impl Detector {
    /// The keyword-and-entropy detectors that name no provider: a provider's own detector
    /// wins over them on the same bytes, and printable strings of binaries skip them.
    #[must_use]
    pub fn is_generic(&self) -> bool {
        self.id.starts_with("generic-")
    }
}

macro_rules! providers {
    ($($provider:ident),* $(,)?) => {
        $(mod $provider;)*
        /// Every detector of every provider file.
        pub fn all() -> impl Iterator<Item = &'static Detector> {
            [$($provider::DETECTORS),*].into_iter().flatten()
        }
    };
}

providers! {
    aws,
    gcp,
    azure,
    cloud,
    vcs,
    payments,
    messaging,
    registries,
    saas,
    ai,
    infrastructure,
    private_keys,
    urls,
    config_files,
    generic,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_unique_keywords_lowercase_patterns_compile() {
        let mut ids = std::collections::BTreeSet::new();
        let mut count = 0;
        for d in all() {
            count += 1;
            assert!(ids.insert(d.id), "duplicate detector id {}", d.id);
            assert!(!d.keywords.is_empty(), "{}: needs keywords", d.id);
            for k in d.keywords {
                assert_eq!(
                    *k,
                    k.to_ascii_lowercase(),
                    "{}: keyword must be lower-case",
                    d.id
                );
            }
            regex::bytes::RegexBuilder::new(d.pattern)
                .unicode(false)
                .build()
                .unwrap_or_else(|e| panic!("{}: {e}", d.id));
        }
        assert!(count >= 80, "only {count} detectors");
    }
}
