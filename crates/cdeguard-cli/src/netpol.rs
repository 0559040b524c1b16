//! `cdeguard netpol` (matrix, check, test) and `cdeguard scope`: clap definitions and
//! output (the work is in `cdeguard-netpol`).

use std::collections::BTreeSet;
use std::io::{BufWriter, Write as _};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use cdeguard_collect::Target;
use cdeguard_netpol::engine::{Endpoint, HostNetwork, Options};
use cdeguard_netpol::ipset::IpRange;
use cdeguard_netpol::matrix::{self, explain, explanation_lines};
use cdeguard_netpol::mesh_verdict::{Client, Mesh, any_open};
use cdeguard_netpol::ports::{Conns, PortRanges, Protocol};
use cdeguard_netpol::scope::{Scope, cde_classes, classify};
use cdeguard_netpol::selector::Labels;
use cdeguard_netpol::{Analysis, Cluster};
use cdeguard_netpol::{graph, segmentation};
use clap::{Args, Subcommand, ValueEnum};

use crate::audit_trail::CommandRecord;

/// Exit code: blocked (check) or a path into the CDE (test).
const EXIT_NEGATIVE: u8 = 1;
/// Exit code: bad input.
const EXIT_ERROR: u8 = 2;

#[derive(Args, Debug)]
pub(crate) struct NetpolArgs {
    #[command(subcommand)]
    command: NetpolCommand,
}

