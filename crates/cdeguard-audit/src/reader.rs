//! Reading records back: hot and archived segments in order, each frame verified against
//! the hash chain as it is read.

use std::ops::ControlFlow;

use crate::error::{AuditError, Result};
use crate::head::Head;
use crate::layout::{Layout, SegmentFile};
use crate::segment::{Frame, FrameReader};

/// Largest segment accepted when reading (also caps decompression).
pub const MAX_SEGMENT_BYTES: u64 = 4 << 30;

/// The bytes of a segment, decompressed if archived.
pub fn load_segment(file: &SegmentFile) -> Result<Vec<u8>> {
    let raw = std::fs::read(&file.path).map_err(AuditError::at(&file.path))?;
    if !file.archived {
        return Ok(raw);
    }
    decompress(&file.path, &raw)
}

#[cfg(feature = "archive")]
fn decompress(path: &std::path::Path, raw: &[u8]) -> Result<Vec<u8>> {
    use std::io::Read as _;
    let decoder = zstd::stream::read::Decoder::new(raw).map_err(AuditError::at(path))?;
    let mut out = Vec::new();
    decoder
        .take(MAX_SEGMENT_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(AuditError::at(path))?;
    if out.len() as u64 > MAX_SEGMENT_BYTES {
        return Err(AuditError::Corrupt {
            path: path.to_owned(),
            offset: 0,
            message: "decompresses beyond the segment size limit".into(),
        });
    }
    Ok(out)
}

#[cfg(not(feature = "archive"))]
fn decompress(path: &std::path::Path, _raw: &[u8]) -> Result<Vec<u8>> {
    Err(AuditError::Invalid(format!(
        "`{}` is archived (zstd) but this build lacks the `archive` feature",
        path.display()
    )))
}

/// Number of acknowledged records: from `head.json`, else every readable record.
pub fn acknowledged_size(layout: &Layout) -> Option<u64> {
    Head::load(layout).map(|h| h.size)
}

/// Calls `visit` for each record with `from <= seq < to`, in order, chain-verified
/// within each segment. Stops early when `visit` breaks.
pub fn for_each_frame(
    layout: &Layout,
    from: u64,
    to: u64,
    mut visit: impl FnMut(&Frame<'_>) -> Result<ControlFlow<()>>,
) -> Result<()> {
    let segments = layout.list_segments()?;
    for (i, segment) in segments.iter().enumerate() {
        let next_first = segments.get(i + 1).map_or(u64::MAX, |s| s.first_seq);
        if next_first <= from || segment.first_seq >= to {
            continue;
        }
        let bytes = load_segment(segment)?;
        let (_, frames) = FrameReader::new(&bytes).map_err(|e| AuditError::Corrupt {
            path: segment.path.clone(),
            offset: 0,
            message: e.to_string(),
        })?;
        for frame in frames {
            let frame = match frame {
                Ok(f) => f,
                // Beyond the acknowledged size a torn tail is expected (writer mid-commit).
                Err(e) if e.seq >= to => break,
                Err(e) => {
                    return Err(AuditError::Corrupt {
                        path: segment.path.clone(),
                        offset: e.offset,
                        message: format!("record {}: {}", e.seq, e.fault),
                    });
                }
            };
            if frame.seq < from {
                continue;
            }
            if frame.seq >= to {
                return Ok(());
            }
            if visit(&frame)?.is_break() {
                return Ok(());
            }
        }
    }
    Ok(())
}
