//! A token service for the registry's `auth.token` mode, as Docker Hub and other
//! registries run one: it accepts basic credentials ([`USER`] / [`PASSWORD`]) and answers
//! with a JWT (ES256, certificate in the `x5c` header) granting the scopes asked for.
//! It records each request so tests can check what the client sent.

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

use super::registry_server::{PASSWORD, USER};

pub(crate) const SERVICE: &str = "cdeguard-test-registry";
pub(crate) const ISSUER: &str = "cdeguard-test-issuer";

pub(crate) struct TokenService {
    /// `http://127.0.0.1:PORT/token`.
    pub(crate) realm: String,
    /// PEM certificate of the signing key (the registry's `rootcertbundle`).
    pub(crate) root_certificate: PathBuf,
    /// One line per request: its query string and whether its credentials were valid.
    requests: Arc<Mutex<Vec<String>>>,
    _dir: tempfile::TempDir,
}

struct Signer {
    key: EcdsaKeyPair,
    certificate: String,
}

impl TokenService {
    pub(crate) fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let key = rcgen::KeyPair::generate().unwrap();
        let certificate = rcgen::CertificateParams::new(vec!["cdeguard-token".into()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let root_certificate = dir.path().join("root.pem");
        std::fs::write(&root_certificate, certificate.pem()).unwrap();
        let signer = Signer {
            key: EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &key.serialize_der())
                .unwrap(),
            certificate: STANDARD.encode(certificate.der()),
        };
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let realm = format!("http://{}/token", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&requests);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                answer(stream, &signer, &log);
            }
        });
        Self {
            realm,
            root_certificate,
            requests,
            _dir: dir,
        }
    }

    pub(crate) fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

fn answer(mut stream: TcpStream, signer: &Signer, log: &Mutex<Vec<String>>) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 65536 {
        if stream.read(&mut byte).unwrap_or(0) == 0 {
            return;
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    let target = head.split(' ').nth(1).unwrap_or_default();
    let query = target.split_once('?').map_or("", |(_, q)| q);
    let expected = STANDARD.encode(format!("{USER}:{PASSWORD}"));
    let authorized = head.lines().any(|line| {
        line.split_once(':').is_some_and(|(name, value)| {
            name.eq_ignore_ascii_case("authorization")
                && value
                    .trim()
                    .split_once(' ')
                    .is_some_and(|(scheme, credentials)| {
                        scheme.eq_ignore_ascii_case("basic") && credentials == expected
                    })
        })
    });
    let query = percent_decode(query);
    log.lock()
        .unwrap()
        .push(format!("{query} authorized={authorized}"));
    let (status, body) = if authorized {
        let scopes = query
            .split('&')
            .filter_map(|pair| pair.strip_prefix("scope="));
        (
            "200 OK",
            serde_json::json!({"token": token(signer, scopes)}).to_string(),
        )
    } else {
        (
            "401 Unauthorized",
            r#"{"details":"credentials required"}"#.to_owned(),
        )
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// A JWT granting `repository:NAME:ACTIONS` scopes, as the registry verifies it.
fn token<'a>(signer: &Signer, scopes: impl Iterator<Item = &'a str>) -> String {
    let access: Vec<serde_json::Value> = scopes
        .filter_map(|scope| {
            let mut parts = scope.splitn(3, ':');
            let (kind, name, actions) = (parts.next()?, parts.next()?, parts.next()?);
            Some(serde_json::json!({"type": kind, "name": name, "actions": actions.split(',').collect::<Vec<_>>()}))
        })
        .collect();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let header = serde_json::json!({"typ": "JWT", "alg": "ES256", "x5c": [signer.certificate]});
    let claims = serde_json::json!({
        "iss": ISSUER, "sub": USER, "aud": SERVICE, "exp": now + 600, "nbf": now - 60,
        "iat": now, "jti": format!("{now}-{}", access.len()), "access": access,
    });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = signer
        .key
        .sign(&SystemRandom::new(), signing_input.as_bytes())
        .unwrap();
    format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature.as_ref())
    )
}

/// `%XX` and `+` decoded (query strings).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
