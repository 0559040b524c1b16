//! Recognising clear-text credentials in configuration values (environment variables,
//! ConfigMap data, Dockerfile ENV/ARG), and showing them redacted.

/// Name fragments of settings that hold a credential.
const CREDENTIAL_NAMES: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "private_key",
    "privatekey",
    "access_key",
    "accesskey",
    "credential",
    "auth_key",
    "client_secret",
];

/// Name fragments that mark a reference to a credential rather than the credential.
const REFERENCE_SUFFIXES: &[&str] = &[
    "_file",
    "_path",
    "_dir",
    "file",
    "_name",
    "_ref",
    "_url",
    "_host",
    "_user",
    "_username",
    "_id",
    "_length",
    "_ttl",
    "_expiry",
];

/// Whether a setting name suggests that its value is a credential.
#[must_use]
pub fn is_credential_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    // Short forms count only as whole words: RABBITMQ_DEFAULT_PASS, MYSQL_PW.
    let short_word = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| matches!(w, "pass" | "pw" | "key"));
    (short_word || CREDENTIAL_NAMES.iter().any(|c| lower.contains(c)))
        && !REFERENCE_SUFFIXES.iter().any(|s| lower.ends_with(s))
}

/// Whether a value is a literal credential (not empty, not a reference or template).
#[must_use]
pub fn is_literal_value(value: &str) -> bool {
    let v = value.trim();
    !(v.is_empty()
        || v.starts_with('$')
        || v.contains("{{")
        || v.starts_with('<')
        || v.starts_with('/')
        || matches!(
            v.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "none" | "changeme-via-secret"
        ))
}

/// `<redacted, 17 chars>`: the value never appears in findings.
#[must_use]
pub fn redacted(value: &str) -> String {
    format!("<redacted, {} chars>", value.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_names_and_literals() {
        assert!(is_credential_name("DB_PASSWORD"));
        assert!(is_credential_name("stripeApiKey"));
        assert!(is_credential_name("RABBITMQ_DEFAULT_PASS"));
        assert!(!is_credential_name("PASSTHROUGH_MODE"));
        assert!(!is_credential_name("POSTGRES_PASSWORD_FILE"));
        assert!(!is_credential_name("LOG_LEVEL"));
        assert!(is_literal_value("Tk-9f3!vault-2024"));
        assert!(!is_literal_value("${DB_PASSWORD}"));
        assert!(!is_literal_value("/run/secrets/db"));
        assert_eq!(redacted("hunter2"), "<redacted, 7 chars>");
    }
}
