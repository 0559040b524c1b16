//! PCI DSS hygiene rules that no CIS control covers as directly: pinned images, exposure of
//! services, TLS on ingress, clear-text credentials, insecure protocols, CDE default-deny.

pub(crate) use unpinned_image::image_pinning;

crate::rule_modules! {
    unpinned_image,
    exposed_service,
    external_ips,
    ingress_without_tls,
    cleartext_credential_env,
    cleartext_credential_configmap,
    insecure_protocol_port,
    cde_namespace_default_deny,
}
