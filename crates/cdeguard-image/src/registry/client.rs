//! The distribution API calls a pull needs (`GET /v2/<name>/manifests/<ref>`,
//! `GET /v2/<name>/blobs/<digest>`), with the authentication a `401` asks for, and the
//! digest checks: a manifest fetched by digest (or advertised with
//! `Docker-Content-Digest`) and every small blob are verified here; layer blobs are
//! verified while the layer reader streams them (`read_layer`).

use std::io::{self, Read};
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use sha2::{Digest as _, Sha256};
use ureq::http::Response;

use super::auth::{self, Challenge};
use super::{Credentials, RegistryOptions};
use crate::reference::Reference;
use crate::store::{Blobs, MAX_METADATA};

/// Manifest media types accepted, in order of preference.
const MANIFEST_TYPES: &str = "application/vnd.oci.image.index.v1+json, \
    application/vnd.oci.image.manifest.v1+json, \
    application/vnd.docker.distribution.manifest.list.v2+json, \
    application/vnd.docker.distribution.manifest.v2+json";

/// What to do when a registry wants credentials and has none.
pub(super) const NEEDS_CREDENTIALS: &str = "authentication required: pass --registry-username \
    with --registry-password-stdin, or log in so that ~/.docker/config.json holds credentials";

pub(crate) struct Client {
    agent: ureq::Agent,
    /// `http[s]://host[:port]/v2/<repository>`.
    base: String,
    registry: String,
    credentials: Option<Credentials>,
    docker_config: Option<PathBuf>,
    /// The `Authorization` value that last worked, shared by the parallel layer reads.
    authorization: Mutex<Option<String>>,
}

impl Client {
    /// A client for the reference's repository.
    ///
    /// # Errors
    /// `--insecure-registry` naming a registry that is not on loopback.
    pub(crate) fn new(reference: &Reference, options: &RegistryOptions) -> Result<Self, String> {
        let insecure = options.insecure.contains(&reference.registry);
        if insecure && !auth::is_loopback(auth::host_of(&reference.registry)) {
            return Err(format!(
                "--insecure-registry {}: plain HTTP is only allowed to a loopback registry",
                reference.registry
            ));
        }
        let scheme = if insecure { "http" } else { "https" };
        // ureq is built without a bundled crypto provider; the workspace's is aws-lc-rs.
        // Installing it twice is harmless (the second attempt reports the first).
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let agent = ureq::Agent::config_builder()
            .timeout_connect(Some(Duration::from_secs(30)))
            .timeout_recv_response(Some(Duration::from_secs(120)))
            .timeout_per_read(Some(Duration::from_secs(120)))
            .http_status_as_error(false)
            .build()
            .into();
        Ok(Self {
            agent,
            base: format!(
                "{scheme}://{}/v2/{}",
                reference.api_host(),
                reference.repository
            ),
            registry: reference.registry.clone(),
            credentials: options.credentials.clone(),
            docker_config: options.docker_config.clone(),
            authorization: Mutex::new(None),
        })
    }

    /// Fetches a manifest or index by tag or digest: its bytes and digest.
    ///
    /// # Errors
    /// Transport, authentication and HTTP errors; content that does not match the digest
    /// asked for or advertised.
    pub(crate) fn manifest(&self, reference: &str) -> Result<(Vec<u8>, String), String> {
        let url = format!("{}/manifests/{reference}", self.base);
        let context = |m: String| format!("manifest `{reference}`: {m}");
        let response = self.get(&url, Some(MANIFEST_TYPES)).map_err(context)?;
        let advertised = response
            .headers()
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = read_small(response).map_err(context)?;
        if schema_version(&bytes) == Some(1) {
            return Err(context(
                "Docker schema 1 manifests are not supported (push the image again with a current client)"
                    .to_owned(),
            ));
        }
        let actual = sha256(&bytes);
        let expected = if reference.starts_with("sha256:") {
            Some(reference.to_owned())
        } else {
            advertised.filter(|d| d.starts_with("sha256:"))
        };
        if let Some(expected) = expected
            && expected != actual
        {
            return Err(format!(
                "manifest {expected}: digest mismatch, content is {actual}"
            ));
        }
        Ok((bytes, actual))
    }

    /// Fetches a small blob (an image config) and verifies its digest.
    ///
    /// # Errors
    /// As [`Client::manifest`], and blobs over [`MAX_METADATA`].
    pub(crate) fn small_blob(&self, digest: &str) -> Result<Vec<u8>, String> {
        let url = format!("{}/blobs/{digest}", self.base);
        let bytes = read_small(self.get(&url, None)?)?;
        let actual = sha256(&bytes);
        if actual != digest {
            return Err(format!("digest mismatch: content is {actual}"));
        }
        Ok(bytes)
    }

