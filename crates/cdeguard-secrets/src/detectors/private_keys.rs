//! Private keys: PEM (PKCS#1, PKCS#8, SEC1 EC, DSA, encrypted PKCS#8), OpenSSH, PGP and
//! PuTTY key files. Whether the key is encrypted is checked and reported; an unencrypted
//! private key is critical. PCI DSS 3.6.1, 3.7.x, 4.2.1, 8.3.2.

use super::{Check, Detector};
use cdeguard_model::Severity;

pub(super) const DETECTORS: &[Detector] = &[
    Detector {
        id: "private-key",
        provider: "PEM",
        title: "Private key",
        keywords: &["private key"],
        // The body must be base64 lines (plus PEM headers), so format strings in binaries
        // ("-----BEGIN %s PRIVATE KEY-----") do not count.
        pattern: r"(-----BEGIN (?:RSA |DSA |EC |OPENSSH |ENCRYPTED |PGP |DH |ANY )?PRIVATE KEY(?: BLOCK)?-----\r?\n(?:[A-Za-z-]+: [^\r\n]*\r?\n)*\s*(?:[A-Za-z0-9+/=]{16,}\s*){2,}-----END (?:RSA |DSA |EC |OPENSSH |ENCRYPTED |PGP |DH |ANY )?PRIVATE KEY(?: BLOCK)?-----)",
        check: Check::PrivateKey,
        severity: Severity::Critical,
    },
    Detector {
        id: "putty-private-key",
        provider: "PuTTY",
        title: "PuTTY private key file",
        keywords: &["putty-user-key-file-"],
        pattern: r"(PuTTY-User-Key-File-[23]: [^\r\n]+\r?\nEncryption: [^\r\n]+[\s\S]{16,}?Private-Lines: \d+)",
        check: Check::PrivateKey,
        severity: Severity::Critical,
    },
];
