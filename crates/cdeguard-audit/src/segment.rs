//! Segment files: a header, then length-prefixed frames, each followed by its hash-chain
//! value. This is the reader of untrusted bytes (fuzzed by `fuzz_targets/audit_segment`).
//!
//! ```text
//! header: "CDGAUDIT" | version u32 LE | first_seq u64 LE | prev_chain [32]
//!         | n u32 LE (= popcount(first_seq)) | n × [32] Merkle frontier at first_seq
//! frame:  len u32 LE (1..=MAX_RECORD_BYTES) | payload (canonical record JSON) | chain [32]
//! chain_i = SHA-256(chain_{i-1} ‖ leaf_hash(payload_i)), chain_{-1} = 32 zero bytes
//! ```
//!
//! The header carries the chain value and Merkle frontier at its first record, so a
//! segment stays verifiable against signed checkpoints after older segments are archived
//! or deleted; a forged header cannot match a signed root.

use crate::hash::{DIGEST_LEN, Digest};
use crate::merkle::{Frontier, leaf_hash};
use crate::record::{MAX_RECORD_BYTES, peek_seq};

/// File magic.
pub const MAGIC: &[u8; 8] = b"CDGAUDIT";
/// Segment format version.
pub const FORMAT_VERSION: u32 = 1;
/// Bytes of a frame besides its payload.
pub const FRAME_OVERHEAD: usize = 4 + DIGEST_LEN;

/// Chain value before the first record.
pub const GENESIS_CHAIN: Digest = Digest([0; DIGEST_LEN]);

/// The next chain value.
pub fn chain_next(prev: &Digest, leaf: &Digest) -> Digest {
    Digest::of(&[&prev.0, &leaf.0])
}

/// The header of one segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentHeader {
    /// Sequence number of the first record.
    pub first_seq: u64,
    /// Chain value after record `first_seq - 1`.
    pub prev_chain: Digest,
    /// Merkle frontier over records `[0, first_seq)`.
    pub frontier: Frontier,
}

/// Why a header is unreadable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// Too short or wrong magic.
    #[error("not a cdeguard audit segment (bad magic or truncated header)")]
    NotASegment,
    /// Unknown version.
    #[error("unsupported segment format version {0}")]
    Version(u32),
    /// Frontier does not match the first sequence number.
    #[error("header frontier has {found} hashes, {expected} expected for first_seq {first_seq}")]
    Frontier {
        /// Hashes present.
        found: u32,
        /// Hashes expected.
        expected: u32,
        /// The header's first_seq.
        first_seq: u64,
    },
}

impl SegmentHeader {
    /// Serialised header.
    pub fn encode(&self) -> Vec<u8> {
        let hashes = self.frontier.hashes();
        let mut out = Vec::with_capacity(8 + 4 + 8 + 32 + 4 + 32 * hashes.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&self.first_seq.to_le_bytes());
        out.extend_from_slice(&self.prev_chain.0);
        out.extend_from_slice(&(hashes.len() as u32).to_le_bytes());
        for h in hashes {
            out.extend_from_slice(&h.0);
        }
        out
    }

    /// Parses a header; returns it and its length.
    pub fn decode(bytes: &[u8]) -> Result<(Self, usize), HeaderError> {
        let mut cursor = Cursor { bytes, pos: 0 };
        if cursor.take(8) != Some(MAGIC.as_slice()) {
            return Err(HeaderError::NotASegment);
        }
        let version = cursor.u32().ok_or(HeaderError::NotASegment)?;
        if version != FORMAT_VERSION {
            return Err(HeaderError::Version(version));
        }
        let first_seq = cursor.u64().ok_or(HeaderError::NotASegment)?;
        let prev_chain = cursor.digest().ok_or(HeaderError::NotASegment)?;
        let count = cursor.u32().ok_or(HeaderError::NotASegment)?;
        let expected = first_seq.count_ones();
        if count != expected {
            return Err(HeaderError::Frontier {
                found: count,
                expected,
                first_seq,
            });
        }
        let hashes = (0..count)
            .map(|_| cursor.digest().ok_or(HeaderError::NotASegment))
            .collect::<Result<Vec<_>, _>>()?;
        let frontier = Frontier::from_parts(first_seq, hashes).ok_or(HeaderError::NotASegment)?;
        Ok((
            SegmentHeader {
                first_seq,
                prev_chain,
                frontier,
            },
            cursor.pos,
        ))
    }
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let slice = self.bytes.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos += n;
        Some(slice)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn digest(&mut self) -> Option<Digest> {
        Digest::from_slice(self.take(DIGEST_LEN)?)
    }
}

