//! Generic hard-coded credentials: `password = "…"`, `secret: …`, `api_key := "…"` and
//! similar assignments whose value is a literal (not a variable, template or placeholder)
//! with enough entropy to be a real secret. PCI DSS 8.6.2 (no hard-coded passwords),
//! 8.3.2.

use super::{Check, Detector};
use cdeguard_model::Severity;

pub(super) const DETECTORS: &[Detector] = &[Detector {
    id: "generic-password-assignment",
    provider: "Generic",
    title: "Hard-coded password or secret",
    keywords: &["pass", "pwd", "secret", "token", "api_key", "apikey", "api-key", "private_key", "credential", "auth_key", "access_key"],
    pattern: r#"(?i)(?:^|[^A-Za-z0-9])(?P<key>[A-Za-z0-9_.-]*(?:passwd|password|passphrase|pwd|secret|token|api[_-]?key|apikey|private[_-]?key|credentials?|auth[_-]?key|access[_-]?key)[A-Za-z0-9_.-]*)["']?[ \t]*(?:[:=]|:=|=>|==)[ \t]*(?:!!?[A-Za-z]+[ \t]+)?(?:["'`]([^"'`\r\n]{6,128})["'`]|([^\s"'`,;#]{8,128}))"#,
    check: Check::Assignment(3.0),
    severity: Severity::Medium,
}];
