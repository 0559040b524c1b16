//! `docker inspect` output (a JSON array of containers): each becomes a [`ContainerConfig`].
//! The engine fills every field, so "not set" is the engine's zero value here.

use std::collections::BTreeMap;

use cdeguard_model::docker::{ContainerConfig, ContainerOrigin, Mount, PortMapping};
use cdeguard_model::{InputError, Location, Node};

/// Whether a parsed document looks like `docker inspect` output for containers.
#[must_use]
pub fn is_inspect_document(root: &Node) -> bool {
    root.items().first().is_some_and(|c| {
        c.get("Id").is_some() && (c.get("HostConfig").is_some() || c.get("Config").is_some())
    })
}

fn text(node: Option<&Node>) -> Option<String> {
    node.and_then(Node::scalar_text).filter(|s| !s.is_empty())
}

fn strings(node: Option<&Node>) -> Vec<String> {
    node.map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::scalar_text)
        .collect()
}

/// Converts every container of the array.
pub fn read_document(
    root: &Node,
    loc: Location,
    path: &str,
    out: &mut Vec<ContainerConfig>,
    errors: &mut Vec<InputError>,
) {
    for container in root.items() {
        if container.get("Id").is_none() {
            errors.push(InputError {
                path: path.to_owned(),
                line: Some(container.line),
                message: "array element is not a container (no `Id`); skipped".into(),
            });
            continue;
        }
        out.push(container_config(container, loc.at_line(container.line)));
    }
}

