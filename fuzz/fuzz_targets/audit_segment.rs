//! Fuzzes the audit segment reader (header, version 1 and 2 frames, commit marks) on
//! arbitrary bytes: as a whole file, and as the body after a valid header of either
//! format so that the frame parser is reached at once. Any panic is a bug; damage must be
//! a `HeaderError` or a `FrameError`, and the reader's committed position never passes
//! the end of the bytes or a frame it handed out.
#![no_main]

use cdeguard_audit::merkle::Frontier;
use cdeguard_audit::record::Record;
use cdeguard_audit::segment::{
    FORMAT_VERSION, FORMAT_VERSION_1, FrameReader, GENESIS_CHAIN, SegmentHeader,
};
use libfuzzer_sys::fuzz_target;

fn read(segment: &[u8]) {
    let Ok((header, mut frames)) = FrameReader::new(segment) else {
        return;
    };
    let mut next = header.first_seq;
    let mut end = 0;
    for frame in frames.by_ref() {
        let Ok(frame) = frame else { break };
        assert_eq!(frame.seq, next);
        assert!(frame.offset < frame.end && frame.end as usize <= segment.len());
        next += 1;
        end = frame.end;
        let _ = Record::from_canonical(frame.payload);
    }
    assert!(frames.position() as usize <= segment.len());
    assert!(frames.next_seq() <= next);
    // The committed position is at or after the end of the last committed frame.
    if frames.next_seq() == next && next > header.first_seq {
        assert!(frames.position() >= end);
    }
}

fuzz_target!(|data: &[u8]| {
    read(data);
    if let Some((&selector, body)) = data.split_first() {
        let version = if selector & 1 == 0 {
            FORMAT_VERSION
        } else {
            FORMAT_VERSION_1
        };
        let mut segment = SegmentHeader {
            version,
            first_seq: 0,
            prev_chain: GENESIS_CHAIN,
            frontier: Frontier::default(),
        }
        .encode();
        segment.extend_from_slice(body);
        read(&segment);
    }
});