/// Appends one frame for `payload` to `out`; returns the leaf hash and new chain value.
pub fn encode_frame(out: &mut Vec<u8>, payload: &[u8], prev_chain: &Digest) -> (Digest, Digest) {
    let (_, leaf, chain) = encode_frame_with(out, prev_chain, |out| {
        out.extend_from_slice(payload);
    });
    (leaf, chain)
}

/// Appends the frame of the payload that `write` appends, in place (no copy); returns
/// the payload length (the caller checks it against [`MAX_RECORD_BYTES`]), leaf hash and
/// chain value.
pub fn encode_frame_with(
    out: &mut Vec<u8>,
    prev_chain: &Digest,
    write: impl FnOnce(&mut Vec<u8>),
) -> (usize, Digest, Digest) {
    let start = out.len();
    out.extend_from_slice(&[0; 4]);
    write(out);
    let len = out.len() - start - 4;
    out[start..start + 4].copy_from_slice(&(len as u32).to_le_bytes());
    let leaf = leaf_hash(&out[start + 4..]);
    let chain = chain_next(prev_chain, &leaf);
    out.extend_from_slice(&chain.0);
    (len, leaf, chain)
}

/// One verified frame.
#[derive(Clone, Copy, Debug)]
pub struct Frame<'a> {
    /// Its sequence number.
    pub seq: u64,
    /// Byte offset of the frame in the segment.
    pub offset: u64,
    /// Byte offset just past the frame.
    pub end: u64,
    /// The canonical record bytes.
    pub payload: &'a [u8],
    /// Merkle leaf hash of the payload.
    pub leaf: Digest,
    /// Chain value after this record.
    pub chain: Digest,
}

/// What is wrong with a frame.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FrameFault {
    /// The file ends inside the frame.
    #[error("frame is cut short (torn write or truncated file)")]
    Truncated,
    /// The length field is zero or too large.
    #[error("frame length {0} is out of range")]
    BadLength(u32),
    /// The payload is not record `expected`.
    #[error("expected record {expected}, found {found}: records deleted, inserted or reordered")]
    SeqMismatch {
        /// Sequence number that belongs here.
        expected: u64,
        /// What the payload says (as text; "unreadable" if none).
        found: String,
    },
    /// The stored chain value does not follow from the previous one and this payload.
    #[error("hash chain mismatch: record modified")]
    ChainMismatch,
}

/// A fault at a place in a segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameError {
    /// Sequence number expected at this place.
    pub seq: u64,
    /// Byte offset of the faulty frame.
    pub offset: u64,
    /// The fault.
    pub fault: FrameFault,
}

/// Iterates over the frames of one segment body, verifying the chain and sequence
/// numbers; stops after the first error.
pub struct FrameReader<'a> {
    bytes: &'a [u8],
    pos: usize,
    next_seq: u64,
    chain: Digest,
    failed: bool,
}

impl<'a> FrameReader<'a> {
    /// Reads the frames of `segment` (header included in `segment`).
    pub fn new(segment: &'a [u8]) -> Result<(SegmentHeader, Self), HeaderError> {
        let (header, len) = SegmentHeader::decode(segment)?;
        let reader = FrameReader {
            bytes: segment,
            pos: len,
            next_seq: header.first_seq,
            chain: header.prev_chain,
            failed: false,
        };
        Ok((header, reader))
    }

    /// Byte offset of the next frame.
    pub fn position(&self) -> u64 {
        self.pos as u64
    }

    /// Chain value after the last good frame.
    pub fn chain_value(&self) -> Digest {
        self.chain
    }