fn container_config(c: &Node, loc: Location) -> ContainerConfig {
    let host = c.get("HostConfig").unwrap_or(Node::null());
    let config = c.get("Config").unwrap_or(Node::null());
    let mut field_lines = BTreeMap::new();
    for (key, value) in host.entries().iter().chain(config.entries()) {
        field_lines.insert(key.clone(), value.line);
    }
    let positive = |node: Option<&Node>| node.and_then(Node::as_i64).filter(|v| *v > 0);
    let mut mounts: Vec<Mount> = c
        .get("Mounts")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .map(|m| Mount {
            kind: text(m.get("Type")).unwrap_or_else(|| "bind".into()),
            source: text(m.get("Source")),
            target: text(m.get("Destination")).unwrap_or_default(),
            read_only: m.get("RW").and_then(Node::as_bool) == Some(false),
            propagation: text(m.get("Propagation")),
            line: m.line,
        })
        .collect();
    if mounts.is_empty() {
        for bind in host.get("Binds").map(Node::items).unwrap_or_default() {
            let spec = bind.scalar_text().unwrap_or_default();
            let parts: Vec<&str> = spec.split(':').collect();
            let modes: Vec<&str> = parts
                .get(2)
                .map(|m| m.split(',').collect())
                .unwrap_or_default();
            mounts.push(Mount {
                kind: "bind".into(),
                source: parts.first().map(|s| (*s).to_owned()),
                target: parts.get(1).map(|s| (*s).to_owned()).unwrap_or_default(),
                read_only: modes.contains(&"ro"),
                propagation: modes
                    .iter()
                    .find(|m| m.contains("shared") || m.contains("slave"))
                    .map(|m| (*m).to_owned()),
                line: bind.line,
            });
        }
    }
    let ports = host
        .get("PortBindings")
        .map(Node::entries)
        .unwrap_or_default()
        .iter()
        .flat_map(|(spec, bindings)| {
            let (port, protocol) = spec.split_once('/').unwrap_or((spec.as_str(), "tcp"));
            let container_port = port.parse::<u16>().unwrap_or(0);
            bindings.items().iter().map(move |b| PortMapping {
                host_ip: text(b.get("HostIp")),
                host_port: b
                    .get("HostPort")
                    .and_then(Node::scalar_text)
                    .and_then(|p| p.parse().ok()),
                container_port,
                protocol: protocol.to_owned(),
                line: b.line,
            })
        })
        .collect();
    let nano_cpus = positive(host.get("NanoCpus"));
    #[allow(clippy::cast_precision_loss)]
    let cpu_limit = nano_cpus.map(|n| n as f64 / 1e9).or_else(|| {
        let quota = positive(host.get("CpuQuota"))?;
        let period = positive(host.get("CpuPeriod")).unwrap_or(100_000);
        Some(quota as f64 / period as f64)
    });
    let env = config
        .get("Env")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| {
            let entry = e.scalar_text()?;
            let (k, v) = entry.split_once('=').unwrap_or((entry.as_str(), ""));
            Some((k.to_owned(), v.to_owned(), e.line))
        })
        .collect();
    let healthcheck = config.get("Healthcheck").filter(|h| !h.is_null()).map(|h| {
        h.get("Test")
            .and_then(|t| t.items().first())
            .and_then(Node::as_str)
            != Some("NONE")
    });
    ContainerConfig {
        origin: ContainerOrigin::DockerInspect,
        name: text(c.get("Name"))
            .map(|n| n.trim_start_matches('/').to_owned())
            .unwrap_or_default(),
        image: text(config.get("Image")),
        user: text(config.get("User")),
        privileged: host.get("Privileged").and_then(Node::as_bool),
        network_mode: text(host.get("NetworkMode")),
        pid_mode: text(host.get("PidMode")),
        ipc_mode: text(host.get("IpcMode")),
        uts_mode: text(host.get("UTSMode")),
        userns_mode: text(host.get("UsernsMode")),
        cgroupns_mode: text(host.get("CgroupnsMode")),
        cap_add: strings(host.get("CapAdd")),
        cap_drop: strings(host.get("CapDrop")),
        security_opt: strings(host.get("SecurityOpt")),
        read_only_rootfs: host.get("ReadonlyRootfs").and_then(Node::as_bool),
        mounts,
        devices: host
            .get("Devices")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|d| text(d.get("PathOnHost")))
            .collect(),
        memory_limit: positive(host.get("Memory")),
        cpu_limit,
        cpu_shares: positive(host.get("CpuShares")),
        pids_limit: positive(host.get("PidsLimit")),
        ports,
        restart_policy: text(host.path(&["RestartPolicy", "Name"])),
        restart_max_retries: host
            .path(&["RestartPolicy", "MaximumRetryCount"])
            .and_then(Node::as_i64),
        env,
        labels: config
            .get("Labels")
            .map(Node::entries)
            .unwrap_or_default()
            .iter()
            .map(|(k, v)| (k.clone(), v.scalar_text().unwrap_or_default()))
            .collect(),
        healthcheck,
        raw: c.clone(),
        loc,
        field_lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Limits, parse_stream};
    use cdeguard_model::SourceId;

    #[test]
    fn host_config_fields_are_normalised() {
        let json = r#"[{"Id": "abc", "Name": "/pay-db",
          "Config": {"Image": "postgres:16", "User": "", "Env": ["POSTGRES_PASSWORD=x", "PATH=/bin"], "Labels": {"a": "b"}},
          "HostConfig": {"Privileged": true, "NetworkMode": "host", "PidMode": "", "CapAdd": ["NET_ADMIN"], "Memory": 0,
            "NanoCpus": 1500000000, "PidsLimit": null, "ReadonlyRootfs": false,
            "PortBindings": {"5432/tcp": [{"HostIp": "", "HostPort": "5432"}]},
            "RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 5},
            "Binds": ["/var/run/docker.sock:/var/run/docker.sock:ro"]},
          "Mounts": []}]"#;
        let (docs, err) = parse_stream(json, Limits::default());
        assert!(err.is_none());
        assert!(is_inspect_document(&docs[0].root));
        let (mut out, mut errors) = (Vec::new(), Vec::new());
        read_document(
            &docs[0].root,
            Location {
                source: SourceId(0),
                line: 1,
            },
            "i.json",
            &mut out,
            &mut errors,
        );
        let c = &out[0];
        assert_eq!(
            (c.name.as_str(), c.user.as_deref(), c.privileged),
            ("pay-db", None, Some(true))
        );
        assert_eq!(
            (c.network_mode.as_deref(), c.pid_mode.as_deref()),
            (Some("host"), None)
        );
        assert_eq!(
            (c.memory_limit, c.cpu_limit, c.pids_limit),
            (None, Some(1.5), None)
        );
        assert_eq!(c.ports[0].host_port, Some(5432));
        assert_eq!(c.ports[0].host_ip, None);
        assert_eq!(
            (c.mounts[0].source.as_deref(), c.mounts[0].read_only),
            (Some("/var/run/docker.sock"), true)
        );
        assert_eq!(c.env[0].0, "POSTGRES_PASSWORD");
        assert_eq!(
            (c.restart_policy.as_deref(), c.restart_max_retries),
            (Some("on-failure"), Some(5))
        );
    }
}
