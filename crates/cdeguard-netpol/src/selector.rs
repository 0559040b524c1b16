//! Kubernetes label selectors (`matchLabels` and `matchExpressions`).
//!
//! What: a [`Selector`] is the AND of its `matchLabels` pairs and its expressions
//! (`In`, `NotIn`, `Exists`, `DoesNotExist`), exactly as `metav1.LabelSelectorAsSelector`
//! evaluates them. An empty selector (`{}`, or `matchLabels:` left null) selects everything.
//!
//! Why: every NetworkPolicy decision (PCI DSS 1.2.1, 1.3.1) starts with which pods a
//! selector picks; `NotIn` also matches pods without the key, a common surprise.
//!
//! Example: `{matchLabels: {app: db}, matchExpressions: [{key: tier, operator: NotIn,
//! values: [test]}]}` selects `app=db` pods whose `tier` is absent or not `test`.
//!
//! Fix for a rejected selector: use one of the four operators; `In`/`NotIn` need values,
//! `Exists`/`DoesNotExist` must have none.

use std::collections::BTreeMap;
use std::fmt;

use cdeguard_model::Node;

/// Labels of a pod or namespace.
pub type Labels = BTreeMap<String, String>;

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Expression {
    pub key: String,
    pub operator: Operator,
    pub values: Vec<String>,
}

/// A label selector.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Selector {
    pub match_labels: Labels,
    pub expressions: Vec<Expression>,
}

/// A selector that the API server would reject, with the line of the offending node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectorError {
    pub line: u32,
    pub message: String,
}

impl Selector {
    /// Selects everything.
    #[must_use]
    pub fn everything() -> Self {
        Selector::default()
    }

    /// Selects labels equal to `labels` on each key given.
    #[must_use]
    pub fn from_labels(labels: Labels) -> Self {
        Selector {
            match_labels: labels,
            expressions: Vec::new(),
        }
    }

    #[must_use]
    pub fn is_everything(&self) -> bool {
        self.match_labels.is_empty() && self.expressions.is_empty()
    }

    #[must_use]
    pub fn matches(&self, labels: &Labels) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
            && self.expressions.iter().all(|e| {
                let value = labels.get(&e.key);
                match e.operator {
                    Operator::In => value.is_some_and(|v| e.values.contains(v)),
                    Operator::NotIn => value.is_none_or(|v| !e.values.contains(v)),
                    Operator::Exists => value.is_some(),
                    Operator::DoesNotExist => value.is_none(),
                }
            })
    }

    /// Reads a `LabelSelector` node; null reads as "everything" (the caller decides what
    /// an absent selector means).
    pub fn parse(node: &Node) -> Result<Selector, SelectorError> {
        let err = |line: u32, message: String| SelectorError { line, message };
        if node.is_null() {
            return Ok(Selector::everything());
        }
        if !node.is_map() {
            return Err(err(node.line, "a label selector must be a mapping".into()));
        }
        let mut selector = Selector::default();
        for (key, value) in node.entries() {
            match key.as_str() {
                "matchLabels" => {
                    if !value.is_null() && !value.is_map() {
                        return Err(err(value.line, "`matchLabels` must be a mapping".into()));
                    }
                    for (k, v) in value.entries() {
                        let text = v.scalar_text().ok_or_else(|| {
                            err(v.line, format!("label `{k}` must have a string value"))
                        })?;
                        selector.match_labels.insert(k.clone(), text);
                    }
                }
                "matchExpressions" => {
                    for item in value.items() {
                        selector.expressions.push(parse_expression(item)?);
                    }
                }
                other => {
                    return Err(err(
                        value.line,
                        format!("unknown label selector field `{other}`"),
                    ));
                }
            }
        }
        Ok(selector)
    }
}