    /// Sequence number of the next frame.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    fn fail(&mut self, fault: FrameFault) -> Option<Result<Frame<'a>, FrameError>> {
        self.failed = true;
        Some(Err(FrameError {
            seq: self.next_seq,
            offset: self.pos as u64,
            fault,
        }))
    }
}

impl<'a> Iterator for FrameReader<'a> {
    type Item = Result<Frame<'a>, FrameError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos == self.bytes.len() {
            return None;
        }
        let rest = &self.bytes[self.pos..];
        let Some(len_bytes) = rest.get(..4) else {
            return self.fail(FrameFault::Truncated);
        };
        let len = u32::from_le_bytes([len_bytes[0], len_bytes[1], len_bytes[2], len_bytes[3]]);
        if len == 0 || len as usize > MAX_RECORD_BYTES {
            return self.fail(FrameFault::BadLength(len));
        }
        let len = len as usize;
        let Some(body) = rest.get(4..4 + len + DIGEST_LEN) else {
            return self.fail(FrameFault::Truncated);
        };
        let payload = &body[..len];
        let stored = Digest::from_slice(&body[len..]).unwrap_or_default();
        let leaf = leaf_hash(payload);
        let chain = chain_next(&self.chain, &leaf);
        match peek_seq(payload) {
            Some(found) if found == self.next_seq => {}
            found => {
                let found = found.map_or_else(|| "unreadable".to_owned(), |s| s.to_string());
                return self.fail(FrameFault::SeqMismatch {
                    expected: self.next_seq,
                    found,
                });
            }
        }
        if chain != stored {
            return self.fail(FrameFault::ChainMismatch);
        }
        let frame = Frame {
            seq: self.next_seq,
            offset: self.pos as u64,
            end: (self.pos + 4 + len + DIGEST_LEN) as u64,
            payload,
            leaf,
            chain,
        };
        self.pos += 4 + len + DIGEST_LEN;
        self.next_seq += 1;
        self.chain = chain;
        Some(Ok(frame))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::Frontier;

    fn payload(seq: u64) -> Vec<u8> {
        format!("{{\"v\":1,\"seq\":{seq},\"x\":0}}").into_bytes()
    }

    fn segment(first: u64, count: u64) -> Vec<u8> {
        let mut frontier = Frontier::default();
        for i in 0..first {
            frontier.push(leaf_hash(&payload(i)));
        }
        let header = SegmentHeader {
            first_seq: first,
            prev_chain: GENESIS_CHAIN,
            frontier,
        };
        let mut out = header.encode();
        let mut chain = GENESIS_CHAIN;
        for seq in first..first + count {
            chain = encode_frame(&mut out, &payload(seq), &chain).1;
        }
        out
    }

    #[test]
    fn reads_back_what_was_written() {
        let bytes = segment(5, 4);
        let (header, reader) = FrameReader::new(&bytes).expect("header");
        assert_eq!(header.first_seq, 5);
        let seqs: Vec<u64> = reader.map(|f| f.expect("frame").seq).collect();
        assert_eq!(seqs, vec![5, 6, 7, 8]);
    }

    #[test]
    fn detects_every_single_byte_change_in_frames() {
        let bytes = segment(0, 3);
        let header_len = SegmentHeader::decode(&bytes).expect("header").1;
        for i in header_len..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x01;
            let (_, reader) = FrameReader::new(&bad).expect("header intact");
            let results: Vec<_> = reader.collect();
            assert!(
                results.iter().any(Result::is_err),
                "flip at byte {i} undetected"
            );
        }
    }

    #[test]
    fn torn_tail_is_truncated_fault() {
        let bytes = segment(0, 2);
        let (_, reader) = FrameReader::new(&bytes[..bytes.len() - 5]).expect("header");
        let last = reader.last().expect("something");
        assert!(matches!(
            last,
            Err(FrameError {
                seq: 1,
                fault: FrameFault::Truncated,
                ..
            })
        ));
    }

    #[test]
    fn bad_headers_are_rejected() {
        assert_eq!(
            FrameReader::new(b"nope").err(),
            Some(HeaderError::NotASegment)
        );
        let mut bytes = segment(3, 1);
        bytes[8] = 9;
        assert_eq!(
            FrameReader::new(&bytes).err(),
            Some(HeaderError::Version(9))
        );
    }
}
