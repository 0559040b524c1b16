//! One layer: its tar stream (plain, gzip or zstd, recognised by magic bytes) turned into
//! a list of [`Entry`]s, streamed and never unpacked. Only the contents that a cataloger
//! requires (see `cdeguard_packages::required`) are kept, each bounded in size.

use std::io::{self, Read};
use std::sync::{Arc, mpsc};
use std::thread;

use sha2::{Digest as _, Sha256};

use crate::path::normalize;

/// What a tar member is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    Symlink(String),
    /// Hard link to another member (normalised absolute path).
    Hardlink(String),
    /// `.wh.<name>`: deletes `<name>` from the layers below.
    Whiteout,
    /// `.wh..wh..opq`: hides everything the layers below have in this folder.
    Opaque,
    /// Devices, fifos.
    Other,
}

/// One member of a layer. `path` is normalised and absolute; for whiteouts it is the
/// path being deleted (or the opaque folder).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    pub kind: Kind,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub size: u64,
    /// Contents, for files a cataloger requires.
    pub content: Option<Arc<[u8]>>,
}

/// A read layer: entries plus the members skipped as unsafe or too large.
#[derive(Clone, Debug, Default)]
pub struct LayerData {
    pub entries: Vec<Entry>,
    /// One line per skipped member (`../x: escapes the image root`).
    pub warnings: Vec<String>,
}

/// Bounds applied while reading a layer.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Members per layer.
    pub max_entries: usize,
    /// Total bytes of required contents kept per layer.
    pub max_kept_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_entries: 2_000_000,
            max_kept_bytes: 2 * 1024 * 1024 * 1024,
        }
    }
}

/// Wraps a reader and hashes every byte read through it. The hashing runs on its own
/// thread, fed in 1 MiB chunks, so that it overlaps with decompressing and parsing the
/// stream (SHA-256 is half the work of reading an uncompressed layer).
pub(crate) struct HashingReader<R> {
    inner: R,
    pending: Vec<u8>,
    chunks: Option<mpsc::SyncSender<Vec<u8>>>,
    /// Chunks the hashing thread is done with, filled again rather than allocated anew
    /// (fresh memory costs the kernel a page fault and a cleared page per 4 KiB: a
    /// third of reading an uncompressed layer).
    spent: mpsc::Receiver<Vec<u8>>,
    hasher: Option<thread::JoinHandle<Sha256>>,
    bytes: u64,
}

const HASH_CHUNK: usize = 1024 * 1024;

impl<R: Read> HashingReader<R> {
    pub(crate) fn new(inner: R) -> Self {
        let (chunks, received) = mpsc::sync_channel::<Vec<u8>>(4);
        let (spent_chunks, spent) = mpsc::channel::<Vec<u8>>();
        let hasher = thread::spawn(move || {
            let mut hasher = Sha256::new();
            for mut chunk in received {
                hasher.update(&chunk);
                chunk.clear();
                // The reader may be gone already; then the chunk is just freed.
                let _ = spent_chunks.send(chunk);
            }
            hasher
        });
        Self {
            inner,
            pending: Vec::with_capacity(HASH_CHUNK),
            chunks: Some(chunks),
            spent,
            hasher: Some(hasher),
            bytes: 0,
        }
    }

    fn flush_pending(&mut self) {
        let empty = self
            .spent
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(HASH_CHUNK));
        let chunk = std::mem::replace(&mut self.pending, empty);
        if let Some(chunks) = &self.chunks {
            // The hashing thread only stops when the sender is dropped.
            let _ = chunks.send(chunk);
        }
    }

    /// Reads the rest of the stream and returns (`sha256:<hex>`, bytes read).
    pub(crate) fn finish(mut self) -> io::Result<(String, u64)> {
        io::copy(&mut self, &mut io::sink())?;
        self.flush_pending();
        self.chunks = None;
        let hasher = self
            .hasher
            .take()
            .and_then(|h| h.join().ok())
            .ok_or_else(|| io::Error::other("the hashing thread failed"))?;
        Ok((
            format!("sha256:{}", crate::hex(&hasher.finalize())),
            self.bytes,
        ))
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pending.extend_from_slice(&buf[..n]);
        if self.pending.len() >= HASH_CHUNK {
            self.flush_pending();
        }
        self.bytes += n as u64;
        Ok(n)
    }
}

