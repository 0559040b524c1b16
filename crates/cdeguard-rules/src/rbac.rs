//! Reading RBAC objects: the policy rules of Roles and ClusterRoles, and the subjects of
//! bindings, the way the Kubernetes authorizer matches them (`*` matches anything; the core
//! API group is `""`).

use cdeguard_model::{Inventory, K8sObject, Node};

/// One entry of a Role's or ClusterRole's `rules`.
#[derive(Clone, Copy, Debug)]
pub struct PolicyRule<'a> {
    pub role: &'a K8sObject,
    pub node: &'a Node,
    /// Index in `rules`, for evidence.
    pub index: usize,
}

fn strings(node: Option<&Node>) -> Vec<&str> {
    node.map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::as_str)
        .collect()
}

impl PolicyRule<'_> {
    #[must_use]
    pub fn verbs(&self) -> Vec<&str> {
        strings(self.node.get("verbs"))
    }

    #[must_use]
    pub fn resources(&self) -> Vec<&str> {
        strings(self.node.get("resources"))
    }

    #[must_use]
    pub fn api_groups(&self) -> Vec<&str> {
        strings(self.node.get("apiGroups"))
    }

    /// Whether the rule grants any of `verbs` on `resource` (a plural resource, optionally
    /// `resource/subresource`) in one of `groups`.
    #[must_use]
    pub fn grants(&self, groups: &[&str], resource: &str, verbs: &[&str]) -> bool {
        let api_groups = self.api_groups();
        let group_ok = api_groups.iter().any(|g| *g == "*" || groups.contains(g));
        let resources = self.resources();
        let resource_ok = resources.iter().any(|r| {
            *r == "*"
                || *r == resource
                || (r.ends_with("/*") && resource.starts_with(&r[..r.len() - 1]))
        });
        let rule_verbs = self.verbs();
        let verb_ok = rule_verbs.iter().any(|v| *v == "*" || verbs.contains(v));
        group_ok && resource_ok && verb_ok
    }

    /// `rules[i]` field path.
    #[must_use]
    pub fn path(&self) -> String {
        format!("rules[{}]", self.index)
    }
}

/// Every policy rule of every Role and ClusterRole.
pub fn policy_rules(inventory: &Inventory) -> impl Iterator<Item = PolicyRule<'_>> {
    inventory
        .objects
        .iter()
        .filter(|o| o.kind == "Role" || o.kind == "ClusterRole")
        .flat_map(|role| {
            role.body
                .get("rules")
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .enumerate()
                .map(move |(index, node)| PolicyRule { role, node, index })
        })
}

/// RoleBindings and ClusterRoleBindings.
pub fn bindings(inventory: &Inventory) -> impl Iterator<Item = &K8sObject> {
    inventory
        .objects
        .iter()
        .filter(|o| o.kind == "RoleBinding" || o.kind == "ClusterRoleBinding")
}

/// A binding's subjects as (kind, name, line).
#[must_use]
pub fn subjects(binding: &K8sObject) -> Vec<(&str, &str, u32)> {
    binding
        .body
        .get("subjects")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .map(|s| {
            let text = |k: &str| s.get(k).and_then(Node::as_str).unwrap_or_default();
            (text("kind"), text("name"), s.line)
        })
        .collect()
}

/// The verbs that change objects.
pub const WRITE_VERBS: &[&str] = &["create", "update", "patch", "delete", "deletecollection"];

/// Reports every Role/ClusterRole rule that grants one of `verbs` on one of `resources`
/// (in one of `groups`), one finding per rule entry.
pub(crate) fn report_grants(
    inventory: &Inventory,
    out: &mut crate::Emitter<'_>,
    groups: &[&str],
    resources: &[&str],
    verbs: &[&str],
    what: &str,
) {
    for rule in policy_rules(inventory) {
        if let Some(resource) = resources.iter().find(|r| rule.grants(groups, r, verbs)) {
            let evidence = format!(
                "{}: apiGroups={:?} resources={:?} verbs={:?}",
                rule.path(),
                rule.api_groups(),
                rule.resources(),
                rule.verbs()
            );
            out.k8s(
                rule.role,
                rule.node.line,
                None,
                format!(
                    "{} `{}` {what} ({resource})",
                    rule.role.kind, rule.role.name
                ),
                evidence,
            );
        }
    }
}
