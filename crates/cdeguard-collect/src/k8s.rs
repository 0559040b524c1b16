//! Kubernetes manifests: multi-document YAML, JSON, `List` kinds and `kubectl get -o json`
//! dumps become [`K8sObject`]s. Objects of unknown kinds are kept.

use std::collections::BTreeMap;

use cdeguard_model::{InputError, K8sObject, Location, Node};

/// True when a document looks like a Kubernetes object or list.
#[must_use]
pub fn is_k8s_document(root: &Node) -> bool {
    root.get("apiVersion").and_then(Node::as_str).is_some()
        && root.get("kind").and_then(Node::as_str).is_some()
}

/// Adds the objects of one document (expanding lists) to `out`.
pub fn read_document(
    root: Node,
    loc: Location,
    path: &str,
    out: &mut Vec<K8sObject>,
    errors: &mut Vec<InputError>,
) {
    if root.is_null() {
        return; // empty document, e.g. a trailing `---`
    }
    let kind = root
        .get("kind")
        .and_then(Node::as_str)
        .unwrap_or_default()
        .to_owned();
    let api_version = root
        .get("apiVersion")
        .and_then(Node::as_str)
        .unwrap_or_default()
        .to_owned();
    if kind == "List" || (kind.ends_with("List") && root.get("items").is_some()) {
        let Node { value, .. } = root;
        if let cdeguard_model::Value::Map(entries) = value {
            for (key, items) in entries {
                if key == "items" {
                    let cdeguard_model::Value::Seq(items) = items.value else {
                        continue;
                    };
                    for item in items {
                        let line = item.line;
                        let item = with_implied_type(item, &kind, &api_version);
                        read_document(item, loc.at_line(line), path, out, errors);
                    }
                }
            }
        }
        return;
    }
    if !is_k8s_document(&root) {
        errors.push(InputError {
            path: path.to_owned(),
            line: Some(root.line),
            message: "document has no `apiVersion` and `kind`; skipped".into(),
        });
        return;
    }
    out.push(object_from(root, loc));
}

/// Items of a typed list (`PodList`, `NamespaceList`) may omit `kind` and `apiVersion`:
/// they are implied by the list.
fn with_implied_type(mut item: Node, list_kind: &str, api_version: &str) -> Node {
    let Some(item_kind) = list_kind.strip_suffix("List").filter(|k| !k.is_empty()) else {
        return item;
    };
    if let cdeguard_model::Value::Map(entries) = &mut item.value {
        let line = item.line;
        if !entries.iter().any(|(k, _)| k == "kind") {
            entries.push((
                "kind".into(),
                Node::new(cdeguard_model::Value::Str(item_kind.to_owned()), line),
            ));
        }
        if !entries.iter().any(|(k, _)| k == "apiVersion") && !api_version.is_empty() {
            entries.push((
                "apiVersion".into(),
                Node::new(cdeguard_model::Value::Str(api_version.to_owned()), line),
            ));
        }
    }
    item
}

fn string_map(node: Option<&Node>) -> BTreeMap<String, String> {
    node.map(|n| {
        n.entries()
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.scalar_text()?)))
            .collect()
    })
    .unwrap_or_default()
}

fn object_from(body: Node, loc: Location) -> K8sObject {
    let text = |keys: &[&str]| body.path(keys).and_then(Node::as_str).map(str::to_owned);
    let metadata = body.get("metadata");
    K8sObject {
        api_version: text(&["apiVersion"]).unwrap_or_default(),
        kind: text(&["kind"]).unwrap_or_default(),
        name: text(&["metadata", "name"])
            .or_else(|| text(&["metadata", "generateName"]))
            .unwrap_or_default(),
        namespace: text(&["metadata", "namespace"]),
        labels: string_map(metadata.and_then(|m| m.get("labels"))),
        annotations: string_map(metadata.and_then(|m| m.get("annotations"))),
        loc: loc.at_line(body.line),
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Limits, parse_stream};
    use cdeguard_model::SourceId;

    fn read(text: &str) -> (Vec<K8sObject>, Vec<InputError>) {
        let (docs, err) = parse_stream(text, Limits::default());
        assert!(err.is_none());
        let (mut out, mut errors) = (Vec::new(), Vec::new());
        for doc in docs {
            let loc = Location {
                source: SourceId(0),
                line: doc.line,
            };
            read_document(doc.root, loc, "t.yaml", &mut out, &mut errors);
        }
        (out, errors)
    }

    #[test]
    fn list_kinds_are_expanded_with_item_lines() {
        let (objs, errors) = read(
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a, namespace: x}\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: b}\n",
        );
        assert!(errors.is_empty());
        let got: Vec<_> = objs
            .iter()
            .map(|o| (o.kind.as_str(), o.name.as_str(), o.loc.line))
            .collect();
        assert_eq!(got, vec![("Pod", "a", 4), ("Deployment", "b", 7)]);
        assert_eq!(objs[0].namespace.as_deref(), Some("x"));
    }

    #[test]
    fn typed_list_items_inherit_kind_and_api_version() {
        let (objs, errors) = read(
            "{\"kind\": \"NamespaceList\", \"apiVersion\": \"v1\", \"items\": [{\"metadata\": {\"name\": \"bank\"}}]}",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            (
                objs[0].kind.as_str(),
                objs[0].api_version.as_str(),
                objs[0].name.as_str()
            ),
            ("Namespace", "v1", "bank")
        );
    }

    #[test]
    fn unknown_kinds_are_kept_and_non_objects_reported() {
        let (objs, errors) = read(
            "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n---\nfoo: bar\n---\n",
        );
        assert_eq!(objs.len(), 1);
        assert_eq!(objs[0].kind, "Widget");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, Some(5));
    }

    #[test]
    fn labels_and_annotations_are_read_as_strings() {
        let (objs, _) = read(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {app: web, tier: 1}\n  annotations: {a: 'true'}\n",
        );
        assert_eq!(objs[0].labels.get("tier").map(String::as_str), Some("1"));
        assert_eq!(
            objs[0].annotations.get("a").map(String::as_str),
            Some("true")
        );
    }
}
