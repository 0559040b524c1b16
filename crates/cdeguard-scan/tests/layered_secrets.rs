//! Secrets in every layer of an image and in its configuration, on the image built by
//! `tests/data/make_layered_image.py`: a private key added in layer 1 and deleted in
//! layer 2, a card file overwritten in layer 2, an `.env` hidden by an opaque folder in
//! layer 3, a config file rewritten with the same secret (reported once), and secrets in
//! ENV, labels, Cmd and a build arg of the history.

use std::path::{Path, PathBuf};

use cdeguard_collect::Target;
use cdeguard_model::{Finding, LayerStatus};
use cdeguard_scan::{ScanOptions, Scanner, scan};

fn image() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/layered-secrets.tar")
}

/// Layer digests (blob names in the archive), base first.
const LAYER_1: &str = "sha256:a797caa193bdea7a4dcf7e36b2b20683c3425410f816dc342b0bf20d705dcd73";
const LAYER_2: &str = "sha256:ffc93a304c2c8e26f75fe7f014d56d4b9c0768d4ef9e8eccc75e777f72e35d80";
const LAYER_3: &str = "sha256:cdd5bb50fea8c35d01a24fb70c11a4f841062cf88b78db9e4f0d1fb8159c0fc1";

fn secrets_scan(cache: &Path) -> Vec<Finding> {
    let mut options = ScanOptions {
        scanners: vec![Scanner::Secrets],
        ..ScanOptions::default()
    };
    options.collect.image.cache_dir = Some(cache.join("layers"));
    let report = scan(&[Target::Path(image())], &options);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    report.findings
}

fn find<'a>(findings: &'a [Finding], rule: &str, file_suffix: &str) -> &'a Finding {
    let matching: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.rule_id == rule && f.resource.file.ends_with(file_suffix))
        .collect();
    assert_eq!(matching.len(), 1, "{rule} in {file_suffix}: {findings:#?}");
    matching[0]
}

#[test]
fn deleted_hidden_and_overwritten_files_are_reported_with_their_layers() {
    let cache = tempfile::tempdir().unwrap();
    let findings = secrets_scan(cache.path());

    let key = find(&findings, "CDG-SECRET-private-key", "!/root/.ssh/id_rsa");
    assert!(
        key.message.contains("deleted in layer 2/3")
            && key.message.contains("still shipped in layer 1/3"),
        "{}",
        key.message
    );
    assert!(
        key.evidence.ends_with(&format!("layer 1 {LAYER_1}")),
        "{}",
        key.evidence
    );
    assert_eq!(key.resource.line, Some(1));

    let pan = find(&findings, "CDG-PAN-001", "!/data/cards.csv");
    assert!(
        pan.message.contains("overwritten in layer 2/3")
            && pan.message.contains("453914******6467"),
        "{}",
        pan.message
    );
    assert_eq!(pan.resource.line, Some(2));

    let env = find(&findings, "CDG-SECRET-github-pat", "!/app/.env");
    assert!(
        env.message
            .contains(&format!("deleted in layer 3/3 ({}", &LAYER_3[..19])),
        "{}",
        env.message
    );

    // Unchanged from layer 1 to the final filesystem: once, on the newest version.
    let stripe = find(
        &findings,
        "CDG-SECRET-stripe-live-secret-key",
        "!/etc/app.conf",
    );
    assert!(
        stripe.message.contains("in layer 3/3")
            && stripe.message.contains("unchanged since layer 1/3"),
        "{}",
        stripe.message
    );
    assert!(stripe.evidence.ends_with(LAYER_3), "{}", stripe.evidence);
    assert_eq!(stripe.resource.line, Some(2));

    // The same facts as structured fields (`resource.layer`), 0-based.
    let layer = |f: &Finding| {
        f.resource
            .layer
            .clone()
            .expect("layer findings carry their layer")
    };
    let key_layer = layer(key);
    assert_eq!(
        (key_layer.index, key_layer.count, key_layer.digest.as_str()),
        (0, 3, LAYER_1)
    );
    assert_eq!(
        (key_layer.status, key_layer.changed_in),
        (LayerStatus::Deleted, Some(1))
    );
    assert_eq!(key_layer.created_by.as_deref(), Some("ADD rootfs /"));
    let pan_layer = layer(pan);
    assert_eq!(
        (pan_layer.index, pan_layer.status, pan_layer.changed_in),
        (0, LayerStatus::Overwritten, Some(1))
    );
    let env_layer = layer(env);
    assert_eq!(
        (env_layer.status, env_layer.changed_in),
        (LayerStatus::Deleted, Some(2))
    );
    let stripe_layer = layer(stripe);
    assert_eq!(
        (
            stripe_layer.index,
            stripe_layer.digest.as_str(),
            stripe_layer.status,
            stripe_layer.changed_in,
            stripe_layer.unchanged_since
        ),
        (2, LAYER_3, LayerStatus::Visible, None, Some(0))
    );
    // The layer that deleted the key was made by a build-arg line holding a token: the
    // line is not repeated in the layer's description.
    assert!(
        key.message.contains(&format!(
            "layer 2/3 ({}…, history line withheld",
            &LAYER_2[..19]
        )),
        "{}",
        key.message
    );
}

#[test]
fn config_fields_go_through_the_engine() {
    let cache = tempfile::tempdir().unwrap();
    let findings = secrets_scan(cache.path());
    let config: Vec<(&str, &str)> = findings
        .iter()
        .filter(|f| f.message.contains("image configuration"))
        .map(|f| (f.rule_id.as_str(), f.evidence.split(':').next().unwrap()))
        .collect();
    assert_eq!(
        config,
        vec![
            (
                "CDG-SECRET-generic-password-assignment",
                "config.Env[DB_PASSWORD]"
            ),
            ("CDG-SECRET-github-pat", "config.Labels[ci.token]"),
            ("CDG-SECRET-stripe-live-secret-key", "config.Cmd"),
            ("CDG-SECRET-npm-access-token", "history[2].created_by"),
        ]
    );
}

#[test]
fn warm_scans_reuse_the_per_layer_cache_and_nothing_leaks() {
    let cache = tempfile::tempdir().unwrap();
    let cold = secrets_scan(cache.path());
    let entries: Vec<PathBuf> = std::fs::read_dir(cache.path().join("layer-secrets"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(entries.len(), 3, "one cache entry per layer: {entries:?}");
    let warm = secrets_scan(cache.path());
    assert_eq!(format!("{cold:?}"), format!("{warm:?}"));
    // The cache entries and the findings hold masked values and fingerprints only.
    let mut text = format!("{cold:?}");
    for entry in &entries {
        text.push_str(&std::fs::read_to_string(entry).unwrap());
    }
    for value in [
        "MIIEowIBAAKCAQEAzq8L3vN5",
        "4539 1488 0343 6467",
        "4539148803436467",
        "ghp_L4y3rT0k3nAbCdEfGhIjKlMnOpQrStUvWx12",
        "sk_live_51LayerTestValue0123456789abcd",
        "Qz7-layer-vault-2099",
        "ghp_C0nf1gL4b3lAbCdEfGhIjKlMnOpQrStUv345",
        "sk_live_51ConfigCmdValue0123456789abcd",
        "npm_B0u1ldArgAbCdEfGhIjKlMnOpQrStUvWx567",
    ] {
        assert!(!text.contains(value), "{}… leaked", &value[..8]);
    }
    // A corrupt cache entry is a miss, not an error or a wrong answer.
    std::fs::write(&entries[0], b"{not json").unwrap();
    assert_eq!(
        format!("{:?}", secrets_scan(cache.path())),
        format!("{cold:?}")
    );
}
