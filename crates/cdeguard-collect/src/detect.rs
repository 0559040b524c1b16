//! Recognising an input's format from its name and content.

use std::path::Path;

use cdeguard_model::InputFormat;

/// Prefix of the error for inputs that match no format (filtered for folder walks).
pub const UNRECOGNISED: &str = "unrecognised input";

/// Whether a file found while walking a folder is worth reading.
#[must_use]
pub fn is_candidate(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let lower = name.to_ascii_lowercase();
    is_dockerfile_name(name)
        || [".yaml", ".yml", ".json"]
            .iter()
            .any(|ext| lower.ends_with(ext))
}

/// `Dockerfile`, `Containerfile`, `Dockerfile.prod`, `api.Dockerfile`, `x.dockerfile`.
#[must_use]
pub fn is_dockerfile_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "dockerfile"
        || lower == "containerfile"
        || lower.starts_with("dockerfile.")
        || lower.ends_with(".dockerfile")
}

/// Decides the format of a text input.
#[must_use]
pub fn detect(path: &str, text: &str) -> InputFormat {
    let name = Path::new(path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    if is_dockerfile_name(name) {
        return InputFormat::Dockerfile;
    }
    let has_top_level_key = |key: &str| {
        text.lines()
            .any(|l| l.starts_with(key) && l[key.len()..].trim_start().starts_with(':'))
            || text.contains(&format!("\"{key}\""))
    };
    if has_top_level_key("apiVersion") && has_top_level_key("kind") {
        return InputFormat::Kubernetes;
    }
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') && text.contains("\"HostConfig\"") && text.contains("\"Id\"") {
        return InputFormat::DockerInspect;
    }
    if text.lines().any(|l| l.starts_with("services:")) || trimmed.starts_with("{\"services\"") {
        return InputFormat::Compose;
    }
    if crate::dockerfile::looks_like_dockerfile(text) {
        return InputFormat::Dockerfile;
    }
    InputFormat::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubernetes_by_content() {
        assert_eq!(
            detect("x.txt", "apiVersion: v1\nkind: Pod\n"),
            InputFormat::Kubernetes
        );
        assert_eq!(
            detect("x.json", "{\"apiVersion\": \"v1\", \"kind\": \"List\"}"),
            InputFormat::Kubernetes
        );
        assert_eq!(detect("values.yaml", "replicas: 3\n"), InputFormat::Unknown);
        assert_eq!(
            detect("docker-compose.yml", "version: '3'\nservices:\n  a: {}\n"),
            InputFormat::Compose
        );
        assert_eq!(
            detect("out.json", "[{\"Id\": \"x\", \"HostConfig\": {}}]"),
            InputFormat::DockerInspect
        );
        assert_eq!(
            detect("build.txt", "ARG BASE=x\nFROM $BASE\n"),
            InputFormat::Dockerfile
        );
    }

    #[test]
    fn dockerfiles_by_name() {
        assert!(is_dockerfile_name("Dockerfile"));
        assert!(is_dockerfile_name("api.Dockerfile"));
        assert!(is_dockerfile_name("Dockerfile.prod"));
        assert_eq!(
            detect("build/Containerfile", "FROM x\n"),
            InputFormat::Dockerfile
        );
    }
}
