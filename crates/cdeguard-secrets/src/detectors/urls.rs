//! Credentials embedded in URLs: database connection strings
//! (`postgres://user:password@host`), message brokers, and HTTP basic auth. PCI DSS 8.6.2,
//! 8.3.2 (and 4.2.1 when the scheme is plain HTTP).

use super::{Check, Detector};
use cdeguard_model::Severity;

pub(super) const DETECTORS: &[Detector] = &[
    Detector {
        id: "database-url-password",
        provider: "Database URL",
        title: "Password in a database or broker connection URL",
        keywords: &["://"],
        pattern: r#"\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|redis|rediss|amqps?|mssql|sqlserver|oracle|cockroachdb|clickhouse|jdbc:[a-z]+)://[^:/\s@'"<>]{1,64}:([^@\s'"/<>]{3,128})@[^\s'"<>]+"#,
        check: Check::Assignment(0.0),
        severity: Severity::High,
    },
    Detector {
        id: "url-basic-auth",
        provider: "URL",
        title: "Password in an HTTP/FTP URL (basic auth)",
        keywords: &["://"],
        pattern: r#"\b(?:https?|ftps?|sftp|ssh|git\+https?)://[^:/\s@'"<>]{1,64}:([^@\s'"/<>]{3,128})@[A-Za-z0-9.-]+"#,
        check: Check::Assignment(0.0),
        severity: Severity::High,
    },
];
