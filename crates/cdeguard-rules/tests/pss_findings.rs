//! What Pod Security findings say: field path, line, container and severity, and the
//! level semantics upstream defines (overrides, Windows and user-namespace exemptions).

use cdeguard_collect::{CollectOptions, read_bytes};
use cdeguard_model::{Finding, Severity};
use cdeguard_rules::{RuleSet, all_rules};

fn scan(yaml: &str, level: RuleSet) -> Vec<Finding> {
    let inventory = read_bytes("pod.yaml", yaml.as_bytes(), &CollectOptions::default());
    assert!(inventory.errors.is_empty(), "{:?}", inventory.errors);
    let rules: Vec<_> = all_rules()
        .iter()
        .copied()
        .filter(|r| r.selected_by(&[level]))
        .collect();
    cdeguard_rules::run(&inventory, &rules)
}

fn only<'a>(findings: &'a [Finding], rule_id: &str) -> Vec<&'a Finding> {
    findings.iter().filter(|f| f.rule_id == rule_id).collect()
}

const DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: checkout
  namespace: payments
spec:
  template:
    spec:
      containers:
      - name: app
        image: registry.example/app:1.0
      - name: proxy
        image: registry.example/proxy:1.0
        securityContext:
          privileged: true
          capabilities:
            add: [NET_ADMIN]
      volumes:
      - name: sock
        hostPath:
          path: /var/run/docker.sock
";

#[test]
fn findings_name_container_field_path_and_line() {
    let findings = scan(DEPLOYMENT, RuleSet::PssBaseline);
    let privileged = only(&findings, "CDG-PSS-003");
    assert_eq!(privileged.len(), 1);
    let finding = privileged[0];
    assert_eq!(finding.resource.container.as_deref(), Some("proxy"));
    assert_eq!(finding.resource.line, Some(15));
    assert_eq!(finding.resource.namespace.as_deref(), Some("payments"));
    assert_eq!(
        finding.evidence,
        "spec.template.spec.containers[1].securityContext.privileged = true"
    );
    assert_eq!(finding.severity, Severity::Critical);

    let capability = only(&findings, "CDG-PSS-004");
    assert_eq!(capability.len(), 1);
    assert_eq!(
        capability[0].evidence,
        "spec.template.spec.containers[1].securityContext.capabilities.add[0] = NET_ADMIN"
    );
    assert_eq!(capability[0].resource.line, Some(17));

    let host_path = only(&findings, "CDG-PSS-005");
    assert_eq!(host_path.len(), 1);
    assert_eq!(host_path[0].severity, Severity::Critical);
    assert_eq!(host_path[0].resource.line, Some(20));
    assert!(
        host_path[0]
            .evidence
            .starts_with("spec.template.spec.volumes[0].hostPath = "),
        "{}",
        host_path[0].evidence
    );
}

#[test]
fn restricted_replaces_host_path_by_volume_types_with_the_same_severity() {
    let findings = scan(DEPLOYMENT, RuleSet::PssRestricted);
    assert!(only(&findings, "CDG-PSS-005").is_empty());
    assert!(only(&findings, "CDG-PSS-004").is_empty());
    let volumes = only(&findings, "CDG-PSS-013");
    assert_eq!(volumes.len(), 1);
    assert_eq!(volumes[0].severity, Severity::Critical);
    // The unset fields of the restricted level point at the container entry.
    let escalation = only(&findings, "CDG-PSS-014");
    let app = escalation
        .iter()
        .find(|f| f.resource.container.as_deref() == Some("app"))
        .unwrap();
    assert_eq!(app.resource.line, Some(10));
    assert_eq!(
        app.evidence,
        "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation unset"
    );
}

/// Upstream exempts Windows pods from the restricted capabilities check and overrides
/// the baseline one, so such a pod is admitted at restricted yet rejected at baseline.
#[test]
fn windows_pod_exemption_follows_upstream_overrides() {
    let pod = "\
apiVersion: v1
kind: Pod
metadata: {name: win}
spec:
  os: {name: windows}
  securityContext: {runAsNonRoot: true}
  containers:
  - name: app
    image: registry.example/app:1.0
    securityContext:
      capabilities: {add: [SYS_ADMIN]}
";
    assert!(scan(pod, RuleSet::PssRestricted).is_empty());
    let baseline = scan(pod, RuleSet::PssBaseline);
    assert_eq!(baseline.len(), 1);
    assert_eq!(baseline[0].rule_id, "CDG-PSS-004");
}

/// `hostUsers: false` relaxes runAsNonRoot, runAsUser and baseline procMount, but not
/// the restricted procMount check.
#[test]
fn user_namespace_relaxes_only_the_upstream_checks() {
    let pod = "\
apiVersion: v1
kind: Pod
metadata: {name: userns}
spec:
  hostUsers: false
  securityContext:
    runAsUser: 0
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: app
    image: registry.example/app:1.0
    securityContext:
      allowPrivilegeEscalation: false
      procMount: Unmasked
      capabilities: {drop: [ALL]}
";
    assert!(scan(pod, RuleSet::PssBaseline).is_empty());
    let restricted: Vec<String> = scan(pod, RuleSet::PssRestricted)
        .into_iter()
        .map(|f| f.rule_id)
        .collect();
    assert_eq!(restricted, ["CDG-PSS-019"]);
}

#[test]
fn deprecated_seccomp_annotation_is_not_evaluated_but_apparmor_annotation_is() {
    let pod = "\
apiVersion: v1
kind: Pod
metadata:
  name: annotated
  annotations:
    seccomp.security.alpha.kubernetes.io/pod: unconfined
    container.apparmor.security.beta.kubernetes.io/app: unconfined
spec:
  containers:
  - name: app
    image: registry.example/app:1.0
";
    let findings = scan(pod, RuleSet::PssBaseline);
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].rule_id, "CDG-PSS-007");
    assert_eq!(findings[0].resource.container.as_deref(), Some("app"));
    assert_eq!(findings[0].resource.line, Some(7));
    assert_eq!(
        findings[0].evidence,
        "metadata.annotations[\"container.apparmor.security.beta.kubernetes.io/app\"] = unconfined"
    );
}
