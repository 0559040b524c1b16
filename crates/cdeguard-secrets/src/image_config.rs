//! Secrets in an image's configuration: `ENV` values, labels, `Cmd`/`Entrypoint`
//! arguments and the history's `created_by` commands (`RUN curl -H "Authorization:
//! Bearer …"`, and build args, which `docker build` records as `|1 TOKEN=… /bin/sh -c …`).
//! Each field goes through the same detector engine as files, so a format is defined once.
//!
//! Why: the configuration is readable by anyone who can pull the image and is copied into
//! every registry, cache and SBOM; a credential there is hard-coded (PCI DSS 8.6.2,
//! 8.3.2, 3.6.1; CIS Docker Benchmark v1.6.0 4.10).
//!
//! Failing: `ENV DB_PASSWORD=Xq9-vault-2024!` or
//! `ARG GITHUB_TOKEN` then `RUN git clone …` with `--build-arg GITHUB_TOKEN=ghp_…`.
//! Passing: `ENV DB_PASSWORD_FILE=/run/secrets/db` (a reference, not a value).
//!
//! Fix: remove the value from the Dockerfile and the build command, rotate it, and give it
//! to the build as a secret mount (`RUN --mount=type=secret`) and to the container at run
//! time as a mounted file.

use cdeguard_model::image::ImageInfo;
use cdeguard_model::{Cis, Finding, Resource};

use crate::Scanner;
use crate::findings::finding;

/// CIS Docker Benchmark v1.6.0 4.10: secrets are not stored in Dockerfiles.
const CIS: Cis = Cis::docker("4.10");

/// Each configuration field that can hold a secret, as (location, text to scan).
fn fields(image: &ImageInfo) -> Vec<(String, String)> {
    let config = &image.config;
    let mut out: Vec<(String, String)> = config
        .env
        .iter()
        .map(|(name, value)| (format!("config.Env[{name}]"), format!("{name}={value}")))
        .collect();
    out.extend(
        config
            .labels
            .iter()
            .map(|(name, value)| (format!("config.Labels[{name}]"), format!("{name}={value}"))),
    );
    for (location, args) in [
        ("config.Entrypoint", &config.entrypoint),
        ("config.Cmd", &config.cmd),
    ] {
        if !args.is_empty() {
            out.push((location.to_owned(), args.join(" ")));
        }
    }
    out.extend(config.history.iter().enumerate().filter_map(|(i, h)| {
        h.created_by
            .as_ref()
            .map(|c| (format!("history[{i}].created_by"), c.clone()))
    }));
    out
}

/// Findings for the secrets and card numbers in `image`'s configuration, one per value
/// (an `ENV` value is also in the history line that set it: reported once, at the first
/// field that holds it). `file` is the image's input path.
#[must_use]
pub fn findings(scanner: &Scanner, image: &ImageInfo, file: &str) -> Vec<Finding> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (location, text) in fields(image) {
        for detection in scanner.scan_text(text.as_bytes(), true) {
            if !seen.insert((detection.rule_id.clone(), detection.fingerprint.clone())) {
                continue;
            }
            let resource = Resource {
                kind: "Image".to_owned(),
                name: image.display_name().to_owned(),
                file: file.to_owned(),
                ..Resource::default()
            };
            let context = format!("in the image configuration, {location}");
            let mut f = finding(detection, resource, Some(&context));
            f.evidence = format!("{location}: {}", f.evidence);
            f.cis.push(CIS);
            out.push(f);
        }
    }
    out
}

