//! Reads OSV records from folders (recursively), zip files (OSV publishes one `all.zip`
//! per ecosystem) and single JSON or YAML files. A record that does not parse is skipped
//! with a warning naming the file (and zip member) and serde's message, which names the
//! field; everything else imports.

use std::collections::HashMap;
use std::io::Read as _;
use std::path::Path;

use rayon::prelude::*;

use crate::osv::Record;

/// Largest record accepted (the biggest real OSV records are a few MB of `versions`).
const MAX_RECORD_BYTES: u64 = 32 * 1024 * 1024;

/// A record skipped, or a file that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// `file`, or `archive.zip!member`.
    pub source: String,
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.source, self.message)
    }
}

/// Records read so far, one per id (the most recently modified wins).
#[derive(Debug, Default)]
pub struct Import {
    records: HashMap<String, Record>,
    pub warnings: Vec<Warning>,
    /// Files (or zip members) read.
    pub files: usize,
}

impl Import {
    /// Reads a folder, zip file or single record file.
    pub fn add_path(&mut self, path: &Path) {
        let display = path.display().to_string();
        if path.is_dir() {
            let files: Vec<_> = walkdir::WalkDir::new(path)
                .sort_by_file_name()
                .into_iter()
                .filter_map(|entry| match entry {
                    Ok(e) if e.file_type().is_file() && is_record_file(e.path()) => {
                        Some(Ok(e.into_path()))
                    }
                    Ok(_) => None,
                    Err(e) => Some(Err(Warning {
                        source: display.clone(),
                        message: format!("cannot walk: {e}"),
                    })),
                })
                .collect();
            let parsed: Vec<Result<Vec<Record>, Warning>> = files
                .into_par_iter()
                .map(|file| {
                    let file = file?;
                    let source = file.display().to_string();
                    let bytes = read_bounded(&file).map_err(|message| Warning {
                        source: source.clone(),
                        message,
                    })?;
                    parse_records(&source, &bytes)
                })
                .collect();
            for result in parsed {
                self.files += 1;
                self.take(result);
            }
        } else if is_zip(path) {
            self.add_zip(path);
        } else {
            self.files += 1;
            let result = read_bounded(path)
                .map_err(|message| Warning {
                    source: display.clone(),
                    message,
                })
                .and_then(|bytes| parse_records(&display, &bytes));
            self.take(result);
        }
    }

    fn add_zip(&mut self, path: &Path) {
        let display = path.display().to_string();
        let warn = |message: String| Warning {
            source: display.clone(),
            message,
        };
        let archive = std::fs::File::open(path)
            .map_err(|e| warn(format!("cannot read: {e}")))
            .and_then(|f| {
                zip::ZipArchive::new(f).map_err(|e| warn(format!("not a zip file: {e}")))
            });
        let mut archive = match archive {
            Ok(a) => a,
            Err(w) => return self.warnings.push(w),
        };
        let mut members = Vec::new();
        for index in 0..archive.len() {
            let mut member = match archive.by_index(index) {
                Ok(m) => m,
                Err(e) => {
                    self.warnings.push(warn(format!("member {index}: {e}")));
                    continue;
                }
            };
            let member_name = member
                .name()
                .map_or_else(|_| format!("member {index}"), |n| n.into_owned());
            let source = format!("{display}!{member_name}");
            if member.is_dir() || !is_record_file(Path::new(&member_name)) {
                continue;
            }
            if member.size() > MAX_RECORD_BYTES {
                self.warnings.push(Warning {
                    source,
                    message: format!("larger than {MAX_RECORD_BYTES} bytes, skipped"),
                });
                continue;
            }
            let mut bytes = Vec::new();
            match member
                .by_ref()
                .take(MAX_RECORD_BYTES)
                .read_to_end(&mut bytes)
            {
                Ok(_) => members.push((source, bytes)),
                Err(e) => self.warnings.push(Warning {
                    source,
                    message: format!("cannot decompress: {e}"),
                }),
            }
        }
        let parsed: Vec<_> = members
            .into_par_iter()
            .map(|(source, bytes)| parse_records(&source, &bytes))
            .collect();
        for result in parsed {
            self.files += 1;
            self.take(result);
        }
    }

