//! Images built byte by byte for the tests: layers of a small Debian-like system, a
//! `docker save` archive, and an OCI layout with a two-platform index.

use std::io::Write as _;
use std::path::Path;

use sha2::{Digest as _, Sha256};

pub(crate) fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A tar of (name, content or link target, mode, type).
pub(crate) fn tar(members: &[(&str, &[u8], u32, tar::EntryType)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, data, mode, kind) in members {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(*kind);
        h.set_mode(*mode);
        let bytes = name.as_bytes();
        h.as_old_mut().name[..bytes.len()].copy_from_slice(bytes);
        if *kind == tar::EntryType::Symlink {
            h.as_old_mut().linkname[..data.len()].copy_from_slice(data);
            h.set_size(0);
            h.set_cksum();
            builder.append(&h, &[][..]).unwrap();
        } else {
            h.set_size(data.len() as u64);
            h.set_cksum();
            builder.append(&h, *data).unwrap();
        }
    }
    builder.into_inner().unwrap()
}

pub(crate) fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

pub(crate) const STATUS_1: &[u8] =
    b"Package: base-files\nStatus: install ok installed\nVersion: 12.4\nArchitecture: amd64\n";
pub(crate) const STATUS_2: &[u8] = b"Package: base-files\nStatus: install ok installed\nVersion: 12.4\nArchitecture: amd64\n\nPackage: curl\nStatus: install ok installed\nVersion: 7.88.1-10\nSource: curl (7.88.1-10)\nArchitecture: amd64\n";

pub(crate) fn layers() -> Vec<Vec<u8>> {
    use tar::EntryType::{Regular as F, Symlink as L};
    vec![
        tar(&[
            (
                "usr/lib/os-release",
                b"ID=debian\nVERSION_ID=\"12\"\n",
                0o644,
                F,
            ),
            ("etc/os-release", b"../usr/lib/os-release", 0o777, L),
            ("var/lib/dpkg/status", STATUS_1, 0o644, F),
            ("usr/bin/passwd", b"elf", 0o4755, F),
            ("etc/motd", b"hi", 0o644, F),
        ]),
        tar(&[
            ("var/lib/dpkg/status", STATUS_2, 0o644, F),
            ("etc/.wh.motd", b"", 0o644, F),
            ("var/cache/apt/archives/curl.deb", b"0123456789", 0o644, F),
            ("../../../tmp/evil", b"x", 0o644, F),
            ("etc/shadow-link", b"../../../../etc/shadow", 0o777, L),
            ("app/world", b"w", 0o666, F),
            ("loop1", b"loop2", 0o777, L),
            ("loop2", b"loop1", 0o777, L),
        ]),
    ]
}

pub(crate) fn config(diff_ids: &[String], user: Option<&str>) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux", "created": "2024-01-01T00:00:00Z",
        "config": {"User": user, "Env": ["PATH=/usr/bin"], "ExposedPorts": {"22/tcp": {}}},
        "history": [{"created_by": "ADD rootfs"}, {"created_by": "RUN apt-get install curl"}],
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }))
    .unwrap()
}

/// `docker save` layout: manifest.json, <id>.json, <id>/layer.tar (uncompressed).
pub(crate) fn docker_archive(path: &Path, layers: &[Vec<u8>]) {
    let diff_ids: Vec<String> = layers
        .iter()
        .map(|l| format!("sha256:{}", sha(l)))
        .collect();
    let config = config(&diff_ids, None);
    let config_name = format!("{}.json", sha(&config));
    let layer_names: Vec<String> = layers
        .iter()
        .enumerate()
        .map(|(i, _)| format!("layer{i}/layer.tar"))
        .collect();
    let manifest = serde_json::to_vec(
        &serde_json::json!([{"Config": config_name, "RepoTags": ["app:1"], "Layers": layer_names}]),
    )
    .unwrap();
    let mut members: Vec<(&str, &[u8], u32, tar::EntryType)> = vec![
        ("manifest.json", &manifest, 0o644, tar::EntryType::Regular),
        (&config_name, &config, 0o644, tar::EntryType::Regular),
    ];
    for (name, layer) in layer_names.iter().zip(layers) {
        members.push((name, layer, 0o644, tar::EntryType::Regular));
    }
    std::fs::write(path, tar(&members)).unwrap();
}

pub(crate) fn write_blob(dir: &Path, bytes: &[u8]) -> String {
    let digest = sha(bytes);
    std::fs::create_dir_all(dir.join("blobs/sha256")).unwrap();
    std::fs::write(dir.join("blobs/sha256").join(&digest), bytes).unwrap();
    format!("sha256:{digest}")
}

/// OCI layout with an index of two platforms; amd64 runs as `app`, arm64 as root.
pub(crate) fn oci_layout(dir: &Path, layers: &[Vec<u8>]) {
    let diff_ids: Vec<String> = layers
        .iter()
        .map(|l| format!("sha256:{}", sha(l)))
        .collect();
    let mut manifests = Vec::new();
    for (arch, user) in [("amd64", Some("app")), ("arm64", None)] {
        let config = config(&diff_ids, user);
        let (config_digest, config_size) = (write_blob(dir, &config), config.len());
        let layer_descs: Vec<serde_json::Value> = layers
            .iter()
            .map(|l| {
                let gz = gzip(l);
                serde_json::json!({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": write_blob(dir, &gz), "size": gz.len()})
            })
            .collect();
        let manifest = serde_json::to_vec(&serde_json::json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config_size}, "layers": layer_descs})).unwrap();
        let digest = write_blob(dir, &manifest);
        manifests.push(serde_json::json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest, "size": manifest.len(), "platform": {"os": "linux", "architecture": arch}}));
    }
    let index =
        serde_json::to_vec(&serde_json::json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": manifests}))
            .unwrap();
    let index_digest = write_blob(dir, &index);
    let top = serde_json::json!({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json", "digest": index_digest, "size": index.len(), "annotations": {"org.opencontainers.image.ref.name": "app:1"}}]});
    std::fs::write(dir.join("index.json"), serde_json::to_vec(&top).unwrap()).unwrap();
    std::fs::write(
        dir.join("oci-layout"),
        br#"{"imageLayoutVersion": "1.0.0"}"#,
    )
    .unwrap();
}
