//! End-to-end image reading on images built here: docker-archive and OCI layout (with a
//! multi-platform index), layer attribution, whiteouts, hostile members, the layer
//! cache, and corrupt inputs.

use std::io::Write as _;

use cdeguard_image::{ImageOptions, read};
use cdeguard_model::ImageKind;

#[path = "support/images.rs"]
mod fixtures;
// Pulling needs the `registry` feature (on by default).
#[cfg(feature = "registry")]
#[path = "images/registry.rs"]
mod registry;
#[cfg(feature = "registry")]
#[path = "support/registry.rs"]
mod registry_server;
#[cfg(feature = "registry")]
#[path = "images/token.rs"]
mod token;

use fixtures::{docker_archive, layers, oci_layout, tar};

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