#[derive(Args, Debug)]
struct Inputs {
    /// Manifest files or folders (Namespaces, workloads, NetworkPolicies, Services);
    /// `-` reads standard input.
    #[arg(required = true)]
    targets: Vec<String>,
    /// Host-network pods: `unenforced` (policies do not apply to them, as in most CNIs)
    /// or `like-pods` (treated as ordinary pods, as IBM network-config-analyzer does).
    #[arg(long, value_enum, default_value = "unenforced")]
    host_network: HostNetworkArg,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum HostNetworkArg {
    Unenforced,
    LikePods,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum MeshArg {
    Auto,
    Istio,
    None,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum MatrixFormat {
    Text,
    Json,
    Dot,
    /// Self-contained SVG picture, columns by scope, CDE highlighted.
    Svg,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ScopeFormat {
    Text,
    Json,
    /// Self-contained SVG picture, columns by scope, CDE highlighted.
    Svg,
    /// The SVG picture in a self-contained HTML page.
    Html,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ReportFormat {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
enum NetpolCommand {
    /// Who can reach whom on which ports (classes of identical pods, external ranges).
    Matrix {
        #[command(flatten)]
        inputs: Inputs,
        #[arg(long, value_enum, default_value = "text")]
        format: MatrixFormat,
        /// Add the policies responsible (file:line) to every edge.
        #[arg(long)]
        explain: bool,
    },
    /// Is one connection allowed? Exit 0 allowed, 1 blocked, 2 bad input.
    Check {
        #[command(flatten)]
        inputs: Inputs,
        /// Source: `NS/POD` (a workload as named in the manifests), `NS/label=value[,...]`
        /// (a pod with exactly these labels) or an IP address.
        #[arg(long)]
        from: String,
        /// Destination, same forms as `--from`.
        #[arg(long)]
        to: String,
        /// `PORT[/PROTO]`: a number or a port name of the destination; protocol TCP
        /// (default), UDP or SCTP. Without it: any connection.
        #[arg(long)]
        port: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: ReportFormat,
    },
    /// Least-privilege NetworkPolicies from observed flows (Hubble JSON or cdeguard
    /// NDJSON, see `cdeguard-netpol` `generate.rs`), and Istio AuthorizationPolicies when
    /// the mesh is present, written as YAML to standard output.
    Generate {
        #[command(flatten)]
        inputs: Inputs,
        /// The flows file.
        #[arg(long)]
        flows: std::path::PathBuf,
        /// Istio AuthorizationPolicies too: `auto` when the manifests configure Istio
        /// (mesh policies or sidecar injection), `istio` always, `none` never.
        #[arg(long, value_enum, default_value = "auto")]
        mesh: MeshArg,
    },
    /// Segmentation test (PCI DSS 11.4.5): prove that no out-of-scope workload, namespace
    /// or external range reaches the CDE. Exit 1 if any path exists.
    Test {
        #[command(flatten)]
        inputs: Inputs,
        #[arg(long, value_enum, default_value = "text")]
        format: ReportFormat,
    },
}

#[derive(Args, Debug)]
pub(crate) struct ScopeArgs {
    #[command(flatten)]
    inputs: Inputs,
    #[arg(long, value_enum, default_value = "text")]
    format: ScopeFormat,
}

impl Inputs {
    fn load(&self) -> (Cluster, Options) {
        let targets: Vec<Target> = self.targets.iter().map(|t| Target::parse(t)).collect();
        let cluster = cdeguard_netpol::load(&targets);
        for error in &cluster.errors {
            eprintln!("cdeguard: error: {error}");
        }
        let host_network = match self.host_network {
            HostNetworkArg::Unenforced => HostNetwork::Unenforced,
            HostNetworkArg::LikePods => HostNetwork::LikePods,
        };
        (cluster, Options { host_network })
    }
}

/// The exit code for an answer, or 2 when some input was rejected.
fn exit(cluster: &Cluster, negative: bool) -> ExitCode {
    if !cluster.errors.is_empty() {
        ExitCode::from(EXIT_ERROR)
    } else if negative {
        ExitCode::from(EXIT_NEGATIVE)
    } else {
        ExitCode::SUCCESS
    }
}

/// The audit record of `netpol generate` (the command that writes policies): the
/// manifests and the flows file, with their hashes; the other subcommands only read.
pub(crate) fn audit_record(args: &NetpolArgs) -> Option<CommandRecord> {
    let NetpolCommand::Generate { inputs, flows, .. } = &args.command else {
        return None;
    };
    let mut record = CommandRecord::new("netpol.generate", inputs.targets.join(" "));
    record.inputs("inputs", inputs.targets.iter().map(Path::new));
    record.inputs("flows", std::iter::once(flows.as_path()));
    Some(record)
}

pub(crate) fn run(
    args: NetpolArgs,
    record: Option<&mut CommandRecord>,
) -> anyhow::Result<ExitCode> {
    match args.command {
        NetpolCommand::Matrix {
            inputs,
            format,
            explain,
        } => {
            let (cluster, options) = inputs.load();
            let analysis = Analysis::new(&cluster, options);
            let format = match format {
                MatrixFormat::Text => matrix::Format::Text,
                MatrixFormat::Json => matrix::Format::Json,
                MatrixFormat::Dot => matrix::Format::Dot,
                MatrixFormat::Svg => {
                    let scope = classify(&analysis);
                    print!("{}", graph::svg(&analysis, &scope));
                    return Ok(exit(&cluster, false));
                }
            };
            let highlight = cde_classes(&analysis);
            let mesh = Mesh::new(&cluster);
            let mut out = BufWriter::new(std::io::stdout().lock());
            matrix::render(
                &analysis,
                format,
                explain,
                &highlight,
                mesh.present().then_some(&mesh),
                &mut out,
            )?;
            out.flush()?;
            Ok(exit(&cluster, false))
        }
        NetpolCommand::Check {
            inputs,
            from,
            to,
            port,
            format,
        } => check(&inputs, &from, &to, port.as_deref(), format),
        NetpolCommand::Test { inputs, format } => test(&inputs, format),
        NetpolCommand::Generate {
            inputs,
            flows,
            mesh,
        } => {
            let (cluster, _) = inputs.load();
            let text = std::fs::read_to_string(&flows)
                .with_context(|| format!("cannot read `{}`", flows.display()))?;
            let flows_parsed = match cdeguard_netpol::generate::parse_flows(&cluster, &text) {
                Ok(parsed) => parsed,
                Err(e) => {
                    eprintln!("cdeguard: error: {}: {e}", flows.display());
                    return Ok(ExitCode::from(EXIT_ERROR));
                }
            };
            let mut yaml = cdeguard_netpol::generate::policies_yaml(&cluster, &flows_parsed);
            let with_mesh = match mesh {
                MeshArg::Auto => Mesh::new(&cluster).present(),
                MeshArg::Istio => true,
                MeshArg::None => false,
            };
            if with_mesh {
                yaml.push_str(
                    &cdeguard_netpol::generate_authorization::authorization_policies_yaml(
                        &cluster,
                        &flows_parsed,
                    ),
                );
            }
            if let Some(record) = record {
                record.detail("flow_count", flows_parsed.len().into());
                record.detail(
                    "policies",
                    yaml.lines().filter(|l| *l == "---").count().into(),
                );
            }
            print!("{yaml}");
            Ok(exit(&cluster, false))
        }
    }
}

/// A `--from`/`--to` argument.
enum EndpointArg {
    Workloads(Vec<usize>),
    Ip(IpRange),
}

fn parse_endpoint(cluster: &mut Cluster, text: &str) -> anyhow::Result<EndpointArg> {
    if let Ok(ip) = text.parse::<std::net::IpAddr>() {
        return Ok(EndpointArg::Ip(IpRange::address(ip)));
    }
    let Some((namespace, rest)) = text.split_once('/') else {
        bail!("`{text}` is not NS/POD, NS/label=value or an IP address");
    };
    if namespace.is_empty() || rest.is_empty() {
        bail!("`{text}` is not NS/POD, NS/label=value or an IP address");
    }
    if rest.contains('=') {
        let mut labels = Labels::new();
        for pair in rest.split(',') {
            let Some((key, value)) = pair.split_once('=') else {
                bail!("`{pair}` in `{text}` is not label=value");
            };
            if key.is_empty() {
                bail!("empty label key in `{text}`");
            }
            labels.insert(key.to_owned(), value.to_owned());
        }
        return Ok(EndpointArg::Workloads(vec![
            cluster.add_probe_pod(namespace, labels, rest),
        ]));
    }
    let found: Vec<usize> = cluster
        .workloads
        .iter()
        .enumerate()
        .filter(|(_, w)| {
            w.namespace == namespace
                && (w.name == rest || w.owner.as_ref().is_some_and(|(_, owner)| owner == rest))
        })
        .map(|(i, _)| i)
        .collect();
    if found.is_empty() {
        bail!("no workload `{rest}` in namespace `{namespace}` in the manifests given");
    }
    Ok(EndpointArg::Workloads(found))
}

/// The endpoints an argument names, each with the first workload it stands for (the
/// mesh side of a class) or the address.
fn endpoints(
    analysis: &Analysis<'_>,
    arg: &EndpointArg,
    as_source: bool,
) -> Vec<(Endpoint, Client)> {
    match arg {
        EndpointArg::Ip(range) => vec![(
            Endpoint::Ip(analysis.atom_of(*range, as_source)),
            Client::Address(*range),
        )],
        EndpointArg::Workloads(ws) => {
            let mut seen = BTreeSet::new();
            ws.iter()
                .filter(|&&w| seen.insert(analysis.endpoint_of(w)))
                .map(|&w| (analysis.endpoint_of(w), Client::Workload(w)))
                .collect()
        }
    }
}

fn check(
    inputs: &Inputs,
    from: &str,
    to: &str,
    port: Option<&str>,
    format: ReportFormat,
) -> anyhow::Result<ExitCode> {
    let (mut cluster, options) = inputs.load();
    let usage = |e: anyhow::Error| {
        eprintln!("cdeguard: error: {e:#}");
        Ok(ExitCode::from(EXIT_ERROR))
    };
    let from_arg = match parse_endpoint(&mut cluster, from).context("--from") {
        Ok(arg) => arg,
        Err(e) => return usage(e),
    };
    let to_arg = match parse_endpoint(&mut cluster, to).context("--to") {
        Ok(arg) => arg,
        Err(e) => return usage(e),
    };
    let (port_text, protocol) = match port.map(|p| p.split_once('/').unwrap_or((p, "TCP"))) {
        None => (None, Protocol::Tcp),
        Some((number, proto)) => match Protocol::parse(proto) {
            Some(protocol) => (Some(number), protocol),
            None => {
                return usage(anyhow::anyhow!(
                    "--port: protocol `{proto}` is not TCP, UDP or SCTP"
                ));
            }
        },
    };
    let analysis = Analysis::new(&cluster, options);
    let mesh = Mesh::new(&cluster);
    let mesh_present = mesh.present();
    let mut explanations = Vec::new();
    let mut all_allowed = true;
    for (source, client) in endpoints(&analysis, &from_arg, true) {
        for (destination, server) in endpoints(&analysis, &to_arg, false) {
            let verdict = analysis.verdict(source, destination);
            let wanted = match port_text {
                None => None,
                Some(text) => match resolve_port(&analysis, destination, text) {
                    Ok(number) => Some(number),
                    Err(e) => return usage(e),
                },
            };
            let asked = match wanted {
                None => verdict.conns.clone(),
                Some(number) => verdict
                    .conns
                    .intersect(&Conns::of(protocol, PortRanges::range(number, number))),
            };
            let mesh_verdicts = match server {
                Client::Workload(w) if mesh_present && !asked.is_empty() => {
                    mesh.verdicts(client, w, &asked)
                }
                _ => Vec::new(),
            };
            let allowed =
                !asked.is_empty() && (mesh_verdicts.is_empty() || any_open(&mesh_verdicts));
            all_allowed &= allowed;
            // An address is shown as given, not as the range of addresses treated alike.
            let name = |endpoint: Endpoint, arg: &str| match endpoint {
                Endpoint::Ip(_) => arg.to_owned(),
                Endpoint::Class(_) => analysis.endpoint_name(endpoint),
            };
            let mut explanation = explain(
                &analysis,
                name(source, from),
                name(destination, to),
                &verdict,
            );
            explanation.allowed = allowed;
            explanation.mesh = mesh_verdicts;
            explanations.push((explanation, wanted));
        }
    }
    let mut out = std::io::stdout().lock();
    match format {
        ReportFormat::Json => {
            let list: Vec<_> = explanations.iter().map(|(e, _)| e).collect();
            serde_json::to_writer_pretty(&mut out, &list)?;
            writeln!(out)?;
        }
        ReportFormat::Text => {
            for (e, wanted) in &explanations {
                let what = match wanted {
                    Some(number) => format!("{}/{number}", protocol.name()),
                    None => e.connections.clone(),
                };
                let verdict = if e.allowed { "ALLOWED" } else { "BLOCKED" };
                writeln!(out, "{verdict}: {} => {} : {what}", e.from, e.to)?;
                if wanted.is_some() && e.allowed {
                    writeln!(out, "  (all allowed: {})", e.connections)?;
                }
                for line in explanation_lines(e) {
                    writeln!(out, "{line}")?;
                }
            }
        }
    }
    Ok(exit(&cluster, !all_allowed))
}

/// A port number, or a port name of the destination pod.
fn resolve_port(analysis: &Analysis<'_>, destination: Endpoint, text: &str) -> anyhow::Result<u16> {
    if let Ok(number) = text.parse::<u16>() {
        if PortRanges::all().contains(number) {
            return Ok(number);
        }
        bail!("--port: {number} is not in 1..=65535");
    }
    match destination {
        Endpoint::Class(c) => analysis.classes[c]
            .named_ports
            .get(text)
            .map(|&(_, number)| number)
            .ok_or_else(|| anyhow::anyhow!("--port: the destination has no port named `{text}`")),
        Endpoint::Ip(_) => bail!("--port: a port name needs a pod destination"),
    }
}

fn test(inputs: &Inputs, format: ReportFormat) -> anyhow::Result<ExitCode> {
    let (cluster, options) = inputs.load();
    let report = segmentation::test(&cluster, options);
    let mut out = std::io::stdout().lock();
    if report.cde.is_empty() {
        eprintln!(
            "cdeguard: error: no CDE workload found (label or annotate workloads or namespaces `pci.cdeguard.io/scope: cde`)"
        );
        return Ok(ExitCode::from(EXIT_ERROR));
    }
    match format {
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        ReportFormat::Text => {
            writeln!(out, "Segmentation test ({})", report.requirement)?;
            writeln!(out, "CDE: {}", report.cde.join(", "))?;
            for subject in &report.subjects {
                if subject.isolated {
                    writeln!(
                        out,
                        "PASS  {:?} {}: no path into the CDE{}",
                        subject.kind,
                        subject.subject,
                        if subject.closed_by_mesh.is_empty() {
                            String::new()
                        } else {
                            format!(
                                " ({} NetworkPolicy path(s) closed by the mesh)",
                                subject.closed_by_mesh.len()
                            )
                        }
                    )?;
                    for path in &subject.closed_by_mesh {
                        writeln!(out, "  => {} : {}", path.to, path.connections)?;
                        for line in explanation_lines(path) {
                            writeln!(out, "  {line}")?;
                        }
                    }
                    continue;
                }
                writeln!(
                    out,
                    "FAIL  {:?} {}: {} path(s) into the CDE",
                    subject.kind,
                    subject.subject,
                    subject.paths.len()
                )?;
                for path in &subject.paths {
                    writeln!(out, "  => {} : {}", path.to, path.connections)?;
                    for line in explanation_lines(path) {
                        writeln!(out, "  {line}")?;
                    }
                }
            }
            for status in &report.mtls {
                writeln!(
                    out,
                    "{}  mTLS (PCI DSS 4.2.1) {}: {}",
                    if status.enforced { "OK  " } else { "NOTE" },
                    status.workload,
                    status.describe()
                )?;
            }
            for finding in &report.findings {
                writeln!(
                    out,
                    "WARN  PCI DSS {}: {}",
                    finding.requirement, finding.message
                )?;
            }
            let failing = report.subjects.iter().filter(|s| !s.isolated).count();
            if report.passed {
                writeln!(
                    out,
                    "Result: PASSED ({} subjects isolated from the CDE)",
                    report.subjects.len()
                )?;
            } else {
                writeln!(
                    out,
                    "Result: FAILED ({failing} of {} subjects reach the CDE)",
                    report.subjects.len()
                )?;
            }
        }
    }
    Ok(exit(&cluster, !report.passed))
}

pub(crate) fn scope(args: ScopeArgs) -> anyhow::Result<ExitCode> {
    let (cluster, options) = args.inputs.load();
    let analysis = Analysis::new(&cluster, options);
    let report = classify(&analysis);
    let mut out = std::io::stdout().lock();
    match args.format {
        ScopeFormat::Svg => write!(out, "{}", graph::svg(&analysis, &report))?,
        ScopeFormat::Html => write!(out, "{}", graph::html(&analysis, &report))?,
        ScopeFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        ScopeFormat::Text => {
            for scope in [Scope::Cde, Scope::ConnectedTo, Scope::OutOfScope] {
                let members: Vec<_> = report
                    .workloads
                    .iter()
                    .filter(|w| w.scope == scope)
                    .collect();
                writeln!(out, "{} ({})", scope.name().to_uppercase(), members.len())?;
                for w in members {
                    writeln!(out, "  {}  ({})", w.workload, w.location)?;
                    for reason in &w.reasons {
                        writeln!(out, "    - {reason}")?;
                    }
                }
            }
            for (title, list) in [
                (
                    "EXTERNAL RANGES REACHING THE CDE",
                    &report.external_into_cde,
                ),
                ("EXTERNAL RANGES THE CDE REACHES", &report.cde_to_external),
            ] {
                writeln!(out, "{title} ({})", list.len())?;
                for path in list {
                    writeln!(out, "  {} => {} : {}", path.from, path.to, path.connections)?;
                }
            }
        }
    }
    Ok(exit(&cluster, false))
}
