//! Scanning files and folders: every regular file (dotfiles included, `.git` skipped,
//! `.gitignore` honoured only when asked), in parallel, each expanded by [`crate::content`].

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::content::{self, Limits};
use crate::{Detection, Scanner};

/// Options of a file scan.
#[derive(Clone, Copy, Debug)]
pub struct FileScanOptions {
    /// Skip what `.gitignore` files ignore.
    pub respect_gitignore: bool,
    /// Larger files are skipped with a note.
    pub max_file_size: u64,
    pub limits: Limits,
    /// Skip the documentation folders of OS packages (`usr/share/{doc,man,info}`): their
    /// examples (`machine host login user password secret`) are not the image's secrets.
    pub skip_os_docs: bool,
}

impl Default for FileScanOptions {
    fn default() -> Self {
        Self {
            respect_gitignore: false,
            max_file_size: 512 << 20,
            limits: Limits::default(),
            skip_os_docs: true,
        }
    }
}

/// Folders of OS package documentation, relative to a root filesystem.
const OS_DOC_DIRS: &[&str] = &["usr/share/doc", "usr/share/man", "usr/share/info"];

fn is_os_doc_dir(path: &Path) -> bool {
    OS_DOC_DIRS.iter().any(|d| path.ends_with(d))
}

/// Whether `path` (of a root filesystem, or absolute inside an image) is OS package
/// documentation.
#[must_use]
pub fn in_os_docs(path: &Path) -> bool {
    path.ancestors().any(is_os_doc_dir)
}

/// Detections in one file (or one member of an archive: `label` is `file!/member`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileDetections {
    pub path: String,
    pub label: String,
    /// False when the detections' line numbers are not meaningful (binary content).
    pub has_lines: bool,
    pub detections: Vec<Detection>,
}

/// The outcome of scanning some paths.
#[derive(Clone, Debug, Default)]
pub struct FileScan {
    pub found: Vec<FileDetections>,
    /// Files that could not be read, and archives cut short: `path: message`.
    pub problems: Vec<(String, String)>,
    pub files: u64,
    pub bytes: u64,
}

/// Lists the files under `paths` (files named directly are always included).
#[must_use]
pub fn list_files(
    paths: &[PathBuf],
    options: &FileScanOptions,
) -> (Vec<PathBuf>, Vec<(String, String)>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        if path.is_file() {
            files.push(path.clone());
            continue;
        }
        let walker = ignore::WalkBuilder::new(path)
            .hidden(false)
            .ignore(false)
            .parents(options.respect_gitignore)
            .git_ignore(options.respect_gitignore)
            .git_global(false)
            .git_exclude(options.respect_gitignore)
            .require_git(false)
            .follow_links(false)
            .filter_entry({
                let skip_docs = options.skip_os_docs;
                move |e| e.file_name() != ".git" && !(skip_docs && is_os_doc_dir(e.path()))
            })
            .sort_by_file_path(Ord::cmp)
            .build();
        for entry in walker {
            match entry {
                Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => files.push(e.into_path()),
                Ok(_) => {}
                Err(e) => problems.push((path.display().to_string(), e.to_string())),
            }
        }
    }
    (files, problems)
}

/// Scans every file under `paths`.
#[must_use]
pub fn scan_paths(scanner: &Scanner, paths: &[PathBuf], options: &FileScanOptions) -> FileScan {
    let (files, problems) = list_files(paths, options);
    let results: Vec<FileResult> = files
        .par_iter()
        .map(|p| scan_file(scanner, p, options))
        .collect();
    let mut scan = FileScan {
        problems,
        ..FileScan::default()
    };
    for (found, problems, bytes) in results {
        scan.files += 1;
        scan.bytes += bytes;
        scan.found.extend(found);
        scan.problems.extend(problems);
    }
    scan
}

/// Detections, problems and bytes read of one file.
type FileResult = (Vec<FileDetections>, Vec<(String, String)>, u64);

fn scan_file(scanner: &Scanner, path: &Path, options: &FileScanOptions) -> FileResult {
    let display = path.display().to_string();
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > options.max_file_size {
        let message = format!(
            "{size} bytes, larger than the {} byte limit; not scanned for secrets",
            options.max_file_size
        );
        return (Vec::new(), vec![(display, message)], 0);
    }
    let result = if size > CHUNK as u64 {
        scan_large_file(scanner, path, &display, options)
    } else {
        READ_BUFFER.with_borrow_mut(|bytes| {
            use std::io::Read as _;
            bytes.clear();
            std::fs::File::open(path)?.read_to_end(bytes)?;
            let (found, notes) = scan_bytes(scanner, &display, bytes, options.limits);
            Ok((found, notes, bytes.len() as u64))
        })
    };
    match result {
        Ok((found, notes, bytes)) => (
            found,
            notes.into_iter().map(|n| (display.clone(), n)).collect(),
            bytes,
        ),
        Err(e) => (Vec::new(), vec![(display, format!("cannot read: {e}"))], 0),
    }
}

/// Files larger than this are read in chunks of this size (bounded memory).
const CHUNK: usize = 8 << 20;

/// Consecutive chunks overlap by this much, so a secret on a chunk border is seen whole.
const OVERLAP: usize = 64 << 10;

