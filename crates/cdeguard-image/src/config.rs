//! Image manifests and configurations: docker-archive `manifest.json`, OCI `index.json`
//! (with multi-platform index selection) and image manifests, and the image config
//! (docker and OCI share its shape) mapped to the model's `ImageConfig`.

use std::collections::BTreeMap;

use cdeguard_model::image::{HistoryEntry, ImageConfig};
use serde::Deserialize;

/// One `manifest.json` entry of a `docker save` archive.
#[derive(Deserialize, Debug)]
pub struct DockerManifest {
    #[serde(rename = "Config")]
    pub config: String,
    #[serde(rename = "RepoTags", default)]
    pub repo_tags: Option<Vec<String>>,
    #[serde(rename = "Layers", default)]
    pub layers: Vec<String>,
}

/// An OCI descriptor (also docker distribution's manifest list entries).
#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    #[serde(default)]
    pub media_type: String,
    pub digest: String,
    #[serde(default)]
    pub size: u64,
    #[serde(default)]
    pub platform: Option<Platform>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

#[derive(Deserialize, Debug, Clone)]
pub struct Platform {
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub variant: Option<String>,
}

/// An OCI image index or image manifest (which one is told by the fields present).
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct OciDocument {
    #[serde(default)]
    pub media_type: Option<String>,
    #[serde(default)]
    pub manifests: Option<Vec<Descriptor>>,
    #[serde(default)]
    pub config: Option<Descriptor>,
    #[serde(default)]
    pub layers: Vec<Descriptor>,
}

/// The host platform as OCI names it (`linux/amd64`).
#[must_use]
pub fn host_platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" => "ppc64le",
        other => other,
    };
    format!("linux/{arch}")
}

/// Picks the manifest for `platform` (`os/arch[/variant]`) from an index. Attestation
/// manifests (`unknown/unknown`) never match. A single manifest without a platform is
/// taken as is.
///
/// # Errors
/// Lists the platforms available when none matches.
pub fn select<'a>(manifests: &'a [Descriptor], platform: &str) -> Result<&'a Descriptor, String> {
    let mut wanted = platform.split('/');
    let (os, arch, variant) = (
        wanted.next().unwrap_or_default(),
        wanted.next().unwrap_or_default(),
        wanted.next(),
    );
    let candidates: Vec<&Descriptor> = manifests
        .iter()
        .filter(|d| d.platform.as_ref().is_none_or(|p| p.os != "unknown"))
        .collect();
    if let [only] = candidates.as_slice()
        && only.platform.is_none()
    {
        return Ok(only);
    }
    candidates
        .iter()
        .find(|d| {
            d.platform.as_ref().is_some_and(|p| {
                p.os == os
                    && p.architecture == arch
                    && (variant.is_none() || p.variant.as_deref() == variant)
            })
        })
        .copied()
        .ok_or_else(|| {
            let available: Vec<String> = candidates
                .iter()
                .filter_map(|d| d.platform.as_ref())
                .map(|p| {
                    format!(
                        "{}/{}{}",
                        p.os,
                        p.architecture,
                        p.variant
                            .as_ref()
                            .map(|v| format!("/{v}"))
                            .unwrap_or_default()
                    )
                })
                .collect();
            format!(
                "no manifest for platform {platform} (available: {})",
                available.join(", ")
            )
        })
}

#[derive(Deserialize, Debug, Default)]
struct RawConfig {
    #[serde(default)]
    architecture: String,
    #[serde(default)]
    os: String,
    #[serde(default)]
    variant: Option<String>,
    #[serde(default)]
    created: Option<String>,
    #[serde(default)]
    config: Option<RawRuntime>,
    #[serde(default)]
    history: Vec<RawHistory>,
    #[serde(default)]
    rootfs: Option<RawRootfs>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "PascalCase")]
struct RawRuntime {
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    env: Option<Vec<String>>,
    #[serde(default)]
    labels: Option<BTreeMap<String, String>>,
    #[serde(default)]
    exposed_ports: Option<BTreeMap<String, serde::de::IgnoredAny>>,
    #[serde(default)]
    healthcheck: Option<RawHealthcheck>,
    #[serde(default)]
    entrypoint: Option<Vec<String>>,
    #[serde(default)]
    cmd: Option<Vec<String>>,
    #[serde(default)]
    working_dir: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "PascalCase")]
