//! Segment files: a header, then length-prefixed record frames. This is the reader of
//! untrusted bytes (fuzzed by `fuzz/fuzz_targets/audit_segment.rs`).
//!
//! ```text
//! header: "CDGAUDIT" | version u32 LE | first_seq u64 LE | prev_chain [32]
//!         | n u32 LE (= popcount(first_seq)) | n × [32] Merkle frontier at first_seq
//!
//! version 2 (written by this build): the chain links commit groups
//! frame:  len u32 LE (1..=MAX_RECORD_BYTES) | payload (canonical record JSON)
//!         | leaf_hash(payload)[..8]
//! mark:   0 u32 | count u32 LE (records of the group, >= 1) | chain [32]
//!         after the last record of each group commit;
//! chain_g = SHA-256(chain_{g-1} ‖ leaf_1 ‖ … ‖ leaf_count), chain_{-1} = 32 zero bytes
//!
//! version 1 (still read): the chain links every record
//! frame:  len u32 LE (1..=MAX_RECORD_BYTES) | payload | chain [32]
//! chain_i = SHA-256(chain_{i-1} ‖ leaf_hash(payload_i))
//! ```
//!
//! Version 2 hashes 32 bytes per record into the chain instead of a 64-byte SHA-256
//! message (two compression blocks) and stores 12 bytes of framing instead of 36; the
//! 8-byte leaf prefix still names the exact record a stray edit touched, and the mark
//! tells a complete group commit from a torn one. Every leaf stays in the RFC 9162 tree
//! whose signed roots are what an attacker who rewrites hashes cannot forge.
//!
//! The header carries the chain value and Merkle frontier at its first record, so a
//! segment stays verifiable against signed checkpoints after older segments are archived
//! or deleted; a forged header cannot match a signed root.

use sha2::{Digest as _, Sha256};

use crate::hash::{DIGEST_LEN, Digest};
use crate::merkle::{Frontier, leaf_hash};
use crate::record::{MAX_RECORD_BYTES, peek_seq};

/// File magic.
pub const MAGIC: &[u8; 8] = b"CDGAUDIT";
/// Segment format version written by this build.
pub const FORMAT_VERSION: u32 = 2;
/// The first segment format version, still read.
pub const FORMAT_VERSION_1: u32 = 1;
/// Bytes of the leaf-hash prefix that ends a version 2 frame.
pub const LEAF_TAG_LEN: usize = 8;
/// Bytes of a version 2 frame besides its payload.
pub const FRAME_OVERHEAD: usize = 4 + LEAF_TAG_LEN;
/// Bytes of a version 2 commit mark.
pub const MARK_LEN: usize = 4 + 4 + DIGEST_LEN;

/// Chain value before the first record.
pub const GENESIS_CHAIN: Digest = Digest([0; DIGEST_LEN]);

/// The next chain value.
pub fn chain_next(prev: &Digest, leaf: &Digest) -> Digest {
    Digest::of(&[&prev.0, &leaf.0])
}

