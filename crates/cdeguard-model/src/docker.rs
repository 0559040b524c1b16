//! Container runtime configuration (from Compose services and `docker inspect`) and
//! Dockerfiles, normalised so that one CIS Docker rule covers both sources.

use std::collections::BTreeMap;

use crate::inventory::Location;
use crate::node::Node;

/// Where a [`ContainerConfig`] was declared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContainerOrigin {
    /// A service of a Compose file.
    Compose,
    /// A container in `docker inspect` output.
    DockerInspect,
}

/// A host-to-container port publication.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortMapping {
    pub host_ip: Option<String>,
    pub host_port: Option<u16>,
    pub container_port: u16,
    pub protocol: String,
    pub line: u32,
}

/// A bind mount, named volume or tmpfs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    /// `bind`, `volume`, `tmpfs` or `npipe`.
    pub kind: String,
    pub source: Option<String>,
    pub target: String,
    pub read_only: bool,
    /// Propagation mode (`shared`, `rshared`, ...), when set.
    pub propagation: Option<String>,
    pub line: u32,
}

/// One container's runtime settings. `None` means "not set" (the engine default applies).
#[derive(Clone, Debug)]
pub struct ContainerConfig {
    pub origin: ContainerOrigin,
    /// Compose service name or container name (without the leading `/`).
    pub name: String,
    pub image: Option<String>,
    pub user: Option<String>,
    pub privileged: Option<bool>,
    pub network_mode: Option<String>,
    pub pid_mode: Option<String>,
    pub ipc_mode: Option<String>,
    pub uts_mode: Option<String>,
    pub userns_mode: Option<String>,
    pub cgroupns_mode: Option<String>,
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
    pub security_opt: Vec<String>,
    pub read_only_rootfs: Option<bool>,
    pub mounts: Vec<Mount>,
    pub devices: Vec<String>,
    /// Memory limit in bytes.
    pub memory_limit: Option<i64>,
    /// CPU limit in CPUs (NanoCpus / 1e9, Compose `cpus`), or CPU shares when only those are set.
    pub cpu_limit: Option<f64>,
    pub cpu_shares: Option<i64>,
    pub pids_limit: Option<i64>,
    pub ports: Vec<PortMapping>,
    pub restart_policy: Option<String>,
    pub restart_max_retries: Option<i64>,
    /// Environment variables as (name, value, line).
    pub env: Vec<(String, String, u32)>,
    pub labels: BTreeMap<String, String>,
    /// `Some(true)` when a health check is configured, `Some(false)` when explicitly disabled.
    pub healthcheck: Option<bool>,
    /// The raw service / container object, for rules that need more.
    pub raw: Node,
    pub loc: Location,
    /// Line of each recognised top-level setting (e.g. `privileged`), for findings.
    pub field_lines: BTreeMap<String, u32>,
}

impl ContainerConfig {
    /// The line of a setting, or the container's own line when the setting is absent.
    #[must_use]
    pub fn line_of(&self, field: &str) -> u32 {
        self.field_lines
            .get(field)
            .copied()
            .unwrap_or(self.loc.line)
    }
}

/// One Dockerfile instruction, continuation lines joined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instruction {
    /// Upper-cased keyword (`FROM`, `RUN`, ...).
    pub keyword: String,
    /// Everything after the keyword, continuation lines joined with a space.
    pub args: String,
    pub line: u32,
    /// Index of the build stage (`FROM`) this instruction belongs to.
    pub stage: usize,
}

/// A parsed Dockerfile.
#[derive(Clone, Debug)]
pub struct Dockerfile {
    pub instructions: Vec<Instruction>,
    pub loc: Location,
}

impl Dockerfile {
    /// Instructions of the final build stage (the one that ships).
    pub fn final_stage(&self) -> impl Iterator<Item = &Instruction> {
        let last = self.instructions.iter().map(|i| i.stage).max().unwrap_or(0);
        self.instructions.iter().filter(move |i| i.stage == last)
    }
}
