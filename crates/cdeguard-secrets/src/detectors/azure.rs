//! Microsoft Azure: storage account keys in connection strings, SAS tokens, Entra ID
//! (Azure AD) client secrets. PCI DSS 8.6.2, 3.6.1.

use super::{Check, Detector};
use cdeguard_model::Severity;

pub(super) const DETECTORS: &[Detector] = &[
    Detector {
        id: "azure-storage-account-key",
        provider: "Azure",
        title: "Azure storage account key",
        keywords: &["accountkey="],
        pattern: r"(?i)AccountKey=([A-Za-z0-9+/]{86}==)",
        check: Check::None,
        severity: Severity::Critical,
    },
    Detector {
        id: "azure-sas-token",
        provider: "Azure",
        title: "Azure shared access signature",
        keywords: &["sig="],
        pattern: r"[?&]sv=\d{4}-\d{2}-\d{2}&[^\s'\x22]*?sig=([A-Za-z0-9%+/]{40,}(?:%3D|=)?)",
        check: Check::None,
        severity: Severity::High,
    },
    Detector {
        id: "azure-ad-client-secret",
        provider: "Azure",
        title: "Azure AD (Entra ID) client secret",
        keywords: &["q~"],
        pattern: r"(?:^|[^A-Za-z0-9_~.-])([A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34})(?:[^A-Za-z0-9_~.-]|$)",
        check: Check::None,
        severity: Severity::High,
    },
    Detector {
        id: "azure-devops-pat",
        provider: "Azure",
        title: "Azure DevOps personal access token",
        keywords: &["azure_devops", "ado_pat", "azdo"],
        pattern: r#"(?i)(?:azure_devops|ado_pat|azdo)[\w.-]{0,20}["']?\s*(?:[:=]|:=)\s*["']?([a-z0-9]{52})\b"#,
        check: Check::None,
        severity: Severity::High,
    },
];
