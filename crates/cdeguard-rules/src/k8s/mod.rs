//! Kubernetes rules: CIS Kubernetes Benchmark v1.12 section 5 (RBAC, service accounts, Pod
//! Security enforcement, network policies, secrets, security contexts) and workload hygiene.

crate::rule_modules! {
    default_namespace,
    cluster_admin_binding,
    secrets_access,
    rbac_wildcard,
    pod_creation,
    default_service_account,
    token_automount,
    system_masters,
    escalation_verbs,
    pv_creation,
    nodes_proxy,
    csr_approval,
    webhook_configuration,
    token_creation,
    psa_enforce_label,
    namespace_without_network_policy,
    secret_in_env,
    no_security_context,
    writable_root_filesystem,
    missing_resource_limits,
}