    /// A GET that answers a `401` challenge once, then keeps the authorization for the
    /// next requests.
    fn get(&self, url: &str, accept: Option<&str>) -> Result<Response<ureq::Body>, String> {
        let call = |authorization: Option<&str>| {
            let mut request = self.agent.get(url);
            if let Some(accept) = accept {
                request = request.header("Accept", accept);
            }
            if let Some(authorization) = authorization {
                request = request.header("Authorization", authorization);
            }
            request
                .call()
                .map_err(|e| format!("cannot reach registry {}: {e}", self.registry))
        };
        let known = self
            .authorization
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let mut response = call(known.as_deref())?;
        if response.status() == 401 {
            let challenge = response
                .headers()
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok())
                .and_then(Challenge::parse);
            let authorization = self.authenticate(challenge.as_ref())?;
            response = call(Some(&authorization))?;
            if response.status() == 401 {
                return Err("the registry rejected the credentials (HTTP 401)".to_owned());
            }
            *self
                .authorization
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(authorization);
        }
        match response.status().as_u16() {
            200 => Ok(response),
            status => Err(status_error(status, response)),
        }
    }

    /// The `Authorization` value answering a challenge.
    fn authenticate(&self, challenge: Option<&Challenge>) -> Result<String, String> {
        let challenge = challenge.ok_or("HTTP 401 without a usable WWW-Authenticate challenge")?;
        let credentials = match (&self.credentials, &self.docker_config) {
            (Some(explicit), _) => Some(explicit.clone()),
            (None, Some(path)) => auth::docker_config_credentials(path, &self.registry)?,
            (None, None) => None,
        };
        match challenge.scheme.as_str() {
            "bearer" => auth::fetch_token(&self.agent, challenge, credentials.as_ref()),
            "basic" => {
                if !auth::may_send_credentials(&self.base) {
                    return Err("refusing to send credentials over plain HTTP".to_owned());
                }
                credentials
                    .as_ref()
                    .map(auth::basic)
                    .ok_or_else(|| NEEDS_CREDENTIALS.to_owned())
            }
            other => Err(format!("unsupported authentication scheme `{other}`")),
        }
    }
}

impl Blobs for Client {
    /// Streams a layer blob (`blobs/sha256/<hex>`, as planned) from the registry.
    fn open(&self, name: &str) -> io::Result<(Box<dyn Read + Send>, u64)> {
        let digest = name.strip_prefix("blobs/").map(|d| d.replacen('/', ":", 1));
        let Some(digest) = digest else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("not a blob name: `{name}`"),
            ));
        };
        let url = format!("{}/blobs/{digest}", self.base);
        let response = self
            .get(&url, None)
            .map_err(|m| io::Error::other(format!("blob {digest}: {m}")))?;
        let size = response
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let reader = response
            .into_body()
            .into_with_config()
            .limit(u64::MAX)
            .reader();
        Ok((Box::new(reader), size))
    }
}

/// The `schemaVersion` of a manifest (1: the Docker schema 1 format, signed JWS).
fn schema_version(manifest: &[u8]) -> Option<u64> {
    #[derive(serde::Deserialize)]
    struct Versioned {
        #[serde(rename = "schemaVersion")]
        schema_version: Option<u64>,
    }
    serde_json::from_slice::<Versioned>(manifest)
        .ok()?
        .schema_version
}

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", crate::hex(&Sha256::digest(bytes)))
}

fn read_small(response: Response<ureq::Body>) -> Result<Vec<u8>, String> {
    response
        .into_body()
        .into_with_config()
        .limit(MAX_METADATA)
        .read_to_vec()
        .map_err(|e| format!("download interrupted: {e}"))
}

/// `HTTP 404 (MANIFEST_UNKNOWN)`: the status and the registry's error codes, if any.
fn status_error(status: u16, response: Response<ureq::Body>) -> String {
    #[derive(serde::Deserialize)]
    struct Errors {
        errors: Vec<Code>,
    }
    #[derive(serde::Deserialize)]
    struct Code {
        code: String,
    }
    let codes: Vec<String> = read_small(response)
        .ok()
        .and_then(|body| serde_json::from_slice::<Errors>(&body).ok())
        .map(|e| {
            e.errors
                .into_iter()
                .map(|c| c.code)
                // The code comes from the server: keep it to what codes are made of.
                .filter(|c| c.len() <= 64 && c.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'))
                .collect()
        })
        .unwrap_or_default();
    let what = match status {
        404 => "not found",
        403 => "access denied",
        _ => "unexpected answer",
    };
    if codes.is_empty() {
        format!("{what} (HTTP {status})")
    } else {
        format!("{what} (HTTP {status} {})", codes.join(", "))
    }
}