/// A reader that returns the bytes it peeked first, then the rest.
struct Peeked<R> {
    head: io::Cursor<Vec<u8>>,
    rest: R,
}

impl<R: Read> Read for Peeked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.head.read(buf)?;
        if n > 0 {
            return Ok(n);
        }
        self.rest.read(buf)
    }
}

/// Chooses the decompressor from the stream's magic bytes.
fn decompress<'a, R: Read + 'a>(mut raw: R) -> io::Result<Box<dyn Read + 'a>> {
    let mut head = vec![0u8; 4];
    let mut filled = 0;
    while filled < 4 {
        let n = raw.read(&mut head[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    head.truncate(filled);
    let is_gzip = head.starts_with(&[0x1f, 0x8b]);
    let is_zstd = head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]);
    let stream = Peeked {
        head: io::Cursor::new(head),
        rest: raw,
    };
    Ok(if is_gzip {
        Box::new(flate2::read::MultiGzDecoder::new(
            io::BufReader::with_capacity(256 * 1024, stream),
        ))
    } else if is_zstd {
        Box::new(
            ruzstd::decoding::StreamingDecoder::new(stream)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("zstd: {e}")))?,
        )
    } else {
        Box::new(stream)
    })
}

/// Decides which file contents a read keeps, and in what form.
pub trait Selector: Sync {
    /// Whether to read the file at all.
    fn required(&self, path: &str, mode: u32, size: u64) -> bool;
    /// What to keep of a read file (`None`: nothing). Borrowed: a layer is read through
    /// one reused buffer (fresh memory for every file costs a page fault per 4 KiB).
    fn reduce(&self, path: &str, mode: u32, size: u64, bytes: &[u8]) -> Option<Vec<u8>>;
    /// Reads a required file of a folder (`file` on disk, `path` in the image): whole,
    /// unless the selector knows which parts `reduce` needs.
    ///
    /// # Errors
    /// I/O errors.
    fn read_file(
        &self,
        file: &std::path::Path,
        path: &str,
        mode: u32,
        size: u64,
    ) -> io::Result<Vec<u8>> {
        let _ = (path, mode, size);
        std::fs::read(file)
    }
}

/// The catalogers of `cdeguard-packages` choose.
pub struct Catalogers;

impl Selector for Catalogers {
    fn required(&self, path: &str, mode: u32, size: u64) -> bool {
        cdeguard_packages::required(&cdeguard_packages::FileMeta { path, mode, size })
    }
    fn reduce(&self, path: &str, mode: u32, size: u64, bytes: &[u8]) -> Option<Vec<u8>> {
        cdeguard_packages::reduce(&cdeguard_packages::FileMeta { path, mode, size }, bytes)
            .map(std::borrow::Cow::into_owned)
    }
    fn read_file(
        &self,
        file: &std::path::Path,
        path: &str,
        mode: u32,
        size: u64,
    ) -> io::Result<Vec<u8>> {
        let meta = cdeguard_packages::FileMeta { path, mode, size };
        cdeguard_packages::read_file(&meta, &mut std::fs::File::open(file)?)
    }
}

