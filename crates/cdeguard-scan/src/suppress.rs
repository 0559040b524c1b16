//! Accepted risks: findings suppressed by a `cdeguard.io/ignore` annotation (or Compose
//! label) on the resource, or by a `.cdeguard.yaml` entry. Suppressed findings stay in the
//! report, marked with their justification; expired entries no longer apply.

use std::collections::HashMap;

use cdeguard_model::{Finding, Inventory, Suppression, SuppressionSource};
use jiff::civil::Date;

use crate::config::{AcceptedRisk, Config};

/// Annotation (Kubernetes) or label (Compose / docker) that accepts a risk on a resource:
/// `"CDG-K8S-001: reason"`, several separated by newlines or `;`.
pub const IGNORE_ANNOTATION: &str = "cdeguard.io/ignore";

/// (file, kind, namespace, name) of a resource.
type ResourceKey = (String, String, Option<String>, String);

/// `ignore` annotation values per resource.
fn annotations_by_resource(inventory: &Inventory) -> HashMap<ResourceKey, Vec<String>> {
    let mut map: HashMap<ResourceKey, Vec<String>> = HashMap::new();
    for object in &inventory.objects {
        let mut values: Vec<String> = object
            .annotations
            .get(IGNORE_ANNOTATION)
            .cloned()
            .into_iter()
            .collect();
        // Annotations on a workload's pod template count too.
        if let Some(template) = object.pod_template() {
            let pod_annotation = template.metadata.path(&["annotations", IGNORE_ANNOTATION]);
            values.extend(pod_annotation.and_then(cdeguard_model::Node::scalar_text));
        }
        if !values.is_empty() {
            let key = (
                inventory.path(object.loc).to_owned(),
                object.kind.clone(),
                object.namespace.clone(),
                object.name.clone(),
            );
            map.entry(key).or_default().extend(values);
        }
    }
    for container in &inventory.containers {
        if let Some(value) = container.labels.get(IGNORE_ANNOTATION) {
            let kind = match container.origin {
                cdeguard_model::docker::ContainerOrigin::Compose => "ComposeService",
                cdeguard_model::docker::ContainerOrigin::DockerInspect => "Container",
            };
            let key = (
                inventory.path(container.loc).to_owned(),
                kind.to_owned(),
                None,
                container.name.clone(),
            );
            map.entry(key).or_default().push(value.clone());
        }
    }
    map
}

/// Finds the justification for `rule_id` in annotation values.
fn annotation_justification(values: &[String], rule_id: &str) -> Option<String> {
    values
        .iter()
        .flat_map(|v| v.split(['\n', ';']))
        .find_map(|entry| {
            let (rule, reason) = entry.split_once(':')?;
            (rule.trim().eq_ignore_ascii_case(rule_id) && !reason.trim().is_empty())
                .then(|| reason.trim().to_owned())
        })
}

fn risk_matches(risk: &AcceptedRisk, finding: &Finding) -> bool {
    let r = &finding.resource;
    risk.rule.eq_ignore_ascii_case(&finding.rule_id)
        && risk.kind.as_ref().is_none_or(|k| *k == r.kind)
        && risk
            .namespace
            .as_ref()
            .is_none_or(|ns| Some(ns) == r.namespace.as_ref())
        && risk.name.as_ref().is_none_or(|n| *n == r.name)
        && risk.path.as_ref().is_none_or(|g| g.is_match(&r.file))
        && risk
            .fingerprint
            .as_ref()
            .is_none_or(|fp| finding.fingerprint.as_ref() == Some(fp))
        && risk.vulnerability.as_ref().is_none_or(|id| {
            finding.vulnerability.as_ref().is_some_and(|v| {
                std::iter::once(&v.id)
                    .chain(&v.aliases)
                    .any(|known| known.eq_ignore_ascii_case(id))
            })
        })
        && risk.package.as_ref().is_none_or(|name| {
            finding
                .vulnerability
                .as_ref()
                .is_some_and(|v| v.package.eq_ignore_ascii_case(name))
        })
}

