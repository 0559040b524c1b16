//! The Kubernetes Pod Security Standards, baseline and restricted, as the upstream Pod
//! Security Admission controller (`k8s.io/pod-security-admission`, `policy/check_*.go`)
//! defines them for Kubernetes v1.37: one rule per upstream check, each at the newest
//! policy version of that check.
//!
//! Selecting `pss-restricted` runs the restricted rules plus every baseline rule that no
//! restricted rule overrides, exactly as upstream assembles its restricted level (see
//! [`overridden_at_restricted`]).

use cdeguard_model::{K8sObject, Node, PodTemplate, Severity};

use cdeguard_model::node::FieldPath;

use crate::pod::{ContainerRef, containers, evidence, pod_field, pod_path};
use crate::{Emitter, Rule};

crate::rule_modules! {
    host_process,
    host_namespaces,
    privileged,
    capabilities_baseline,
    host_path_volumes,
    host_ports,
    app_armor,
    se_linux,
    proc_mount,
    seccomp_baseline,
    sysctls,
    host_probes,
    restricted_volumes,
    allow_privilege_escalation,
    run_as_non_root,
    run_as_user,
    seccomp_restricted,
    capabilities_restricted,
    proc_mount_restricted,
}

/// Baseline rules that a restricted rule replaces at the restricted level (upstream's
/// `OverrideCheckIDs`). The replacement is stricter except where upstream exempts a pod
/// (Windows pods from the capabilities and seccomp checks), so running both would reject
/// pods the admission controller admits.
const OVERRIDDEN_AT_RESTRICTED: [&Rule; 4] = [
    &capabilities_baseline::RULE,
    &host_path_volumes::RULE,
    &proc_mount::RULE,
    &seccomp_baseline::RULE,
];

/// Whether the restricted level replaces this baseline rule by a restricted one.
#[must_use]
pub(crate) fn overridden_at_restricted(rule: &Rule) -> bool {
    OVERRIDDEN_AT_RESTRICTED.iter().any(|r| r.id == rule.id)
}

/// `spec.os.name: windows`. Since v1.25 upstream admits such pods without the Linux-only
/// restricted fields (API validation forbids setting them on Windows pods).
#[must_use]
pub(crate) fn is_windows_pod(pod: &PodTemplate<'_>) -> bool {
    pod_field(pod, &["os", "name"]).and_then(Node::as_str) == Some("windows")
}

/// `spec.hostUsers: false`: the pod runs in its own user namespace, so root in the
/// container is not root on the node; since v1.35 upstream relaxes the `runAsNonRoot`,
/// `runAsUser` and baseline `procMount` checks for such pods.
#[must_use]
pub(crate) fn in_user_namespace(pod: &PodTemplate<'_>) -> bool {
    pod_field(pod, &["hostUsers"]).and_then(Node::as_bool) == Some(false)
}

/// True only for an explicit boolean `true` (unset and null mean false, as in the API).
#[must_use]
pub(crate) fn is_true(node: &Node) -> bool {
    node.as_bool() == Some(true)
}

/// A string field with the API's zero value: absent or null is the empty string.
#[must_use]
pub(crate) fn text(node: Option<&Node>) -> String {
    node.and_then(Node::scalar_text).unwrap_or_default()
}

/// Whether a `seccompProfile` or `appArmorProfile` has one of the two confining types,
/// `RuntimeDefault` or `Localhost`. A profile without `type` is not confining.
#[must_use]
pub(crate) fn confining_profile(profile: &Node) -> bool {
    matches!(
        profile.get("type").and_then(Node::as_str),
        Some("RuntimeDefault" | "Localhost")
    )
}

/// Where a security-context field is read: upstream checks some fields on the pod and on
/// every container, others on containers only.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    PodAndContainers,
    Containers,
}

/// One `securityContext`: the pod's (`spec.securityContext`) or a container's.
pub(crate) struct SecurityContext<'a> {
    /// The container's name; `None` for the pod's own security context.
    pub(crate) container: Option<&'a str>,
    /// Field path of the `securityContext` itself.
    pub(crate) path: FieldPath,
    /// The `securityContext` node; the null node when absent.
    pub(crate) node: &'a Node,
    /// Line of the pod spec or container entry, for findings about unset fields.
    pub(crate) owner_line: u32,
}

impl<'a> SecurityContext<'a> {
    /// The security context of one container (the null node when it has none).
    pub(crate) fn of_container(container: &ContainerRef<'a>) -> Self {
        let node = container.node;
        SecurityContext {
            container: Some(node.get("name").and_then(Node::as_str).unwrap_or_default()),
            path: container.path_to(&["securityContext"]),
            node: node.get("securityContext").unwrap_or(Node::null()),
            owner_line: node.line,
        }
    }