    fn take(&mut self, result: Result<Vec<Record>, Warning>) {
        match result {
            Ok(records) => {
                for record in records {
                    self.insert(record);
                }
            }
            Err(w) => self.warnings.push(w),
        }
    }

    fn insert(&mut self, record: Record) {
        match self.records.get(&record.id) {
            // RFC 3339 UTC timestamps order as strings.
            Some(existing) if existing.modified >= record.modified => {}
            _ => {
                self.records.insert(record.id.clone(), record);
            }
        }
    }

    /// The records, sorted by id.
    #[must_use]
    pub fn into_records(self) -> (Vec<Record>, Vec<Warning>) {
        let mut records: Vec<Record> = self.records.into_values().collect();
        records.sort_by(|a, b| a.id.cmp(&b.id));
        (records, self.warnings)
    }
}

fn is_record_file(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("json" | "yaml" | "yml")
    )
}

fn is_zip(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && magic == *b"PK\x03\x04"
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_RECORD_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > MAX_RECORD_BYTES {
        return Err(format!("larger than {MAX_RECORD_BYTES} bytes, skipped"));
    }
    Ok(bytes)
}

/// Parses one file: a JSON record, a JSON array of records, an OSV API response
/// (`{"vulns": [...]}`), or a YAML record.
///
/// # Errors
/// A warning naming the source and, through serde's message, the field and line.
pub fn parse_records(source: &str, bytes: &[u8]) -> Result<Vec<Record>, Warning> {
    let warn = |message: String| Warning {
        source: source.to_owned(),
        message,
    };
    let text = std::str::from_utf8(bytes).map_err(|e| warn(format!("not UTF-8: {e}")))?;
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('[') {
        return serde_json::from_str(trimmed).map_err(|e| warn(format!("invalid OSV record: {e}")));
    }
    if trimmed.starts_with('{') {
        let value: serde_json::Value =
            serde_json::from_str(trimmed).map_err(|e| warn(format!("invalid JSON: {e}")))?;
        if let Some(vulns) = value.get("vulns").filter(|_| value.get("id").is_none()) {
            return serde_json::from_value(vulns.clone())
                .map_err(|e| warn(format!("invalid OSV record in `vulns`: {e}")));
        }
        return serde_json::from_value(value)
            .map(|r| vec![r])
            .map_err(|e| warn(format!("invalid OSV record: {e}")));
    }
    serde_saphyr::from_str::<Record>(trimmed)
        .map(|r| vec![r])
        .map_err(|e| {
            warn(format!(
                "invalid OSV record: {}",
                first_line(&e.to_string())
            ))
        })
}

fn first_line(message: &str) -> &str {
    message.lines().next().unwrap_or(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_and_json_records_parse_and_bad_ones_name_the_field() {
        let yaml = b"id: PYSEC-1\nmodified: '2020-01-01T00:00:00Z'\naffected:\n- package: {name: Foo, ecosystem: PyPI}\n  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: '0'\n    - fixed: '1.0'\n";
        let records = parse_records("a.yaml", yaml).unwrap();
        assert_eq!(records[0].affected[0].ranges[0].events.len(), 2);
        let bad = br#"{"id": "X-1", "affected": [{"package": {"name": "a"}}]}"#;
        let warning = parse_records("b.json", bad).unwrap_err();
        assert!(warning.message.contains("ecosystem"), "{warning}");
        assert_eq!(warning.source, "b.json");
        let api = br#"{"vulns": [{"id": "A"}, {"id": "B"}]}"#;
        assert_eq!(parse_records("c.json", api).unwrap().len(), 2);
    }

    #[test]
    fn newest_modified_record_wins() {
        let mut import = Import::default();
        for (modified, summary) in [
            ("2021-01-01T00:00:00Z", "new"),
            ("2020-01-01T00:00:00Z", "old"),
        ] {
            let json =
                format!(r#"{{"id":"GHSA-1","modified":"{modified}","summary":"{summary}"}}"#);
            import.take(parse_records("x.json", json.as_bytes()));
        }
        let (records, _) = import.into_records();
        assert_eq!(records[0].summary.as_deref(), Some("new"));
    }
}
