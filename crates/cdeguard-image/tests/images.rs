//! End-to-end image reading on images built here: docker-archive and OCI layout (with a
//! multi-platform index), layer attribution, whiteouts, hostile members, the layer
//! cache, and corrupt inputs.

use std::io::Write as _;
use std::path::Path;

use cdeguard_image::{ImageOptions, read};
use cdeguard_model::ImageKind;
use sha2::{Digest as _, Sha256};

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A tar of (name, content or link target, mode, type).
fn tar(members: &[(&str, &[u8], u32, tar::EntryType)]) -> Vec<u8> {
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

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

const STATUS_1: &[u8] =
    b"Package: base-files\nStatus: install ok installed\nVersion: 12.4\nArchitecture: amd64\n";
const STATUS_2: &[u8] = b"Package: base-files\nStatus: install ok installed\nVersion: 12.4\nArchitecture: amd64\n\nPackage: curl\nStatus: install ok installed\nVersion: 7.88.1-10\nSource: curl (7.88.1-10)\nArchitecture: amd64\n";

fn layers() -> Vec<Vec<u8>> {
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

fn config(diff_ids: &[String], user: Option<&str>) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux", "created": "2024-01-01T00:00:00Z",
        "config": {"User": user, "Env": ["PATH=/usr/bin"], "ExposedPorts": {"22/tcp": {}}},
        "history": [{"created_by": "ADD rootfs"}, {"created_by": "RUN apt-get install curl"}],
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }))
    .unwrap()
}

/// `docker save` layout: manifest.json, <id>.json, <id>/layer.tar (uncompressed).
fn docker_archive(path: &Path, layers: &[Vec<u8>]) {
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

fn write_blob(dir: &Path, bytes: &[u8]) -> String {
    let digest = sha(bytes);
    std::fs::create_dir_all(dir.join("blobs/sha256")).unwrap();
    std::fs::write(dir.join("blobs/sha256").join(&digest), bytes).unwrap();
    format!("sha256:{digest}")
}

/// OCI layout with an index of two platforms; amd64 runs as `app`, arm64 as root.
fn oci_layout(dir: &Path, layers: &[Vec<u8>]) {
    let diff_ids: Vec<String> = layers
        .iter()
        .map(|l| format!("sha256:{}", sha(l)))
        .collect();
    let mut manifests = Vec::new();
    for (arch, user) in [("amd64", Some("app")), ("arm64", None)] {
        let config_digest = write_blob(dir, &config(&diff_ids, user));
        let layer_descs: Vec<serde_json::Value> = layers
            .iter()
            .map(|l| {
                let gz = gzip(l);
                serde_json::json!({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": write_blob(dir, &gz), "size": gz.len()})
            })
            .collect();
        let manifest = serde_json::to_vec(&serde_json::json!({"schemaVersion": 2, "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": 1}, "layers": layer_descs})).unwrap();
        let digest = write_blob(dir, &manifest);
        manifests.push(serde_json::json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest, "size": manifest.len(), "platform": {"os": "linux", "architecture": arch}}));
    }
    let index =
        serde_json::to_vec(&serde_json::json!({"schemaVersion": 2, "manifests": manifests}))
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

fn no_cache() -> ImageOptions {
    ImageOptions {
        cache_dir: None,
        ..ImageOptions::default()
    }
}

#[test]
fn docker_archive_layers_packages_and_facts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.tar");
    docker_archive(&path, &layers());
    let read = read(&path, &no_cache()).unwrap();
    let image = &read.image;
    assert_eq!(image.kind, ImageKind::DockerArchive);
    assert_eq!(image.repo_tags, ["app:1"]);
    assert_eq!(image.os.as_ref().map(|o| o.id.as_str()), Some("debian"));
    assert_eq!(image.layers.len(), 2);
    assert_eq!(
        image.layers[1].created_by.as_deref(),
        Some("RUN apt-get install curl")
    );
    let by_name = |n: &str| image.packages.iter().find(|p| p.name == n).unwrap();
    assert_eq!(
        by_name("base-files").layer.as_deref(),
        Some(image.layers[0].digest.as_str()),
        "unchanged package keeps its first layer"
    );
    assert_eq!(
        by_name("curl").layer.as_deref(),
        Some(image.layers[1].digest.as_str())
    );
    assert_eq!(by_name("curl").distro_release.as_deref(), Some("12"));
    assert_eq!(
        by_name("curl").purl,
        "pkg:deb/debian/curl@7.88.1-10?arch=amd64&distro=debian-12"
    );
    assert_eq!(
        image
            .files
            .setuid_setgid
            .iter()
            .map(|f| f.path.as_str())
            .collect::<Vec<_>>(),
        ["/usr/bin/passwd"]
    );
    assert!(
        image
            .files
            .world_writable
            .iter()
            .any(|f| f.path == "/app/world")
    );
    assert_eq!(
        image.files.package_caches[0].path,
        "/var/cache/apt/archives"
    );
    assert_eq!(image.files.package_caches[0].size, 10);
    assert!(
        read.warnings
            .iter()
            .any(|w| w.contains("escapes the image root")),
        "{:?}",
        read.warnings
    );
    assert!(image.runs_as_root());
    assert_eq!(image.config.exposed_ports, ["22/tcp"]);
}