    /// A field below the security context, if set (and not null).
    pub(crate) fn field(&self, keys: &[&str]) -> Option<&'a Node> {
        self.node.path(keys).filter(|n| !n.is_null())
    }

    pub(crate) fn path_to(&self, keys: &[&str]) -> FieldPath {
        keys.iter()
            .fold(self.path.clone(), |path, key| path.key(key))
    }

    /// `pod` or `container "name"`, to start a message.
    pub(crate) fn setter(&self) -> String {
        match self.container {
            None => "pod".to_owned(),
            Some(name) => format!("container {name:?}"),
        }
    }

    /// Reports a finding at `line` (the owner's line when 0) on this security context's
    /// pod or container.
    pub(crate) fn report(
        &self,
        out: &mut Emitter<'_>,
        object: &K8sObject,
        line: u32,
        message: String,
        evidence: String,
    ) {
        let line = if line == 0 { self.owner_line } else { line };
        out.k8s(object, line, self.container, message, evidence);
    }
}

/// The security contexts upstream reads: with [`Scope::PodAndContainers`] the pod's
/// first, then those of every init container, container and ephemeral container.
pub(crate) fn security_contexts<'a>(
    pod: &PodTemplate<'a>,
    scope: Scope,
) -> impl Iterator<Item = SecurityContext<'a>> {
    let pod_level = (scope == Scope::PodAndContainers).then(|| SecurityContext {
        container: None,
        path: pod_path(pod, &["securityContext"]),
        node: pod_field(pod, &["securityContext"]).unwrap_or(Node::null()),
        owner_line: pod.spec.line,
    });
    let container_level =
        containers(pod).map(|container| SecurityContext::of_container(&container));
    pod_level.into_iter().chain(container_level)
}

/// Reports every set (non-null) value of `securityContext.<keys>` that `forbidden`
/// rejects, on the security contexts of `scope`. `requirement` completes the message,
/// e.g. `must not set securityContext.privileged=true`.
pub(crate) fn report_forbidden_values(
    out: &mut Emitter<'_>,
    object: &K8sObject,
    pod: &PodTemplate<'_>,
    (keys, scope): (&[&str], Scope),
    forbidden: impl Fn(&Node) -> bool,
    requirement: &str,
) {
    for context in security_contexts(pod, scope) {
        if let Some(node) = context.field(keys).filter(|n| forbidden(n)) {
            context.report(
                out,
                object,
                node.line,
                format!("{} {requirement}", context.setter()),
                evidence(&context.path_to(keys), node),
            );
        }
    }
}

/// The entries of a container's `securityContext.capabilities.<list>` (`add` or `drop`):
/// field path, node and name (a null entry is the empty name, as the API decodes it).
pub(crate) fn capability_entries<'a>(
    container: &ContainerRef<'a>,
    list: &'static str,
) -> impl Iterator<Item = (FieldPath, &'a Node, String)> {
    let keys = ["securityContext", "capabilities", list];
    let base = container.path_to(&keys);
    container
        .node
        .path(&keys)
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(move |(index, node)| (base.index(index), node, text(Some(node))))
}

/// Host paths that hand over the node (runtime sockets, the root or system folders).
const CRITICAL_HOST_PATHS: &[&str] = &[
    "/",
    "/etc",
    "/root",
    "/proc",
    "/sys",
    "/boot",
    "/dev",
    "/var/lib/kubelet",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var/run",
    "/run",
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/run/containerd/containerd.sock",
    "/run/containerd/containerd.sock",
    "/var/run/crio/crio.sock",
    "/run/crio/crio.sock",
    "/var/run/cri-dockerd.sock",
];

/// How bad a `hostPath` volume is: critical for the paths that give the node away, high
/// otherwise.
#[must_use]
pub(crate) fn host_path_severity(host_path: &Node) -> Severity {
    let path = text(host_path.get("path"));
    let normalized = path.trim_end_matches('/');
    let normalized = if normalized.is_empty() && path.starts_with('/') {
        "/"
    } else {
        normalized
    };
    if CRITICAL_HOST_PATHS.contains(&normalized) {
        Severity::Critical
    } else {
        Severity::High
    }
}

#[cfg(test)]
mod tests {
    use cdeguard_model::Value;

    use super::*;

    fn host_path(path: &str) -> Node {
        Node::new(
            Value::Map(vec![(
                "path".to_owned(),
                Node::new(Value::Str(path.to_owned()), 1),
            )]),
            1,
        )
    }

    #[test]
    fn runtime_sockets_and_root_are_critical_other_paths_high() {
        assert_eq!(host_path_severity(&host_path("/")), Severity::Critical);
        assert_eq!(host_path_severity(&host_path("//")), Severity::Critical);
        assert_eq!(
            host_path_severity(&host_path("/var/run/docker.sock")),
            Severity::Critical
        );
        assert_eq!(host_path_severity(&host_path("/etc/")), Severity::Critical);
        assert_eq!(host_path_severity(&host_path("/data/app")), Severity::High);
        assert_eq!(host_path_severity(Node::null()), Severity::High);
    }

    #[test]
    fn exactly_the_four_upstream_overrides_are_replaced_at_restricted() {
        let overridden: Vec<&str> = RULES
            .iter()
            .filter(|r| overridden_at_restricted(r))
            .map(|r| r.name)
            .collect();
        assert_eq!(
            overridden,
            [
                "pss-capabilities-baseline",
                "pss-host-path-volumes",
                "pss-proc-mount-baseline",
                "pss-seccomp-baseline"
            ]
        );
    }
}
