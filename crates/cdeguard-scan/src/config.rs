//! `.cdeguard.yaml`: the project's scan configuration, today its accepted risks.
//!
//! ```yaml
//! accepted_risks:
//!   - rule: CDG-K8S-001              # rule id (required)
//!     kind: Deployment               # optional resource selectors
//!     namespace: payments
//!     name: checkout
//!     path: "deploy/legacy/**"       # optional glob on the input file path
//!     fingerprint: 3f9a…             # optional: one exact secret / card number
//!     justification: "Legacy namespace layout; migration tracked in PAY-1234"
//!     expires: 2027-03-31            # optional; after it the finding is open again
//!   - vulnerability: CVE-2020-14343  # a vulnerability by id or alias (rule
//!     package: PyYAML                #   CDG-VULN-001 implied); optional package
//!     justification: "Loader not reachable from user input (threat model TM-12)"
//!     expires: 2026-12-31
//! ```

use cdeguard_collect::yaml::{Limits, parse_stream};
use cdeguard_model::{InputError, Node};
use globset::{Glob, GlobMatcher};
use jiff::civil::Date;

/// The rule of vulnerability findings, implied by a `vulnerability` entry.
const VULNERABILITY_RULE: &str = "CDG-VULN-001";

/// Default file name, looked up in the current folder.
pub const DEFAULT_CONFIG: &str = ".cdeguard.yaml";

/// One accepted risk from the config file.
#[derive(Clone, Debug)]
pub struct AcceptedRisk {
    pub rule: String,
    pub kind: Option<String>,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub path: Option<GlobMatcher>,
    /// Fingerprint of one secret or card number (see `cdeguard_secrets::mask`).
    pub fingerprint: Option<String>,
    /// A vulnerability id or alias (CVE, GHSA, PYSEC, ...).
    pub vulnerability: Option<String>,
    /// The vulnerable package's name, with `vulnerability`.
    pub package: Option<String>,
    pub justification: String,
    pub expires: Option<Date>,
    /// Line of the entry in the config file, for notices.
    pub line: u32,
}

impl AcceptedRisk {
    /// What the entry accepts, for notices: the vulnerability, else the rule.
    #[must_use]
    pub fn subject(&self) -> &str {
        self.vulnerability.as_deref().unwrap_or(&self.rule)
    }
}

/// The parsed configuration.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Path of the file it was read from.
    pub path: String,
    pub accepted_risks: Vec<AcceptedRisk>,
}

impl Config {
    /// Parses a config file's text.
    ///
    /// # Errors
    /// The first problem, with the file and line.
    pub fn parse(path: &str, text: &str) -> Result<Self, InputError> {
        let err = |line: u32, message: String| InputError {
            path: path.to_owned(),
            line: Some(line),
            message,
        };
        let (docs, parse_error) = parse_stream(text, Limits::default());
        if let Some(e) = parse_error {
            return Err(err(e.line, e.message));
        }
        let mut config = Config {
            path: path.to_owned(),
            accepted_risks: Vec::new(),
        };
        let Some(root) = docs.into_iter().next().map(|d| d.root) else {
            return Ok(config);
        };
        if !root.is_map() && !root.is_null() {
            return Err(err(root.line, "expected a mapping at the top level".into()));
        }
        for (key, _) in root.entries() {
            if key != "accepted_risks" {
                return Err(err(
                    root.get(key).map_or(1, |n| n.line),
                    format!("unknown key `{key}` (expected `accepted_risks`)"),
                ));
            }
        }
        for entry in root
            .get("accepted_risks")
            .map(Node::items)
            .unwrap_or_default()
        {
            config
                .accepted_risks
                .push(parse_entry(entry).map_err(|m| err(entry.line, m))?);
        }
        Ok(config)
    }
}

fn parse_entry(entry: &Node) -> Result<AcceptedRisk, String> {
    const KEYS: &[&str] = &[
        "rule",
        "kind",
        "namespace",
        "name",
        "path",
        "fingerprint",
        "vulnerability",
        "package",
        "justification",
        "expires",
    ];
    if !entry.is_map() {
        return Err("each accepted risk must be a mapping".into());
    }
    if let Some((key, _)) = entry
        .entries()
        .iter()
        .find(|(k, _)| !KEYS.contains(&k.as_str()))
    {
        return Err(format!(
            "unknown key `{key}` in accepted risk (expected one of {})",
            KEYS.join(", ")
        ));
    }
    let text = |key: &str| {
        entry
            .get(key)
            .and_then(Node::scalar_text)
            .filter(|s| !s.trim().is_empty())
    };
    let vulnerability = text("vulnerability");
    let rule = text("rule")
        .or_else(|| {
            vulnerability
                .is_some()
                .then(|| VULNERABILITY_RULE.to_owned())
        })
        .ok_or("accepted risk without `rule` (or `vulnerability`)")?;
    let justification = text("justification")
        .ok_or_else(|| format!("accepted risk for {rule} has no `justification`"))?;
    let path = text("path")
        .map(|p| {
            Glob::new(&p)
                .map(|g| g.compile_matcher())
                .map_err(|e| format!("bad `path` glob: {e}"))
        })
        .transpose()?;
    let expires = text("expires")
        .map(|d| {
            d.parse::<Date>()
                .map_err(|e| format!("bad `expires` date `{d}` (want YYYY-MM-DD): {e}"))
        })
        .transpose()?;
    Ok(AcceptedRisk {
        rule,
        kind: text("kind"),
        namespace: text("namespace"),
        name: text("name"),
        path,
        fingerprint: text("fingerprint"),
        vulnerability,
        package: text("package"),
        justification,
        expires,
        line: entry.line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_entries_with_selectors_and_expiry() {
        let config = Config::parse(
            ".cdeguard.yaml",
            "accepted_risks:\n  - rule: CDG-K8S-001\n    name: checkout\n    path: 'deploy/**'\n    justification: legacy\n    expires: 2027-03-31\n",
        )
        .unwrap();
        let risk = &config.accepted_risks[0];
        assert_eq!(risk.rule, "CDG-K8S-001");
        assert_eq!(risk.name.as_deref(), Some("checkout"));
        assert!(risk.path.as_ref().unwrap().is_match("deploy/a/b.yaml"));
        assert_eq!(risk.expires, Some(jiff::civil::date(2027, 3, 31)));
        assert_eq!(risk.line, 2);
    }

    #[test]
    fn rejects_missing_justification_and_bad_dates_with_line() {
        let e = Config::parse("c.yaml", "accepted_risks:\n  - rule: X\n").unwrap_err();
        assert_eq!(
            (e.line, e.message.contains("justification")),
            (Some(2), true)
        );
        let e = Config::parse(
            "c.yaml",
            "accepted_risks:\n- rule: X\n  justification: y\n  expires: soon\n",
        )
        .unwrap_err();
        assert!(e.message.contains("expires"), "{e}");
        let e = Config::parse("c.yaml", "acceptedRisks: []\n").unwrap_err();
        assert!(e.message.contains("unknown key"), "{e}");
    }
}
