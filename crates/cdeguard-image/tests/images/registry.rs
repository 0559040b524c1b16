//! Pulling from a real registry (`docker-registry` on loopback, images pushed with
//! skopeo): the pulled image equals the same image read as a local OCI layout, cached
//! layers are not fetched again (counted in the registry's access log), basic and
//! bearer-token authentication, and the failures a pull can meet, each naming the reference.

use std::path::{Path, PathBuf};

use cdeguard_image::{Credentials, ImageOptions, RegistryOptions, pull, read};
use cdeguard_model::ImageKind;

use super::fixtures::{layers, oci_layout, tar};
use super::registry_server::{PASSWORD, Registry, USER, free_port};
use super::token::{ISSUER, SERVICE, TokenService};

/// An OCI layout of the test image (two platforms) in `dir/name`.
fn layout(dir: &Path, name: &str, layers: &[Vec<u8>]) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir(&path).unwrap();
    oci_layout(&path, layers);
    path
}

fn options(registry: &Registry, cache: Option<PathBuf>) -> ImageOptions {
    ImageOptions {
        platform: Some("linux/amd64".into()),
        cache_dir: cache,
        registry: RegistryOptions {
            insecure: vec![registry.addr.clone()],
            credentials: None,
            docker_config: None,
        },
        ..ImageOptions::default()
    }
}

#[test]
fn pulled_image_equals_the_local_layout_and_cached_layers_are_not_fetched_again() {
    let registry = Registry::anonymous();
    let (dir, app, reference) = registry.push_test_image("team/app");

    let cache = dir.path().join("cache");
    let options = options(&registry, Some(cache.clone()));
    let local = read(
        &app,
        &ImageOptions {
            cache_dir: None,
            ..options.clone()
        },
    )
    .unwrap()
    .image;
    let pulled = pull(&reference, &options).unwrap().image;
    assert_eq!(pulled.kind, ImageKind::Registry);
    assert_eq!(pulled.reference, reference);
    assert_eq!(pulled.repo_tags[0], reference);
    assert_eq!(pulled.packages, local.packages);
    assert!(pulled.packages.iter().any(|p| p.name == "curl"));
    assert_eq!(pulled.files, local.files);
    assert_eq!(pulled.config, local.config);
    assert_eq!(pulled.os, local.os);
    assert_eq!(pulled.id, local.id);
    assert_eq!(pulled.manifest_digest, local.manifest_digest);
    let digests = |i: &cdeguard_model::image::ImageInfo| -> Vec<String> {
        i.layers.iter().map(|l| l.digest.clone()).collect()
    };
    assert_eq!(digests(&pulled), digests(&local));
    for digest in digests(&pulled) {
        assert_eq!(registry.blob_gets("team/app", &digest), 1, "{digest}");
    }

    // A second pull reads every layer from the cache: no layer blob is requested.
    let again = pull(&reference, &options).unwrap().image;
    assert_eq!(again.packages, pulled.packages);
    for digest in digests(&pulled) {
        assert_eq!(registry.blob_gets("team/app", &digest), 1, "{digest}");
    }

    // An image sharing the base layer fetches only its own layer.
    let mut other_layers = layers();
    other_layers[1] = tar(&[("etc/motd", b"other image", 0o644, tar::EntryType::Regular)]);
    let other = layout(dir.path(), "other", &other_layers);
    registry.push(&other, "team/other:1");
    let other = pull(&format!("{}/team/other:1", registry.addr), &options)
        .unwrap()
        .image;
    let other_digests = digests(&other);
    assert_eq!(other_digests[0], digests(&pulled)[0]);
    assert_eq!(registry.blob_gets("team/other", &other_digests[0]), 0);
    assert_eq!(registry.blob_gets("team/other", &other_digests[1]), 1);

    // By digest, and another platform of the index.
    let by_digest = format!(
        "{}/team/app@{}",
        registry.addr,
        local.manifest_digest.as_deref().unwrap()
    );
    let pinned = pull(&by_digest, &options).unwrap().image;
    assert_eq!(pinned.config.user.as_deref(), Some("app"));
    let arm = pull(
        &reference,
        &ImageOptions {
            platform: Some("linux/arm64".into()),
            ..options.clone()
        },
    )
    .unwrap()
    .image;
    assert_eq!(arm.config.user, None);
    assert_ne!(arm.manifest_digest, pulled.manifest_digest);
}

#[test]
fn basic_authentication_from_options_or_docker_config() {
    let registry = Registry::with_basic_auth();
    let (dir, _, reference) = registry.push_test_image("app");
    let anonymous = options(&registry, None);

    let err = pull(&reference, &anonymous).unwrap_err();
    assert_eq!(err.image, reference);
    assert!(err.message.contains("authentication required"), "{err}");
    assert!(err.message.contains("--registry-username"), "{err}");

    let err = pull(&reference, &with_credentials(&anonymous, USER, "wrong")).unwrap_err();
    assert!(err.message.contains("rejected the credentials"), "{err}");
    assert!(!err.to_string().contains("wrong"), "{err}");
    let image = pull(&reference, &with_credentials(&anonymous, USER, PASSWORD))
        .unwrap()
        .image;
    assert!(image.packages.iter().any(|p| p.name == "curl"));

    let config = dir.path().join("config.json");
    std::fs::write(
        &config,
        format!(
            r#"{{"auths": {{"http://{}": {{"username": "{USER}", "password": "{PASSWORD}"}}}}}}"#,
            registry.addr
        ),
    )
    .unwrap();
    let from_config = ImageOptions {
        registry: RegistryOptions {
            docker_config: Some(config),
            ..anonymous.registry.clone()
        },
        ..anonymous.clone()
    };
    let image = pull(&reference, &from_config).unwrap().image;
    assert_eq!(image.kind, ImageKind::Registry);
}

