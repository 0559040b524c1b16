//! Registry authentication: the `WWW-Authenticate` challenge (RFC 7235 syntax), the
//! distribution token flow (`Bearer realm=…,service=…,scope=…` answered by a token
//! service, anonymously or with basic credentials), basic authentication, and the
//! credentials of Docker's `config.json` (`auths.<host>.auth` = base64 `user:password`,
//! or `username`/`password`).

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;

use super::Credentials;

/// A parsed `WWW-Authenticate` challenge.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Challenge {
    /// Lower-cased scheme (`bearer`, `basic`).
    pub(super) scheme: String,
    /// Lower-cased parameter names.
    pub(super) params: BTreeMap<String, String>,
}

impl Challenge {
    /// `Scheme k=v, k="quoted, \"escaped\""`; `None` without a scheme.
    pub(super) fn parse(header: &str) -> Option<Self> {
        let header = header.trim();
        let (scheme, mut rest) = header.split_once(' ').unwrap_or((header, ""));
        if scheme.is_empty() {
            return None;
        }
        let mut params = BTreeMap::new();
        loop {
            rest = rest.trim_start_matches([' ', ',']);
            let Some((name, after)) = rest.split_once('=') else {
                break;
            };
            let (value, after) = if let Some(quoted) = after.strip_prefix('"') {
                let mut value = String::new();
                let mut chars = quoted.char_indices();
                let mut end = quoted.len();
                while let Some((i, c)) = chars.next() {
                    match c {
                        '\\' => value.extend(chars.next().map(|(_, c)| c)),
                        '"' => {
                            end = i + 1;
                            break;
                        }
                        c => value.push(c),
                    }
                }
                (value, &quoted[end..])
            } else {
                let end = after.find(',').unwrap_or(after.len());
                (after[..end].trim().to_owned(), &after[end..])
            };
            params.insert(name.trim().to_ascii_lowercase(), value);
            rest = after;
        }
        Some(Self {
            scheme: scheme.to_ascii_lowercase(),
            params,
        })
    }
}

/// The `Authorization` value of basic credentials.
pub(super) fn basic(credentials: &Credentials) -> String {
    let pair = format!("{}:{}", credentials.username, credentials.password);
    format!("Basic {}", STANDARD.encode(pair))
}

/// The host of `host[:port]` or `[v6]:port`.
pub(super) fn host_of(authority: &str) -> &str {
    if let Some(bracketed) = authority.strip_prefix('[') {
        return bracketed.split(']').next().unwrap_or(bracketed);
    }
    authority.split(':').next().unwrap_or(authority)
}

/// `localhost` or a loopback address: the only hosts plain HTTP may be used with.
pub(super) fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Whether credentials may be sent to `url`: HTTPS, or plain HTTP to loopback.
pub(super) fn may_send_credentials(url: &str) -> bool {
    if url.starts_with("https://") {
        return true;
    }
    url.strip_prefix("http://").is_some_and(|rest| {
        let authority = rest.split(['/', '?']).next().unwrap_or(rest);
        is_loopback(host_of(authority))
    })
}

/// The answer of a token service.
#[derive(Deserialize)]
struct TokenResponse {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    access_token: Option<String>,
}

/// Asks the challenge's token service for a bearer token (with basic credentials when
/// there are some) and returns the `Authorization` value.
pub(super) fn fetch_token(
    agent: &ureq::Agent,
    challenge: &Challenge,
    credentials: Option<&Credentials>,
) -> Result<String, String> {
    let realm = challenge
        .params
        .get("realm")
        .ok_or("bearer challenge without a realm")?;
    if !may_send_credentials(realm) {
        return Err(format!(
            "token service `{realm}` is neither HTTPS nor on loopback; refusing to use it"
        ));
    }
    let mut request = agent.get(realm.as_str());
    for name in ["service", "scope"] {
        if let Some(value) = challenge.params.get(name) {
            request = request.query(name, value);
        }
    }
    if let Some(credentials) = credentials {
        request = request.header("Authorization", basic(credentials));
    }
    let mut response = request
        .call()
        .map_err(|e| format!("cannot reach token service `{realm}`: {e}"))?;
    match response.status().as_u16() {
        200 => {}
        401 | 403 if credentials.is_some() => {
            return Err("the token service rejected the credentials".to_owned());
        }
        401 | 403 => return Err(super::client::NEEDS_CREDENTIALS.to_owned()),
        status => return Err(format!("token service `{realm}` answered HTTP {status}")),
    }
    let body = response
        .body_mut()
        .with_config()
        .limit(crate::store::MAX_METADATA)
        .read_to_vec()
        .map_err(|e| format!("token service `{realm}`: {e}"))?;
    let answer: TokenResponse = serde_json::from_slice(&body)
        .map_err(|e| format!("token service `{realm}`: not a token response: {e}"))?;
    answer
        .token
        .or(answer.access_token)
        .filter(|t| !t.is_empty())
        .map(|t| format!("Bearer {t}"))
        .ok_or_else(|| format!("token service `{realm}` returned no token"))
}

