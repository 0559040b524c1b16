//! Image references as the OCI distribution specification and docker write them:
//! `[host[:port]/]path[:tag][@digest]`. A first component is a registry host when it
//! holds a `.` or a `:`, is `localhost`, or has upper-case letters (docker's rule);
//! otherwise the image is on Docker Hub (`docker.io`), and a one-component path gets
//! `library/` in front (`nginx` -> `docker.io/library/nginx`).

use std::fmt;

/// Docker Hub's name in references, and the host its API answers on.
const DOCKER_HUB: &str = "docker.io";
const DOCKER_HUB_API: &str = "registry-1.docker.io";
/// Longest repository name (`host/path`) the distribution specification allows.
const MAX_NAME: usize = 255;

/// A parsed image reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// `host[:port]` as written (`docker.io` for Docker Hub).
    pub registry: String,
    /// Repository path (`library/nginx`, `team/app`).
    pub repository: String,
    pub tag: Option<String>,
    /// `sha256:<64 hex>`.
    pub digest: Option<String>,
    /// True when the text named its registry (not implied Docker Hub).
    pub explicit_registry: bool,
}

impl Reference {
    /// Parses a reference.
    ///
    /// # Errors
    /// Says which part is malformed.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (rest, digest) = match text.split_once('@') {
            Some((rest, digest)) => (rest, Some(parse_digest(digest)?)),
            None => (text, None),
        };
        // A tag follows the last `:` after the last `/` (a `:` before it is a port).
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
            None => (rest, None),
        };
        if let Some(tag) = tag
            && !valid_tag(tag)
        {
            return Err(format!("invalid tag `{tag}`"));
        }
        let (registry, path, explicit_registry) = match name.split_once('/') {
            Some((first, path)) if is_host(first) => {
                let registry = if first == "index.docker.io" {
                    DOCKER_HUB
                } else {
                    first
                };
                (registry.to_owned(), path.to_owned(), true)
            }
            _ if !name.contains('/') => (DOCKER_HUB.to_owned(), format!("library/{name}"), false),
            _ => (DOCKER_HUB.to_owned(), name.to_owned(), false),
        };
        let path = if registry == DOCKER_HUB && !path.contains('/') {
            format!("library/{path}")
        } else {
            path
        };
        if !valid_host(&registry) {
            return Err(format!("invalid registry host `{registry}`"));
        }
        if path.is_empty() || !path.split('/').all(valid_component) {
            return Err(format!(
                "invalid repository `{path}` (lower-case letters, digits and `._-` separators)"
            ));
        }
        if registry.len() + 1 + path.len() > MAX_NAME {
            return Err(format!("repository name longer than {MAX_NAME} characters"));
        }
        Ok(Self {
            registry,
            repository: path,
            tag: tag.map(str::to_owned),
            digest,
            explicit_registry,
        })
    }

    /// What the manifest is fetched by: the digest, else the tag, else `latest`.
    #[must_use]
    pub fn manifest_ref(&self) -> &str {
        self.digest
            .as_deref()
            .or(self.tag.as_deref())
            .unwrap_or("latest")
    }

    /// The host the registry API answers on (Docker Hub's differs from its name).
    #[must_use]
    pub fn api_host(&self) -> &str {
        if self.registry == DOCKER_HUB {
            DOCKER_HUB_API
        } else {
            &self.registry
        }
    }

    /// True when the text is meant as a reference rather than a file name: it names a
    /// registry, a tag or a digest (`deploy.yaml` alone is not taken for an image).
    #[must_use]
    pub fn is_unambiguous(&self) -> bool {
        self.explicit_registry || self.tag.is_some() || self.digest.is_some()
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

fn is_host(first: &str) -> bool {
    first.contains(['.', ':']) || first == "localhost" || first.chars().any(char::is_uppercase)
}

/// `host[:port]`: DNS labels (letters, digits, inner `-`), an IPv4 address, or `[IPv6]`.
fn valid_host(registry: &str) -> bool {
    let (host_ok, port) = match registry.strip_prefix('[').and_then(|b| b.split_once(']')) {
        Some((v6, rest)) => (v6.parse::<std::net::Ipv6Addr>().is_ok(), rest),
        None => {
            let (host, rest) = registry.split_at(registry.find(':').unwrap_or(registry.len()));
            let labels_ok = !host.is_empty()
                && host.split('.').all(|label| {
                    !label.is_empty()
                        && label
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                        && !label.starts_with('-')
                        && !label.ends_with('-')
                });
            (labels_ok, rest)
        }
    };
    let port_ok = port.is_empty()
        || port.strip_prefix(':').is_some_and(|p| {
            !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit())
        });
    host_ok && port_ok
}

