//! The Kubernetes Pod Security Standards, baseline and restricted, exactly as the upstream
//! Pod Security Admission controller (k8s.io/pod-security-admission, policy version v1.37)
//! evaluates them. Restricted includes every baseline control; where upstream overrides a
//! baseline check at restricted level, the restricted rule is strictly stronger, so running
//! both gives the same verdict.

crate::rule_modules! {
    host_process,
    host_namespaces,
    privileged,
    capabilities_baseline,
    host_path_volumes,
    host_ports,
    apparmor,
    selinux,
    proc_mount_baseline,
    seccomp_baseline,
    sysctls,
    host_probes_and_lifecycle,
    restricted_volumes,
    allow_privilege_escalation,
    run_as_non_root,
    run_as_user,
    seccomp_restricted,
    capabilities_restricted,
    proc_mount_restricted,
}
