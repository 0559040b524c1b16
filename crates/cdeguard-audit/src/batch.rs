//! Records prepared for one group commit: validated and rendered to their canonical JSON
//! ([`Record::to_canonical`](crate::record::Record::to_canonical)) once, before the log
//! lock is taken, into one reusable buffer. At commit the writer only adds what it alone
//! knows: the sequence number, the commit time for records without one, and its own
//! origin for records without one.
//!
//! NDJSON lines are parsed in one pass ([`Batch::push_line`]): text fields are borrowed
//! unless they hold escapes, and `details` is transcoded straight into canonical bytes
//! (minified; strings and numbers printed as `serde_json` prints them; object keys sorted
//! as `serde_json::Map` sorts them, the last of repeated keys kept), with no tree.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use serde::Serialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::error::AuditError;
use crate::record::{MAX_FIELD_BYTES, Origin, Outcome, RecordInput, SCHEMA_VERSION};
use crate::writer::SYSTEM_ACTION_PREFIX;

/// One prepared record: ranges of canonical fragments in [`Batch::bytes`].
#[derive(Clone, Debug)]
struct Entry {
    /// Canonical UTC time (without quotes), when the input gave one.
    time: Option<Range<usize>>,
    /// `"actor":…,"action":…,"resource":…,"outcome":"…"`.
    fields: Range<usize>,
    /// `{"host":…,"pid":…,"process":…}`, when the input gave an origin.
    origin: Option<Range<usize>>,
    /// The canonical `details` object.
    details: Range<usize>,
    /// The action is reserved for the audit system (`audit.*`).
    reserved: bool,
}

/// Records ready to be committed, in order.
#[derive(Clone, Debug, Default)]
pub struct Batch {
    bytes: Vec<u8>,
    entries: Vec<Entry>,
}

/// The fields of one record before rendering (text borrowed where possible).
struct Fields<'a> {
    time: Option<JsonStr<'a>>,
    actor: JsonStr<'a>,
    action: JsonStr<'a>,
    resource: JsonStr<'a>,
    outcome: Outcome,
    origin: Option<Origin>,
    /// Where the canonical `details` already stand in the batch's bytes.
    details: Range<usize>,
}

impl Batch {
    /// An empty batch.
    pub fn new() -> Self {
        Batch::default()
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the batch holds no record.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Bytes of the rendered fields of all records.
    pub fn rendered_len(&self) -> usize {
        self.bytes.len()
    }

    /// Empties the batch, keeping its memory.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.entries.clear();
    }

    /// Parses and adds one NDJSON line; `line` numbers the error. On error the batch is
    /// unchanged.
    pub fn push_line(&mut self, text: &str, line: usize) -> Result<(), AuditError> {
        let mark = self.bytes.len();
        let mut de = serde_json::Deserializer::from_str(text);
        let parsed = LineSeed {
            out: &mut self.bytes,
        }
        .deserialize(&mut de)
        .and_then(|fields| de.end().map(|()| fields))
        .map_err(|e| e.to_string())
        .and_then(|fields| self.render(fields));
        parsed.map_err(|message| {
            self.bytes.truncate(mark);
            AuditError::BadInput { line, message }
        })
    }

    /// Adds a record built in code (system records, library callers).
    pub fn push_input(&mut self, input: &RecordInput) -> Result<(), AuditError> {
        let mark = self.bytes.len();
        let details = match &input.details {
            None | Some(serde_json::Value::Null) => {
                Ok(self.append(|out| out.extend_from_slice(b"{}")))
            }
            Some(details) if details.is_object() => Ok(self.append(|out| write_json(out, details))),
            Some(_) => Err(NOT_AN_OBJECT.to_owned()),
        };
        let rendered = details.and_then(|details| {
            self.render(Fields {
                time: input.time.as_deref().map(JsonStr::text),
                actor: JsonStr::text(&input.actor),
                action: JsonStr::text(&input.action),
                resource: JsonStr::text(&input.resource),
                outcome: input.outcome,
                origin: input.origin.clone(),
                details,
            })
        });
        rendered.map_err(|message| {
            self.bytes.truncate(mark);
            AuditError::BadInput { line: 0, message }
        })
    }

