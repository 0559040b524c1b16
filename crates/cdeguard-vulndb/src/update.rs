//! `cdeguard db update`: downloads the `all.zip` of each ecosystem from the OSV bucket
//! layout (`<base>/<ecosystem>/all.zip`, base URL configurable) into a cache folder with
//! conditional requests (`If-None-Match` / `If-Modified-Since` from the last download's
//! `ETag` / `Last-Modified`), checks every zip member decompresses, then rebuilds the
//! database and swaps it in atomically. Any failure leaves both the cached zips and the
//! database as they were: a failed update never leaves a broken or partial database.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::db::{Builder, DbError};
use crate::import::{Import, Warning};

/// The public OSV bucket.
pub const DEFAULT_BASE_URL: &str = "https://osv-vulnerabilities.storage.googleapis.com";
/// Largest `all.zip` accepted (the biggest ecosystem, Debian, is a few hundred MB).
const MAX_ZIP_BYTES: u64 = 4 * 1024 * 1024 * 1024;

/// What to update.
#[derive(Clone, Debug)]
pub struct UpdateOptions {
    pub base_url: String,
    /// OSV ecosystem names (`PyPI`, `Debian`, `Red Hat`, ...).
    pub ecosystems: Vec<String>,
    /// Where the downloaded zips and their validators are kept.
    pub cache_dir: PathBuf,
    pub db_path: PathBuf,
}

/// What an update did.
#[derive(Debug, Default)]
pub struct UpdateReport {
    pub downloaded: Vec<String>,
    pub not_modified: Vec<String>,
    /// False when every ecosystem was unchanged and the database already existed.
    pub rebuilt: bool,
    pub records: usize,
    /// Records skipped while importing (malformed).
    pub warnings: Vec<Warning>,
}

#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error("{url}: {message}")]
    Download { url: String, message: String },
    #[error("{path}: {message}")]
    Cache { path: String, message: String },
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Validators of the last successful download of one ecosystem.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Validators {
    etag: Option<String>,
    last_modified: Option<String>,
}

/// The cache folder: `$XDG_CACHE_HOME/cdeguard/osv`, else `~/.cache/cdeguard/osv`.
#[must_use]
pub fn default_cache_dir() -> Option<PathBuf> {
    Some(crate::db::user_dir("XDG_CACHE_HOME", ".cache")?.join("osv"))
}

