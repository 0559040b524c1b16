//! Generic hard-coded credentials: `password = "…"`, `secret: …`, `api_key := "…"` and
//! similar assignments whose value is a literal (not a variable, template or placeholder)
//! with enough entropy to be a real secret. PCI DSS 8.6.2 (no hard-coded passwords),
//! 8.3.2.
//!
//! Config formats also give a key its value on the lines below it, indented: an ini
//! multi-line value (`secrets =` then one value per line), a YAML plain or block scalar
//! (`password: |`), a YAML sequence (`passwords:` then `- …`) or a one-entry mapping that
//! wraps the value (Travis CI's `password:` / `secure: …`). Each such line is a value of
//! the key (`block::values` says which lines count; a mapping of several entries is a
//! settings object, `existingSecret`, `length`…, not a value).
//!
//! Failing: `db_password: "Tk-9f3!vault-2024"`, or `[app]` / `secrets =` /
//! `    BEEF0123456789a`. Passing: `password = ${DB_PASSWORD}`, or `password:` /
//! `  existingSecret: db-credentials` / `  length: 32` (settings, no value).
//!
//! Fix: remove the value, rotate it, and load it at run time from a secrets manager.

use super::{Check, Detector};
use cdeguard_model::Severity;

/// The key of an assignment whose name says it holds a secret (the regex's `key` group).
macro_rules! secret_key {
    () => {
        r#"(?P<key>[A-Za-z0-9_.-]*(?:passwd|password|passphrase|pwd|secret|token|api[_-]?key|apikey|private[_-]?key|credentials?|auth[_-]?key|access[_-]?key)[A-Za-z0-9_.-]*)["']?[ \t]*"#
    };
}

/// Keywords of both generic detectors: one of them must occur for their regexes to run.
const KEYWORDS: &[&str] = &[
    "pass",
    "pwd",
    "secret",
    "token",
    "api_key",
    "apikey",
    "api-key",
    "private_key",
    "credential",
    "auth_key",
    "access_key",
];

pub(super) const DETECTORS: &[Detector] = &[
    Detector {
        id: "generic-password-assignment",
        provider: "Generic",
        title: "Hard-coded password or secret",
        keywords: KEYWORDS,
        pattern: concat!(
            r#"(?i)(?:^|[^A-Za-z0-9])"#,
            secret_key!(),
            r#"(?:[:=]|:=|=>|==)[ \t]*(?:!!?[A-Za-z]+[ \t]+)?(?:["'`]([^"'`\r\n]{6,128})["'`]|([^\s"'`,;#]{8,128}))"#
        ),
        check: Check::Assignment(3.0),
        severity: Severity::Medium,
    },
    Detector {
        id: "generic-password-block",
        provider: "Generic",
        title: "Hard-coded password or secret (multi-line value)",
        keywords: KEYWORDS,
        // The key alone on its line (`key =`, `key:`, `key: |`), then its indented lines.
        pattern: concat!(
            r#"(?im)^(?P<indent>[ \t]*)(?:-[ \t]+)?["']?"#,
            secret_key!(),
            r#"[:=][ \t]*(?:[|>][-+]?[ \t]*)?\r?\n(?P<block>(?:[ \t]+\S[^\n]*(?:\n|$))+)"#
        ),
        check: Check::Block(3.0),
        severity: Severity::Medium,
    },
];