    /// Validates the fields and renders all but `details` (already in place).
    fn render(&mut self, fields: Fields<'_>) -> Result<(), String> {
        validate(
            fields.actor.as_str(),
            fields.action.as_str(),
            fields.resource.as_str(),
            fields.origin.as_ref(),
        )?;
        let time = match &fields.time {
            Some(t) => {
                let canonical = crate::record::normalise_time(t.as_str())?;
                Some(self.append(|out| out.extend_from_slice(canonical.as_bytes())))
            }
            None => None,
        };
        let rendered = self.append(|out| {
            out.extend_from_slice(b"\"actor\":");
            fields.actor.write(out);
            out.extend_from_slice(b",\"action\":");
            fields.action.write(out);
            out.extend_from_slice(b",\"resource\":");
            fields.resource.write(out);
            out.extend_from_slice(b",\"outcome\":\"");
            out.extend_from_slice(fields.outcome.as_str().as_bytes());
            out.push(b'"');
        });
        let origin = fields
            .origin
            .as_ref()
            .map(|o| self.append(|out| write_json(out, o)));
        self.entries.push(Entry {
            time,
            fields: rendered,
            origin,
            details: fields.details,
            reserved: fields.action.as_str().starts_with(SYSTEM_ACTION_PREFIX),
        });
        Ok(())
    }

    fn append(&mut self, write: impl FnOnce(&mut Vec<u8>)) -> Range<usize> {
        let start = self.bytes.len();
        write(&mut self.bytes);
        start..self.bytes.len()
    }

    /// Index of the first record whose action is reserved for the audit system.
    pub fn first_reserved(&self) -> Option<usize> {
        self.entries.iter().position(|e| e.reserved)
    }

    /// Writes record `index` as stored at `seq`: `now` (canonical time) and `origin`
    /// (canonical JSON) fill what the input left out.
    pub fn write_payload(
        &self,
        index: usize,
        seq: u64,
        now: &str,
        origin: &[u8],
        out: &mut Vec<u8>,
    ) {
        let entry = &self.entries[index];
        out.extend_from_slice(b"{\"v\":");
        write_json(out, &SCHEMA_VERSION);
        out.extend_from_slice(b",\"seq\":");
        write_json(out, &seq);
        out.extend_from_slice(b",\"time\":\"");
        match &entry.time {
            Some(range) => out.extend_from_slice(&self.bytes[range.clone()]),
            None => out.extend_from_slice(now.as_bytes()),
        }
        out.extend_from_slice(b"\",");
        out.extend_from_slice(&self.bytes[entry.fields.clone()]);
        out.extend_from_slice(b",\"origin\":");
        match &entry.origin {
            Some(range) => out.extend_from_slice(&self.bytes[range.clone()]),
            None => out.extend_from_slice(origin),
        }
        out.extend_from_slice(b",\"details\":");
        out.extend_from_slice(&self.bytes[entry.details.clone()]);
        out.push(b'}');
    }
}

const NOT_AN_OBJECT: &str = "`details` must be a JSON object";

/// Serialising strings, integers, an `Origin` or a `Value` into a `Vec` cannot fail.
pub(crate) fn write_json(out: &mut Vec<u8>, value: &(impl Serialize + ?Sized)) {
    let _ = serde_json::to_writer(out, value);
}

/// The PCI DSS 10.2.2 fields must be present and bounded.
fn validate(
    actor: &str,
    action: &str,
    resource: &str,
    origin: Option<&Origin>,
) -> Result<(), String> {
    for (name, value) in [("actor", actor), ("action", action), ("resource", resource)] {
        if value.trim().is_empty() {
            return Err(format!("`{name}` must not be empty (PCI DSS 10.2.2)"));
        }
        if value.len() > MAX_FIELD_BYTES {
            return Err(format!("`{name}` is longer than {MAX_FIELD_BYTES} bytes"));
        }
    }
    if let Some(origin) = origin
        && (origin.host.len() > MAX_FIELD_BYTES || origin.process.len() > MAX_FIELD_BYTES)
    {
        return Err(format!(
            "`origin` fields are longer than {MAX_FIELD_BYTES} bytes"
        ));
    }
    Ok(())
}

