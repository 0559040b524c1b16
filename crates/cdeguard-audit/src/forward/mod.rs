//! SIEM forwarding, at least once: records from the on-disk cursor onwards are sent in
//! batches, and the cursor (`forward/<name>.cursor`) moves only after the destination
//! confirmed the batch. A SIEM outage therefore loses nothing; after recovery the
//! batch in flight is sent again, so receivers dedupe by sequence number (carried in
//! every rendering).
//!
//! Destinations (`--to`):
//! - `tcp://host:port`: syslog RFC 5424 over TCP, octet-counting framing (RFC 6587);
//!   a batch is confirmed when the receiver has read it all and closed the connection
//!   after our half-close.
//! - `tls://host:port`: the same over TLS (RFC 5425), with `--ca`.
//! - `udp://host:port`: syslog over UDP (RFC 5426), one datagram per record; UDP has no
//!   confirmation, so this is best effort.
//! - `hec+http://host:port` / `hec+https://…`: Splunk HTTP Event Collector with a token
//!   and indexer acknowledgements (`/services/collector/ack`).
//! - `webhook+http://host:port/path` / `webhook+https://…`: NDJSON POST signed with
//!   HMAC-SHA256 (`X-Cdeguard-Signature: sha256=<hex>` over `<timestamp>.<body>`).
//!
//! Forwarding reads the whole trail, so a run is an access to it (PCI DSS 10.2.1.3):
//! [`Forwarder::run_recorded`] appends one `audit.export` record per run, not per record,
//! with `"command":"forward"` (see [`crate::access`] for which runs are recorded). The
//! destination is named by kind and `scheme://host:port` only: tokens, HMAC secrets and
//! any credentials or secret paths in the URL never reach the trail.

mod http;
mod syslog;
mod tls;

pub use http::webhook_signature;

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;

use crate::access::{Access, AccessAction};
use crate::cursor::Cursor;
use crate::error::{AuditError, Result};
use crate::export::{Format, render};
use crate::layout::Layout;
use crate::reader::{acknowledged_size, for_each_frame};
use crate::record::Record;
use crate::writer::LogWriter;

/// `details.command` of the access record of a forwarding run.
const FORWARD_COMMAND: &str = "forward";

/// Where to send records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// Syslog over TCP, or TLS when `tls`.
    SyslogStream {
        /// `host:port`.
        addr: String,
        /// RFC 5425 TLS.
        tls: bool,
    },
    /// Syslog over UDP.
    SyslogUdp {
        /// `host:port`.
        addr: String,
    },
    /// Splunk HTTP Event Collector.
    SplunkHec {
        /// Base URL (`http://` or `https://`).
        url: String,
    },
    /// Generic webhook.
    Webhook {
        /// Full URL.
        url: String,
    },
}

impl std::str::FromStr for Destination {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (scheme, rest) = s
            .split_once("://")
            .ok_or_else(|| format!("`{s}` is not a URL"))?;
        let addr = rest.trim_end_matches('/').to_owned();
        match scheme {
            "tcp" => Ok(Destination::SyslogStream { addr, tls: false }),
            "tls" => Ok(Destination::SyslogStream { addr, tls: true }),
            "udp" => Ok(Destination::SyslogUdp { addr }),
            "hec+http" | "hec+https" => Ok(Destination::SplunkHec {
                url: format!("{}://{rest}", &scheme[4..]),
            }),
            "webhook+http" | "webhook+https" => Ok(Destination::Webhook {
                url: format!("{}://{rest}", &scheme[8..]),
            }),
            _ => Err(format!(
                "unknown destination scheme `{scheme}` (tcp, tls, udp, hec+http(s), webhook+http(s))"
            )),
        }
    }
}

impl Destination {
    /// The kind of destination, as access records name it.
    pub fn kind(&self) -> &'static str {
        match self {
            Destination::SyslogStream { tls: false, .. } => "syslog-tcp",
            Destination::SyslogStream { tls: true, .. } => "syslog-tls",
            Destination::SyslogUdp { .. } => "syslog-udp",
            Destination::SplunkHec { .. } => "splunk-hec",
            Destination::Webhook { .. } => "webhook",
        }
    }

    /// `scheme://host:port` without credentials, path or query: webhook and collector
    /// URLs often carry a secret there, and this is what records and errors show.
    pub fn endpoint(&self) -> String {
        let (scheme, address) = match self {
            Destination::SyslogStream { addr, tls } => {
                (if *tls { "tls" } else { "tcp" }, addr.as_str())
            }
            Destination::SyslogUdp { addr } => ("udp", addr.as_str()),
            Destination::SplunkHec { url } | Destination::Webhook { url } => {
                url.split_once("://").unwrap_or(("http", url))
            }
        };
        let authority = address.split(['/', '?', '#']).next().unwrap_or_default();
        let host = authority
            .rsplit_once('@')
            .map_or(authority, |(_, host)| host);
        format!("{scheme}://{host}")
    }

    /// Whether the destination renders records as syslog messages (`--format` applies).
    fn is_syslog(&self) -> bool {
        matches!(
            self,
            Destination::SyslogStream { .. } | Destination::SyslogUdp { .. }
        )
    }
}

