//! Images pulled from OCI distribution registries (`cdeguard scan host:5000/app:1`).
//!
//! The manifest is negotiated (OCI index and manifest, Docker schema 2 manifest list and
//! manifest), indexes are followed to the `--platform` manifest exactly as for a local
//! OCI layout, and every manifest and blob is checked against its digest. Layers are
//! streamed from the registry into the layer reader, never written to disk, and a layer
//! already in the cache is not requested at all. HTTPS is required except for the
//! loopback registries named with `--insecure-registry` (PCI DSS 4.2.1: no cleartext
//! transport, and no credentials sent in clear off the host).

#[cfg(feature = "registry")]
mod auth;
#[cfg(feature = "registry")]
mod client;

use std::fmt;
use std::path::PathBuf;

use crate::{ImageOptions, Plan, PlanError};

/// Registry credentials (`--registry-username` / `--registry-password-stdin`).
#[derive(Clone)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// How registries are reached.
#[derive(Clone, Debug)]
pub struct RegistryOptions {
    /// `host:port` of loopback registries spoken to over plain HTTP.
    pub insecure: Vec<String>,
    /// Credentials offered to every registry that asks for them; when `None`, the
    /// `auths` entry of `docker_config` for the registry's host, if any.
    pub credentials: Option<Credentials>,
    /// Docker's `config.json`; `None` disables it.
    pub docker_config: Option<PathBuf>,
}

impl Default for RegistryOptions {
    fn default() -> Self {
        Self {
            insecure: Vec::new(),
            credentials: None,
            docker_config: default_docker_config(),
        }
    }
}

/// `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
fn default_docker_config() -> Option<PathBuf> {
    let dir = std::env::var_os("DOCKER_CONFIG")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker")))?;
    Some(dir.join("config.json"))
}

/// Plans the read of a registry image: manifests and config fetched and verified,
/// layers left to stream.
#[cfg(feature = "registry")]
pub(crate) fn plan(text: &str, options: &ImageOptions) -> Result<Plan, PlanError> {
    let reference = crate::reference::Reference::parse(text).map_err(|m| (None, m))?;
    let client = client::Client::new(&reference, &options.registry).map_err(|m| (None, m))?;
    let top = reference.manifest_ref();
    let (bytes, digest) = client.manifest(top).map_err(|m| (None, m))?;
    let document = serde_json::from_slice(&bytes)
        .map_err(|e| (Some(digest.clone()), format!("line {}: {e}", e.line())))?;
    let fetch_manifest = |digest: &str| {
        client
            .manifest(digest)
            .map(|(bytes, _)| (bytes, digest.to_owned()))
            .map_err(|m| (Some(digest.to_owned()), m))
    };
    let fetch_config = |digest: &str| {
        client
            .small_blob(digest)
            .map(|bytes| (bytes, digest.to_owned()))
            .map_err(|m| (Some(digest.to_owned()), m))
    };
    let found = crate::resolve(
        document,
        Some(digest),
        &options.platform(),
        &fetch_manifest,
        &fetch_config,
    )?;
    let mut repo_tags = found.repo_tags;
    if let Some(tag) = &reference.tag {
        repo_tags.insert(
            0,
            format!("{}/{}:{tag}", reference.registry, reference.repository),
        );
    }
    Ok(Plan {
        kind: cdeguard_model::ImageKind::Registry,
        store: Box::new(client),
        id: Some(found.config_digest),
        manifest_digest: found.manifest_digest,
        repo_tags,
        config: found.config,
        layers: found.layers,
    })
}

/// Without the `registry` feature, references cannot be pulled.
#[cfg(not(feature = "registry"))]
pub(crate) fn plan(_text: &str, _options: &ImageOptions) -> Result<Plan, PlanError> {
    Err((
        None,
        "this cdeguard was built without registry support (cargo feature `registry`)".to_owned(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_debug_hides_the_password() {
        let credentials = Credentials {
            username: "ci".into(),
            password: "hunter2-secret".into(),
        };
        let shown = format!(
            "{:?}",
            RegistryOptions {
                credentials: Some(credentials),
                ..RegistryOptions::default()
            }
        );
        assert!(
            shown.contains("\"ci\"") && shown.contains("<redacted>"),
            "{shown}"
        );
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}
