//! What analyzers report: a [`Finding`] ties one weakness in one resource to the PCI DSS
//! v4.0.1 requirements and CIS Benchmark controls it concerns.

use serde::{Deserialize, Serialize};

/// How bad a finding is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "info" | "informational" | "none" => Ok(Severity::Info),
            "low" => Ok(Severity::Low),
            "medium" | "moderate" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            other => Err(format!(
                "unknown severity `{other}` (expected critical, high, medium, low or info)"
            )),
        }
    }
}

/// Which CIS Benchmark a control id belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CisBenchmark {
    Kubernetes,
    Docker,
}

/// A CIS Benchmark control, always with benchmark and version (ids move between versions).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Cis {
    pub benchmark: CisBenchmark,
    pub version: &'static str,
    pub id: &'static str,
}

impl Cis {
    /// CIS Kubernetes Benchmark v1.12 control.
    #[must_use]
    pub const fn k8s(id: &'static str) -> Self {
        Self {
            benchmark: CisBenchmark::Kubernetes,
            version: "1.12",
            id,
        }
    }

    /// CIS Docker Benchmark v1.6.0 control.
    #[must_use]
    pub const fn docker(id: &'static str) -> Self {
        Self {
            benchmark: CisBenchmark::Docker,
            version: "1.6.0",
            id,
        }
    }
}

impl std::fmt::Display for Cis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self.benchmark {
            CisBenchmark::Kubernetes => "Kubernetes",
            CisBenchmark::Docker => "Docker",
        };
        write!(f, "CIS {name} v{} {}", self.version, self.id)
    }
}

/// The object a finding is about, as precisely as known.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Resource {
    /// `Deployment`, `ClusterRoleBinding`, `ComposeService`, `Container`, `Dockerfile`, ...
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub container: Option<String>,
    /// Input file path (`-` for stdin).
    pub file: String,
    /// 1-based line in `file`, when known.
    pub line: Option<u32>,
    /// The image layer that holds `file` (secrets found layer by layer); absent for
    /// everything else.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<LayerLocation>,
}

/// Where in an image's layers a file is, and whether the merged filesystem still shows
/// it: a file deleted or overwritten by a later layer is still shipped in its own layer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerLocation {
    /// 0-based position in the image's layer list, in application order (messages say
    /// `layer {index + 1}/{count}`).
    pub index: u32,
    /// Number of layers of the image.
    pub count: u32,
    /// The layer's digest (`sha256:…`).
    pub digest: String,
    /// The history line that made the layer; absent when the image has none for it, or
    /// when the line itself holds a secret (its own image-configuration finding reports
    /// it masked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    pub status: LayerStatus,
    /// The layer that deleted or overwrote the file (status `deleted`/`overwritten`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed_in: Option<u32>,
    /// The oldest layer whose version of the file already held the same value: it is
    /// shipped there too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unchanged_since: Option<u32>,
}

/// Whether a layer's file is what the container sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LayerStatus {
    /// No later layer changes it.
    Visible,
    /// A later layer deletes it (whiteout or opaque folder).
    Deleted,
    /// A later layer writes another version of it.
    Overwritten,
}

/// `layer 1/3 sha256:… (deleted in layer 2/3)`: the layer as reports print it (1-based, as
/// messages count layers).
impl std::fmt::Display for LayerLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "layer {}/{} {}", self.index + 1, self.count, self.digest)?;
        if let Some(by) = self.changed_in {
            write!(
                f,
                " ({} in layer {}/{})",
                self.status.as_str(),
                by + 1,
                self.count
            )?;
        }
        Ok(())
    }
}

impl LayerStatus {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            LayerStatus::Visible => "visible",
            LayerStatus::Deleted => "deleted",
            LayerStatus::Overwritten => "overwritten",
        }
    }
}

/// Where an accepted risk was declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SuppressionSource {
    /// `cdeguard.io/ignore` annotation on the resource.
    Annotation,
    /// An entry of `.cdeguard.yaml`.
    Config,
    /// A VEX statement (OpenVEX or CycloneDX VEX) saying the product is not affected
    /// or the vulnerability is fixed.
    Vex,
}

/// A finding accepted as a risk, with the justification an assessor will read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suppression {
    pub justification: String,
    pub source: SuppressionSource,
    /// Expiry date (`YYYY-MM-DD`), when one was given.
    pub expires: Option<String>,
}

/// One weakness in one resource.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// Stable rule id, e.g. `CDG-PSS-B-PRIV`.
    pub rule_id: String,
    pub title: String,
    pub severity: Severity,
    /// PCI DSS v4.0.1 requirement ids, e.g. `["2.2.6", "7.2.1"]`.
    pub pci: Vec<String>,
    pub cis: Vec<Cis>,
    pub resource: Resource,
    /// What exactly is wrong in this resource.
    pub message: String,
    /// The offending setting, e.g. `spec.containers[0].securityContext.privileged = true`.
    pub evidence: String,
    pub remediation: String,
    /// Keyed hash identifying the exact secret or card number found (secret findings
    /// only), for tracking and suppression without storing the value.
    pub fingerprint: Option<String>,
    /// The vulnerability (vulnerability scanner findings only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vulnerability: Option<Box<crate::Vulnerability>>,
    /// Set when the finding is an accepted risk; it still appears in reports.
    pub suppressed: Option<Suppression>,
}

impl Finding {
    #[must_use]
    pub fn is_suppressed(&self) -> bool {
        self.suppressed.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_order_from_info_to_critical() {
        assert!(Severity::Info < Severity::Low);
        assert!(Severity::High < Severity::Critical);
        assert_eq!("HIGH".parse::<Severity>(), Ok(Severity::High));
        assert!("urgent".parse::<Severity>().is_err());
    }

    #[test]
    fn layer_locations_print_one_based_with_what_changed_them() {
        let mut layer = LayerLocation {
            index: 0,
            count: 3,
            digest: "sha256:ab".into(),
            created_by: None,
            status: LayerStatus::Visible,
            changed_in: None,
            unchanged_since: None,
        };
        assert_eq!(layer.to_string(), "layer 1/3 sha256:ab");
        (layer.status, layer.changed_in) = (LayerStatus::Deleted, Some(1));
        assert_eq!(
            layer.to_string(),
            "layer 1/3 sha256:ab (deleted in layer 2/3)"
        );
        // Optional fields are left out of JSON when unset and default when absent.
        let json = serde_json::to_value(&layer).unwrap();
        assert_eq!(json["status"], "deleted");
        assert!(json.get("created_by").is_none());
        let back: LayerLocation = serde_json::from_value(serde_json::json!({
            "index": 0, "count": 3, "digest": "sha256:ab", "status": "deleted", "changed_in": 1
        }))
        .unwrap();
        assert_eq!(back, layer);
    }

    #[test]
    fn cis_reference_names_benchmark_and_version() {
        assert_eq!(Cis::k8s("5.2.2").to_string(), "CIS Kubernetes v1.12 5.2.2");
        assert_eq!(Cis::docker("5.4").to_string(), "CIS Docker v1.6.0 5.4");
    }
}
