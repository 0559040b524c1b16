//! A minimal HTTP/1.1 client (one POST per connection, `Connection: close`) over TCP or
//! rustls, and the Splunk HEC and webhook protocols on top.

use std::io::Read as _;
use std::net::{TcpStream, ToSocketAddrs as _};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::Outgoing;
use crate::hash::to_hex;

/// Largest response body read.
const MAX_RESPONSE: u64 = 1 << 20;

struct Url<'a> {
    https: bool,
    authority: &'a str,
    path: &'a str,
}

fn parse_url(url: &str) -> Result<Url<'_>, String> {
    let (https, rest) = if let Some(r) = url.strip_prefix("https://") {
        (true, r)
    } else if let Some(r) = url.strip_prefix("http://") {
        (false, r)
    } else {
        return Err(format!("`{url}` is not an http(s) URL"));
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    Ok(Url {
        https,
        authority,
        path,
    })
}

fn post(
    url: &str,
    headers: &[(&str, String)],
    body: &[u8],
    tls: Option<Arc<rustls::ClientConfig>>,
    timeout: Duration,
) -> Result<(u16, Vec<u8>), String> {
    let parsed = parse_url(url)?;
    let addr = if parsed.authority.contains(':') {
        parsed.authority.to_owned()
    } else {
        format!(
            "{}:{}",
            parsed.authority,
            if parsed.https { 443 } else { 80 }
        )
    };
    let target = addr
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {addr}: {e}"))?
        .next()
        .ok_or_else(|| format!("cannot resolve {addr}"))?;
    let stream =
        TcpStream::connect_timeout(&target, timeout).map_err(|e| format!("connect {addr}: {e}"))?;
    stream
        .set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    stream
        .set_write_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    let mut request = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\nConnection: close\r\nUser-Agent: cdeguard/{}\r\n",
        parsed.path,
        parsed.authority,
        body.len(),
        env!("CARGO_PKG_VERSION")
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    let mut response = Vec::new();
    let exchange = |io: &mut dyn ReadWrite, response: &mut Vec<u8>| -> std::io::Result<()> {
        io.write_all(request.as_bytes())?;
        io.write_all(body)?;
        io.flush()?;
        match std::io::Read::take(&mut *io, MAX_RESPONSE).read_to_end(response) {
            Ok(_) => Ok(()),
            // Servers that close without TLS close_notify still sent a complete response.
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(()),
            Err(e) => Err(e),
        }
    };
    match (parsed.https, tls) {
        (false, _) => exchange(&mut { stream }, &mut response),
        (true, Some(config)) => {
            let name = super::tls::server_name(&addr)?;
            let conn =
                rustls::ClientConnection::new(config, name).map_err(|e| format!("TLS: {e}"))?;
            exchange(&mut rustls::StreamOwned::new(conn, stream), &mut response)
        }
        (true, None) => return Err("https needs a CA file".into()),
    }
    // The forwarding error names the endpoint; a webhook's path may hold a secret.
    .map_err(|e| format!("POST: {e}"))?;
    parse_response(&response)
}

trait ReadWrite: std::io::Read + std::io::Write {}
impl<T: std::io::Read + std::io::Write> ReadWrite for T {}

fn parse_response(bytes: &[u8]) -> Result<(u16, Vec<u8>), String> {
    let split = memchr::memmem::find(bytes, b"\r\n\r\n").ok_or("incomplete HTTP response")?;
    let head =
        std::str::from_utf8(&bytes[..split]).map_err(|_| "HTTP response header is not UTF-8")?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or("bad HTTP status line")?;
    let mut body = bytes[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body).ok_or("bad chunked HTTP body")?;
    }
    Ok((status, body))
}

fn dechunk(mut bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = memchr::memmem::find(bytes, b"\r\n")?;
        let size = usize::from_str_radix(
            std::str::from_utf8(&bytes[..line_end])
                .ok()?
                .split(';')
                .next()?
                .trim(),
            16,
        )
        .ok()?;
        bytes = &bytes[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(bytes.get(..size)?);
        bytes = bytes.get(size + 2..)?;
    }
}

