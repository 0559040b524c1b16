//! Infrastructure tooling: HashiCorp Vault and Terraform Cloud, Pulumi, Doppler, age,
//! 1Password service accounts, Kubernetes service-account and bootstrap tokens. These
//! guard other secrets, so a leak is critical. PCI DSS 3.6.1, 8.6.2, 8.3.2.

use super::{Check, Detector};
use cdeguard_model::Severity;

pub(super) const DETECTORS: &[Detector] = &[
    Detector {
        id: "vault-token",
        provider: "HashiCorp Vault",
        title: "HashiCorp Vault token",
        keywords: &["hvs.", "hvb.", "hvr."],
        pattern: r"\b(hv[sbr]\.[A-Za-z0-9_-]{24,})",
        check: Check::None,
        severity: Severity::Critical,
    },
    Detector {
        id: "terraform-cloud-token",
        provider: "HashiCorp Terraform",
        title: "Terraform Cloud API token",
        keywords: &[".atlasv1."],
        pattern: r"\b([a-z0-9]{14}\.atlasv1\.[a-z0-9\-_=]{60,70})",
        check: Check::None,
        severity: Severity::High,
    },
    Detector {
        id: "pulumi-token",
        provider: "Pulumi",
        title: "Pulumi access token",
        keywords: &["pul-"],
        pattern: r"\b(pul-[a-f0-9]{40})\b",
        check: Check::None,
        severity: Severity::High,
    },
    Detector {
        id: "doppler-token",
        provider: "Doppler",
        title: "Doppler token",
        keywords: &["dp.pt.", "dp.st.", "dp.sa.", "dp.ct."],
        pattern: r"\b(dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,44})\b",
        check: Check::None,
        severity: Severity::Critical,
    },
    Detector {
        id: "age-secret-key",
        provider: "age",
        title: "age encryption secret key",
        keywords: &["age-secret-key-1"],
        pattern: r"\b(AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})\b",
        check: Check::None,
        severity: Severity::Critical,
    },
    Detector {
        id: "onepassword-service-token",
        provider: "1Password",
        title: "1Password service account token",
        keywords: &["ops_eyj"],
        pattern: r"\b(ops_eyJ[A-Za-z0-9+/=_-]{250,})",
        check: Check::None,
        severity: Severity::Critical,
    },
    Detector {
        id: "kubernetes-bootstrap-token",
        provider: "Kubernetes",
        title: "Kubernetes bootstrap token",
        keywords: &["bootstrap", "token"],
        pattern: r#"(?i)(?:token|bootstrap)[\w.-]{0,20}["']?\s*(?:[:=]|:=|\s)\s*["']?\b([a-z0-9]{6}\.[a-z0-9]{16})\b"#,
        check: Check::Entropy(3.0),
        severity: Severity::Critical,
    },
    Detector {
        id: "kubeconfig-token",
        provider: "Kubernetes",
        title: "Kubernetes bearer token in a kubeconfig",
        keywords: &["token:"],
        pattern: r#"(?m)^\s*(?:-\s+)?token:\s*["']?([A-Za-z0-9._~+/=-]{20,})["']?\s*$"#,
        check: Check::Entropy(3.5),
        severity: Severity::Critical,
    },
];