/// Marks accepted findings as suppressed; returns notices about expired and unused
/// config entries.
pub fn apply(
    findings: &mut [Finding],
    inventory: &Inventory,
    config: Option<&Config>,
    today: Date,
) -> Vec<String> {
    let annotations = annotations_by_resource(inventory);
    let risks = config
        .map(|c| c.accepted_risks.as_slice())
        .unwrap_or_default();
    let mut used = vec![false; risks.len()];
    let mut expired_hit = vec![false; risks.len()];
    for finding in findings.iter_mut() {
        let r = &finding.resource;
        let key = (
            r.file.clone(),
            r.kind.clone(),
            r.namespace.clone(),
            r.name.clone(),
        );
        if let Some(justification) = annotations
            .get(&key)
            .and_then(|values| annotation_justification(values, &finding.rule_id))
        {
            finding.suppressed = Some(Suppression {
                justification,
                source: SuppressionSource::Annotation,
                expires: None,
            });
            continue;
        }
        for (i, risk) in risks.iter().enumerate() {
            if !risk_matches(risk, finding) {
                continue;
            }
            used[i] = true;
            if risk.expires.is_some_and(|d| d < today) {
                expired_hit[i] = true;
                continue;
            }
            finding.suppressed = Some(Suppression {
                justification: risk.justification.clone(),
                source: SuppressionSource::Config,
                expires: risk.expires.map(|d| d.to_string()),
            });
            break;
        }
    }
    let path = config.map(|c| c.path.as_str()).unwrap_or_default();
    let mut notices = Vec::new();
    for (i, risk) in risks.iter().enumerate() {
        if expired_hit[i] {
            let date = risk.expires.map(|d| d.to_string()).unwrap_or_default();
            notices.push(format!(
                "{path}:{}: accepted risk for {} expired on {date}; its findings are open again",
                risk.line,
                risk.subject()
            ));
        } else if !used[i] {
            notices.push(format!(
                "{path}:{}: accepted risk for {} matches no finding",
                risk.line,
                risk.subject()
            ));
        }
    }
    notices
}

#[cfg(test)]
mod tests {
    use super::*;
    use cdeguard_collect::{CollectOptions, read_bytes};
    use cdeguard_model::{Resource, Severity};

    fn finding(rule: &str, kind: &str, name: &str) -> Finding {
        Finding {
            rule_id: rule.into(),
            title: String::new(),
            severity: Severity::High,
            pci: vec![],
            cis: vec![],
            resource: Resource {
                kind: kind.into(),
                namespace: Some("pay".into()),
                name: name.into(),
                file: "m.yaml".into(),
                ..Resource::default()
            },
            message: String::new(),
            evidence: String::new(),
            remediation: String::new(),
            fingerprint: None,
            vulnerability: None,
            suppressed: None,
        }
    }

    const MANIFEST: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: pay\n  annotations:\n    cdeguard.io/ignore: \"CDG-A: vendor image; CDG-B:\"\nspec:\n  template:\n    metadata:\n      annotations:\n        cdeguard.io/ignore: 'CDG-C: pod-level reason'\n    spec: {containers: []}\n";

    #[test]
    fn annotations_on_object_and_pod_template_suppress_their_rules_only() {
        let inventory = read_bytes("m.yaml", MANIFEST.as_bytes(), &CollectOptions::default());
        let mut findings = vec![
            finding("CDG-A", "Deployment", "api"),
            finding("CDG-B", "Deployment", "api"), // empty reason: not accepted
            finding("CDG-C", "Deployment", "api"),
            finding("CDG-A", "Deployment", "other"),
        ];
        let notices = apply(
            &mut findings,
            &inventory,
            None,
            jiff::civil::date(2026, 1, 1),
        );
        let why: Vec<Option<&str>> = findings
            .iter()
            .map(|f| f.suppressed.as_ref().map(|s| s.justification.as_str()))
            .collect();
        assert_eq!(
            why,
            vec![Some("vendor image"), None, Some("pod-level reason"), None]
        );
        assert!(notices.is_empty());
    }