/// The URL path segment of an ecosystem (`Red Hat` -> `Red%20Hat`).
fn path_segment(ecosystem: &str) -> String {
    ecosystem
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b':' => {
                char::from(b).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// A file-system-safe folder name for an ecosystem.
fn folder(ecosystem: &str) -> String {
    ecosystem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn agent() -> ureq::Agent {
    // ureq is built without a bundled crypto provider; the workspace's is aws-lc-rs.
    // Installing it twice is harmless (the second attempt reports the first).
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_global(Some(Duration::from_secs(1800)))
        .http_status_as_error(false)
        .build()
        .into()
}

/// Runs an update.
///
/// # Errors
/// A download or cache failure, or a database that cannot be written; the previous
/// database is left in place.
pub fn update(options: &UpdateOptions) -> Result<UpdateReport, UpdateError> {
    let agent = agent();
    let mut report = UpdateReport::default();
    // Stage every download first; nothing replaces a cached zip until all succeeded.
    let mut staged: Vec<(PathBuf, PathBuf, Validators)> = Vec::new();
    let result = (|| {
        for ecosystem in &options.ecosystems {
            let dir = options.cache_dir.join(folder(ecosystem));
            std::fs::create_dir_all(&dir).map_err(|e| cache_error(&dir, &e))?;
            let zip = dir.join("all.zip");
            let validators = read_validators(&dir.join("validators.json"));
            let url = format!(
                "{}/{}/all.zip",
                options.base_url.trim_end_matches('/'),
                path_segment(ecosystem)
            );
            match download(&agent, &url, zip.is_file().then_some(&validators), &dir)? {
                None => report.not_modified.push(ecosystem.clone()),
                Some((tmp, fresh)) => {
                    report.downloaded.push(ecosystem.clone());
                    staged.push((tmp, zip, fresh));
                }
            }
        }
        Ok::<(), UpdateError>(())
    })();
    if let Err(e) = result {
        for (tmp, _, _) in &staged {
            let _ = std::fs::remove_file(tmp);
        }
        return Err(e);
    }
    if staged.is_empty() && options.db_path.is_file() {
        return Ok(report);
    }
    for (tmp, zip, validators) in staged {
        std::fs::rename(&tmp, &zip).map_err(|e| cache_error(&zip, &e))?;
        let path = zip.with_file_name("validators.json");
        let json = serde_json::to_vec(&validators).unwrap_or_default();
        std::fs::write(&path, json).map_err(|e| cache_error(&path, &e))?;
    }
    let mut import = Import::default();
    for ecosystem in &options.ecosystems {
        import.add_path(&options.cache_dir.join(folder(ecosystem)).join("all.zip"));
    }
    let (records, warnings) = import.into_records();
    let mut builder = Builder::new(
        options
            .ecosystems
            .iter()
            .map(|e| format!("{}/{}/all.zip", options.base_url, path_segment(e)))
            .collect(),
    );
    for record in &records {
        builder.add(record);
    }
    builder.write(&options.db_path)?;
    report.rebuilt = true;
    report.records = records.len();
    report.warnings = warnings;
    Ok(report)
}

fn cache_error(path: &Path, e: &dyn std::fmt::Display) -> UpdateError {
    UpdateError::Cache {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

fn read_validators(path: &Path) -> Validators {
    std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// Downloads `url` into a temporary file in `dir` and checks it. `None`: not modified.
fn download(
    agent: &ureq::Agent,
    url: &str,
    validators: Option<&Validators>,
    dir: &Path,
) -> Result<Option<(PathBuf, Validators)>, UpdateError> {
    let fail = |message: String| UpdateError::Download {
        url: url.to_owned(),
        message,
    };
    let mut request = agent.get(url);
    if let Some(v) = validators {
        if let Some(etag) = &v.etag {
            request = request.header("If-None-Match", etag);
        }
        if let Some(modified) = &v.last_modified {
            request = request.header("If-Modified-Since", modified);
        }
    }
    let mut response = request.call().map_err(|e| fail(e.to_string()))?;
    let status = response.status().as_u16();
    if status == 304 {
        return Ok(None);
    }
    if status != 200 {
        return Err(fail(format!("HTTP {status}")));
    }
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let fresh = Validators {
        etag: header("etag"),
        last_modified: header("last-modified"),
    };
    let tmp = dir.join(format!(".all.zip.download-{}", std::process::id()));
    let written = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        let mut body = response
            .body_mut()
            .with_config()
            .limit(MAX_ZIP_BYTES)
            .reader();
        std::io::copy(&mut body, &mut file)?;
        file.sync_all()
    })();
    let checked = written
        .map_err(|e| fail(format!("download interrupted: {e}")))
        .and_then(|()| check_zip(&tmp).map_err(fail));
    match checked {
        Ok(()) => Ok(Some((tmp, fresh))),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Every member must decompress with a matching CRC.
fn check_zip(path: &Path) -> Result<(), String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| format!("not a valid zip: {e}"))?;
    for index in 0..archive.len() {
        let mut member = archive
            .by_index(index)
            .map_err(|e| format!("member {index}: {e}"))?;
        std::io::copy(
            &mut member.by_ref().take(MAX_ZIP_BYTES),
            &mut std::io::sink(),
        )
        .map_err(|e| format!("member {index}: {e}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecosystems_map_to_bucket_paths_and_folders() {
        assert_eq!(path_segment("Red Hat"), "Red%20Hat");
        assert_eq!(path_segment("crates.io"), "crates.io");
        assert_eq!(folder("Rocky Linux"), "Rocky_Linux");
    }
}
