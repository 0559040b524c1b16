//! YAML (and JSON, a subset of YAML 1.2) to [`Node`] trees with line numbers.
//!
//! Built on the event API of `saphyr-parser` so that every node keeps its line and so that
//! hostile input is bounded: nesting depth and the number of nodes (aliases included,
//! which defeats "billion laughs") are capped.

use std::collections::HashMap;

use cdeguard_model::{Node, Value};
use saphyr_parser::{Event, Parser, ScalarStyle, Span};

/// Limits that keep a hostile document from exhausting memory or stack.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Maximum nesting of sequences and mappings.
    pub max_depth: usize,
    /// Maximum number of nodes per input, counting alias expansions.
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 256,
            max_nodes: 5_000_000,
        }
    }
}

/// A document that failed to parse: message and 1-based line.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    pub message: String,
    pub line: u32,
}

/// One parsed document and the line its content starts on.
#[derive(Clone, Debug)]
pub struct Document {
    pub root: Node,
    pub line: u32,
}

/// Parses every document of a YAML stream.
///
/// Documents parsed before an error are returned together with the error, so a broken
/// document late in a file does not lose the ones before it.
#[must_use]
pub fn parse_stream(text: &str, limits: Limits) -> (Vec<Document>, Option<YamlError>) {
    let mut builder = Builder {
        limits,
        ..Builder::default()
    };
    let mut parser = Parser::new_from_str(text);
    let mut docs = Vec::new();
    while let Some(next) = parser.next_event() {
        let (event, span) = match next {
            Ok(ok) => ok,
            Err(e) => {
                let line = u32::try_from(e.marker().line()).unwrap_or(u32::MAX);
                return (
                    docs,
                    Some(YamlError {
                        message: e.info().to_owned(),
                        line,
                    }),
                );
            }
        };
        match builder.push(event, span) {
            Ok(Some(doc)) => docs.push(doc),
            Ok(None) => {}
            Err(e) => return (docs, Some(e)),
        }
        if builder.done {
            break;
        }
    }
    (docs, None)
}

enum Frame {
    Seq {
        items: Vec<Node>,
        line: u32,
        anchor: usize,
    },
    Map {
        entries: Vec<(String, Node)>,
        pending_key: Option<Node>,
        line: u32,
        anchor: usize,
    },
}

#[derive(Default)]
struct Builder {
    limits: Limits,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    nodes: usize,
    doc_line: u32,
    done: bool,
}

fn line_of(span: Span) -> u32 {
    u32::try_from(span.start.line()).unwrap_or(u32::MAX)
}

impl Builder {
    fn push(&mut self, event: Event<'_>, span: Span) -> Result<Option<Document>, YamlError> {
        let line = line_of(span);
        match event {
            Event::StreamEnd => self.done = true,
            Event::DocumentStart(_) => {
                self.anchors.clear();
                self.doc_line = line;
            }
            Event::Scalar(text, style, anchor, tag) => {
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                let node = Node::new(resolve_scalar(&text, style, tag.as_deref()), line);
                return self.complete(node, anchor, line);
            }
            Event::Alias(id) => {
                let node = self.anchors.get(&id).cloned().ok_or_else(|| YamlError {
                    message: "alias refers to an unknown anchor".into(),
                    line,
                })?;
                self.count(count_nodes(&node), line)?;
                return self.complete(node, 0, line);
            }
            Event::SequenceStart(anchor, _) => {
                self.open(line)?;
                self.stack.push(Frame::Seq {
                    items: Vec::new(),
                    line,
                    anchor,
                });
            }
            Event::MappingStart(anchor, _) => {
                self.open(line)?;
                self.stack.push(Frame::Map {
                    entries: Vec::new(),
                    pending_key: None,
                    line,
                    anchor,
                });
            }
            Event::SequenceEnd => {
                if let Some(Frame::Seq {
                    items,
                    line,
                    anchor,
                }) = self.stack.pop()
                {
                    return self.complete(Node::new(Value::Seq(items), line), anchor, line);
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map {
                    entries,
                    line,
                    anchor,
                    ..
                }) = self.stack.pop()
                {
                    return self.complete(Node::new(Value::Map(entries), line), anchor, line);
                }
            }
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
        }
        Ok(None)
    }

    fn open(&mut self, line: u32) -> Result<(), YamlError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(YamlError {
                message: format!("nesting deeper than {} levels", self.limits.max_depth),
                line,
            });
        }
        self.count(1, line)
    }

    fn count(&mut self, n: usize, line: u32) -> Result<(), YamlError> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > self.limits.max_nodes {
            return Err(YamlError {
                message: format!(
                    "more than {} nodes (alias expansion bomb?); input rejected",
                    self.limits.max_nodes
                ),
                line,
            });
        }
        Ok(())
    }

    /// Attaches a finished node to its parent, or returns it as a document.
    fn complete(
        &mut self,
        node: Node,
        anchor: usize,
        line: u32,
    ) -> Result<Option<Document>, YamlError> {
        self.count(1, line)?;
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => Ok(Some(Document {
                root: node,
                line: self.doc_line.max(1),
            })),
            Some(Frame::Seq { items, .. }) => {
                items.push(node);
                Ok(None)
            }
            Some(Frame::Map {
                entries,
                pending_key,
                ..
            }) => {
                match pending_key.take() {
                    None => *pending_key = Some(node),
                    Some(key) => {
                        // A value's line is its key's line: `containers:` rather than
                        // the first line of the block below it.
                        let mut node = node;
                        node.line = key.line;
                        let key_text = key.scalar_text().unwrap_or_default();
                        if key_text == "<<" {
                            merge_keys(entries, &node);
                        } else if let Some(slot) = entries.iter_mut().find(|(k, _)| *k == key_text)
                        {
                            // Duplicate key: the last one wins, as in Kubernetes' decoder.
                            slot.1 = node;
                        } else {
                            entries.push((key_text, node));
                        }
                    }
                }
                Ok(None)
            }
        }
    }
}

