//! Syslog transports: TCP/TLS with octet-counting framing (RFC 6587 §3.4.1, RFC 5425)
//! and UDP (RFC 5426).

use std::io::{Read as _, Write as _};
use std::net::{Shutdown, TcpStream, ToSocketAddrs as _, UdpSocket};
use std::sync::Arc;
use std::time::Duration;

fn connect(addr: &str, timeout: Duration) -> Result<TcpStream, String> {
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
    Ok(stream)
}

fn frame(messages: &[String]) -> Vec<u8> {
    let mut out = Vec::new();
    for m in messages {
        out.extend_from_slice(format!("{} ", m.len()).as_bytes());
        out.extend_from_slice(m.as_bytes());
    }
    out
}

/// Sends one batch over a fresh connection and waits until the receiver has read all of
/// it: after our half-close it closes its side, which it does only after reading to the
/// end of our stream. A reset or timeout means the batch is unconfirmed.
pub(crate) fn send_stream(
    addr: &str,
    tls: Option<Arc<rustls::ClientConfig>>,
    messages: &[String],
    timeout: Duration,
) -> Result<(), String> {
    let mut stream = connect(addr, timeout)?;
    let bytes = frame(messages);
    let mut sink = [0u8; 256];
    match tls {
        None => {
            stream.write_all(&bytes).map_err(|e| format!("send: {e}"))?;
            stream
                .shutdown(Shutdown::Write)
                .map_err(|e| format!("half-close: {e}"))?;
            loop {
                match stream.read(&mut sink) {
                    Ok(0) => return Ok(()),
                    Ok(_) => {}
                    Err(e) => return Err(format!("receiver did not confirm the batch: {e}")),
                }
            }
        }
        Some(config) => {
            let name = super::tls::server_name(addr)?;
            let conn =
                rustls::ClientConnection::new(config, name).map_err(|e| format!("TLS: {e}"))?;
            let mut tls = rustls::StreamOwned::new(conn, stream);
            tls.write_all(&bytes)
                .map_err(|e| format!("TLS send: {e}"))?;
            tls.conn.send_close_notify();
            tls.flush().map_err(|e| format!("TLS send: {e}"))?;
            while tls.conn.wants_write() {
                tls.conn
                    .write_tls(&mut tls.sock)
                    .map_err(|e| format!("TLS send: {e}"))?;
            }
            tls.sock
                .shutdown(Shutdown::Write)
                .map_err(|e| format!("half-close: {e}"))?;
            loop {
                match tls.read(&mut sink) {
                    Ok(0) => return Ok(()),
                    Ok(_) => {}
                    // The peer closed the TCP connection after reading our close_notify.
                    Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
                    Err(e) => return Err(format!("receiver did not confirm the batch: {e}")),
                }
            }
        }
    }
}

/// Sends each message as one datagram.
pub(crate) fn send_udp(addr: &str, messages: &[String]) -> Result<(), String> {
    let socket = UdpSocket::bind("0.0.0.0:0").map_err(|e| format!("bind: {e}"))?;
    socket
        .connect(addr)
        .map_err(|e| format!("connect {addr}: {e}"))?;
    for m in messages {
        socket
            .send(m.as_bytes())
            .map_err(|e| format!("send to {addr}: {e}"))?;
    }
    Ok(())
}
