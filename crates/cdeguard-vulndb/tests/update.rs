//! `db update` against an OSV bucket served on loopback: a first download builds the
//! database, a second one sends the validators and gets 304 (nothing rebuilt), and a
//! truncated download fails while the previous database stays intact.

#![cfg(feature = "download")]

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use cdeguard_vulndb::Database;
use cdeguard_vulndb::update::{UpdateOptions, update};

/// What the test server serves for `/<ecosystem>/all.zip`, and what it saw.
#[derive(Default)]
struct Bucket {
    zips: Vec<(String, Vec<u8>, String)>, // (path, body, etag)
    truncate: bool,
    seen_if_none_match: Vec<String>,
}

fn serve(bucket: Arc<Mutex<Bucket>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            let path = request_line.split(' ').nth(1).unwrap_or("").to_owned();
            let mut if_none_match = None;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                    break;
                }
                if let Some((name, value)) = line.split_once(':')
                    && name.eq_ignore_ascii_case("if-none-match")
                {
                    if_none_match = Some(value.trim().to_owned());
                }
            }
            let mut bucket = bucket.lock().unwrap();
            let found = bucket.zips.iter().find(|(p, _, _)| *p == path).cloned();
            if let Some(tag) = &if_none_match {
                bucket.seen_if_none_match.push(tag.clone());
            }
            let response = match found {
                Some((_, _, etag)) if if_none_match.as_deref() == Some(etag.as_str()) => format!(
                    "HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nConnection: close\r\n\r\n"
                )
                .into_bytes(),
                Some((_, body, etag)) => {
                    let sent = if bucket.truncate {
                        &body[..body.len() / 2]
                    } else {
                        &body[..]
                    };
                    let mut r = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nETag: {etag}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    r.extend_from_slice(sent);
                    r
                }
                None => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_vec(),
            };
            let _ = stream.write_all(&response);
            // Close our side so a truncated body ends in EOF, as a dropped connection does.
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
    });
    format!("http://{address}")
}

fn zip_of(records: &[(&str, String)]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    for (name, json) in records {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(json.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
    out.into_inner()
}

fn record(id: &str, ecosystem: &str, name: &str) -> String {
    format!(
        r#"{{"id":"{id}","modified":"2024-05-01T00:00:00Z","affected":[{{"package":{{"ecosystem":"{ecosystem}","name":"{name}"}},"ranges":[{{"type":"ECOSYSTEM","events":[{{"introduced":"0"}},{{"fixed":"2.0"}}]}}]}}]}}"#
    )
}

#[test]
fn update_downloads_conditionally_and_never_breaks_the_database() {
    let bucket = Arc::new(Mutex::new(Bucket::default()));
    bucket.lock().unwrap().zips = vec![
        (
            "/PyPI/all.zip".into(),
            zip_of(&[("PYSEC-1.json", record("PYSEC-1", "PyPI", "django"))]),
            "\"v1\"".into(),
        ),
        (
            "/Red%20Hat/all.zip".into(),
            zip_of(&[(
                "RHSA-1.json",
                record("RHSA-1", "Red Hat:enterprise_linux:9::baseos", "openssl"),
            )]),
            "\"r1\"".into(),
        ),
    ];
    let base_url = serve(Arc::clone(&bucket));
    let dir = tempfile::tempdir().unwrap();
    let options = UpdateOptions {
        base_url,
        ecosystems: vec!["PyPI".into(), "Red Hat".into()],
        cache_dir: dir.path().join("cache"),
        db_path: dir.path().join("vulndb.cdgdb"),
    };

    let first = update(&options).unwrap();
    assert_eq!(first.downloaded, ["PyPI", "Red Hat"]);
    assert!(first.rebuilt);
    let db = Database::open(&options.db_path).unwrap();
    assert_eq!(db.info().records, 2);
    assert_eq!(db.info().ecosystems["Red Hat:9"].packages, 1);
    drop(db);

    let second = update(&options).unwrap();
    assert_eq!(second.not_modified, ["PyPI", "Red Hat"]);
    assert!(!second.rebuilt);
    assert_eq!(
        bucket.lock().unwrap().seen_if_none_match,
        ["\"v1\"", "\"r1\""]
    );

    // New PyPI data, but the transfer is cut short: the update fails, the database and
    // the cached zip are the previous ones.
    let before = std::fs::read(&options.db_path).unwrap();
    {
        let mut b = bucket.lock().unwrap();
        b.zips[0] = (
            "/PyPI/all.zip".into(),
            zip_of(&[
                ("PYSEC-1.json", record("PYSEC-1", "PyPI", "django")),
                ("PYSEC-2.json", record("PYSEC-2", "PyPI", "flask")),
            ]),
            "\"v2\"".into(),
        );
        b.truncate = true;
    }
    let error = update(&options).unwrap_err().to_string();
    assert!(error.contains("/PyPI/all.zip"), "{error}");
    assert_eq!(std::fs::read(&options.db_path).unwrap(), before);
    assert_eq!(Database::open(&options.db_path).unwrap().info().records, 2);

    // The transfer completes: the new record arrives.
    bucket.lock().unwrap().truncate = false;
    let third = update(&options).unwrap();
    assert_eq!(third.downloaded, ["PyPI"]);
    assert_eq!(Database::open(&options.db_path).unwrap().info().records, 3);
}