/// Forwarding settings.
#[derive(Clone, Debug)]
pub struct ForwardOptions {
    /// Rendering for syslog destinations (`rfc5424` or `cef-syslog`).
    pub format: Format,
    /// Records per batch.
    pub batch: usize,
    /// CA certificates (PEM) for TLS destinations.
    pub ca_file: Option<PathBuf>,
    /// Splunk HEC token.
    pub hec_token: Option<String>,
    /// Webhook HMAC secret.
    pub hmac_secret: Option<Vec<u8>>,
    /// Network timeout.
    pub timeout: Duration,
}

impl Default for ForwardOptions {
    fn default() -> Self {
        ForwardOptions {
            format: Format::Rfc5424,
            batch: 500,
            ca_file: None,
            hec_token: None,
            hmac_secret: None,
            timeout: Duration::from_secs(10),
        }
    }
}

/// One record ready to send.
pub(crate) struct Outgoing {
    pub(crate) payload: Vec<u8>,
    pub(crate) record: Record,
}

/// Ships one log to one destination.
pub struct Forwarder {
    layout: Layout,
    name: String,
    destination: Destination,
    options: ForwardOptions,
    cursor: Cursor,
    tls: Option<std::sync::Arc<rustls::ClientConfig>>,
    /// An outage: open from a recorded failed run to the next recorded run, with the
    /// failed runs since the recorded one (not recorded themselves).
    outage: Option<u64>,
}

/// What one run read and shipped.
#[derive(Default)]
struct Tally {
    /// Records read, confirmed or not.
    read: u64,
    /// Of those, records that are not access records of forwarding runs.
    other_records: u64,
    /// Records the destination confirmed.
    confirmed: u64,
}

impl Tally {
    fn note_read(&mut self, batch: &[Outgoing]) {
        self.read += batch.len() as u64;
        self.other_records += batch
            .iter()
            .filter(|o| !is_forward_access(&o.record))
            .count() as u64;
    }
}

/// Whether `record` is the access record of a forwarding run (of any forwarder).
fn is_forward_access(record: &Record) -> bool {
    record.action == AccessAction::Export.as_str()
        && record.details.get("command").and_then(|c| c.as_str()) == Some(FORWARD_COMMAND)
}

impl Forwarder {
    /// A forwarder named `name` (the cursor file's name) for the log in `dir`.
    pub fn new(
        dir: &Path,
        name: &str,
        destination: Destination,
        options: ForwardOptions,
    ) -> Result<Self> {
        let layout = Layout::new(dir);
        let cursor = Cursor::load(&layout, name)?;
        let needs_tls = match &destination {
            Destination::SyslogStream { tls, .. } => *tls,
            Destination::SplunkHec { url } | Destination::Webhook { url } => {
                url.starts_with("https://")
            }
            Destination::SyslogUdp { .. } => false,
        };
        let tls = if needs_tls {
            let ca = options.ca_file.as_deref().ok_or_else(|| {
                AuditError::Invalid("TLS destinations need --ca FILE (PEM)".into())
            })?;
            Some(tls::client_config(ca)?)
        } else {
            None
        };
        if matches!(destination, Destination::SplunkHec { .. }) && options.hec_token.is_none() {
            return Err(AuditError::Invalid("Splunk HEC needs a token".into()));
        }
        if matches!(destination, Destination::Webhook { .. }) && options.hmac_secret.is_none() {
            return Err(AuditError::Invalid("webhooks need an HMAC secret".into()));
        }
        Ok(Forwarder {
            layout,
            name: name.to_owned(),
            destination,
            options,
            cursor,
            tls,
            outage: None,
        })
    }

    /// Next record to send.
    pub fn next_seq(&self) -> u64 {
        self.cursor.next_seq
    }

    fn target(&self) -> String {
        format!(
            "{} ({} {})",
            self.name,
            self.destination.kind(),
            self.destination.endpoint()
        )
    }

    /// Sends everything acknowledged in the log since the cursor; returns how many
    /// records were confirmed. On error the cursor stays after the last confirmed batch.
    pub fn run_once(&mut self) -> Result<u64> {
        self.ship(&mut Tally::default())
    }