/// `[a-z0-9]+` joined by `.`, `_`, `__` or runs of `-`.
fn valid_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if bytes.is_empty() || !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return false;
    }
    let mut separator = String::new();
    for &b in bytes {
        if alnum(b) {
            let allowed = separator.is_empty()
                || separator == "."
                || separator == "_"
                || separator == "__"
                || separator.bytes().all(|s| s == b'-');
            if !allowed {
                return false;
            }
            separator.clear();
        } else if matches!(b, b'.' | b'_' | b'-') {
            separator.push(char::from(b));
        } else {
            return false;
        }
    }
    true
}

/// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
fn valid_tag(tag: &str) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    !tag.is_empty()
        && tag.len() <= 128
        && word(tag.as_bytes()[0])
        && tag.bytes().all(|b| word(b) || b == b'.' || b == b'-')
}

/// Only `sha256` is accepted: it is the digest every blob is verified with.
fn parse_digest(digest: &str) -> Result<String, String> {
    match digest.split_once(':') {
        Some(("sha256", hex))
            if hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) =>
        {
            Ok(digest.to_owned())
        }
        Some(("sha256", _)) => Err(format!(
            "invalid digest `{digest}` (sha256 takes 64 lower-case hex digits)"
        )),
        Some((algorithm, _)) => Err(format!(
            "unsupported digest algorithm `{algorithm}` (only sha256 is verified)"
        )),
        None => Err(format!(
            "invalid digest `{digest}` (expected `sha256:<hex>`)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn parts(text: &str) -> (String, String, Option<String>, Option<String>) {
        let r = Reference::parse(text).unwrap();
        (r.registry, r.repository, r.tag, r.digest)
    }

    #[test]
    fn docker_hub_names_are_normalised() {
        assert_eq!(
            parts("nginx"),
            ("docker.io".into(), "library/nginx".into(), None, None)
        );
        assert_eq!(
            parts("bitnami/redis:7.2"),
            (
                "docker.io".into(),
                "bitnami/redis".into(),
                Some("7.2".into()),
                None
            )
        );
        assert_eq!(parts("index.docker.io/nginx").1, "library/nginx");
        assert_eq!(parts("docker.io/nginx").1, "library/nginx");
        assert_eq!(
            Reference::parse("nginx").unwrap().api_host(),
            DOCKER_HUB_API
        );
        assert_eq!(Reference::parse("nginx").unwrap().manifest_ref(), "latest");
    }

    #[test]
    fn hosts_ports_tags_and_digests() {
        let digest = format!("sha256:{HEX}");
        assert_eq!(
            parts(&format!("registry.example:5000/team/app:1.0@{digest}")),
            (
                "registry.example:5000".into(),
                "team/app".into(),
                Some("1.0".into()),
                Some(digest.clone())
            )
        );
        let r = Reference::parse(&format!("127.0.0.1:5000/app@{digest}")).unwrap();
        assert_eq!(r.manifest_ref(), digest);
        assert_eq!(r.to_string(), format!("127.0.0.1:5000/app@{digest}"));
        assert_eq!(parts("localhost/app").0, "localhost");
        assert_eq!(parts("[::1]:5000/app:x").0, "[::1]:5000");
        assert_eq!(parts("Registry/app").0, "Registry");
        assert!(
            Reference::parse("localhost:5000/a/b/c")
                .unwrap()
                .is_unambiguous()
        );
        assert!(!Reference::parse("deploy.yaml").unwrap().is_unambiguous());
    }

    #[test]
    fn malformed_references_are_refused_with_the_reason() {
        for (text, reason) in [
            ("App", "invalid repository"),
            ("host:5000/app:bad tag", "invalid tag"),
            ("host:5000/app:-x", "invalid tag"),
            ("app@sha256:abc", "64 lower-case hex"),
            ("app@md5:abc", "unsupported digest algorithm"),
            ("app@abc", "expected `sha256:<hex>`"),
            ("host:port/app", "invalid registry host"),
            ("-host.example/app", "invalid registry host"),
            ("host.example/a..b", "invalid repository"),
            ("host.example/a//b", "invalid repository"),
            ("host.example/", "invalid repository"),
        ] {
            let err = Reference::parse(text).unwrap_err();
            assert!(err.contains(reason), "{text}: {err}");
        }
        assert!(
            Reference::parse(&format!("host.example/{}", "a".repeat(250)))
                .unwrap_err()
                .contains("longer than 255")
        );
        assert!(valid_component("a__b") && valid_component("a---b") && !valid_component("a_.b"));
    }
}