fn body_json(status: u16, body: &[u8]) -> Result<serde_json::Value, String> {
    let text = String::from_utf8_lossy(body);
    if !(200..300).contains(&status) {
        return Err(format!(
            "HTTP {status}: {}",
            text.chars().take(200).collect::<String>()
        ));
    }
    serde_json::from_slice(body).map_err(|e| {
        format!(
            "bad JSON response ({e}): {}",
            text.chars().take(200).collect::<String>()
        )
    })
}

/// Splunk HEC: events, then polling `/services/collector/ack` until the indexer confirms.
pub(crate) fn send_hec(
    base: &str,
    token: &str,
    channel: &str,
    batch: &[Outgoing],
    tls: Option<Arc<rustls::ClientConfig>>,
    timeout: Duration,
) -> Result<(), String> {
    let mut body = Vec::new();
    for o in batch {
        let time = o
            .record
            .time
            .parse::<jiff::Timestamp>()
            .map_or(0.0, |t| t.as_millisecond() as f64 / 1000.0);
        let event = serde_json::json!({
            "time": time,
            "host": o.record.origin.host,
            "source": "cdeguard",
            "sourcetype": "cdeguard:audit",
            "event": serde_json::from_slice::<serde_json::Value>(&o.payload).unwrap_or_default(),
        });
        body.extend_from_slice(event.to_string().as_bytes());
        body.push(b'\n');
    }
    let headers = [
        ("Authorization", format!("Splunk {token}")),
        ("X-Splunk-Request-Channel", channel.to_owned()),
        ("Content-Type", "application/json".to_owned()),
    ];
    let base = base.trim_end_matches('/');
    let (status, response) = post(
        &format!("{base}/services/collector/event"),
        &headers,
        &body,
        tls.clone(),
        timeout,
    )?;
    let reply = body_json(status, &response)?;
    if reply["code"].as_i64() != Some(0) {
        return Err(format!("HEC refused the batch: {reply}"));
    }
    // Without indexer acknowledgement the 200 is all the confirmation there is.
    let Some(ack_id) = reply["ackId"].as_u64() else {
        return Ok(());
    };
    let deadline = Instant::now() + timeout * 3;
    let ack_body = serde_json::json!({ "acks": [ack_id] }).to_string();
    while Instant::now() < deadline {
        let (status, response) = post(
            &format!("{base}/services/collector/ack?channel={channel}"),
            &headers,
            ack_body.as_bytes(),
            tls.clone(),
            timeout,
        )?;
        if body_json(status, &response)?["acks"][ack_id.to_string()].as_bool() == Some(true) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Err(format!("HEC did not acknowledge ackId {ack_id} in time"))
}

/// `sha256=<hex>` of HMAC-SHA256(secret, `<timestamp>.<body>`).
pub fn webhook_signature(secret: &[u8], timestamp: &str, body: &[u8]) -> String {
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret);
    let mut ctx = aws_lc_rs::hmac::Context::with_key(&key);
    ctx.update(timestamp.as_bytes());
    ctx.update(b".");
    ctx.update(body);
    format!("sha256={}", to_hex(ctx.sign().as_ref()))
}

/// Webhook: one signed NDJSON POST per batch; any 2xx confirms it.
pub(crate) fn send_webhook(
    url: &str,
    secret: &[u8],
    batch: &[Outgoing],
    tls: Option<Arc<rustls::ClientConfig>>,
    timeout: Duration,
) -> Result<(), String> {
    let mut body = Vec::new();
    for o in batch {
        body.extend_from_slice(&o.payload);
        body.push(b'\n');
    }
    let timestamp = jiff::Timestamp::now().as_second().to_string();
    let headers = [
        ("Content-Type", "application/x-ndjson".to_owned()),
        ("X-Cdeguard-Timestamp", timestamp.clone()),
        (
            "X-Cdeguard-Signature",
            webhook_signature(secret, &timestamp, &body),
        ),
        (
            "X-Cdeguard-First-Seq",
            batch.first().map_or(0, |o| o.record.seq).to_string(),
        ),
    ];
    let (status, response) = post(url, &headers, &body, tls, timeout)?;
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(format!(
            "HTTP {status}: {}",
            String::from_utf8_lossy(&response)
                .chars()
                .take(200)
                .collect::<String>()
        ))
    }
}