const FIELDS: &[&str] = &[
    "time", "actor", "action", "resource", "outcome", "origin", "details",
];

/// Parses one input line; `details` is transcoded into `out` on the way.
struct LineSeed<'o> {
    out: &'o mut Vec<u8>,
}

impl<'de> DeserializeSeed<'de> for LineSeed<'_> {
    type Value = Fields<'de>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Fields<'de>, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for LineSeed<'_> {
    type Value = Fields<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an audit record object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields<'de>, A::Error> {
        let (mut time, mut actor, mut action, mut resource) = (None, None, None, None);
        let (mut outcome, mut origin, mut details) = (None, None, None);
        while let Some(key) = map.next_key::<JsonStr<'de>>()? {
            let key = key.as_str();
            let name = FIELDS
                .iter()
                .copied()
                .find(|f| *f == key)
                .ok_or_else(|| de::Error::unknown_field(key, FIELDS))?;
            let fresh = match name {
                "time" => time
                    .replace(map.next_value::<Option<JsonStr<'de>>>()?)
                    .is_none(),
                "actor" => actor.replace(map.next_value::<JsonStr<'de>>()?).is_none(),
                "action" => action.replace(map.next_value::<JsonStr<'de>>()?).is_none(),
                "resource" => resource
                    .replace(map.next_value::<JsonStr<'de>>()?)
                    .is_none(),
                "outcome" => outcome.replace(map.next_value::<Outcome>()?).is_none(),
                "origin" => origin
                    .replace(map.next_value::<Option<Origin>>()?)
                    .is_none(),
                _ => {
                    let start = self.out.len();
                    map.next_value_seed(DetailsSeed {
                        out: &mut *self.out,
                    })?;
                    details.replace(start..self.out.len()).is_none()
                }
            };
            if !fresh {
                return Err(de::Error::duplicate_field(name));
            }
        }
        let details = match details {
            Some(range) => range,
            None => {
                let start = self.out.len();
                self.out.extend_from_slice(b"{}");
                start..self.out.len()
            }
        };
        Ok(Fields {
            time: time.flatten(),
            actor: actor.ok_or_else(|| de::Error::missing_field("actor"))?,
            action: action.ok_or_else(|| de::Error::missing_field("action"))?,
            resource: resource.ok_or_else(|| de::Error::missing_field("resource"))?,
            outcome: outcome.ok_or_else(|| de::Error::missing_field("outcome"))?,
            origin: origin.flatten(),
            details,
        })
    }
}

/// A string on its way to canonical JSON.
enum JsonStr<'a> {
    /// Borrowed from an input line that held it without escapes: the text is already
    /// its canonical JSON form (JSON text has no raw quote, backslash or control
    /// character, the only characters `serde_json` escapes), so it is copied as it is.
    Verbatim(&'a str),
    /// Any other text (unescaped from the input, or given by a caller): escaped on output.
    Text(Cow<'a, str>),
}

impl<'a> JsonStr<'a> {
    fn text(text: &'a str) -> Self {
        JsonStr::Text(Cow::Borrowed(text))
    }

    fn as_str(&self) -> &str {
        match self {
            JsonStr::Verbatim(text) => text,
            JsonStr::Text(text) => text,
        }
    }

    /// Appends the JSON string.
    fn write(&self, out: &mut Vec<u8>) {
        match self {
            JsonStr::Verbatim(text) => write_verbatim(out, text),
            JsonStr::Text(text) => write_json(out, &**text),
        }
    }
}

/// Appends `"text"`: `text` is from the input and held no escapes (see [`JsonStr`]).
fn write_verbatim(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    out.extend_from_slice(text.as_bytes());
    out.push(b'"');
}

impl<'de> serde::Deserialize<'de> for JsonStr<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct JsonStrVisitor;
        impl<'de> Visitor<'de> for JsonStrVisitor {
            type Value = JsonStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<JsonStr<'de>, E> {
                Ok(JsonStr::Verbatim(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<JsonStr<'de>, E> {
                Ok(JsonStr::Text(Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(JsonStrVisitor)
    }
}

/// `details`: an object (transcoded canonically) or `null` (stored as `{}`).
struct DetailsSeed<'o> {
    out: &'o mut Vec<u8>,
}

impl<'de> DeserializeSeed<'de> for DetailsSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DetailsSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(NOT_AN_OBJECT)
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        self.out.extend_from_slice(b"{}");
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        Canonical { out: self.out }.visit_map(map)
    }
}

/// Transcodes one JSON value to canonical bytes.
struct Canonical<'o> {
    out: &'o mut Vec<u8>,
}

impl<'de> DeserializeSeed<'de> for Canonical<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Canonical<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        write_json(self.out, &v);
        Ok(())
    }
    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        write_json(self.out, &v);
        Ok(())
    }
    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        write_json(self.out, &v);
        Ok(())
    }
    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        // As `serde_json::Value` keeps it (JSON text has no NaN or infinity).
        write_json(self.out, &serde_json::Number::from_f64(v));
        Ok(())
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<(), E> {
        write_verbatim(self.out, v);
        Ok(())
    }
    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        write_json(self.out, v);
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.out.push(b'[');
        let mut first = true;
        loop {
            let mark = self.out.len();
            if !first {
                self.out.push(b',');
            }
            if seq
                .next_element_seed(Canonical {
                    out: &mut *self.out,
                })?
                .is_none()
            {
                self.out.truncate(mark);
                break;
            }
            first = false;
        }
        self.out.push(b']');
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let open = self.out.len();
        self.out.push(b'{');
        // Each member's key (borrowed from the input unless it holds escapes) and byte
        // range; members are written as they come and put in key order at the end only
        // if they came out of order.
        let mut members: Vec<(JsonStr<'de>, Range<usize>)> = Vec::new();
        let mut in_order = true;
        while let Some(key) = map.next_key::<JsonStr<'de>>()? {
            if let Some((last, _)) = members.last() {
                in_order &= last.as_str() < key.as_str();
                self.out.push(b',');
            }
            let start = self.out.len();
            key.write(self.out);
            self.out.push(b':');
            map.next_value_seed(Canonical {
                out: &mut *self.out,
            })?;
            members.push((key, start..self.out.len()));
        }
        if !in_order {
            let written = self.out.split_off(open + 1);
            // Stable: of repeated keys the last stays last, and is the one kept.
            members.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
            let mut kept = members.iter().peekable();
            let mut first = true;
            while let Some((key, range)) = kept.next() {
                if kept
                    .peek()
                    .is_some_and(|(next, _)| next.as_str() == key.as_str())
                {
                    continue;
                }
                if !first {
                    self.out.push(b',');
                }
                first = false;
                let range = range.start - open - 1..range.end - open - 1;
                self.out.extend_from_slice(&written[range]);
            }
        }
        self.out.push(b'}');
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Record;

    fn origin() -> Origin {
        Origin {
            host: "h".into(),
            pid: 7,
            process: "p".into(),
        }
    }

    /// The payload the batch writes for `line` at seq 3, time `now`, origin `h/7/p`.
    fn via_batch(line: &str) -> Vec<u8> {
        let mut batch = Batch::new();
        batch.push_line(line, 1).expect("valid line");
        let mut out = Vec::new();
        let origin = serde_json::to_vec(&origin()).expect("origin");
        batch.write_payload(0, 3, "2026-01-01T00:00:00.000000000Z", &origin, &mut out);
        out
    }

    /// The same record through `serde_json::Value` and `Record` serialisation.
    fn via_value(line: &str) -> Vec<u8> {
        let input: RecordInput = serde_json::from_str(line).expect("valid line");
        let record = Record {
            v: SCHEMA_VERSION,
            seq: 3,
            time: input.time.as_deref().map_or_else(
                || "2026-01-01T00:00:00.000000000Z".to_owned(),
                |t| crate::record::normalise_time(t).expect("time"),
            ),
            actor: input.actor,
            action: input.action,
            resource: input.resource,
            outcome: input.outcome,
            origin: input.origin.unwrap_or_else(origin),
            details: match input.details {
                None | Some(serde_json::Value::Null) => serde_json::json!({}),
                Some(d) => d,
            },
        };
        record.to_canonical()
    }

    #[test]
    fn fast_path_gives_the_bytes_of_the_value_path() {
        let lines = [
            r#"{"actor":"a","action":"x.y","resource":"r","outcome":"success"}"#,
            r#"{"actor":"a","action":"x","resource":"r","outcome":"failure","details":null}"#,
            r#"{"actor":"a","action":"x","resource":"r","outcome":"unknown","details":{}}"#,
            // Whitespace, nesting, arrays, every scalar kind.
            r#"{ "details" : { "a" : [ 1 , -2 , 3.50 , 1e3 , -0 , true , null , "s" , [ ] , { } ] , "b" : { "c" : 18446744073709551615 , "d" : -9223372036854775808 } }, "outcome":"success","resource":"r","action":"x","actor":"a" }"#,
            // Escapes in fields and keys, non-ASCII, control characters, `\/`.
            r#"{"actor":"\u0041l\"ice\\","action":"x\/y","resource":"caf\u00e9 €","outcome":"success","details":{"k\n":"\u0001\t","é":"ü"}}"#,
            // Keys out of order, repeated keys (the last wins), nested unsorted objects.
            r#"{"actor":"a","action":"x","resource":"r","outcome":"success","details":{"b":1,"a":2}}"#,
            r#"{"actor":"a","action":"x","resource":"r","outcome":"success","details":{"a":1,"a":2}}"#,
            r#"{"actor":"a","action":"x","resource":"r","outcome":"success","details":{"a":{"z":1,"y":[{"q":1,"p":2}]}}}"#,
            // Keys whose escaped and unescaped orders differ.
            r#"{"actor":"a","action":"x","resource":"r","outcome":"success","details":{"\u001f":1,"\"":2,"\\":3}}"#,
            // Given time (normalised) and origin.
            r#"{"time":"2026-01-02T03:04:05.5+01:00","actor":"a","action":"x","resource":"r","outcome":"success","origin":{"host":"o","pid":1,"process":"q"}}"#,
        ];
        // Raw DEL, non-ASCII and `/` are copied verbatim by the fast path and left
        // unescaped by serde_json alike.
        let raw = "{\"actor\":\"a\u{7f}\",\"action\":\"x/y\",\"resource\":\"caf\u{e9} \u{1F600}\",\"outcome\":\"success\",\"details\":{\"\u{7f}k\":\"\u{7f} / \u{e9}\",\"a\":\"\\u007f\"}}";
        for line in lines.into_iter().chain([raw]) {
            assert_eq!(
                String::from_utf8(via_batch(line)).expect("utf8"),
                String::from_utf8(via_value(line)).expect("utf8"),
                "{line}"
            );
        }
    }

    #[test]
    fn bad_lines_name_the_line_and_leave_the_batch_unchanged() {
        let mut batch = Batch::new();
        batch
            .push_line(
                r#"{"actor":"a","action":"x","resource":"r","outcome":"success"}"#,
                1,
            )
            .expect("valid");
        let before = batch.bytes.len();
        for (line, text) in [
            (
                2,
                r#"{"actor":"","action":"x","resource":"r","outcome":"success"}"#,
            ),
            (
                3,
                r#"{"actor":"a","action":"x","resource":"r","outcome":"ok"}"#,
            ),
            (
                4,
                r#"{"actor":"a","action":"x","resource":"r","outcome":"success","details":[1]}"#,
            ),
            (
                5,
                r#"{"actor":"a","action":"x","resource":"r","outcome":"success","time":"yesterday"}"#,
            ),
            (
                6,
                r#"{"actor":"a","action":"x","resource":"r","outcome":"success","extra":1}"#,
            ),
            (
                7,
                r#"{"actor":"a","action":"x","resource":"r","outcome":"success""#,
            ),
        ] {
            let err = batch.push_line(text, line).expect_err(text);
            assert!(err.to_string().contains(&format!("line {line}")), "{err}");
        }
        assert_eq!((batch.len(), batch.bytes.len()), (1, before));
        assert_eq!(batch.first_reserved(), None);
        batch
            .push_line(
                r#"{"actor":"a","action":"audit.key.add","resource":"r","outcome":"success"}"#,
                8,
            )
            .expect("parses; the writer refuses it");
        assert_eq!(batch.first_reserved(), Some(1));
    }
}