/// Reads a layer stream, keeping the file contents `selector` asks for.
///
/// # Errors
/// Truncated or corrupt streams, naming the member where it broke.
pub fn read(raw: impl Read, limits: Limits, selector: &dyn Selector) -> Result<LayerData, String> {
    let stream = decompress(raw).map_err(|e| e.to_string())?;
    let mut archive = tar::Archive::new(stream);
    let mut data = LayerData::default();
    let mut kept: u64 = 0;
    let entries = archive.entries().map_err(|e| e.to_string())?;
    let mut last = String::from("(start of layer)");
    let mut contents = Vec::new();
    for entry in entries {
        let mut entry = entry.map_err(|e| format!("after member `{last}`: {e}"))?;
        if data.entries.len() >= limits.max_entries {
            return Err(format!("more than {} members", limits.max_entries));
        }
        let raw_path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        last.clone_from(&raw_path);
        let Some(path) = normalize(&raw_path) else {
            data.warnings
                .push(format!("{raw_path}: escapes the image root; skipped"));
            continue;
        };
        let header = entry.header();
        let mode = header.mode().unwrap_or(0o644) & 0o7777;
        let uid = header.uid().unwrap_or(0);
        let gid = header.gid().unwrap_or(0);
        let size = entry.size();
        let name = path.rsplit('/').next().unwrap_or_default();
        let folder = crate::path::parent(&path);
        let link = || {
            entry
                .link_name_bytes()
                .map(|l| String::from_utf8_lossy(&l).into_owned())
                .unwrap_or_default()
        };
        let kind = if name == ".wh..wh..opq" {
            Kind::Opaque
        } else if name.starts_with(".wh.") {
            Kind::Whiteout
        } else {
            match header.entry_type() {
                tar::EntryType::Regular
                | tar::EntryType::Continuous
                | tar::EntryType::GNUSparse => Kind::File,
                tar::EntryType::Directory => Kind::Dir,
                tar::EntryType::Symlink => Kind::Symlink(link()),
                tar::EntryType::Link => match normalize(&link()) {
                    Some(target) => Kind::Hardlink(target),
                    None => {
                        data.warnings.push(format!(
                            "{raw_path}: hard link target escapes the image root; skipped"
                        ));
                        continue;
                    }
                },
                tar::EntryType::XGlobalHeader
                | tar::EntryType::XHeader
                | tar::EntryType::GNULongName
                | tar::EntryType::GNULongLink => continue,
                _ => Kind::Other,
            }
        };
        let path = match kind {
            Kind::Opaque => folder.to_owned(),
            Kind::Whiteout => format!("{}/{}", folder.trim_end_matches('/'), &name[4..]),
            _ => path,
        };
        let mut content = None;
        if kind == Kind::File && selector.required(&path, mode, size) {
            // Reused, and filled only as far as the member really goes (a header may
            // claim any size).
            contents.clear();
            (&mut entry)
                .take(size)
                .read_to_end(&mut contents)
                .map_err(|e| format!("{path}: {e}"))?;
            if (contents.len() as u64) < size {
                return Err(format!(
                    "{path}: truncated ({} of {size} bytes)",
                    contents.len()
                ));
            }
            if let Some(reduced) = selector.reduce(&path, mode, size, &contents) {
                if kept + reduced.len() as u64 > limits.max_kept_bytes {
                    data.warnings.push(format!(
                        "{path}: over the {} byte budget for kept files; skipped",
                        limits.max_kept_bytes
                    ));
                } else {
                    kept += reduced.len() as u64;
                    content = Some(Arc::from(reduced));
                }
            }
        }
        data.entries.push(Entry {
            path,
            kind,
            mode,
            uid,
            gid,
            size,
            content,
        });
    }
    Ok(data)
}

/// Binary encoding of a [`LayerData`] for the layer cache.
pub(crate) mod codec {
    use super::{Entry, Kind, LayerData};

    const MAGIC: &[u8] = b"CDGLAYER2\n";

    fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
        out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        out.extend_from_slice(bytes);
    }

    #[must_use]
    pub(crate) fn encode(layer: &LayerData) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&(layer.entries.len() as u64).to_le_bytes());
        for e in &layer.entries {
            put_bytes(&mut out, e.path.as_bytes());
            let (tag, link) = match &e.kind {
                Kind::File => (0u8, ""),
                Kind::Dir => (1, ""),
                Kind::Symlink(t) => (2, t.as_str()),
                Kind::Hardlink(t) => (3, t.as_str()),
                Kind::Whiteout => (4, ""),
                Kind::Opaque => (5, ""),
                Kind::Other => (6, ""),
            };
            out.push(tag);
            put_bytes(&mut out, link.as_bytes());
            out.extend_from_slice(&e.mode.to_le_bytes());
            out.extend_from_slice(&e.uid.to_le_bytes());
            out.extend_from_slice(&e.gid.to_le_bytes());
            out.extend_from_slice(&e.size.to_le_bytes());
            match &e.content {
                Some(c) => {
                    out.push(1);
                    put_bytes(&mut out, c);
                }
                None => out.push(0),
            }
        }
        out.extend_from_slice(&(layer.warnings.len() as u64).to_le_bytes());
        for w in &layer.warnings {
            put_bytes(&mut out, w.as_bytes());
        }
        out
    }

    struct Reader<'a> {
        bytes: &'a [u8],
    }

    impl<'a> Reader<'a> {
        fn take(&mut self, n: usize) -> Option<&'a [u8]> {
            if n > self.bytes.len() {
                return None;
            }
            let (head, rest) = self.bytes.split_at(n);
            self.bytes = rest;
            Some(head)
        }
        fn u64(&mut self) -> Option<u64> {
            self.take(8)
                .map(|b| u64::from_le_bytes(b.try_into().unwrap_or_default()))
        }
        fn u32(&mut self) -> Option<u32> {
            self.take(4)
                .map(|b| u32::from_le_bytes(b.try_into().unwrap_or_default()))
        }
        fn bytes(&mut self) -> Option<&'a [u8]> {
            let n = usize::try_from(self.u64()?).ok()?;
            self.take(n)
        }
        fn string(&mut self) -> Option<String> {
            String::from_utf8(self.bytes()?.to_vec()).ok()
        }
    }

    /// `None` for anything that is not a complete, well-formed cache file.
    #[must_use]
    pub(crate) fn decode(bytes: &[u8]) -> Option<LayerData> {
        let mut r = Reader {
            bytes: bytes.strip_prefix(MAGIC)?,
        };
        let count = usize::try_from(r.u64()?).ok()?;
        // Every entry takes at least 45 bytes: refuse counts the input cannot hold.
        if count > r.bytes.len() / 45 {
            return None;
        }
        let mut entries = Vec::with_capacity(count);
        for _ in 0..count {
            let path = r.string()?;
            let tag = r.take(1)?[0];
            let link = r.string()?;
            let kind = match tag {
                0 => Kind::File,
                1 => Kind::Dir,
                2 => Kind::Symlink(link),
                3 => Kind::Hardlink(link),
                4 => Kind::Whiteout,
                5 => Kind::Opaque,
                6 => Kind::Other,
                _ => return None,
            };
            let mode = r.u32()?;
            let uid = r.u64()?;
            let gid = r.u64()?;
            let size = r.u64()?;
            let content = match r.take(1)?[0] {
                0 => None,
                1 => Some(std::sync::Arc::from(r.bytes()?)),
                _ => return None,
            };
            entries.push(Entry {
                path,
                kind,
                mode,
                uid,
                gid,
                size,
                content,
            });
        }
        let warnings_count = usize::try_from(r.u64()?).ok()?;
        let mut warnings = Vec::new();
        for _ in 0..warnings_count.min(r.bytes.len()) {
            warnings.push(r.string()?);
        }
        r.bytes
            .is_empty()
            .then_some(LayerData { entries, warnings })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn hashing_reader_digests_every_byte_across_chunks() {
        let bytes: Vec<u8> = (0..3 * HASH_CHUNK + 12_345)
            .map(|i| (i * 7 % 251) as u8)
            .collect();
        let mut reader = HashingReader::new(&bytes[..]);
        let mut head = vec![0u8; 1000];
        reader.read_exact(&mut head).unwrap();
        let (digest, len) = reader.finish().unwrap();
        assert_eq!(len, bytes.len() as u64);
        assert_eq!(
            digest,
            format!("sha256:{}", crate::hex(&Sha256::digest(&bytes)))
        );
        let (empty, _) = HashingReader::new(&b""[..]).finish().unwrap();
        assert_eq!(
            empty,
            format!("sha256:{}", crate::hex(&Sha256::digest(b"")))
        );
    }

    /// Builds a tar from (name, kind, content or link target, mode).
    pub(crate) fn tar_of(members: &[(&str, tar::EntryType, &[u8], u32)]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (name, kind, data, mode) in members {
            let mut header = tar::Header::new_gnu();
            header.set_entry_type(*kind);
            header.set_mode(*mode);
            header.set_uid(0);
            header.set_gid(0);
            // Raw names: `set_path` refuses `..`, and the tests need hostile archives.
            let bytes = name.as_bytes();
            header.as_old_mut().name[..bytes.len()].copy_from_slice(bytes);
            if matches!(kind, tar::EntryType::Symlink | tar::EntryType::Link) {
                header.set_size(0);
                let target = data;
                header.as_old_mut().linkname[..target.len()].copy_from_slice(target);
                header.set_cksum();
                builder.append(&header, &[][..]).unwrap();
            } else {
                header.set_size(data.len() as u64);
                header.set_cksum();
                builder.append(&header, *data).unwrap();
            }
        }
        builder.into_inner().unwrap()
    }

    /// Keeps every file whole.
    pub(crate) struct KeepAll;

    impl Selector for KeepAll {
        fn required(&self, _: &str, _: u32, _: u64) -> bool {
            true
        }
        fn reduce(&self, _: &str, _: u32, _: u64, bytes: &[u8]) -> Option<Vec<u8>> {
            Some(bytes.to_vec())
        }
    }

    #[test]
    fn reads_kinds_whiteouts_and_refuses_escapes() {
        use tar::EntryType as T;
        let tar = tar_of(&[
            ("etc/", T::Directory, b"", 0o755),
            ("etc/os-release", T::Regular, b"ID=debian\n", 0o644),
            ("etc/.wh.shadow", T::Regular, b"", 0o644),
            ("var/.wh..wh..opq", T::Regular, b"", 0o644),
            ("../../evil", T::Regular, b"x", 0o644),
            ("bin/sh", T::Symlink, b"/bin/bash", 0o777),
            ("bin/link", T::Link, b"../../etc/passwd", 0o644),
        ]);
        let data = read(&tar[..], Limits::default(), &KeepAll).unwrap();
        let kinds: Vec<(&str, &Kind)> = data
            .entries
            .iter()
            .map(|e| (e.path.as_str(), &e.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("/etc", &Kind::Dir),
                ("/etc/os-release", &Kind::File),
                ("/etc/shadow", &Kind::Whiteout),
                ("/var", &Kind::Opaque),
                ("/bin/sh", &Kind::Symlink("/bin/bash".into()))
            ]
        );
        assert_eq!(
            data.entries[1].content.as_deref(),
            Some(&b"ID=debian\n"[..])
        );
        assert_eq!(data.warnings.len(), 2, "{:?}", data.warnings);
    }

    #[test]
    fn gzip_zstd_and_corruption() {
        use std::io::Write as _;
        let tar = tar_of(&[("a", tar::EntryType::Regular, b"hello", 0o644)]);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).unwrap();
        let gz = gz.finish().unwrap();
        assert_eq!(
            read(&gz[..], Limits::default(), &KeepAll)
                .unwrap()
                .entries
                .len(),
            1
        );
        let zst = ruzstd::encoding::compress_to_vec(
            &tar[..],
            ruzstd::encoding::CompressionLevel::Fastest,
        );
        assert_eq!(
            read(&zst[..], Limits::default(), &KeepAll).unwrap().entries[0]
                .content
                .as_deref(),
            Some(&b"hello"[..])
        );
        assert!(read(&gz[..gz.len() / 2], Limits::default(), &KeepAll).is_err());
        let mut bad = gz.clone();
        bad[20] ^= 0xff;
        assert!(read(&bad[..], Limits::default(), &KeepAll).is_err());
        assert!(read(&tar[..700], Limits::default(), &KeepAll).is_err());
        let limits = Limits {
            max_entries: 0,
            ..Limits::default()
        };
        assert!(read(&tar[..], limits, &KeepAll).is_err());
    }

    #[test]
    fn codec_round_trip_and_rejects_garbage() {
        use tar::EntryType as T;
        let tar = tar_of(&[
            ("a", T::Regular, b"x", 0o4755),
            ("l", T::Symlink, b"a", 0o777),
            (".wh.b", T::Regular, b"", 0o644),
        ]);
        let data = read(&tar[..], Limits::default(), &KeepAll).unwrap();
        let bytes = codec::encode(&data);
        assert_eq!(codec::decode(&bytes).unwrap().entries, data.entries);
        for cut in 0..bytes.len() {
            assert!(codec::decode(&bytes[..cut]).is_none());
        }
    }
}
