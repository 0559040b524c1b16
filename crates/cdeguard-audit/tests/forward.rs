//! SIEM forwarding against real receivers on 127.0.0.1: Debian's rsyslog (TCP with
//! octet counting, TLS, UDP; installed by `.ci/setup`) and small HTTP receivers for
//! Splunk HEC and the signed webhook. Outages stop the receiver mid-stream; every
//! record must still arrive, in order, exactly once after dedupe by sequence number.

mod common;

use std::collections::{HashMap, HashSet};
use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cdeguard_audit::export::Format;
use cdeguard_audit::forward::{Destination, ForwardOptions, Forwarder, webhook_signature};
use cdeguard_audit::{LogWriter, WriterOptions};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn make_log(records: u64) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log");
    let mut writer = LogWriter::open(&log, WriterOptions::default(), None).unwrap();
    for chunk in (0..records).collect::<Vec<_>>().chunks(100) {
        writer
            .append(chunk.iter().map(|i| common::input(*i)).collect())
            .unwrap();
    }
    (dir, log)
}

fn size(log: &Path) -> u64 {
    cdeguard_audit::reader::acknowledged_size(&cdeguard_audit::layout::Layout::new(log)).unwrap()
}

/// Checks that the first occurrences of the sequence numbers are exactly 0..n in order.
fn assert_once_in_order(seqs: &[u64], n: u64) {
    let mut seen = HashSet::new();
    let firsts: Vec<u64> = seqs.iter().copied().filter(|s| seen.insert(*s)).collect();
    assert_eq!(
        firsts,
        (0..n).collect::<Vec<_>>(),
        "every record, in order, once after dedupe"
    );
}