/// The header of one segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentHeader {
    /// Format version of the segment's frames.
    pub version: u32,
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
    /// The header of a segment of the current format that starts after `first_seq`
    /// records, at chain value `prev_chain` and Merkle `frontier`.
    pub fn new(first_seq: u64, prev_chain: Digest, frontier: Frontier) -> Self {
        SegmentHeader {
            version: FORMAT_VERSION,
            first_seq,
            prev_chain,
            frontier,
        }
    }

    /// The format version of the segment whose first bytes are `start`, if they hold
    /// the magic and a version.
    pub fn peek_version(start: &[u8]) -> Option<u32> {
        let mut cursor = Cursor {
            bytes: start,
            pos: 0,
        };
        (cursor.take(8)? == MAGIC.as_slice())
            .then(|| cursor.u32())
            .flatten()
    }

    /// Serialised header.
    pub fn encode(&self) -> Vec<u8> {
        let hashes = self.frontier.hashes();
        let mut out = Vec::with_capacity(8 + 4 + 8 + 32 + 4 + 32 * hashes.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.version.to_le_bytes());
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
        if version != FORMAT_VERSION && version != FORMAT_VERSION_1 {
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
                version,
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

/// Writes version 2 commit groups: record frames, then the mark that chains them.
pub struct GroupWriter {
    hasher: Sha256,
    count: u32,
}

fn group_hasher(prev_chain: &Digest) -> Sha256 {
    let mut hasher = Sha256::new();
    hasher.update(prev_chain.0);
    hasher
}

impl GroupWriter {
    /// A group that follows chain value `prev_chain`.
    pub fn new(prev_chain: &Digest) -> Self {
        GroupWriter {
            hasher: group_hasher(prev_chain),
            count: 0,
        }
    }

    /// Appends the frame of the payload that `write` appends in place (no copy); returns
    /// the payload length (the caller checks it against [`MAX_RECORD_BYTES`]) and its
    /// leaf hash.
    pub fn push_with(
        &mut self,
        out: &mut Vec<u8>,
        write: impl FnOnce(&mut Vec<u8>),
    ) -> (usize, Digest) {
        if self.count == u32::MAX {
            // A mark counts at most u32::MAX records.
            self.finish(out);
        }
        let start = out.len();
        out.extend_from_slice(&[0; 4]);
        write(out);
        let len = out.len() - start - 4;
        out[start..start + 4].copy_from_slice(&(len as u32).to_le_bytes());
        let leaf = leaf_hash(&out[start + 4..]);
        out.extend_from_slice(&leaf.0[..LEAF_TAG_LEN]);
        self.hasher.update(leaf.0);
        self.count += 1;
        (len, leaf)
    }

    /// Appends the frame of `payload`; returns its leaf hash.
    pub fn push(&mut self, out: &mut Vec<u8>, payload: &[u8]) -> Digest {
        self.push_with(out, |out| out.extend_from_slice(payload)).1
    }

    /// Appends the commit mark and starts the next group after it; returns the chain
    /// value after the group. A group without records writes nothing and returns `None`.
    pub fn finish(&mut self, out: &mut Vec<u8>) -> Option<Digest> {
        if self.count == 0 {
            return None;
        }
        let chain = Digest(self.hasher.finalize_reset().into());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&self.count.to_le_bytes());
        out.extend_from_slice(&chain.0);
        self.hasher.update(chain.0);
        self.count = 0;
        Some(chain)
    }
}

/// One verified frame.
#[derive(Clone, Copy, Debug)]
pub struct Frame<'a> {
    /// Its sequence number.
    pub seq: u64,
    /// Byte offset of the frame in the segment.
    pub offset: u64,
    /// Byte offset just past the frame (a version 2 commit mark after it not included).
    pub end: u64,
    /// The canonical record bytes.
    pub payload: &'a [u8],
    /// Merkle leaf hash of the payload.
    pub leaf: Digest,
    /// Chain value after this record (version 1), or after the last commit group that
    /// ended with or before it (version 2): at the end of a group, the group's chain.
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
    /// The stored chain value (version 1) or leaf prefix (version 2) does not follow from
    /// the payload.
    #[error("record modified: its hash does not match the one stored with it")]
    ChainMismatch,
    /// A version 2 commit mark does not match the records of its group.
    #[error(
        "commit mark of records {first}..{end} does not match them: records modified, added or removed"
    )]
    MarkMismatch {
        /// First record of the group.
        first: u64,
        /// Sequence number after the group's last record.
        end: u64,
    },
    /// A version 2 segment ends in a group without its commit mark.
    #[error("records {first}..{end} have no commit mark (torn write or truncated file)")]
    Uncommitted {
        /// First record of the group.
        first: u64,
        /// Sequence number after the last record read.
        end: u64,
    },
}

/// A fault at a place in a segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameError {
    /// Sequence number expected at this place (for a group fault, the group's first).
    pub seq: u64,
    /// Byte offset of the faulty frame (for a group fault, the group's first).
    pub offset: u64,
    /// The fault.
    pub fault: FrameFault,
}

/// Iterates over the frames of one segment body, verifying the chain and sequence
/// numbers; stops after the first error. Its position, sequence number and chain value
/// are those after the last complete commit (version 1: after the last good frame), which
/// is where a torn write is cut back to.
pub struct FrameReader<'a> {
    bytes: &'a [u8],
    version: u32,
    /// After the last complete commit.
    committed: Committed,
    /// Version 2: the group being read since the last commit mark.
    group: Option<OpenGroup>,
    /// Where the next frame starts.
    cursor: usize,
    failed: bool,
    /// A fault found with the frame just handed out, reported next.
    pending: Option<FrameError>,
}

#[derive(Clone, Copy)]
struct Committed {
    pos: usize,
    next_seq: u64,
    chain: Digest,
}

struct OpenGroup {
    hasher: Sha256,
    count: u32,
}

