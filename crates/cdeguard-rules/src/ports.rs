//! Well-known ports of clear-text protocols (PCI DSS 2.2.5 insecure services).

/// Clear-text protocols by port.
#[must_use]
pub fn insecure_protocol(port: i64) -> Option<&'static str> {
    Some(match port {
        20 | 21 => "FTP",
        23 => "Telnet",
        69 => "TFTP",
        110 => "POP3",
        143 => "IMAP",
        161 => "SNMP",
        389 => "LDAP",
        512..=514 => "rexec/rlogin/rsh",
        2375 => "Docker API without TLS",
        5900 => "VNC",
        _ => return None,
    })
}
