//! Kubernetes rules: CIS Kubernetes Benchmark section 5 and cluster hygiene.

crate::rule_modules! {
    default_namespace,
}