impl<'a> FrameReader<'a> {
    /// Reads the frames of `segment` (header included in `segment`).
    pub fn new(segment: &'a [u8]) -> Result<(SegmentHeader, Self), HeaderError> {
        let (header, len) = SegmentHeader::decode(segment)?;
        let reader = FrameReader {
            bytes: segment,
            version: header.version,
            committed: Committed {
                pos: len,
                next_seq: header.first_seq,
                chain: header.prev_chain,
            },
            group: None,
            cursor: len,
            failed: false,
            pending: None,
        };
        Ok((header, reader))
    }

    /// Byte offset after the last complete commit.
    pub fn position(&self) -> u64 {
        self.committed.pos as u64
    }

    /// Chain value after the last complete commit.
    pub fn chain_value(&self) -> Digest {
        self.committed.chain
    }

    /// Sequence number after the last complete commit.
    pub fn next_seq(&self) -> u64 {
        self.committed.next_seq
    }

    /// Sequence number of the next record frame.
    fn cursor_seq(&self) -> u64 {
        self.committed.next_seq + self.group.as_ref().map_or(0, |g| u64::from(g.count))
    }

    fn fail(&mut self, seq: u64, offset: usize, fault: FrameFault) -> Option<FrameResult<'a>> {
        self.failed = true;
        Some(Err(FrameError {
            seq,
            offset: offset as u64,
            fault,
        }))
    }

    /// A fault of the whole open group (reported at its first record).
    fn fail_group(&mut self, fault: FrameFault) -> Option<FrameResult<'a>> {
        let (seq, pos) = (self.committed.next_seq, self.committed.pos);
        self.fail(seq, pos, fault)
    }

    /// Reads one record frame at the cursor: its length, payload and trailer, and checks
    /// the sequence number. Returns the frame with its stored trailer.
    fn read_record(&mut self, trailer: usize) -> Result<(Frame<'a>, &'a [u8]), FrameError> {
        let seq = self.cursor_seq();
        let error = |fault| FrameError {
            seq,
            offset: self.cursor as u64,
            fault,
        };
        let rest = &self.bytes[self.cursor..];
        let len = read_u32(rest).ok_or_else(|| error(FrameFault::Truncated))?;
        if len == 0 || len as usize > MAX_RECORD_BYTES {
            return Err(error(FrameFault::BadLength(len)));
        }
        let len = len as usize;
        let body = rest
            .get(4..4 + len + trailer)
            .ok_or_else(|| error(FrameFault::Truncated))?;
        let payload = &body[..len];
        match peek_seq(payload) {
            Some(found) if found == seq => {}
            found => {
                let found = found.map_or_else(|| "unreadable".to_owned(), |s| s.to_string());
                return Err(error(FrameFault::SeqMismatch {
                    expected: seq,
                    found,
                }));
            }
        }
        let frame = Frame {
            seq,
            offset: self.cursor as u64,
            end: (self.cursor + 4 + len + trailer) as u64,
            payload,
            leaf: leaf_hash(payload),
            chain: self.committed.chain,
        };
        Ok((frame, &body[len..]))
    }

    fn next_v1(&mut self) -> Option<FrameResult<'a>> {
        let (mut frame, stored) = match self.read_record(DIGEST_LEN) {
            Ok(read) => read,
            Err(e) => return self.fail(e.seq, e.offset as usize, e.fault),
        };
        let chain = chain_next(&self.committed.chain, &frame.leaf);
        if stored != chain.0 {
            return self.fail(frame.seq, self.cursor, FrameFault::ChainMismatch);
        }
        frame.chain = chain;
        self.cursor = frame.end as usize;
        self.committed = Committed {
            pos: self.cursor,
            next_seq: frame.seq + 1,
            chain,
        };
        Some(Ok(frame))
    }

    fn next_v2(&mut self) -> Option<FrameResult<'a>> {
        if self.cursor == self.bytes.len() {
            let (first, end) = (self.committed.next_seq, self.cursor_seq());
            return self.fail_group(FrameFault::Uncommitted { first, end });
        }
        let (mut frame, tag) = match self.read_record(LEAF_TAG_LEN) {
            Ok(read) => read,
            Err(e) => return self.fail(e.seq, e.offset as usize, e.fault),
        };
        if tag != &frame.leaf.0[..LEAF_TAG_LEN] {
            return self.fail(frame.seq, self.cursor, FrameFault::ChainMismatch);
        }
        let chain = self.committed.chain;
        let group = self.group.get_or_insert_with(|| OpenGroup {
            hasher: group_hasher(&chain),
            count: 0,
        });
        group.hasher.update(frame.leaf.0);
        group.count += 1;
        self.cursor = frame.end as usize;
        // A mark right after the record ends the group: check it before handing out the
        // record, so that the last record of a group carries the group's chain value. A
        // bad mark is reported after the record, so that a reader has every leaf of the
        // group to find the altered one by.
        let rest = &self.bytes[self.cursor..];
        if read_u32(rest) == Some(0)
            && let Some(group) = self.group.take()
        {
            let (first, end) = (self.committed.next_seq, frame.seq + 1);
            let computed = Digest(group.hasher.finalize().into());
            let fault = match rest.get(..MARK_LEN) {
                None => Some(FrameFault::Uncommitted { first, end }),
                Some(mark)
                    if read_u32(&mark[4..]) != Some(group.count) || mark[8..] != computed.0 =>
                {
                    Some(FrameFault::MarkMismatch { first, end })
                }
                Some(_) => None,
            };
            match fault {
                Some(fault) => {
                    self.pending = Some(FrameError {
                        seq: first,
                        offset: self.committed.pos as u64,
                        fault,
                    });
                }
                None => {
                    self.cursor += MARK_LEN;
                    self.committed = Committed {
                        pos: self.cursor,
                        next_seq: end,
                        chain: computed,
                    };
                    frame.chain = computed;
                }
            }
        }
        Some(Ok(frame))
    }
}