    #[test]
    fn config_entries_apply_until_they_expire_and_unused_ones_are_reported() {
        let config = Config::parse(
            ".cdeguard.yaml",
            "accepted_risks:\n- rule: CDG-A\n  name: api\n  justification: tracked in PAY-1\n  expires: 2026-06-30\n- rule: CDG-Z\n  justification: nothing\n",
        )
        .unwrap();
        let inventory = Inventory::default();
        let mut before = vec![finding("CDG-A", "Deployment", "api")];
        apply(
            &mut before,
            &inventory,
            Some(&config),
            jiff::civil::date(2026, 6, 30),
        );
        let s = before[0].suppressed.as_ref().unwrap();
        assert_eq!(
            (s.justification.as_str(), s.expires.as_deref()),
            ("tracked in PAY-1", Some("2026-06-30"))
        );

        let mut after = vec![finding("CDG-A", "Deployment", "api")];
        let notices = apply(
            &mut after,
            &inventory,
            Some(&config),
            jiff::civil::date(2026, 7, 1),
        );
        assert!(after[0].suppressed.is_none());
        assert!(
            notices[0].contains(".cdeguard.yaml:2: accepted risk for CDG-A expired on 2026-06-30"),
            "{notices:?}"
        );
        assert!(
            notices[1].contains(".cdeguard.yaml:6: accepted risk for CDG-Z matches no finding"),
            "{notices:?}"
        );
    }

    fn vulnerability_finding(id: &str, aliases: &[&str], package: &str) -> Finding {
        let mut f = finding("CDG-VULN-001", "Package", package);
        f.vulnerability = Some(Box::new(cdeguard_model::Vulnerability {
            id: id.into(),
            aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
            advisories: vec![],
            ecosystem: cdeguard_model::Ecosystem::PyPI,
            package: package.into(),
            installed_version: "5.3.1".into(),
            purl: String::new(),
            fixed_versions: vec![],
            score: None,
            vector: None,
            severity_source: String::new(),
            published: None,
            patch_deadline: None,
            overdue: false,
            summary: String::new(),
            references: vec![],
            found_in: "requirements.txt".into(),
            layer: None,
        }));
        f
    }

    #[test]
    fn vulnerabilities_are_accepted_by_id_or_alias_and_package() {
        let config = Config::parse(
            ".cdeguard.yaml",
            "accepted_risks:\n- vulnerability: ghsa-8q59-q68h-6hv4\n  package: pyyaml\n  justification: loader not reachable\n- vulnerability: CVE-2099-1\n  justification: nothing has it\n",
        )
        .unwrap();
        assert_eq!(config.accepted_risks[0].rule, "CDG-VULN-001");
        let mut findings = vec![
            vulnerability_finding("CVE-2020-14343", &["GHSA-8q59-q68h-6hv4"], "PyYAML"),
            // Same advisory, other package: the `package` selector keeps it open.
            vulnerability_finding("CVE-2020-14343", &["GHSA-8q59-q68h-6hv4"], "ruamel.yaml"),
            vulnerability_finding("CVE-2021-1", &[], "PyYAML"),
            // A configuration finding is never accepted by a vulnerability entry.
            finding("CDG-VULN-001", "Package", "PyYAML"),
        ];
        let notices = apply(
            &mut findings,
            &Inventory::default(),
            Some(&config),
            jiff::civil::date(2026, 1, 1),
        );
        let accepted: Vec<bool> = findings.iter().map(|f| f.suppressed.is_some()).collect();
        assert_eq!(accepted, [true, false, false, false]);
        assert_eq!(notices.len(), 1, "{notices:?}");
        assert!(
            notices[0].contains(":5: accepted risk for CVE-2099-1 matches no finding"),
            "{notices:?}"
        );
    }

    #[test]
    fn fingerprint_entries_parse() {
        let config = Config::parse(
            ".cdeguard.yaml",
            "accepted_risks:\n- rule: CDG-SEC-001\n  fingerprint: 3f9a00\n  justification: test fixture key\n",
        )
        .unwrap();
        assert_eq!(
            config.accepted_risks[0].fingerprint.as_deref(),
            Some("3f9a00")
        );
    }
}