#[derive(Deserialize)]
struct DockerConfig {
    #[serde(default)]
    auths: BTreeMap<String, DockerAuth>,
}

#[derive(Deserialize)]
struct DockerAuth {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

/// The names Docker Hub is stored under in `auths`.
const DOCKER_HUB_KEYS: [&str; 4] = [
    "docker.io",
    "index.docker.io",
    "registry-1.docker.io",
    "https://index.docker.io/v1/",
];

/// The credentials `config.json` holds for `registry` (`None`: no file or no entry).
///
/// # Errors
/// An unreadable or malformed file, naming it (and the line).
pub(super) fn docker_config_credentials(
    path: &Path,
    registry: &str,
) -> Result<Option<Credentials>, String> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let config: DockerConfig = serde_json::from_slice(&bytes)
        .map_err(|e| format!("{}: line {}: {e}", path.display(), e.line()))?;
    let wanted = |key: &str| {
        let bare = key
            .trim_start_matches("https://")
            .trim_start_matches("http://");
        let bare = bare.split('/').next().unwrap_or(bare);
        bare == registry
            || (registry == "docker.io" && DOCKER_HUB_KEYS.iter().any(|k| *k == key || *k == bare))
    };
    let Some((key, entry)) = config.auths.iter().find(|(key, _)| wanted(key)) else {
        return Ok(None);
    };
    let bad = |why: &str| format!("{}: auths.{key}: {why}", path.display());
    if let Some(encoded) = entry.auth.as_deref().filter(|a| !a.is_empty()) {
        let decoded = STANDARD
            .decode(encoded)
            .map_err(|_| bad("`auth` is not base64"))?;
        let pair = String::from_utf8(decoded).map_err(|_| bad("`auth` is not UTF-8"))?;
        let (username, password) = pair
            .split_once(':')
            .ok_or_else(|| bad("`auth` is not `user:password`"))?;
        return Ok(Some(Credentials {
            username: username.to_owned(),
            password: password.to_owned(),
        }));
    }
    Ok(entry
        .username
        .clone()
        .zip(entry.password.clone())
        .map(|(username, password)| Credentials { username, password }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_with_quoted_commas_and_escapes() {
        let c = Challenge::parse(
            r#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:team/app:pull,push""#,
        )
        .unwrap();
        assert_eq!(c.scheme, "bearer");
        assert_eq!(c.params["realm"], "https://auth.example/token");
        assert_eq!(c.params["service"], "registry.example");
        assert_eq!(c.params["scope"], "repository:team/app:pull,push");
        let c = Challenge::parse(r#"Basic realm="a \"b\", c", charset=UTF-8"#).unwrap();
        assert_eq!(c.scheme, "basic");
        assert_eq!(c.params["realm"], r#"a "b", c"#);
        assert_eq!(c.params["charset"], "UTF-8");
        assert_eq!(Challenge::parse("  "), None);
    }

    #[test]
    fn credentials_only_over_https_or_loopback() {
        assert!(may_send_credentials("https://auth.example/token"));
        assert!(may_send_credentials("http://127.0.0.1:5001/token?x=1"));
        assert!(may_send_credentials("http://[::1]:5001/token"));
        assert!(may_send_credentials("http://localhost/token"));
        assert!(!may_send_credentials("http://auth.example/token"));
        assert!(!may_send_credentials("http://127.0.0.1.evil.example/token"));
        assert_eq!(host_of("[::1]:5000"), "::1");
        assert_eq!(host_of("registry.example:5000"), "registry.example");
    }

    #[test]
    fn docker_config_auths() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        let encoded = STANDARD.encode("ci:pa:ss");
        std::fs::write(
            &path,
            format!(
                r#"{{"auths": {{"https://index.docker.io/v1/": {{"auth": "{encoded}"}},
                "127.0.0.1:5000": {{"username": "u", "password": "p"}},
                "bad.example": {{"auth": "!!"}}}}}}"#
            ),
        )
        .unwrap();
        let hub = docker_config_credentials(&path, "docker.io")
            .unwrap()
            .unwrap();
        assert_eq!(
            (hub.username.as_str(), hub.password.as_str()),
            ("ci", "pa:ss")
        );
        let local = docker_config_credentials(&path, "127.0.0.1:5000")
            .unwrap()
            .unwrap();
        assert_eq!(basic(&local), format!("Basic {}", STANDARD.encode("u:p")));
        assert!(
            docker_config_credentials(&path, "other.example:5000")
                .unwrap()
                .is_none()
        );
        let err = docker_config_credentials(&path, "bad.example").unwrap_err();
        assert!(
            err.contains("auths.bad.example") && err.contains("base64"),
            "{err}"
        );
        std::fs::write(&path, "{\n  \"auths\": [").unwrap();
        let err = docker_config_credentials(&path, "docker.io").unwrap_err();
        assert!(err.contains("config.json: line 2"), "{err}");
        assert!(
            docker_config_credentials(&dir.path().join("none.json"), "x")
                .unwrap()
                .is_none()
        );
    }
}