fn read_u32(bytes: &[u8]) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?))
}

type FrameResult<'a> = Result<Frame<'a>, FrameError>;

impl<'a> Iterator for FrameReader<'a> {
    type Item = FrameResult<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(fault) = self.pending.take() {
            self.failed = true;
            return Some(Err(fault));
        }
        if self.failed || (self.cursor == self.bytes.len() && self.group.is_none()) {
            return None;
        }
        if self.version == FORMAT_VERSION_1 {
            self.next_v1()
        } else {
            self.next_v2()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::Frontier;

    /// Appends one version 1 frame for `payload` to `out`; returns the new chain value
    /// (this build writes version 1 only here, to test its reader).
    fn encode_frame(out: &mut Vec<u8>, payload: &[u8], prev_chain: &Digest) -> Digest {
        out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        out.extend_from_slice(payload);
        let leaf = leaf_hash(payload);
        let chain = chain_next(prev_chain, &leaf);
        out.extend_from_slice(&chain.0);
        chain
    }

    fn payload(seq: u64) -> Vec<u8> {
        format!("{{\"v\":1,\"seq\":{seq},\"x\":0}}").into_bytes()
    }

    fn header(version: u32, first: u64) -> SegmentHeader {
        let mut frontier = Frontier::default();
        for i in 0..first {
            frontier.push(leaf_hash(&payload(i)));
        }
        SegmentHeader {
            version,
            first_seq: first,
            prev_chain: GENESIS_CHAIN,
            frontier,
        }
    }

    /// A version 1 segment of `count` records from `first`.
    fn segment_v1(first: u64, count: u64) -> Vec<u8> {
        let mut out = header(FORMAT_VERSION_1, first).encode();
        let mut chain = GENESIS_CHAIN;
        for seq in first..first + count {
            chain = encode_frame(&mut out, &payload(seq), &chain);
        }
        out
    }

    /// A version 2 segment from `first` with one commit group per entry of `groups`.
    fn segment_v2(first: u64, groups: &[u64]) -> Vec<u8> {
        let mut out = header(FORMAT_VERSION, first).encode();
        let (mut chain, mut seq) = (GENESIS_CHAIN, first);
        for &count in groups {
            let mut group = GroupWriter::new(&chain);
            for _ in 0..count {
                group.push(&mut out, &payload(seq));
                seq += 1;
            }
            chain = group.finish(&mut out).expect("records");
        }
        out
    }

    fn seqs(bytes: &[u8]) -> Vec<u64> {
        let (_, reader) = FrameReader::new(bytes).expect("header");
        reader.map(|f| f.expect("frame").seq).collect()
    }

    #[test]
    fn reads_back_what_was_written() {
        assert_eq!(seqs(&segment_v1(5, 4)), vec![5, 6, 7, 8]);
        let bytes = segment_v2(5, &[1, 3, 2]);
        assert_eq!(seqs(&bytes), vec![5, 6, 7, 8, 9, 10]);
        let (header, reader) = FrameReader::new(&bytes).expect("header");
        assert_eq!(header.version, FORMAT_VERSION);
        // The last record of each group carries the group's chain, as the reader's state.
        let frames: Vec<Frame<'_>> = reader.map(|f| f.expect("frame")).collect();
        let mut chain = GENESIS_CHAIN;
        for (group, last) in [(&frames[0..1], 0), (&frames[1..4], 3), (&frames[4..6], 5)] {
            let mut hasher = Sha256::new();
            hasher.update(chain.0);
            for frame in group {
                assert_eq!(frame.leaf, leaf_hash(&payload(frame.seq)));
                hasher.update(frame.leaf.0);
            }
            chain = Digest(hasher.finalize().into());
            assert_eq!(frames[last].chain, chain);
        }
        let (_, mut reader) = FrameReader::new(&bytes).expect("header");
        reader.by_ref().for_each(drop);
        assert_eq!(
            (reader.next_seq(), reader.chain_value(), reader.position()),
            (11, chain, bytes.len() as u64)
        );
    }

    #[test]
    fn detects_every_single_byte_change_in_frames() {
        for bytes in [segment_v1(0, 3), segment_v2(0, &[2, 1])] {
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
    }

    #[test]
    fn a_changed_record_is_named_and_a_rewritten_group_fails_its_mark() {
        let bytes = segment_v2(0, &[3]);
        let (_, reader) = FrameReader::new(&bytes).expect("header");
        let offsets: Vec<usize> = reader.map(|f| f.expect("frame").offset as usize).collect();
        // A stray edit in record 1: its leaf prefix no longer matches.
        let mut bad = bytes.clone();
        bad[offsets[1] + 4 + 19] ^= 0x01; // the value of "x"
        let (_, reader) = FrameReader::new(&bad).expect("header");
        let error = reader.last().expect("frames").expect_err("edit detected");
        assert_eq!((error.seq, error.fault), (1, FrameFault::ChainMismatch));
        // Record 1 replaced with its leaf prefix recomputed: the mark catches the group.
        let mut forged = bytes[..offsets[1]].to_vec();
        let mut other = GroupWriter::new(&GENESIS_CHAIN);
        other.push(&mut forged, b"{\"v\":1,\"seq\":1,\"x\":9}");
        forged.extend_from_slice(&bytes[offsets[2]..]);
        let (_, reader) = FrameReader::new(&forged).expect("header");
        let error = reader
            .last()
            .expect("frames")
            .expect_err("forgery detected");
        assert_eq!(
            (error.seq, error.offset as usize, error.fault),
            (0, offsets[0], FrameFault::MarkMismatch { first: 0, end: 3 })
        );
    }

    #[test]
    fn torn_tail_is_a_truncated_or_uncommitted_fault_and_position_stays_committed() {
        let bytes = segment_v1(0, 2);
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
        let bytes = segment_v2(0, &[2, 3]);
        let first_group_end = segment_v2(0, &[2]).len();
        // Cut inside the mark, inside a record and at a record boundary of group 2.
        for cut in [bytes.len() - 1, bytes.len() - MARK_LEN - 3] {
            let (_, mut reader) = FrameReader::new(&bytes[..cut]).expect("header");
            let error = reader.by_ref().last().expect("frames").expect_err("torn");
            assert!(error.seq >= 2, "{error:?}");
            assert_eq!(
                (reader.next_seq(), reader.position()),
                (2, first_group_end as u64)
            );
        }
        let (_, reader) = FrameReader::new(&bytes[..bytes.len() - MARK_LEN]).expect("header");
        let error = reader.last().expect("frames").expect_err("torn");
        assert_eq!(error.fault, FrameFault::Uncommitted { first: 2, end: 5 });
        assert_eq!(error.offset as usize, first_group_end);
    }

    #[test]
    fn bad_headers_are_rejected() {
        assert_eq!(
            FrameReader::new(b"nope").err(),
            Some(HeaderError::NotASegment)
        );
        let mut bytes = segment_v1(3, 1);
        assert_eq!(SegmentHeader::peek_version(&bytes), Some(FORMAT_VERSION_1));
        bytes[8] = 9;
        assert_eq!(
            FrameReader::new(&bytes).err(),
            Some(HeaderError::Version(9))
        );
        assert_eq!(SegmentHeader::peek_version(b"CDGAUDIT\x02"), None);
    }
}