/// Replaces every secret in `image`'s configuration and layer history by its masked form:
/// the report lists images with their configuration, and it must not print what the
/// findings mask.
pub fn redact(scanner: &Scanner, image: &mut ImageInfo) {
    let redact = |text: &mut String| {
        if let Some(masked) = scanner.redact(text) {
            *text = masked;
        }
    };
    let config = &mut image.config;
    for (name, value) in &mut config.env {
        // Scanned as `NAME=value`, as for findings, so assignments are judged alike.
        let mut line = format!("{name}={value}");
        redact(&mut line);
        if let Some((_, masked)) = line.split_once('=') {
            *value = masked.to_owned();
        }
    }
    for value in config.labels.values_mut() {
        redact(value);
    }
    for arg in config.entrypoint.iter_mut().chain(config.cmd.iter_mut()) {
        redact(arg);
    }
    let history = config
        .history
        .iter_mut()
        .filter_map(|h| h.created_by.as_mut());
    let layers = image
        .layers
        .iter_mut()
        .filter_map(|l| l.created_by.as_mut());
    for line in history.chain(layers) {
        redact(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FingerprintKey;
    use cdeguard_model::image::{HistoryEntry, ImageKind};

    fn image() -> ImageInfo {
        let mut image = ImageInfo::new("shop.tar", ImageKind::DockerArchive);
        let c = &mut image.config;
        c.env = vec![
            ("PATH".into(), "/usr/local/bin:/usr/bin".into()),
            ("DB_PASSWORD".into(), "Xq9-vault-2024!".into()),
            ("DB_PASSWORD_FILE".into(), "/run/secrets/db".into()),
        ];
        c.labels.insert(
            "ci.token".into(),
            "ghp_R8x2Lq7Vn4Tz0Wm6Yb3Kc9Hd5Jf1Gs8Pa2Qe".into(),
        );
        c.cmd = vec![
            "app".into(),
            "--stripe-key".into(),
            "sk_live_51NoLeakTestValue0123456789abc".into(),
        ];
        c.history = vec![
            HistoryEntry {
                created_by: Some("/bin/sh -c #(nop) ENV DB_PASSWORD=Xq9-vault-2024!".into()),
                empty_layer: true,
                ..HistoryEntry::default()
            },
            HistoryEntry {
                created_by: Some("|1 NPM_TOKEN=npm_Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7c /bin/sh -c npm ci".into()),
                ..HistoryEntry::default()
            },
            HistoryEntry {
                created_by: Some(r#"/bin/sh -c curl -H "Authorization: Bearer glpat-Zx8Kq2Wv5Ty7Rn3Mp6Ld" https://git/x"#.into()),
                ..HistoryEntry::default()
            },
        ];
        image
    }

    #[test]
    fn every_field_goes_through_the_engine_masked_and_once() {
        let scanner = Scanner::new(FingerprintKey::new(b"k"));
        let found = findings(&scanner, &image(), "images/shop.tar");
        let got: Vec<(&str, &str)> = found
            .iter()
            .map(|f| {
                let location = f.evidence.split(':').next().unwrap();
                (f.rule_id.as_str(), location)
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "CDG-SECRET-generic-password-assignment",
                    "config.Env[DB_PASSWORD]"
                ),
                ("CDG-SECRET-github-pat", "config.Labels[ci.token]"),
                ("CDG-SECRET-stripe-live-secret-key", "config.Cmd"),
                ("CDG-SECRET-npm-access-token", "history[1].created_by"),
                ("CDG-SECRET-gitlab-pat", "history[2].created_by"),
            ]
        );
        for f in &found {
            assert_eq!(f.resource.file, "images/shop.tar");
            assert_eq!(f.cis, vec![CIS]);
        }
        let mut redacted = image();
        redact(&scanner, &mut redacted);
        assert_eq!(redacted.config.env[0].1, "/usr/local/bin:/usr/bin");
        assert_eq!(redacted.config.env[2].1, "/run/secrets/db");
        assert!(
            redacted.config.cmd[2].starts_with("«Stripe sk_l…"),
            "{:?}",
            redacted.config.cmd
        );
        let text = format!("{found:?}{redacted:?}");
        for value in [
            "Xq9-vault-2024!",
            "ghp_R8x2Lq7Vn4Tz0Wm6Yb3Kc9Hd5Jf1Gs8Pa2Qe",
            "sk_live_51NoLeakTestValue0123456789abc",
            "npm_Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7c",
            "glpat-Zx8Kq2Wv5Ty7Rn3Mp6Ld",
        ] {
            assert!(!text.contains(value), "{value} leaked");
        }
    }
}
