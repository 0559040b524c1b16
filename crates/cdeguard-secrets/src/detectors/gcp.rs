//! Google Cloud: API keys, OAuth client secrets, service-account key files. PCI DSS 8.6.2.

use super::{Check, Detector};
use cdeguard_model::Severity;

pub(super) const DETECTORS: &[Detector] = &[
    Detector {
        id: "gcp-api-key",
        provider: "Google Cloud",
        title: "Google API key",
        keywords: &["aiza"],
        pattern: r"\b(AIza[0-9A-Za-z_\-]{35})(?:[^0-9A-Za-z_\-]|$)",
        check: Check::None,
        severity: Severity::High,
    },
    Detector {
        id: "gcp-oauth-client-secret",
        provider: "Google Cloud",
        title: "Google OAuth client secret",
        keywords: &["gocspx-"],
        pattern: r"\b(GOCSPX-[A-Za-z0-9_\-]{28})(?:[^A-Za-z0-9_\-]|$)",
        check: Check::None,
        severity: Severity::High,
    },
    Detector {
        id: "gcp-service-account-key",
        provider: "Google Cloud",
        title: "Google service account key file",
        keywords: &["private_key_id"],
        pattern: r#""private_key_id"\s*:\s*"([a-f0-9]{40})""#,
        check: Check::None,
        severity: Severity::Critical,
    },
    Detector {
        id: "gcp-oauth-access-token",
        provider: "Google Cloud",
        title: "Google OAuth access token",
        keywords: &["ya29."],
        pattern: r"\b(ya29\.[0-9A-Za-z_\-]{30,})",
        check: Check::None,
        severity: Severity::High,
    },
];