thread_local! {
    /// Each scanning thread reads its files into one buffer: a fresh allocation per file
    /// costs more (the kernel zeroes every new page) than reading a typical file.
    static READ_BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Scans a large file chunk by chunk (archives, which need random access, whole).
fn scan_large_file(
    scanner: &Scanner,
    path: &Path,
    display: &str,
    options: &FileScanOptions,
) -> std::io::Result<(Vec<FileDetections>, Vec<String>, u64)> {
    use std::io::Read as _;
    let mut file = std::fs::File::open(path)?;
    let mut head = [0u8; 512];
    let head_len = file.read(&mut head)?;
    if content::is_archive(&head[..head_len]) {
        let bytes = std::fs::read(path)?;
        let (found, notes) = scan_bytes(scanner, display, &bytes, options.limits);
        return Ok((found, notes, bytes.len() as u64));
    }
    let mut file = std::fs::File::open(path)?;
    let mut buffer = Vec::with_capacity(CHUNK + OVERLAP);
    let mut offset_lines = 0u32; // newlines before `buffer`
    let mut total = 0u64;
    let mut found: Vec<FileDetections> = Vec::new();
    let mut notes = Vec::new();
    loop {
        let wanted = CHUNK - buffer.len();
        let read = (&mut file).take(wanted as u64).read_to_end(&mut buffer)?;
        total += read as u64;
        let last = read < wanted;
        let (chunk_found, chunk_notes) = scan_bytes(scanner, display, &buffer, options.limits);
        notes.extend(chunk_notes);
        // Detections that start in the overlap kept for the next chunk are reported there.
        let keep_below = if last {
            u32::MAX
        } else {
            offset_lines + newlines(&buffer[..buffer.len() - OVERLAP.min(buffer.len())]) + 1
        };
        for mut f in chunk_found {
            f.detections.retain_mut(|d| {
                if f.has_lines {
                    d.line += offset_lines;
                }
                !f.has_lines || d.line < keep_below
            });
            if !f.detections.is_empty() {
                found.push(f);
            }
        }
        if last {
            break;
        }
        let cut = buffer.len() - OVERLAP.min(buffer.len());
        offset_lines += newlines(&buffer[..cut]);
        buffer.drain(..cut);
    }
    // The same binary-strings detection can come from two chunks' overlap.
    for f in &mut found {
        f.detections.dedup_by(|a, b| {
            a.line == b.line && a.fingerprint == b.fingerprint && a.rule_id == b.rule_id
        });
    }
    Ok((found, notes, total))
}

fn newlines(bytes: &[u8]) -> u32 {
    u32::try_from(memchr::memchr_iter(b'\n', bytes).count()).unwrap_or(u32::MAX)
}

/// Scans one input's bytes (expanding archives); returns detections per text and notes.
#[must_use]
pub fn scan_bytes(
    scanner: &Scanner,
    path: &str,
    bytes: &[u8],
    limits: Limits,
) -> (Vec<FileDetections>, Vec<String>) {
    let (texts, notes) = content::texts(path, bytes, limits);
    let found = texts
        .into_iter()
        .filter_map(|t| {
            let detections = scanner.scan_text(&t.bytes, t.lines);
            (!detections.is_empty()).then(|| FileDetections {
                path: path.to_owned(),
                label: t.label,
                has_lines: t.lines,
                detections,
            })
        })
        .collect();
    (found, notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FingerprintKey;

    #[test]
    fn large_files_are_scanned_in_chunks_with_exact_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.log");
        let filler = "just some log line without anything interesting in it\n";
        let mut text = String::new();
        let mut expected = Vec::new();
        let mut line = 1;
        while text.len() < 3 * CHUNK {
            if line % 40_000 == 0 {
                text.push_str("token = 'ghp_0123456789abcdefghijABCDEFGHIJ012345'\n");
                expected.push(line);
            } else {
                text.push_str(filler);
            }
            line += 1;
        }
        std::fs::write(&path, &text).unwrap();
        let scanner = Scanner::new(FingerprintKey::new(b"k"));
        let scan = scan_paths(&scanner, &[path], &FileScanOptions::default());
        let lines: Vec<u32> = scan
            .found
            .iter()
            .flat_map(|f| f.detections.iter().map(|d| d.line))
            .collect();
        assert_eq!(lines, expected);
        assert_eq!(scan.bytes, text.len() as u64);
    }

    #[test]
    fn walks_dotfiles_skips_git_and_honours_gitignore_only_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::write(
            root.join(".git/config"),
            "token = ghp_0123456789abcdefghijABCDEFGHIJ012345\n",
        )
        .unwrap();
        std::fs::write(
            root.join(".env"),
            "GITHUB_TOKEN=ghp_0123456789abcdefghijABCDEFGHIJ012345\n",
        )
        .unwrap();
        std::fs::write(root.join(".gitignore"), "ignored.txt\n").unwrap();
        std::fs::write(
            root.join("ignored.txt"),
            "ghp_0123456789abcdefghijABCDEFGHIJ012345\n",
        )
        .unwrap();
        let scanner = Scanner::new(FingerprintKey::new(b"k"));
        let paths = vec![root.to_path_buf()];
        let names = |scan: &FileScan| -> Vec<String> {
            scan.found
                .iter()
                .map(|f| {
                    Path::new(&f.path)
                        .file_name()
                        .unwrap()
                        .to_string_lossy()
                        .into_owned()
                })
                .collect()
        };
        let all = scan_paths(&scanner, &paths, &FileScanOptions::default());
        assert_eq!(names(&all), vec![".env", "ignored.txt"]);
        let respecting = scan_paths(
            &scanner,
            &paths,
            &FileScanOptions {
                respect_gitignore: true,
                ..FileScanOptions::default()
            },
        );
        assert_eq!(names(&respecting), vec![".env"]);
    }
}
