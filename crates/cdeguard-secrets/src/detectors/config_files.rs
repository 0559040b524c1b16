//! Credential files and formats: `.netrc`, Docker `config.json` auths, JSON Web Tokens,
//! kubeconfig client keys. PCI DSS 8.6.2, 8.3.2, 3.6.1.

use super::{Check, Detector};
use cdeguard_model::Severity;

pub(super) const DETECTORS: &[Detector] = &[
    Detector {
        id: "netrc-password",
        provider: "netrc",
        title: "Password in a .netrc entry",
        keywords: &["machine"],
        pattern: r"(?m)^\s*machine\s+\S+\s+(?:login\s+\S+\s+)?password\s+(\S+)",
        check: Check::Assignment(0.0),
        severity: Severity::High,
    },
    Detector {
        id: "docker-config-auth",
        provider: "Docker",
        title: "Registry credentials in a Docker config.json",
        keywords: &["\"auth\""],
        pattern: r#""auth"\s*:\s*"([A-Za-z0-9+/]{8,}={0,2})""#,
        check: Check::DockerAuth,
        severity: Severity::High,
    },
    Detector {
        id: "jwt",
        provider: "JWT",
        title: "JSON Web Token",
        keywords: &["eyj"],
        pattern: r"\b(eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})",
        check: Check::None,
        severity: Severity::Medium,
    },
    Detector {
        id: "kubeconfig-client-key",
        provider: "Kubernetes",
        title: "Client private key in a kubeconfig",
        keywords: &["client-key-data"],
        pattern: r"client-key-data:\s*([A-Za-z0-9+/]{40,}={0,2})",
        check: Check::None,
        severity: Severity::Critical,
    },
];
