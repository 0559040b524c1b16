//! CIS Docker Benchmark v1.6.0 section 5 (container runtime): one rule reads every Compose
//! service and `docker inspect` container through [`ContainerConfig`].

use cdeguard_model::Inventory;
use cdeguard_model::docker::ContainerConfig;

use crate::Emitter;
pub(crate) use crate::emit::Problem;

crate::rule_modules! {
    privileged,
    host_network_namespace,
    host_pid_namespace,
    host_ipc_namespace,
    host_uts_namespace,
    host_user_namespace,
    host_cgroup_namespace,
    docker_socket,
    sensitive_mount,
    capabilities_added,
    capabilities_not_dropped,
    no_new_privileges,
    confinement_disabled,
    writable_rootfs,
    memory_limit,
    cpu_limit,
    pids_limit,
    privileged_port,
    all_interfaces,
    restart_policy,
    host_devices,
    shared_propagation,
    healthcheck_disabled,
    root_user,
    insecure_port,
}

impl Problem {
    /// A problem on the line of a container setting (the container's line when unset).
    fn at(
        c: &ContainerConfig,
        field: &str,
        message: impl Into<String>,
        evidence: impl Into<String>,
    ) -> Self {
        Self::new(c.line_of(field), message, evidence)
    }
}

/// Runs `problems` on every container and reports what it finds.
fn report(
    inventory: &Inventory,
    out: &mut Emitter<'_>,
    problems: fn(&ContainerConfig) -> Vec<Problem>,
) {
    for container in &inventory.containers {
        for p in problems(container) {
            let resource = out.container_resource(container, p.line);
            out.problem(resource, p);
        }
    }
}
