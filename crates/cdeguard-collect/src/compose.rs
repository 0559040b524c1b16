//! Compose files (the Compose specification, including v2/v3 files): every service becomes
//! a [`ContainerConfig`] with the line of each setting.

use std::collections::BTreeMap;

use cdeguard_model::docker::{ContainerConfig, ContainerOrigin, Mount, PortMapping};
use cdeguard_model::{InputError, Location, Node};

/// Whether a parsed document is a Compose file.
#[must_use]
pub fn is_compose_document(root: &Node) -> bool {
    root.get("services").is_some_and(Node::is_map)
        && root.get("apiVersion").is_none()
        && root.get("kind").is_none()
}

/// Parses a byte size: `512`, `512b`, `64k`, `128m`, `1g`, `1gb` (Compose uses 1024-based units).
#[must_use]
pub fn parse_bytes(text: &str) -> Option<i64> {
    let t = text.trim().to_ascii_lowercase();
    let digits_end = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let number: f64 = t[..digits_end].parse().ok()?;
    let factor: f64 = match t[digits_end..].trim() {
        "" | "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "m" | "mb" | "mib" => 1024.0 * 1024.0,
        "g" | "gb" | "gib" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    #[allow(clippy::cast_possible_truncation)]
    Some((number * factor) as i64)
}

fn text(node: Option<&Node>) -> Option<String> {
    node.and_then(Node::scalar_text)
}

fn strings(node: Option<&Node>) -> Vec<String> {
    node.map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::scalar_text)
        .collect()
}

/// `KEY=VALUE` lists or `KEY: VALUE` maps, as (key, value, line).
fn key_values(node: Option<&Node>) -> Vec<(String, String, u32)> {
    let Some(node) = node else { return Vec::new() };
    if node.is_map() {
        return node
            .entries()
            .iter()
            .map(|(k, v)| (k.clone(), v.scalar_text().unwrap_or_default(), v.line))
            .collect();
    }
    node.items()
        .iter()
        .filter_map(|item| {
            let entry = item.scalar_text()?;
            let (k, v) = entry.split_once('=').unwrap_or((entry.as_str(), ""));
            Some((k.to_owned(), v.to_owned(), item.line))
        })
        .collect()
}

/// Short port syntax: `[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]` (ranges expanded to
/// their first port).
fn short_port(spec: &str, line: u32) -> Option<PortMapping> {
    let (spec, protocol) = spec.split_once('/').map_or((spec, "tcp"), |(s, p)| (s, p));
    let parts: Vec<&str> = spec.rsplitn(3, ':').collect(); // container, host port, host ip
    let first = |p: &str| {
        p.split('-')
            .next()
            .and_then(|n| n.trim().parse::<u16>().ok())
    };
    let container_port = first(parts.first()?)?;
    let host_port = parts.get(1).and_then(|p| first(p));
    let host_ip = parts
        .get(2)
        .map(|ip| ip.trim_matches(|c| c == '[' || c == ']').to_owned());
    Some(PortMapping {
        host_ip,
        host_port,
        container_port,
        protocol: protocol.to_owned(),
        line,
    })
}

fn long_port(node: &Node) -> Option<PortMapping> {
    let number = |key: &str| {
        node.get(key).and_then(|n| {
            n.as_i64()
                .or_else(|| n.as_str()?.split('-').next()?.parse().ok())
        })
    };
    Some(PortMapping {
        host_ip: text(node.get("host_ip")),
        host_port: number("published").and_then(|p| u16::try_from(p).ok()),
        container_port: u16::try_from(number("target")?).ok()?,
        protocol: text(node.get("protocol")).unwrap_or_else(|| "tcp".into()),
        line: node.line,
    })
}

/// Short volume syntax `SOURCE:TARGET[:MODE]`, or just `TARGET` (anonymous volume).
fn short_volume(spec: &str, line: u32) -> Mount {
    let parts: Vec<&str> = spec.split(':').collect();
    let (source, target, mode) = match parts.as_slice() {
        [target] => (None, (*target).to_owned(), ""),
        [source, target] => (Some((*source).to_owned()), (*target).to_owned(), ""),
        [source, target, mode, ..] => (Some((*source).to_owned()), (*target).to_owned(), *mode),
        [] => (None, String::new(), ""),
    };
    let is_bind = source
        .as_deref()
        .is_some_and(|s| s.starts_with('/') || s.starts_with('.') || s.starts_with('~'));
    let modes: Vec<&str> = mode.split(',').collect();
    Mount {
        kind: if is_bind { "bind" } else { "volume" }.to_owned(),
        source,
        target,
        read_only: modes.contains(&"ro"),
        propagation: modes
            .iter()
            .find(|m| m.contains("shared") || m.contains("slave") || m.contains("private"))
            .map(|m| (*m).to_owned()),
        line,
    }
}

