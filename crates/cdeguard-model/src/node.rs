//! A parsed YAML/JSON document that remembers the source line of every node.
//!
//! Readers turn manifests into `Node` trees so that every fact keeps its line; rules walk
//! the tree with [`Node::get`] and [`Node::path`] and report `node.line`.

use std::fmt::Write as _;

/// One value of a document together with the 1-based line it starts on.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub line: u32,
}

/// The value of a [`Node`]. Mappings keep their keys in document order.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

static NULL: Node = Node {
    value: Value::Null,
    line: 0,
};

impl Node {
    #[must_use]
    pub fn new(value: Value, line: u32) -> Self {
        Self { value, line }
    }

    /// A shared null node, handy as the "absent" value.
    #[must_use]
    pub fn null() -> &'static Node {
        &NULL
    }

    /// The value under `key` if this is a mapping that has it.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Follows a chain of mapping keys: `node.path(&["spec", "template", "spec"])`.
    #[must_use]
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    #[must_use]
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    #[must_use]
    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    #[must_use]
    pub fn as_i64(&self) -> Option<i64> {
        match self.value {
            Value::Int(i) => Some(i),
            _ => None,
        }
    }

    #[must_use]
    pub fn as_f64(&self) -> Option<f64> {
        match self.value {
            #[allow(clippy::cast_precision_loss)]
            Value::Int(i) => Some(i as f64),
            Value::Float(f) => Some(f),
            _ => None,
        }
    }

    /// The items of a sequence; empty for anything else.
    #[must_use]
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    /// The entries of a mapping; empty for anything else.
    #[must_use]
    pub fn entries(&self) -> &[(String, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    #[must_use]
    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    /// A scalar rendered as text (strings as is, numbers and booleans in YAML form).
    #[must_use]
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Null | Value::Seq(_) | Value::Map(_) => None,
        }
    }

    /// Converts to `serde_json::Value` (lines are dropped).
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// Builds a tree from JSON, giving every node the same `line`.
    #[must_use]
    pub fn from_json(json: &serde_json::Value, line: u32) -> Self {
        use serde_json::Value as J;
        let value = match json {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => n
                .as_i64()
                .map(Value::Int)
                .or_else(|| n.as_f64().map(Value::Float))
                .unwrap_or(Value::Null),
            J::String(s) => Value::Str(s.clone()),
            J::Array(items) => Value::Seq(items.iter().map(|i| Self::from_json(i, line)).collect()),
            J::Object(map) => Value::Map(
                map.iter()
                    .map(|(k, v)| (k.clone(), Self::from_json(v, line)))
                    .collect(),
            ),
        };
        Self { value, line }
    }
}

/// Builds the dotted field path used in evidence, e.g. `spec.containers[0].image`.
#[derive(Clone, Debug, Default)]
pub struct FieldPath(String);

impl FieldPath {
    #[must_use]
    pub fn new(root: &str) -> Self {
        Self(root.to_owned())
    }

    #[must_use]
    pub fn key(&self, key: &str) -> Self {
        let mut s = self.0.clone();
        if !s.is_empty() {
            s.push('.');
        }
        s.push_str(key);
        Self(s)
    }

    #[must_use]
    pub fn index(&self, index: usize) -> Self {
        let mut s = self.0.clone();
        let _ = write!(s, "[{index}]");
        Self(s)
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for FieldPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: Vec<(&str, Node)>) -> Node {
        Node::new(
            Value::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect(),
            ),
            1,
        )
    }

    #[test]
    fn path_follows_nested_keys_and_stops_at_non_maps() {
        let leaf = Node::new(Value::Bool(true), 7);
        let doc = map(vec![("spec", map(vec![("hostPID", leaf.clone())]))]);
        assert_eq!(doc.path(&["spec", "hostPID"]), Some(&leaf));
        assert_eq!(doc.path(&["spec", "hostPID", "x"]), None);
        assert_eq!(doc.path(&["status"]), None);
    }

    #[test]
    fn json_round_trip_keeps_values() {
        let json = serde_json::json!({"a": [1, 2.5, "x", null, true], "b": {"c": -3}});
        assert_eq!(Node::from_json(&json, 3).to_json(), json);
    }

    #[test]
    fn field_path_formats_like_kubectl_explain() {
        let p = FieldPath::new("spec")
            .key("containers")
            .index(0)
            .key("image");
        assert_eq!(p.as_str(), "spec.containers[0].image");
    }
}