/// Forwards until the cursor reaches `end`, retrying after errors.
fn forward_until_done(
    mut forwarder: Forwarder,
    end: u64,
    deadline: Duration,
) -> (Forwarder, usize) {
    let start = Instant::now();
    let mut errors = 0;
    while forwarder.next_seq() < end {
        assert!(
            start.elapsed() < deadline,
            "forwarding stalled at {}",
            forwarder.next_seq()
        );
        if forwarder.run_once().is_err() {
            errors += 1;
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    (forwarder, errors)
}

// ---------------------------------------------------------------- rsyslog

enum Transport {
    Tcp,
    Tls,
    Udp,
}

struct Rsyslog {
    dir: tempfile::TempDir,
    port: u16,
    child: Option<Child>,
}

impl Rsyslog {
    fn config(&self, transport: &Transport) -> String {
        let dir = self.dir.path().display();
        let input = match transport {
            Transport::Tcp => format!(
                "module(load=\"imtcp\")\ninput(type=\"imtcp\" port=\"{}\" ruleset=\"r\")",
                self.port
            ),
            Transport::Tls => format!(
                "global(DefaultNetstreamDriver=\"gtls\" DefaultNetstreamDriverCAFile=\"{dir}/ca.pem\" \
                 DefaultNetstreamDriverCertFile=\"{dir}/cert.pem\" DefaultNetstreamDriverKeyFile=\"{dir}/key.pem\")\n\
                 module(load=\"imtcp\" StreamDriver.Name=\"gtls\" StreamDriver.Mode=\"1\" StreamDriver.AuthMode=\"anon\")\n\
                 input(type=\"imtcp\" port=\"{}\" ruleset=\"r\")",
                self.port
            ),
            Transport::Udp => format!(
                "module(load=\"imudp\")\ninput(type=\"imudp\" port=\"{}\" ruleset=\"r\")",
                self.port
            ),
        };
        // Direct queues: a message is in the file before the next one is read.
        format!(
            "global(workDirectory=\"{dir}\")\nmain_queue(queue.type=\"Direct\")\n\
             template(name=\"raw\" type=\"string\" string=\"%rawmsg%\\n\")\n\
             ruleset(name=\"r\" queue.type=\"Direct\") {{ action(type=\"omfile\" file=\"{dir}/out.log\" template=\"raw\" \
             flushOnTXEnd=\"on\" asyncWriting=\"off\") }}\n{input}\n"
        )
    }

    fn start(transport: Transport) -> Self {
        let mut server = Rsyslog {
            dir: tempfile::tempdir().unwrap(),
            port: free_port(),
            child: None,
        };
        if matches!(transport, Transport::Tls) {
            write_test_certs(server.dir.path());
        }
        std::fs::write(
            server.dir.path().join("rsyslog.conf"),
            server.config(&transport),
        )
        .unwrap();
        server.spawn(&transport);
        server
    }

    fn spawn(&mut self, transport: &Transport) {
        let rsyslogd = ["/usr/sbin/rsyslogd", "/sbin/rsyslogd"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .expect(
                "rsyslogd is missing: run `bash .ci/setup` (installs rsyslog and rsyslog-gnutls)",
            );
        let child = Command::new(rsyslogd)
            .arg("-n")
            .arg("-f")
            .arg(self.dir.path().join("rsyslog.conf"))
            .arg("-i")
            .arg(self.dir.path().join("rsyslog.pid"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start rsyslogd");
        self.child = Some(child);
        let start = Instant::now();
        match transport {
            Transport::Udp => std::thread::sleep(Duration::from_millis(800)),
            _ => {
                while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
                    assert!(
                        start.elapsed() < Duration::from_secs(10),
                        "rsyslogd did not listen"
                    );
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        }
    }

    /// SIGTERM, as an operator or orchestrator would stop it.
    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .status()
                .unwrap();
            child.wait().unwrap();
        }
    }

    fn lines(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("out.log"))
            .unwrap_or_default()
            .lines()
            .map(String::from)
            .collect()
    }

    fn seqs(&self, key: &str) -> Vec<u64> {
        self.lines()
            .iter()
            .filter_map(|l| {
                let start = l.find(key)? + key.len();
                let digits: String = l[start..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                digits.parse().ok()
            })
            .collect()
    }
}

impl Drop for Rsyslog {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn write_test_certs(dir: &Path) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "cdeguard test CA");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let params =
        rcgen::CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .unwrap();
    let cert = params.signed_by(&key, &issuer).unwrap();
    std::fs::write(dir.join("ca.pem"), ca_cert.pem()).unwrap();
    std::fs::write(dir.join("cert.pem"), cert.pem()).unwrap();
    std::fs::write(dir.join("key.pem"), key.serialize_pem()).unwrap();
}

#[test]
fn syslog_tcp_survives_a_receiver_outage() {
    let (_dir, log) = make_log(1200);
    let end = size(&log);
    let mut server = Rsyslog::start(Transport::Tcp);
    let options = ForwardOptions {
        batch: 40,
        timeout: Duration::from_secs(3),
        ..ForwardOptions::default()
    };
    let destination: Destination = format!("tcp://127.0.0.1:{}", server.port).parse().unwrap();
    let forwarder = Forwarder::new(&log, "siem", destination, options).unwrap();
    let worker =
        std::thread::spawn(move || forward_until_done(forwarder, end, Duration::from_secs(120)));
    // Stop the receiver mid-stream, keep it down for a while, start it again.
    let start = Instant::now();
    while server.lines().len() < 200 {
        assert!(start.elapsed() < Duration::from_secs(60), "nothing arrives");
        std::thread::sleep(Duration::from_millis(5));
    }
    server.stop();
    std::thread::sleep(Duration::from_millis(500));
    server.spawn(&Transport::Tcp);
    let (forwarder, errors) = worker.join().unwrap();
    assert_eq!(forwarder.next_seq(), end);
    assert!(errors > 0, "the outage was noticed");
    assert_once_in_order(&server.seqs("seq=\""), end);
    // The cursor is on disk: a new forwarder has nothing left to send.
    let mut again = Forwarder::new(
        &log,
        "siem",
        format!("tcp://127.0.0.1:{}", server.port).parse().unwrap(),
        ForwardOptions::default(),
    )
    .unwrap();
    assert_eq!(again.run_once().unwrap(), 0);
}

#[test]
fn cef_over_syslog_tls() {
    let (_dir, log) = make_log(150);
    let end = size(&log);
    let server = Rsyslog::start(Transport::Tls);
    let options = ForwardOptions {
        format: Format::CefSyslog,
        batch: 64,
        ca_file: Some(server.dir.path().join("ca.pem")),
        ..ForwardOptions::default()
    };
    let mut forwarder = Forwarder::new(
        &log,
        "tls",
        format!("tls://localhost:{}", server.port).parse().unwrap(),
        options,
    )
    .unwrap();
    assert_eq!(forwarder.run_once().unwrap(), end);
    let lines = server.lines();
    assert!(
        lines.iter().all(|l| l.contains("CEF:0|cdeguard|cdeguard|")),
        "{:?}",
        lines.first()
    );
    assert_once_in_order(&server.seqs("externalId="), end);
    // An untrusted server certificate is refused and nothing moves.
    let other = tempfile::tempdir().unwrap();
    write_test_certs(other.path());
    let options = ForwardOptions {
        ca_file: Some(other.path().join("ca.pem")),
        ..ForwardOptions::default()
    };
    let mut wrong = Forwarder::new(
        &log,
        "tls-wrong-ca",
        format!("tls://localhost:{}", server.port).parse().unwrap(),
        options,
    )
    .unwrap();
    assert!(wrong.run_once().is_err());
    assert_eq!(wrong.next_seq(), 0);
}

#[test]
fn syslog_udp() {
    let (_dir, log) = make_log(40);
    let end = size(&log);
    let server = Rsyslog::start(Transport::Udp);
    let mut forwarder = Forwarder::new(
        &log,
        "udp",
        format!("udp://127.0.0.1:{}", server.port).parse().unwrap(),
        ForwardOptions::default(),
    )
    .unwrap();
    assert_eq!(forwarder.run_once().unwrap(), end);
    let start = Instant::now();
    while (server.lines().len() as u64) < end && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_once_in_order(&server.seqs("seq=\""), end);
}

// ---------------------------------------------------------------- HTTP receivers

type Handler = dyn Fn(&str, &HashMap<String, String>, &[u8]) -> Option<(u16, String)> + Send + Sync;

/// A tiny HTTP/1.1 server; a handler returning `None` drops the connection without an
/// answer (a receiver crashing after it got the data).
struct HttpServer {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl HttpServer {
    fn start(port: u16, handler: Arc<Handler>) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => serve(stream, &*handler),
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        HttpServer {
            stop,
            thread: Some(thread),
        }
    }

    fn kill(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.kill();
    }
}

fn serve(mut stream: TcpStream, handler: &Handler) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    let header_end = loop {
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    };
    let head = String::from_utf8_lossy(&data[..header_end]).into_owned();
    let mut lines = head.lines();
    let path = lines
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = data[header_end + 4..].to_vec();
    while body.len() < length {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => body.extend_from_slice(&buf[..n]),
        }
    }
    if let Some((status, reply)) = handler(&path, &headers, &body) {
        let _ = write!(
            stream,
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
            reply.len()
        );
    }
}

#[derive(Default)]
struct Hec {
    events: Vec<serde_json::Value>,
    next_ack: u64,
    polls: HashMap<u64, u32>,
}

#[test]
fn splunk_hec_with_acks_token_and_a_crash_before_the_ack() {
    let (_dir, log) = make_log(500);
    let end = size(&log);
    let state = Arc::new(Mutex::new(Hec::default()));
    let batches = Arc::new(AtomicUsize::new(0));
    let port = free_port();
    let make_handler = |crash_on_batch: Option<usize>| -> Arc<Handler> {
        let state = state.clone();
        let batches = batches.clone();
        Arc::new(move |path, headers, body| {
            if headers.get("authorization").map(String::as_str)
                != Some("Splunk 00000000-test-token")
            {
                return Some((401, r#"{"text":"Invalid token","code":4}"#.into()));
            }
            let mut hec = state.lock().unwrap();
            if path == "/services/collector/event" {
                for line in body.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
                    hec.events.push(serde_json::from_slice(line).unwrap());
                }
                let n = batches.fetch_add(1, Ordering::SeqCst);
                if Some(n) == crash_on_batch {
                    return None; // stored, but died before answering
                }
                hec.next_ack += 1;
                let id = hec.next_ack;
                return Some((
                    200,
                    format!(r#"{{"text":"Success","code":0,"ackId":{id}}}"#),
                ));
            }
            if path.starts_with("/services/collector/ack") {
                let request: serde_json::Value = serde_json::from_slice(body).unwrap();
                let id = request["acks"][0].as_u64().unwrap();
                let polls = hec.polls.entry(id).or_insert(0);
                *polls += 1;
                // Indexed on the second poll, to exercise polling.
                return Some((200, format!(r#"{{"acks":{{"{id}":{}}}}}"#, *polls >= 2)));
            }
            Some((404, "{}".into()))
        })
    };
    let options = |token: &str| ForwardOptions {
        batch: 50,
        hec_token: Some(token.to_owned()),
        timeout: Duration::from_secs(2),
        ..ForwardOptions::default()
    };
    let destination: Destination = format!("hec+http://127.0.0.1:{port}").parse().unwrap();

    let mut server = HttpServer::start(port, make_handler(None));
    let mut bad = Forwarder::new(&log, "hec-bad", destination.clone(), options("wrong")).unwrap();
    let err = bad.run_once().unwrap_err();
    assert!(err.to_string().contains("401"), "{err}");

    let mut forwarder =
        Forwarder::new(&log, "hec", destination, options("00000000-test-token")).unwrap();
    // First part, then the receiver crashes mid-batch and stays down for a while.
    server.kill();
    batches.store(0, Ordering::SeqCst);
    server = HttpServer::start(port, make_handler(Some(3)));
    assert!(
        forwarder.run_once().is_err(),
        "the crashed batch is not confirmed"
    );
    let confirmed = forwarder.next_seq();
    assert_eq!(confirmed, 150);
    server.kill();
    assert!(forwarder.run_once().is_err(), "receiver down");
    assert_eq!(forwarder.next_seq(), confirmed);
    server = HttpServer::start(port, make_handler(None));
    let (forwarder, _) = forward_until_done(forwarder, end, Duration::from_secs(60));
    assert_eq!(forwarder.next_seq(), end);
    drop(server);
    let hec = state.lock().unwrap();
    let seqs: Vec<u64> = hec
        .events
        .iter()
        .map(|e| e["event"]["seq"].as_u64().unwrap())
        .collect();
    assert!(
        seqs.len() as u64 > end,
        "the unconfirmed batch was sent again"
    );
    assert_once_in_order(&seqs, end);
    assert!(
        hec.events
            .iter()
            .all(|e| e["sourcetype"] == "cdeguard:audit")
    );
}

/// Notes the sequence numbers of a webhook's NDJSON body.
fn note_seqs(received: &Mutex<Vec<u64>>, body: &[u8]) {
    let mut seen = received.lock().unwrap();
    for line in body.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        let record: serde_json::Value = serde_json::from_slice(line).unwrap();
        seen.push(record["seq"].as_u64().unwrap());
    }
}

#[test]
fn webhook_with_hmac_signature() {
    let (_dir, log) = make_log(120);
    let end = size(&log);
    let secret = b"webhook-secret".to_vec();
    let received = Arc::new(Mutex::new(Vec::<u64>::new()));
    let port = free_port();
    let handler: Arc<Handler> = {
        let received = received.clone();
        let secret = secret.clone();
        Arc::new(move |_path, headers, body| {
            let timestamp = headers
                .get("x-cdeguard-timestamp")
                .cloned()
                .unwrap_or_default();
            let expected = webhook_signature(&secret, &timestamp, body);
            if headers.get("x-cdeguard-signature") != Some(&expected) {
                return Some((401, "{}".into()));
            }
            note_seqs(&received, body);
            Some((204, String::new()))
        })
    };
    let _server = HttpServer::start(port, handler);
    let destination: Destination = format!("webhook+http://127.0.0.1:{port}/audit")
        .parse()
        .unwrap();
    let with_secret = |s: &[u8]| ForwardOptions {
        batch: 32,
        hmac_secret: Some(s.to_vec()),
        ..ForwardOptions::default()
    };
    let mut forged = Forwarder::new(
        &log,
        "hook-forged",
        destination.clone(),
        with_secret(b"wrong"),
    )
    .unwrap();
    assert!(forged.run_once().is_err());
    assert_eq!(forged.next_seq(), 0);
    let mut forwarder = Forwarder::new(&log, "hook", destination, with_secret(&secret)).unwrap();
    assert_eq!(forwarder.run_once().unwrap(), end);
    assert_once_in_order(&received.lock().unwrap(), end);
}

// ---------------------------------------------------------------- access records

#[test]
fn forwarding_runs_are_recorded_once_each_without_secrets() {
    const READER: &str = "user:siem-shipper (uid 1002)";
    let (_dir, log) = make_log(30);
    let end = size(&log);
    let secret = b"hmac-secret-never-logged".to_vec();
    let received = Arc::new(Mutex::new(Vec::<u64>::new()));
    let port = free_port();
    // Down: the receiver drops connections unanswered. (It keeps its port: a port given
    // up could be taken by another test's server meanwhile.)
    let down = Arc::new(AtomicBool::new(false));
    let handler: Arc<Handler> = {
        let received = received.clone();
        let down = down.clone();
        Arc::new(move |_path, _headers, body| {
            if down.load(Ordering::SeqCst) {
                return None;
            }
            note_seqs(&received, body);
            Some((204, String::new()))
        })
    };
    let _server = HttpServer::start(port, handler);
    // A webhook URL whose path is a secret, as many receivers issue them.
    let destination: Destination = format!("webhook+http://127.0.0.1:{port}/hooks/path-secret-123")
        .parse()
        .unwrap();
    let options = ForwardOptions {
        batch: 8,
        hmac_secret: Some(secret.clone()),
        timeout: Duration::from_secs(2),
        ..ForwardOptions::default()
    };
    let mut forwarder = Forwarder::new(&log, "hook", destination, options).unwrap();
    let mut writer = LogWriter::open(&log, WriterOptions::default(), None).unwrap();
    let endpoint = format!("http://127.0.0.1:{port}");
    let forward_records = || common::with_action(&log, "audit.export");

    // One record for the whole run, not one per batch.
    assert_eq!(forwarder.run_recorded(&mut writer, READER).unwrap(), end);
    let recorded = forward_records();
    assert_eq!(recorded.len(), 1, "{recorded:?}");
    assert_eq!(recorded[0].seq, end);
    assert_eq!(recorded[0].actor, READER);
    assert_eq!(recorded[0].resource, "audit-log");
    assert_eq!(recorded[0].outcome, cdeguard_audit::Outcome::Success);
    assert_eq!(
        recorded[0].details,
        serde_json::json!({
            "command": "forward",
            "cursor": "hook",
            "destination": { "kind": "webhook", "endpoint": endpoint },
            "range": { "from": 0, "to": end },
            "records": end,
        })
    );
    // The next run ships only that record: recording it would go on forever.
    assert_eq!(forwarder.run_recorded(&mut writer, READER).unwrap(), 1);
    assert_eq!(forwarder.run_recorded(&mut writer, READER).unwrap(), 0);
    assert_eq!(forward_records().len(), 1);

    // The receiver goes down: the failed run is recorded, its retry is not.
    writer.append(vec![common::input(99)]).unwrap();
    down.store(true, Ordering::SeqCst);
    let err = forwarder.run_recorded(&mut writer, READER).unwrap_err();
    assert!(forwarder.run_recorded(&mut writer, READER).is_err());
    let recorded = forward_records();
    assert_eq!(recorded.len(), 2, "{recorded:?}");
    let failed = &recorded[1];
    assert_eq!(failed.outcome, cdeguard_audit::Outcome::Failure);
    let error = failed.details["error"].as_str().unwrap();
    assert_eq!(error, err.to_string());
    assert!(
        error.starts_with(&format!("forwarding to hook (webhook {endpoint}): ")),
        "{error}"
    );
    let mut details = failed.details.clone();
    details.as_object_mut().unwrap().remove("error");
    assert_eq!(
        details,
        serde_json::json!({
            "command": "forward",
            "cursor": "hook",
            "destination": { "kind": "webhook", "endpoint": endpoint },
            "range": { "from": end + 1, "to": end + 1 },
            "records": 0,
            "unconfirmed": 1,
        })
    );

    // Back up: the run that ends the outage is recorded with the retries it took.
    down.store(false, Ordering::SeqCst);
    assert_eq!(forwarder.run_recorded(&mut writer, READER).unwrap(), 2);
    let recorded = forward_records();
    assert_eq!(recorded.len(), 3, "{recorded:?}");
    assert_eq!(recorded[2].outcome, cdeguard_audit::Outcome::Success);
    assert_eq!(recorded[2].details["failed_retries"], 1);
    assert_eq!(
        recorded[2].details["range"],
        serde_json::json!({ "from": end + 1, "to": end + 3 })
    );
    assert_eq!(forwarder.run_recorded(&mut writer, READER).unwrap(), 1);
    assert_eq!(forward_records().len(), 3);
    assert_once_in_order(&received.lock().unwrap(), end + 4);

    // Neither the HMAC secret nor the URL's secret path is anywhere in the log.
    for segment in common::hot_segments(&log) {
        let text = String::from_utf8_lossy(&std::fs::read(segment).unwrap()).into_owned();
        assert!(!text.contains("hmac-secret-never-logged"));
        assert!(!text.contains("path-secret-123"));
    }
}

#[test]
fn destinations_are_named_without_credentials_paths_or_queries() {
    let endpoint = |url: &str| {
        let destination: Destination = url.parse().unwrap();
        (destination.kind(), destination.endpoint())
    };
    assert_eq!(
        endpoint("webhook+https://user:pass@hooks.example:8443/T0/B0/secret?token=x"),
        ("webhook", "https://hooks.example:8443".to_owned())
    );
    assert_eq!(
        endpoint("hec+http://splunk:8088/"),
        ("splunk-hec", "http://splunk:8088".to_owned())
    );
    assert_eq!(
        endpoint("tls://siem.example:6514"),
        ("syslog-tls", "tls://siem.example:6514".to_owned())
    );
    assert_eq!(
        endpoint("tcp://10.0.0.1:514"),
        ("syslog-tcp", "tcp://10.0.0.1:514".to_owned())
    );
    assert_eq!(
        endpoint("udp://[::1]:514"),
        ("syslog-udp", "udp://[::1]:514".to_owned())
    );
}
