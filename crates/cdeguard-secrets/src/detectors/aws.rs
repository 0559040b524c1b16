//! Amazon Web Services credentials: access key ids (long-term `AKIA`, temporary `ASIA`)
//! and secret access keys assigned next to an AWS-looking name. PCI DSS 8.6.2, 3.6.1.

use super::{Check, Detector};
use cdeguard_model::Severity;

pub(super) const DETECTORS: &[Detector] = &[
    Detector {
        id: "aws-access-key-id",
        provider: "AWS",
        title: "AWS access key ID",
        keywords: &["akia", "asia", "abia", "acca"],
        pattern: r"\b((?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b",
        check: Check::None,
        severity: Severity::High,
    },
    Detector {
        id: "aws-secret-access-key",
        provider: "AWS",
        title: "AWS secret access key",
        keywords: &["aws"],
        pattern: r#"(?i)aws[\w.-]{0,20}?(?:secret|sk|private)[\w.-]{0,20}?["']?\s*(?:[:=]|:=|=>)\s*["']?([A-Za-z0-9/+=]{40})(?:[^A-Za-z0-9/+=]|$)"#,
        check: Check::Entropy(3.5),
        severity: Severity::Critical,
    },
    Detector {
        id: "aws-mws-auth-token",
        provider: "AWS",
        title: "Amazon MWS auth token",
        keywords: &["amzn.mws."],
        pattern: r"\b(amzn\.mws\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
        check: Check::None,
        severity: Severity::High,
    },
];