struct RawHealthcheck {
    #[serde(default)]
    test: Option<Vec<String>>,
}

#[derive(Deserialize, Debug, Default)]
struct RawHistory {
    #[serde(default)]
    created: Option<String>,
    #[serde(default)]
    created_by: Option<String>,
    #[serde(default)]
    empty_layer: bool,
}

#[derive(Deserialize, Debug, Default)]
struct RawRootfs {
    #[serde(default)]
    diff_ids: Vec<String>,
}

/// A parsed image config: the model's view plus the layer diff ids.
#[derive(Debug, Default)]
pub struct Parsed {
    pub config: ImageConfig,
    pub diff_ids: Vec<String>,
}

/// Parses an image config blob.
///
/// # Errors
/// The JSON error.
pub fn parse_config(bytes: &[u8]) -> Result<Parsed, serde_json::Error> {
    let raw: RawConfig = serde_json::from_slice(bytes)?;
    let runtime = raw.config.unwrap_or_default();
    let platform = (!raw.os.is_empty()).then(|| {
        format!(
            "{}/{}{}",
            raw.os,
            raw.architecture,
            raw.variant.map(|v| format!("/{v}")).unwrap_or_default()
        )
    });
    let config = ImageConfig {
        user: runtime.user.filter(|u| !u.is_empty()),
        env: runtime
            .env
            .unwrap_or_default()
            .iter()
            .map(|e| {
                e.split_once('=')
                    .map_or((e.clone(), String::new()), |(k, v)| {
                        (k.to_owned(), v.to_owned())
                    })
            })
            .collect(),
        labels: runtime.labels.unwrap_or_default(),
        exposed_ports: runtime
            .exposed_ports
            .unwrap_or_default()
            .into_keys()
            .collect(),
        healthcheck: runtime.healthcheck.and_then(|h| h.test),
        entrypoint: runtime.entrypoint.unwrap_or_default(),
        cmd: runtime.cmd.unwrap_or_default(),
        working_dir: runtime.working_dir.filter(|w| !w.is_empty()),
        created: raw.created,
        history: raw
            .history
            .into_iter()
            .map(|h| HistoryEntry {
                created: h.created,
                created_by: h.created_by,
                empty_layer: h.empty_layer,
            })
            .collect(),
        platform,
    };
    Ok(Parsed {
        config,
        diff_ids: raw.rootfs.map(|r| r.diff_ids).unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_fields() {
        let json = br#"{"architecture":"amd64","os":"linux","created":"2024-01-01T00:00:00Z",
          "config":{"User":"app","Env":["PATH=/bin","X"],"ExposedPorts":{"22/tcp":{}},"Labels":{"a":"b"},"Healthcheck":{"Test":["CMD","true"]}},
          "history":[{"created_by":"RUN x"},{"created_by":"ENV y","empty_layer":true}],"rootfs":{"type":"layers","diff_ids":["sha256:aa"]}}"#;
        let p = parse_config(json).unwrap();
        assert_eq!(p.config.user.as_deref(), Some("app"));
        assert_eq!(
            p.config.env,
            [("PATH".into(), "/bin".into()), ("X".into(), String::new())]
        );
        assert_eq!(p.config.exposed_ports, ["22/tcp"]);
        assert_eq!(
            p.config.healthcheck.as_deref(),
            Some(&["CMD".to_owned(), "true".to_owned()][..])
        );
        assert_eq!(p.config.platform.as_deref(), Some("linux/amd64"));
        assert!(p.config.history[1].empty_layer);
        assert_eq!(p.diff_ids, ["sha256:aa"]);
    }

    #[test]
    fn platform_selection() {
        let d = |os: &str, arch: &str| Descriptor {
            media_type: String::new(),
            digest: format!("sha256:{arch}"),
            size: 0,
            platform: Some(Platform {
                architecture: arch.into(),
                os: os.into(),
                variant: None,
            }),
            annotations: BTreeMap::new(),
        };
        let list = [
            d("linux", "amd64"),
            d("linux", "arm64"),
            d("unknown", "unknown"),
        ];
        assert_eq!(select(&list, "linux/arm64").unwrap().digest, "sha256:arm64");
        let err = select(&list, "linux/s390x").unwrap_err();
        assert!(err.contains("linux/amd64, linux/arm64"), "{err}");
    }
}
