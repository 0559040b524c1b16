//! Package registries and artifact stores: a leaked publish token lets an attacker ship
//! code into the build (supply chain). PCI DSS 8.6.2, 6.3.2.

use super::{Check, Detector};
use cdeguard_model::Severity;

pub(super) const DETECTORS: &[Detector] = &[
    Detector {
        id: "npm-access-token",
        provider: "npm",
        title: "npm access token",
        keywords: &["npm_"],
        pattern: r"\b(npm_[A-Za-z0-9]{36})\b",
        check: Check::None,
        severity: Severity::High,
    },
    Detector {
        id: "pypi-upload-token",
        provider: "PyPI",
        title: "PyPI upload token",
        keywords: &["pypi-ageichlwas5vcmc"],
        pattern: r"\b(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,})",
        check: Check::None,
        severity: Severity::High,
    },
    Detector {
        id: "rubygems-api-key",
        provider: "RubyGems",
        title: "RubyGems API key",
        keywords: &["rubygems_"],
        pattern: r"\b(rubygems_[a-f0-9]{48})\b",
        check: Check::None,
        severity: Severity::High,
    },
    Detector {
        id: "nuget-api-key",
        provider: "NuGet",
        title: "NuGet API key",
        keywords: &["oy2"],
        pattern: r"\b(oy2[a-z0-9]{43})\b",
        check: Check::None,
        severity: Severity::High,
    },
    Detector {
        id: "docker-hub-pat",
        provider: "Docker Hub",
        title: "Docker Hub personal access token",
        keywords: &["dckr_pat_", "dckr_oat_"],
        pattern: r"\b(dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,})",
        check: Check::None,
        severity: Severity::High,
    },
    Detector {
        id: "crates-io-token",
        provider: "crates.io",
        title: "crates.io API token",
        keywords: &["cio"],
        pattern: r"\b(cio[a-zA-Z0-9]{32})\b",
        check: Check::Entropy(3.8),
        severity: Severity::High,
    },
    Detector {
        id: "artifactory-api-key",
        provider: "JFrog Artifactory",
        title: "JFrog Artifactory API key or reference token",
        keywords: &["akc", "cmvmdgtuojaxoj"],
        pattern: r"(?:^|[^A-Za-z0-9+/])(AKC[a-zA-Z0-9]{70}|cmVmdGtuOjAxOj[A-Za-z0-9]{50})(?:[^A-Za-z0-9+/=]|$)",
        check: Check::Entropy(4.0),
        severity: Severity::High,
    },
    Detector {
        id: "clojars-token",
        provider: "Clojars",
        title: "Clojars deploy token",
        keywords: &["clojars_"],
        pattern: r"(?i)\b(CLOJARS_[a-z0-9]{60})\b",
        check: Check::None,
        severity: Severity::High,
    },
    Detector {
        id: "gradle-plugin-portal-key",
        provider: "Gradle",
        title: "Gradle Plugin Portal key or secret",
        keywords: &["gradle.publish."],
        pattern: r"gradle\.publish\.(?:key|secret)\s*=\s*([A-Za-z0-9]{32})",
        check: Check::None,
        severity: Severity::High,
    },
];