fn parse_expression(item: &Node) -> Result<Expression, SelectorError> {
    let err = |line: u32, message: String| SelectorError { line, message };
    let key = item
        .get("key")
        .and_then(Node::as_str)
        .filter(|k| !k.is_empty())
        .ok_or_else(|| err(item.line, "a match expression needs a `key`".into()))?;
    let op_node = item.get("operator").unwrap_or(Node::null());
    let operator = match op_node.as_str() {
        Some("In") => Operator::In,
        Some("NotIn") => Operator::NotIn,
        Some("Exists") => Operator::Exists,
        Some("DoesNotExist") => Operator::DoesNotExist,
        other => {
            return Err(err(
                op_node.line.max(item.line),
                format!(
                    "operator `{}` of key `{key}` is not In, NotIn, Exists or DoesNotExist",
                    other.unwrap_or("")
                ),
            ));
        }
    };
    let values_node = item.get("values").unwrap_or(Node::null());
    let mut values = Vec::new();
    for v in values_node.items() {
        values.push(
            v.scalar_text()
                .ok_or_else(|| err(v.line, format!("values of `{key}` must be strings")))?,
        );
    }
    let needs_values = matches!(operator, Operator::In | Operator::NotIn);
    if needs_values && values.is_empty() {
        return Err(err(
            item.line,
            format!("operator {operator:?} of key `{key}` needs at least one value"),
        ));
    }
    if !needs_values && !values.is_empty() {
        return Err(err(
            item.line,
            format!("operator {operator:?} of key `{key}` must have no values"),
        ));
    }
    Ok(Expression {
        key: key.to_owned(),
        operator,
        values,
    })
}

impl fmt::Display for Selector {
    /// `app=web,tier notin (test),!legacy`, the kubectl notation; `{}` for everything.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_everything() {
            return f.write_str("{}");
        }
        let mut parts: Vec<String> = self
            .match_labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        for e in &self.expressions {
            parts.push(match e.operator {
                Operator::In => format!("{} in ({})", e.key, e.values.join(",")),
                Operator::NotIn => format!("{} notin ({})", e.key, e.values.join(",")),
                Operator::Exists => e.key.clone(),
                Operator::DoesNotExist => format!("!{}", e.key),
            });
        }
        f.write_str(&parts.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cdeguard_model::node::Value;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn expr(key: &str, operator: Operator, values: &[&str]) -> Selector {
        Selector {
            match_labels: Labels::new(),
            expressions: vec![Expression {
                key: key.into(),
                operator,
                values: values.iter().map(|v| (*v).to_owned()).collect(),
            }],
        }
    }

    #[test]
    fn operators_follow_kubernetes() {
        let with = labels(&[("tier", "web")]);
        let other = labels(&[("tier", "db")]);
        let without = labels(&[]);
        let r#in = expr("tier", Operator::In, &["web"]);
        assert!(r#in.matches(&with) && !r#in.matches(&other) && !r#in.matches(&without));
        let not_in = expr("tier", Operator::NotIn, &["web"]);
        assert!(!not_in.matches(&with) && not_in.matches(&other) && not_in.matches(&without));
        let exists = expr("tier", Operator::Exists, &[]);
        assert!(exists.matches(&with) && exists.matches(&other) && !exists.matches(&without));
        let absent = expr("tier", Operator::DoesNotExist, &[]);
        assert!(!absent.matches(&with) && absent.matches(&without));
    }

    #[test]
    fn labels_and_expressions_are_anded() {
        let mut s = expr("tier", Operator::Exists, &[]);
        s.match_labels.insert("app".into(), "shop".into());
        assert!(s.matches(&labels(&[("app", "shop"), ("tier", "x")])));
        assert!(!s.matches(&labels(&[("app", "shop")])));
        assert!(!s.matches(&labels(&[("tier", "x")])));
        assert!(Selector::everything().matches(&labels(&[])));
    }

    #[test]
    fn bad_operators_and_values_are_rejected_with_a_line() {
        let item = |op: &str, values: Vec<Node>| {
            Node::new(
                Value::Map(vec![(
                    "matchExpressions".into(),
                    Node::new(
                        Value::Seq(vec![Node::new(
                            Value::Map(vec![
                                ("key".into(), Node::new(Value::Str("a".into()), 3)),
                                ("operator".into(), Node::new(Value::Str(op.into()), 4)),
                                ("values".into(), Node::new(Value::Seq(values), 5)),
                            ]),
                            3,
                        )]),
                        2,
                    ),
                )]),
                1,
            )
        };
        let e = Selector::parse(&item("Equals", vec![])).unwrap_err();
        assert_eq!(e.line, 4);
        assert!(Selector::parse(&item("In", vec![])).is_err());
        let one = vec![Node::new(Value::Str("x".into()), 5)];
        assert!(Selector::parse(&item("Exists", one.clone())).is_err());
        assert!(Selector::parse(&item("NotIn", one)).is_ok());
    }
}