/// YAML merge keys (`<<: *base`): keys of the merged mapping(s) not already present.
fn merge_keys(entries: &mut Vec<(String, Node)>, merged: &Node) {
    let sources: Vec<&Node> = match &merged.value {
        Value::Seq(items) => items.iter().collect(),
        _ => vec![merged],
    };
    for source in sources {
        for (k, v) in source.entries() {
            if !entries.iter().any(|(existing, _)| existing == k) {
                entries.push((k.clone(), v.clone()));
            }
        }
    }
}

fn count_nodes(node: &Node) -> usize {
    1 + match &node.value {
        Value::Seq(items) => items.iter().map(count_nodes).sum(),
        Value::Map(entries) => entries.iter().map(|(_, v)| count_nodes(v)).sum(),
        _ => 0,
    }
}

/// Resolves a scalar per the YAML 1.2 core schema (what Kubernetes' decoder accepts for
/// typed fields); quoted scalars and `!!str` are always strings.
fn resolve_scalar(text: &str, style: ScalarStyle, tag: Option<&str>) -> Value {
    match tag {
        Some("tag:yaml.org,2002:str" | "!!str") => return Value::Str(text.to_owned()),
        Some("tag:yaml.org,2002:int" | "!!int") => {
            if let Some(i) = parse_int(text) {
                return Value::Int(i);
            }
        }
        _ => {}
    }
    if style != ScalarStyle::Plain {
        return Value::Str(text.to_owned());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Some(i) = parse_int(text) {
        return Value::Int(i);
    }
    if let Some(f) = parse_float(text) {
        return Value::Float(f);
    }
    Value::Str(text.to_owned())
}

fn parse_int(text: &str) -> Option<i64> {
    let (neg, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let magnitude = if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()?
    } else if let Some(oct) = digits.strip_prefix("0o") {
        i64::from_str_radix(oct, 8).ok()?
    } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse().ok()?
    } else {
        return None;
    };
    Some(if neg { -magnitude } else { magnitude })
}

fn parse_float(text: &str) -> Option<f64> {
    match text {
        ".inf" | ".Inf" | ".INF" | "+.inf" => return Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    // Core schema float: [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
    let looks_numeric = text.bytes().any(|b| b.is_ascii_digit())
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
    if looks_numeric {
        text.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<Document> {
        let (docs, err) = parse_stream(text, Limits::default());
        assert_eq!(err, None);
        docs
    }

    #[test]
    fn multi_document_stream_keeps_lines() {
        let docs = parse("a: 1\n---\nkind: Pod\nspec:\n  hostPID: true\n");
        assert_eq!(docs.len(), 2);
        let host_pid = docs[1].root.path(&["spec", "hostPID"]).unwrap();
        assert_eq!((host_pid.as_bool(), host_pid.line), (Some(true), 5));
    }

    #[test]
    fn scalars_follow_the_core_schema() {
        let docs = parse("a: 0x1F\nb: '1'\nc: yes\nd: ~\ne: 1.5\nf: -7\ng: 1e3\n");
        let r = &docs[0].root;
        assert_eq!(r.get("a").unwrap().as_i64(), Some(31));
        assert_eq!(r.get("b").unwrap().as_str(), Some("1"));
        assert_eq!(r.get("c").unwrap().as_str(), Some("yes"));
        assert!(r.get("d").unwrap().is_null());
        assert_eq!(r.get("e").unwrap().as_f64(), Some(1.5));
        assert_eq!(r.get("f").unwrap().as_i64(), Some(-7));
        assert_eq!(r.get("g").unwrap().as_f64(), Some(1000.0));
    }

    #[test]
    fn json_is_parsed_as_yaml() {
        let docs = parse("{\"kind\": \"List\",\n \"items\": [{\"kind\": \"Pod\"}]}");
        assert_eq!(
            docs[0].root.get("items").unwrap().items()[0]
                .get("kind")
                .unwrap()
                .line,
            2
        );
    }

    #[test]
    fn anchors_aliases_and_merge_keys_resolve() {
        let docs = parse("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n");
        let used = docs[0].root.get("use").unwrap();
        assert_eq!(used.get("x").unwrap().as_i64(), Some(1));
        assert_eq!(used.get("y").unwrap().as_i64(), Some(3));
    }

    #[test]
    fn alias_bomb_is_rejected_not_expanded() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let (_, err) = parse_stream(&text, Limits::default());
        assert!(err.unwrap().message.contains("alias expansion"));
    }

    #[test]
    fn deep_nesting_is_rejected_with_line() {
        let limits = Limits {
            max_depth: 50,
            ..Limits::default()
        };
        let (_, err) = parse_stream(&"[".repeat(60), limits);
        assert_eq!(err.unwrap().message, "nesting deeper than 50 levels");
        // Far deeper input hits the parser's own recursion limit: still an error, no crash.
        let (_, err) = parse_stream(&"[".repeat(100_000), Limits::default());
        assert!(err.is_some());
    }

    #[test]
    fn syntax_error_reports_line_and_keeps_earlier_documents() {
        let (docs, err) = parse_stream("a: 1\n---\nb: [1, 2\nc: 3\n", Limits::default());
        assert_eq!(docs.len(), 1);
        assert!(err.unwrap().line >= 3);
    }
}
