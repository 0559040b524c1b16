//! CycloneDX VEX, spec versions 1.4–1.6 JSON: each entry of `vulnerabilities[]` with an
//! `analysis.state` is one statement about the components its `affects[].ref` names.
//!
//! ```json
//! {"bomFormat": "CycloneDX", "specVersion": "1.4",
//!  "vulnerabilities": [{"id": "CVE-2020-25649",
//!    "analysis": {"state": "not_affected", "justification": "code_not_reachable"},
//!    "affects": [{"ref": "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar"}]}]}
//! ```
//!
//! States map to OpenVEX statuses: `not_affected` and `false_positive` → not affected,
//! `resolved` and `resolved_with_pedigree` → fixed, `exploitable` → affected, `in_triage`
//! → under investigation. Justifications map to the OpenVEX vocabulary:
//! `code_not_present` → `vulnerable_code_not_present`, `code_not_reachable` →
//! `vulnerable_code_not_in_execute_path`, `requires_configuration` / `requires_dependency`
//! / `requires_environment` → `vulnerable_code_cannot_be_controlled_by_adversary`,
//! `protected_by_compiler` / `protected_at_runtime` / `protected_at_perimeter` /
//! `protected_by_mitigating_control` → `inline_mitigations_already_exist`. A vulnerability
//! without an analysis state is a plain vulnerability report (no VEX claim) and is skipped;
//! `affects[].versions` ranges are not read (the ref names the component and its version).

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use crate::{Dated, VexError, VexStatement, VexStatus, parse, timestamp};

#[derive(Deserialize)]
struct Bom {
    #[serde(rename = "specVersion")]
    spec_version: String,
    metadata: Option<Metadata>,
    #[serde(default)]
    components: Vec<Component>,
    #[serde(default)]
    vulnerabilities: Vec<Vulnerability>,
}

#[derive(Deserialize)]
struct Metadata {
    timestamp: Option<String>,
    component: Option<Component>,
}

#[derive(Deserialize)]
struct Component {
    #[serde(rename = "bom-ref")]
    bom_ref: Option<String>,
    purl: Option<String>,
    #[serde(default)]
    components: Vec<Component>,
}

#[derive(Deserialize)]
struct Vulnerability {
    id: Option<String>,
    #[serde(default)]
    references: Vec<Reference>,
    analysis: Option<Analysis>,
    #[serde(default)]
    affects: Vec<Affect>,
}

#[derive(Deserialize)]
struct Reference {
    id: String,
}

#[derive(Deserialize)]
struct Analysis {
    state: Option<String>,
    justification: Option<String>,
    detail: Option<String>,
    #[serde(rename = "firstIssued")]
    first_issued: Option<String>,
    #[serde(rename = "lastUpdated")]
    last_updated: Option<String>,
}

#[derive(Deserialize)]
struct Affect {
    #[serde(rename = "ref")]
    reference: String,
}

/// bom-ref → purl of every component, nested ones included.
fn purls_by_ref<'a>(
    components: impl IntoIterator<Item = &'a Component>,
    map: &mut HashMap<&'a str, &'a str>,
) {
    for component in components {
        if let (Some(bom_ref), Some(purl)) = (&component.bom_ref, &component.purl) {
            map.insert(bom_ref, purl);
        }
        purls_by_ref(&component.components, map);
    }
}

fn status(path: &Path, field: &str, state: &str) -> Result<VexStatus, VexError> {
    match state {
        "not_affected" | "false_positive" => Ok(VexStatus::NotAffected),
        "resolved" | "resolved_with_pedigree" => Ok(VexStatus::Fixed),
        "exploitable" => Ok(VexStatus::Affected),
        "in_triage" => Ok(VexStatus::UnderInvestigation),
        _ => Err(VexError::Invalid {
            path: path.to_owned(),
            field: field.to_owned(),
            message: format!(
                "unknown analysis state `{state}` (expected resolved, resolved_with_pedigree, \
                 exploitable, in_triage, false_positive or not_affected)"
            ),
        }),
    }
}

fn openvex_justification(justification: String) -> String {
    let mapped = match justification.as_str() {
        "code_not_present" => "vulnerable_code_not_present",
        "code_not_reachable" => "vulnerable_code_not_in_execute_path",
        "requires_configuration" | "requires_dependency" | "requires_environment" => {
            "vulnerable_code_cannot_be_controlled_by_adversary"
        }
        "protected_by_compiler"
        | "protected_at_runtime"
        | "protected_at_perimeter"
        | "protected_by_mitigating_control" => "inline_mitigations_already_exist",
        _ => return justification,
    };
    mapped.to_owned()
}

pub(crate) fn statements(path: &Path, bytes: &[u8]) -> Result<Vec<Dated>, VexError> {
    let bom: Bom = parse(path, bytes)?;
    if !matches!(bom.spec_version.as_str(), "1.4" | "1.5" | "1.6") {
        return Err(VexError::Invalid {
            path: path.to_owned(),
            field: "specVersion".into(),
            message: format!(
                "CycloneDX {} has no VEX analysis (1.4 to 1.6 supported)",
                bom.spec_version
            ),
        });
    }
    let metadata_time = timestamp(
        path,
        "metadata.timestamp",
        bom.metadata
            .as_ref()
            .and_then(|metadata| metadata.timestamp.as_deref()),
    )?;
    let mut purls = HashMap::new();
    purls_by_ref(
        bom.metadata
            .iter()
            .filter_map(|metadata| metadata.component.as_ref()),
        &mut purls,
    );
    purls_by_ref(&bom.components, &mut purls);

    let source = path.display().to_string();
    let mut dated = Vec::new();
    for (index, vulnerability) in bom.vulnerabilities.iter().enumerate() {
        let field = |name: &str| format!("vulnerabilities[{index}].{name}");
        let Some(analysis) = &vulnerability.analysis else {
            continue;
        };
        let Some(state) = &analysis.state else {
            continue;
        };
        let Some(id) = &vulnerability.id else {
            return Err(VexError::Invalid {
                path: path.to_owned(),
                field: field("id"),
                message: "missing (a VEX analysis needs the vulnerability id)".into(),
            });
        };
        let products = vulnerability
            .affects
            .iter()
            .map(|affect| {
                let bom_ref = match affect.reference.strip_prefix("urn:cdx:") {
                    Some(link) => link
                        .split_once('#')
                        .map_or(affect.reference.as_str(), |(_, r)| r),
                    None => affect.reference.as_str(),
                };
                purls.get(bom_ref).copied().unwrap_or(bom_ref).to_owned()
            })
            .collect();
        let updated = timestamp(
            path,
            &field("analysis.lastUpdated"),
            analysis.last_updated.as_deref(),
        )?;
        let issued = timestamp(
            path,
            &field("analysis.firstIssued"),
            analysis.first_issued.as_deref(),
        )?;
        dated.push(Dated {
            timestamp: updated.or(issued).or(metadata_time),
            statement: VexStatement {
                vulnerability: id.clone(),
                aliases: vulnerability
                    .references
                    .iter()
                    .map(|reference| reference.id.clone())
                    .collect(),
                products,
                status: status(path, &field("analysis.state"), state)?,
                justification: analysis.justification.clone().map(openvex_justification),
                detail: analysis.detail.clone(),
                source: source.clone(),
            },
        });
    }
    Ok(dated)
}