fn with_credentials(options: &ImageOptions, username: &str, password: &str) -> ImageOptions {
    ImageOptions {
        registry: RegistryOptions {
            credentials: Some(Credentials {
                username: username.into(),
                password: password.into(),
            }),
            ..options.registry.clone()
        },
        ..options.clone()
    }
}

#[test]
fn bearer_token_flow() {
    let tokens = TokenService::start();
    let registry =
        Registry::with_token_auth(&tokens.realm, SERVICE, ISSUER, &tokens.root_certificate);
    let (_dir, _, reference) = registry.push_test_image("app");
    let anonymous = options(&registry, None);

    let err = pull(&reference, &anonymous).unwrap_err();
    assert!(err.message.contains("authentication required"), "{err}");
    let err = pull(&reference, &with_credentials(&anonymous, USER, "wrong")).unwrap_err();
    assert!(
        err.message
            .contains("token service rejected the credentials"),
        "{err}"
    );
    let image = pull(&reference, &with_credentials(&anonymous, USER, PASSWORD))
        .unwrap()
        .image;
    assert!(image.packages.iter().any(|p| p.name == "curl"));
    let requests = tokens.requests();
    assert!(
        requests.contains(&format!(
            "service={SERVICE}&scope=repository:app:pull authorized=true"
        )),
        "{requests:#?}"
    );
    assert!(
        requests.contains(&format!(
            "service={SERVICE}&scope=repository:app:pull authorized=false"
        )),
        "{requests:#?}"
    );
}

#[test]
fn failures_name_the_reference() {
    let registry = Registry::anonymous();
    let (_dir, _, reference) = registry.push_test_image("app");
    let options = options(&registry, None);
    let message = |reference: &str, options: &ImageOptions| {
        let err = pull(reference, options).unwrap_err();
        assert_eq!(err.image, reference);
        let text = err.to_string();
        assert!(!text.contains('\n'), "{text}");
        text
    };

    let missing = format!("{}/app:2", registry.addr);
    let text = message(&missing, &options);
    assert!(
        text.contains("manifest `2`: not found (HTTP 404 MANIFEST_UNKNOWN)"),
        "{text}"
    );

    let nowhere = format!("127.0.0.1:{}/app:1", free_port());
    let unreachable = ImageOptions {
        registry: RegistryOptions {
            insecure: vec![nowhere.split('/').next().unwrap().to_owned()],
            ..options.registry.clone()
        },
        ..options.clone()
    };
    assert!(message(&nowhere, &unreachable).contains("cannot reach registry"));

    // Without --insecure-registry the client insists on TLS, which this registry lacks.
    let https = ImageOptions {
        registry: RegistryOptions::default(),
        ..options.clone()
    };
    let tls = format!("{}/app:1", registry.addr);
    assert!(message(&tls, &https).contains("cannot reach registry"));

    let remote = ImageOptions {
        registry: RegistryOptions {
            insecure: vec!["registry.example:5000".into()],
            ..options.registry.clone()
        },
        ..options.clone()
    };
    assert!(
        message("registry.example:5000/app:1", &remote)
            .contains("plain HTTP is only allowed to a loopback registry")
    );
    assert!(message("Bad Reference", &options).contains("invalid"));

    // A layer whose stored bytes changed (same length): the digest check catches it.
    let image = pull(&reference, &options).unwrap().image;
    let layer = image.layers[1].digest.clone();
    let stored = registry.blob_file(&layer);
    let original = std::fs::read(&stored).unwrap();
    let mut flipped = original.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0xff;
    std::fs::write(&stored, &flipped).unwrap();
    let text = message(&reference, &options);
    assert!(
        text.contains(&format!("digest mismatch: manifest says {layer}")),
        "{text}"
    );

    // A truncated layer blob.
    std::fs::write(&stored, &original[..original.len() / 2]).unwrap();
    let text = message(&reference, &options);
    assert!(
        text.contains(&format!("digest mismatch: manifest says {layer}")),
        "{text}"
    );

    // A manifest whose stored bytes no longer match the digest it is served under.
    let manifest = image.manifest_digest.clone().unwrap();
    let stored = registry.blob_file(&manifest);
    let mut bytes = std::fs::read(&stored).unwrap();
    bytes.push(b'\n');
    std::fs::write(&stored, &bytes).unwrap();
    let pinned = format!("{}/app@{manifest}", registry.addr);
    let text = message(&pinned, &options);
    assert!(
        text.contains(&format!("manifest {manifest}: digest mismatch")),
        "{text}"
    );
}

/// `docker save` archives pushed by skopeo arrive as Docker schema 2 manifests (not OCI):
/// the pull negotiates that media type and reads the same packages and layers.
#[test]
fn docker_schema_2_images_pull_like_the_archive() {
    let registry = Registry::anonymous();
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("app.tar");
    super::fixtures::docker_archive(&archive, &layers());
    registry.push_docker_archive(&archive, "legacy/app:1");
    let options = options(&registry, None);
    let local = read(&archive, &options).unwrap().image;
    let pulled = pull(&format!("{}/legacy/app:1", registry.addr), &options)
        .unwrap()
        .image;
    let names = |packages: &[cdeguard_model::Package]| -> Vec<(String, String)> {
        packages
            .iter()
            .map(|p| (p.name.clone(), p.version.clone()))
            .collect()
    };
    assert!(pulled.packages.iter().any(|p| p.name == "curl"));
    assert_eq!(names(&pulled.packages), names(&local.packages));
    assert_eq!(pulled.os, local.os);
    assert_eq!(pulled.config, local.config);
    assert_eq!(pulled.layers.len(), local.layers.len());
}
