//! A real OCI registry for tests: Debian's `docker-registry` (CNCF distribution 2.8)
//! started on a free loopback port with its storage in a temporary folder, optionally
//! behind htpasswd basic authentication, and images pushed to it with `skopeo`. Its
//! access log tells which blobs a client fetched.

use std::io::Read as _;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

const REGISTRY: &str = "/usr/bin/docker-registry";
/// htpasswd user of [`Registry::with_basic_auth`].
pub(crate) const USER: &str = "ci";
pub(crate) const PASSWORD: &str = "registry-test-pass";
/// bcrypt (cost 4) of [`PASSWORD`], as `htpasswd -B` writes it.
const PASSWORD_BCRYPT: &str = "$2b$04$abcdefghijklmnopqrstuuyGqEArnzC74Hg9qxQYoZHU2tHyQA6mq";

pub(crate) struct Registry {
    /// `127.0.0.1:PORT`.
    pub(crate) addr: String,
    dir: tempfile::TempDir,
    child: Child,
    /// skopeo's `--dest-creds`, when pushing needs credentials.
    push_credentials: Option<String>,
}

/// How the registry authenticates clients.
enum Auth<'a> {
    Anonymous,
    /// htpasswd basic authentication of [`USER`] / [`PASSWORD`].
    Basic,
    /// The distribution token flow: `realm` issues JWTs signed by the key of the
    /// certificate in `root_certificate` (PEM), for the service `service`.
    Token {
        realm: &'a str,
        service: &'a str,
        issuer: &'a str,
        root_certificate: &'a Path,
    },
}

/// A loopback port nothing listens on (the listener is closed again).
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Registry {
    pub(crate) fn anonymous() -> Self {
        Self::start(&Auth::Anonymous)
    }

    pub(crate) fn with_basic_auth() -> Self {
        Self::start(&Auth::Basic)
    }

    /// A registry delegating authentication to the token service at `realm`; pushes
    /// use [`USER`] / [`PASSWORD`], which that service must accept.
    pub(crate) fn with_token_auth(
        realm: &str,
        service: &str,
        issuer: &str,
        root_certificate: &Path,
    ) -> Self {
        Self::start(&Auth::Token {
            realm,
            service,
            issuer,
            root_certificate,
        })
    }

    fn start(auth: &Auth<'_>) -> Self {
        assert!(
            Path::new(REGISTRY).is_file(),
            "{REGISTRY} is missing: install Debian's `docker-registry` package \
             (`apt-get install docker-registry`, as .ci/setup does)"
        );
        let dir = tempfile::tempdir().unwrap();
        let addr = format!("127.0.0.1:{}", free_port());
        let mut config = format!(
            "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {}\n\
             http:\n  addr: {addr}\n",
            dir.path().join("storage").display()
        );
        match auth {
            Auth::Anonymous => {}
            Auth::Basic => {
                let htpasswd = dir.path().join("htpasswd");
                std::fs::write(&htpasswd, format!("{USER}:{PASSWORD_BCRYPT}\n")).unwrap();
                config.push_str(&format!(
                    "auth:\n  htpasswd:\n    realm: cdeguard-test\n    path: {}\n",
                    htpasswd.display()
                ));
            }
            Auth::Token {
                realm,
                service,
                issuer,
                root_certificate,
            } => config.push_str(&format!(
                "auth:\n  token:\n    realm: {realm}\n    service: {service}\n    \
                 issuer: {issuer}\n    rootcertbundle: {}\n",
                root_certificate.display()
            )),
        }
        std::fs::write(dir.path().join("config.yml"), config).unwrap();
        let log = std::fs::File::create(dir.path().join("registry.log")).unwrap();
        let child = Command::new(REGISTRY)
            .arg("serve")
            .arg(dir.path().join("config.yml"))
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let registry = Self {
            addr,
            dir,
            child,
            push_credentials: (!matches!(auth, Auth::Anonymous))
                .then(|| format!("--dest-creds={USER}:{PASSWORD}")),
        };
        // Readiness, not timing: wait (bounded) until the port accepts connections.
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(&registry.addr).is_err() {
            assert!(
                Instant::now() < deadline,
                "docker-registry did not start: {}",
                registry.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        registry
    }

    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default()
    }

    /// Pushes the image `app:1` of a test OCI layout (every platform) to `destination`
    /// (`repository:tag`).
    pub(crate) fn push(&self, layout: &Path, destination: &str) {
        self.copy(&format!("oci:{}:app:1", layout.display()), destination);
    }

    /// Pushes a `docker save` archive to `destination` (`repository:tag`).
    pub(crate) fn push_docker_archive(&self, archive: &Path, destination: &str) {
        self.copy(
            &format!("docker-archive:{}", archive.display()),
            destination,
        );
    }

    /// `skopeo copy` from a source image name (with its transport) into the registry.
    fn copy(&self, source: &str, destination: &str) {
        let mut skopeo = Command::new("skopeo");
        skopeo.args([
            "--insecure-policy",
            "copy",
            "--all",
            "--dest-tls-verify=false",
        ]);
        skopeo.args(&self.push_credentials);
        let output = skopeo
            .arg(source)
            .arg(format!("docker://{}/{destination}", self.addr))
            .output()
            .expect("skopeo is missing: install it (`apt-get install skopeo`, as .ci/setup does)");
        assert!(
            output.status.success(),
            "skopeo copy failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Builds the test image (two platforms) as an OCI layout in a new temporary folder
    /// and pushes it as `repository:1`: the folder (alive as long as the caller keeps
    /// it), the layout, and the image's reference.
    pub(crate) fn push_test_image(&self, repository: &str) -> (tempfile::TempDir, PathBuf, String) {
        let dir = tempfile::tempdir().unwrap();
        let layout = dir.path().join("layout");
        std::fs::create_dir(&layout).unwrap();
        super::fixtures::oci_layout(&layout, &super::fixtures::layers());
        self.push(&layout, &format!("{repository}:1"));
        let reference = format!("{}/{repository}:1", self.addr);
        (dir, layout, reference)
    }

    /// Where the registry stores a blob's bytes.
    pub(crate) fn blob_file(&self, digest: &str) -> PathBuf {
        let hex = digest.trim_start_matches("sha256:");
        self.dir
            .path()
            .join("storage/docker/registry/v2/blobs/sha256")
            .join(&hex[..2])
            .join(hex)
            .join("data")
    }

    /// How many GETs of the blob `digest` the registry has answered so far. A marker
    /// request is logged first and awaited, so every earlier request is in the log.
    pub(crate) fn blob_gets(&self, repository: &str, digest: &str) -> usize {
        let marker = format!("/v2/?marker={}", free_port());
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        std::io::Write::write_all(
            &mut stream,
            format!(
                "GET {marker} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                self.addr
            )
            .as_bytes(),
        )
        .unwrap();
        let _ = stream.read_to_end(&mut Vec::new());
        let deadline = Instant::now() + Duration::from_secs(30);
        let needle = format!("\"GET /v2/{repository}/blobs/{digest} HTTP");
        loop {
            let log = self.log();
            if log.contains(&format!("\"GET {marker} HTTP")) {
                return log.matches(&needle).count();
            }
            assert!(Instant::now() < deadline, "marker request never logged");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