    /// [`Forwarder::run_once`], recorded as an access by `actor` in `writer`'s log (the
    /// log forwarded). Recorded: a run that shipped records other than forwarding runs'
    /// own access records (shipping only those would make every forwarder record
    /// forever, each run shipping the last run's record), a failed run (the first of an
    /// outage when the same forwarder retries, the others counted in `failed_retries` of
    /// the run that ends it), and the run that ends an outage. A run that read nothing
    /// records nothing. An access that cannot be recorded fails the run.
    pub fn run_recorded(&mut self, writer: &mut LogWriter, actor: &str) -> Result<u64> {
        let from = self.cursor.next_seq;
        let mut tally = Tally::default();
        let result = self.ship(&mut tally);
        let failed_retries = match (&result, self.outage) {
            (Err(_), Some(retries)) => {
                self.outage = Some(retries + 1);
                return result;
            }
            (Ok(_), None) if tally.other_records == 0 => return result,
            (_, outage) => outage.unwrap_or(0),
        };
        let recorded =
            writer.record_access(self.access(actor, from, &tally, &result, failed_retries));
        // An outage is open from its first recorded failure to the next recorded success.
        if recorded.is_ok() {
            self.outage = result.is_err().then_some(0);
        }
        let sent = result?;
        recorded?;
        Ok(sent)
    }

    /// The access record of a run that started at `from`.
    fn access(
        &self,
        actor: &str,
        from: u64,
        tally: &Tally,
        result: &Result<u64>,
        failed_retries: u64,
    ) -> Access {
        let to = self.cursor.next_seq;
        let mut access = Access::new(actor, AccessAction::Export, FORWARD_COMMAND);
        access
            .detail("cursor", json!(self.name))
            .detail(
                "destination",
                json!({ "kind": self.destination.kind(), "endpoint": self.destination.endpoint() }),
            )
            .range(from, to, tally.confirmed);
        if self.destination.is_syslog() {
            access.detail("format", json!(self.options.format.name()));
        }
        if failed_retries > 0 {
            access.detail("failed_retries", json!(failed_retries));
        }
        if let Err(e) = result {
            access
                .detail("unconfirmed", json!(tally.read - tally.confirmed))
                .failed(e);
        }
        access
    }

    /// Sends batches until the log's end, counting into `tally`; returns how many
    /// records were confirmed.
    fn ship(&mut self, tally: &mut Tally) -> Result<u64> {
        let end = acknowledged_size(&self.layout).unwrap_or(u64::MAX);
        loop {
            let batch = self.read_batch(end)?;
            tally.note_read(&batch);
            let Some(last) = batch.last() else {
                return Ok(tally.confirmed);
            };
            let next = last.record.seq + 1;
            self.send(&batch).map_err(|message| AuditError::Forward {
                target: self.target(),
                message,
            })?;
            self.cursor.advance(next)?;
            tally.confirmed += batch.len() as u64;
        }
    }

    fn read_batch(&self, end: u64) -> Result<Vec<Outgoing>> {
        let mut batch = Vec::with_capacity(self.options.batch);
        let limit = self.options.batch.max(1);
        for_each_frame(&self.layout, self.cursor.next_seq, end, |frame| {
            let record =
                Record::from_canonical(frame.payload).map_err(|e| AuditError::Corrupt {
                    path: self.layout.root().to_owned(),
                    offset: frame.offset,
                    message: format!("record {}: {e}", frame.seq),
                })?;
            batch.push(Outgoing {
                payload: frame.payload.to_vec(),
                record,
            });
            Ok(if batch.len() >= limit {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            })
        })?;
        Ok(batch)
    }

    fn send(&self, batch: &[Outgoing]) -> Result<(), String> {
        let timeout = self.options.timeout;
        match &self.destination {
            Destination::SyslogStream { addr, .. } => {
                let messages: Vec<String> = batch
                    .iter()
                    .map(|o| render(self.options.format, &o.payload, &o.record))
                    .collect();
                syslog::send_stream(addr, self.tls.clone(), &messages, timeout)
            }
            Destination::SyslogUdp { addr } => {
                let messages: Vec<String> = batch
                    .iter()
                    .map(|o| render(self.options.format, &o.payload, &o.record))
                    .collect();
                syslog::send_udp(addr, &messages)
            }
            Destination::SplunkHec { url } => {
                let token = self.options.hec_token.as_deref().unwrap_or_default();
                let channel = hec_channel(&self.layout, &self.name);
                http::send_hec(url, token, &channel, batch, self.tls.clone(), timeout)
            }
            Destination::Webhook { url } => {
                let secret = self.options.hmac_secret.as_deref().unwrap_or_default();
                http::send_webhook(url, secret, batch, self.tls.clone(), timeout)
            }
        }
    }
}

/// A stable HEC channel GUID per log and forwarder.
fn hec_channel(layout: &Layout, name: &str) -> String {
    let id = crate::writer::read_log_id(layout).unwrap_or_default();
    let h = crate::hash::Digest::of(&[id.as_bytes(), name.as_bytes()]).to_hex();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}