fn long_volume(node: &Node) -> Mount {
    Mount {
        kind: text(node.get("type")).unwrap_or_else(|| "volume".into()),
        source: text(node.get("source")),
        target: text(node.get("target")).unwrap_or_default(),
        read_only: node
            .get("read_only")
            .and_then(Node::as_bool)
            .unwrap_or(false),
        propagation: text(node.path(&["bind", "propagation"])),
        line: node.line,
    }
}

/// Converts every service of a Compose document.
pub fn read_document(
    root: &Node,
    loc: Location,
    path: &str,
    out: &mut Vec<ContainerConfig>,
    errors: &mut Vec<InputError>,
) {
    for (name, service) in root.get("services").map(Node::entries).unwrap_or_default() {
        if !service.is_map() {
            errors.push(InputError {
                path: path.to_owned(),
                line: Some(service.line),
                message: format!("service `{name}` is not a mapping; skipped"),
            });
            continue;
        }
        out.push(service_config(name, service, loc.at_line(service.line)));
    }
}

fn service_config(name: &str, s: &Node, loc: Location) -> ContainerConfig {
    let mut field_lines = BTreeMap::new();
    for (key, value) in s.entries() {
        field_lines.insert(key.clone(), value.line);
    }
    let limits = s.path(&["deploy", "resources", "limits"]);
    let memory_limit = limits
        .and_then(|l| l.get("memory"))
        .or_else(|| s.get("mem_limit"))
        .and_then(|n| n.as_i64().or_else(|| parse_bytes(&n.scalar_text()?)));
    let cpu_limit = limits
        .and_then(|l| l.get("cpus"))
        .or_else(|| s.get("cpus"))
        .and_then(|n| n.as_f64().or_else(|| n.as_str()?.parse().ok()));
    let pids_limit = limits
        .and_then(|l| l.get("pids"))
        .or_else(|| s.get("pids_limit"))
        .and_then(Node::as_i64);
    if let Some(node) = limits.and_then(|l| l.get("memory")) {
        field_lines.entry("mem_limit".into()).or_insert(node.line);
    }
    let (restart_policy, restart_max_retries) = match s.get("restart").and_then(Node::scalar_text) {
        Some(r) => match r.split_once(':') {
            Some((policy, n)) => (Some(policy.to_owned()), n.parse().ok()),
            None => (Some(r), None),
        },
        None => match s.path(&["deploy", "restart_policy"]) {
            Some(p) => (
                text(p.get("condition")).map(|c| if c == "any" { "always".into() } else { c }),
                p.get("max_attempts").and_then(Node::as_i64),
            ),
            None => (None, None),
        },
    };
    let healthcheck = s.get("healthcheck").map(|h| {
        let disabled = h.get("disable").and_then(Node::as_bool) == Some(true)
            || h.get("test")
                .and_then(|t| t.items().first().or(Some(t)))
                .and_then(Node::as_str)
                == Some("NONE");
        !disabled
    });
    ContainerConfig {
        origin: ContainerOrigin::Compose,
        name: name.to_owned(),
        image: text(s.get("image")),
        user: text(s.get("user")),
        privileged: s.get("privileged").and_then(Node::as_bool),
        network_mode: text(s.get("network_mode")),
        pid_mode: text(s.get("pid")),
        ipc_mode: text(s.get("ipc")),
        uts_mode: text(s.get("uts")),
        userns_mode: text(s.get("userns_mode")),
        cgroupns_mode: text(s.get("cgroup")),
        cap_add: strings(s.get("cap_add")),
        cap_drop: strings(s.get("cap_drop")),
        security_opt: strings(s.get("security_opt")),
        read_only_rootfs: s.get("read_only").and_then(Node::as_bool),
        mounts: s
            .get("volumes")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .map(|v| {
                v.as_str()
                    .map_or_else(|| long_volume(v), |spec| short_volume(spec, v.line))
            })
            .collect(),
        devices: s
            .get("devices")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|d| d.scalar_text().or_else(|| text(d.get("source"))))
            .collect(),
        memory_limit,
        cpu_limit,
        cpu_shares: s.get("cpu_shares").and_then(Node::as_i64),
        pids_limit,
        ports: s
            .get("ports")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|p| match p.scalar_text() {
                Some(spec) => short_port(&spec, p.line),
                None => long_port(p),
            })
            .collect(),
        restart_policy,
        restart_max_retries,
        env: key_values(s.get("environment")),
        labels: key_values(s.get("labels"))
            .into_iter()
            .map(|(k, v, _)| (k, v))
            .collect(),
        healthcheck,
        raw: s.clone(),
        loc,
        field_lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Limits, parse_stream};
    use cdeguard_model::SourceId;

    fn services(text: &str) -> Vec<ContainerConfig> {
        let (docs, err) = parse_stream(text, Limits::default());
        assert!(err.is_none());
        let (mut out, mut errors) = (Vec::new(), Vec::new());
        read_document(
            &docs[0].root,
            Location {
                source: SourceId(0),
                line: 1,
            },
            "c.yaml",
            &mut out,
            &mut errors,
        );
        assert!(errors.is_empty(), "{errors:?}");
        out
    }

    #[test]
    fn short_and_long_syntax() {
        let s = services(
            "services:\n  db:\n    image: postgres:16\n    ports: ['127.0.0.1:5432:5432', '8000-8010:80/udp', '9000', {target: 443, published: 8443, host_ip: 0.0.0.0}]\n    volumes: ['/var/run/docker.sock:/var/run/docker.sock:ro', 'data:/var/lib/data', {type: bind, source: /, target: /host, read_only: true, bind: {propagation: rshared}}]\n    environment: [A=1, 'DB_PASSWORD=x y']\n    mem_limit: 1g\n    restart: on-failure:5\n    healthcheck: {test: [NONE]}\n",
        );
        let db = &s[0];
        let ports: Vec<(Option<&str>, Option<u16>, u16, &str)> = db
            .ports
            .iter()
            .map(|p| {
                (
                    p.host_ip.as_deref(),
                    p.host_port,
                    p.container_port,
                    p.protocol.as_str(),
                )
            })
            .collect();
        assert_eq!(
            ports,
            vec![
                (Some("127.0.0.1"), Some(5432), 5432, "tcp"),
                (None, Some(8000), 80, "udp"),
                (None, None, 9000, "tcp"),
                (Some("0.0.0.0"), Some(8443), 443, "tcp")
            ]
        );
        let mounts: Vec<(&str, Option<&str>, bool, Option<&str>)> = db
            .mounts
            .iter()
            .map(|m| {
                (
                    m.kind.as_str(),
                    m.source.as_deref(),
                    m.read_only,
                    m.propagation.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            mounts,
            vec![
                ("bind", Some("/var/run/docker.sock"), true, None),
                ("volume", Some("data"), false, None),
                ("bind", Some("/"), true, Some("rshared"))
            ]
        );
        assert_eq!(db.env[1], ("DB_PASSWORD".into(), "x y".into(), 6));
        assert_eq!(db.memory_limit, Some(1 << 30));
        assert_eq!(
            (db.restart_policy.as_deref(), db.restart_max_retries),
            (Some("on-failure"), Some(5))
        );
        assert_eq!(db.healthcheck, Some(false));
        assert_eq!(db.line_of("ports"), 4);
    }

    #[test]
    fn deploy_section_and_maps() {
        let s = services(
            "services:\n  api:\n    environment: {TOKEN: abc}\n    labels: {team: pay}\n    deploy:\n      resources: {limits: {cpus: '0.5', memory: 512M, pids: 100}}\n      restart_policy: {condition: on-failure, max_attempts: 3}\n",
        );
        let api = &s[0];
        assert_eq!(
            (api.cpu_limit, api.memory_limit, api.pids_limit),
            (Some(0.5), Some(512 << 20), Some(100))
        );
        assert_eq!(
            (api.restart_policy.as_deref(), api.restart_max_retries),
            (Some("on-failure"), Some(3))
        );
        assert_eq!(api.labels.get("team").map(String::as_str), Some("pay"));
        assert_eq!(api.env, vec![("TOKEN".into(), "abc".into(), 3)]);
    }

    #[test]
    fn byte_sizes() {
        assert_eq!(parse_bytes("64k"), Some(65536));
        assert_eq!(parse_bytes("1.5g"), Some(1_610_612_736));
        assert_eq!(parse_bytes("lots"), None);
    }
}