#[test]
fn oci_layout_platforms_and_cache() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("layout");
    std::fs::create_dir(&layout).unwrap();
    oci_layout(&layout, &layers());
    let amd = read(
        &layout,
        &ImageOptions {
            platform: Some("linux/amd64".into()),
            ..no_cache()
        },
    )
    .unwrap()
    .image;
    assert_eq!(
        (amd.kind, amd.config.user.as_deref()),
        (ImageKind::OciLayout, Some("app"))
    );
    assert_eq!(amd.repo_tags, ["app:1"]);
    let arm = read(
        &layout,
        &ImageOptions {
            platform: Some("linux/arm64".into()),
            ..no_cache()
        },
    )
    .unwrap()
    .image;
    assert_eq!(arm.config.user, None);
    let err = read(
        &layout,
        &ImageOptions {
            platform: Some("linux/s390x".into()),
            ..no_cache()
        },
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("linux/amd64, linux/arm64"),
        "{err}"
    );

    let cache = dir.path().join("cache");
    let cached = ImageOptions {
        platform: Some("linux/amd64".into()),
        cache_dir: Some(cache.clone()),
        ..ImageOptions::default()
    };
    let cold = read(&layout, &cached).unwrap().image;
    let cache_files = |suffix: &str| {
        std::fs::read_dir(&cache)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().ends_with(suffix))
            .collect::<Vec<_>>()
    };
    assert_eq!(cache_files(".bin").len(), 2, "one file per verified layer");
    assert_eq!(
        cache_files(".image.json").len(),
        1,
        "one file for the image"
    );
    // Remove the layer blobs: a warm read must not need them.
    for layer in &cold.layers {
        std::fs::remove_file(
            layout
                .join("blobs/sha256")
                .join(layer.digest.trim_start_matches("sha256:")),
        )
        .unwrap();
    }
    let warm = read(&layout, &cached).unwrap().image;
    assert_eq!(warm.packages, cold.packages);
    assert_eq!(warm.files, cold.files);
    assert_eq!(warm.os, cold.os);
    // Nor the layers' cache entries: the image entry answers alone.
    for layer_entry in cache_files(".bin") {
        std::fs::remove_file(layer_entry).unwrap();
    }
    let from_image_entry = read(&layout, &cached).unwrap().image;
    assert_eq!(from_image_entry.packages, cold.packages);
    assert_eq!(from_image_entry.files, cold.files);
    // Without it, the missing blobs are needed again.
    for image_entry in cache_files(".image.json") {
        std::fs::remove_file(image_entry).unwrap();
    }
    assert!(read(&layout, &cached).is_err());
}

#[test]
fn corrupt_inputs_name_the_member() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("layout");
    std::fs::create_dir(&layout).unwrap();
    oci_layout(&layout, &layers());
    let amd = read(&layout, &no_cache()).unwrap().image;
    let blob = layout
        .join("blobs/sha256")
        .join(amd.layers[1].digest.trim_start_matches("sha256:"));
    let bytes = std::fs::read(&blob).unwrap();
    std::fs::write(&blob, &bytes[..bytes.len() / 2]).unwrap();
    let err = read(
        &layout,
        &ImageOptions {
            platform: Some("linux/amd64".into()),
            ..no_cache()
        },
    )
    .unwrap_err();
    assert_eq!(
        err.member.as_deref(),
        Some(
            format!(
                "blobs/sha256/{}",
                amd.layers[1].digest.trim_start_matches("sha256:")
            )
            .as_str()
        ),
        "{err}"
    );

    // A valid layer with other bytes than the manifest's digest names.
    let mut other = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    other.write_all(&layers()[1]).unwrap();
    std::fs::write(&blob, other.finish().unwrap()).unwrap();
    let err = read(
        &layout,
        &ImageOptions {
            platform: Some("linux/amd64".into()),
            ..no_cache()
        },
    )
    .unwrap_err();
    assert!(err.message.contains("digest mismatch"), "{err}");

    let truncated = dir.path().join("trunc.tar");
    docker_archive(&truncated, &layers());
    let bytes = std::fs::read(&truncated).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() - 3000]).unwrap();
    assert!(read(&truncated, &no_cache()).is_err());

    let not_image = dir.path().join("x.tar");
    std::fs::write(
        &not_image,
        tar(&[("hello.txt", b"hi", 0o644, tar::EntryType::Regular)]),
    )
    .unwrap();
    assert!(
        read(&not_image, &no_cache())
            .unwrap_err()
            .message
            .contains("not a docker-archive")
    );
}

#[test]
fn rootfs_folder() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::create_dir_all(root.join("lib/apk/db")).unwrap();
    std::fs::write(
        root.join("etc/os-release"),
        "ID=alpine\nVERSION_ID=3.20.3\n",
    )
    .unwrap();
    std::fs::write(
        root.join("lib/apk/db/installed"),
        "P:musl\nV:1.2.5-r0\nA:x86_64\no:musl\n\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("/../../../etc/passwd", root.join("etc/escape")).unwrap();
    let image = read(root, &no_cache()).unwrap().image;
    assert_eq!(image.kind, ImageKind::RootFs);
    assert_eq!(image.packages.len(), 1);
    assert_eq!(image.packages[0].distro_release.as_deref(), Some("v3.20"));
    assert_eq!(image.packages[0].layer, None);
}
