"""Derives authorizationpolicy-security-v1.json from Istio's CRD bundle
(manifests/charts/base/files/crd-all.gen.yaml): the `v1` openAPIV3Schema of
authorizationpolicies.security.istio.io, made strict the way `kubectl --validate=strict`
reads a structural schema (an object with `properties` and no
`x-kubernetes-preserve-unknown-fields` or `additionalProperties` rejects unknown fields),
plus the `apiVersion`, `kind` and `metadata` fields the API server adds to every CRD.
Usage: derive.py crd-all.gen.yaml > authorizationpolicy-security-v1.json"""
import json
import sys

import yaml


def strict(node):
    if isinstance(node, dict):
        if (
            "properties" in node
            and "additionalProperties" not in node
            and not node.get("x-kubernetes-preserve-unknown-fields")
        ):
            node["additionalProperties"] = False
        for value in node.values():
            strict(value)
    elif isinstance(node, list):
        for value in node:
            strict(value)


for crd in yaml.safe_load_all(open(sys.argv[1])):
    if crd and crd["metadata"]["name"] == "authorizationpolicies.security.istio.io":
        version = next(v for v in crd["spec"]["versions"] if v["name"] == "v1")
        schema = version["schema"]["openAPIV3Schema"]
        strict(schema)
        schema["properties"]["apiVersion"] = {"const": "security.istio.io/v1"}
        schema["properties"]["kind"] = {"const": "AuthorizationPolicy"}
        schema["properties"]["metadata"] = {
            "type": "object",
            "properties": {"name": {"type": "string"}, "namespace": {"type": "string"}},
            "required": ["name"],
        }
        schema["required"] = sorted(set(schema.get("required", [])) | {"apiVersion", "kind", "metadata"})
        schema["$schema"] = "http://json-schema.org/draft-07/schema#"
        json.dump(schema, sys.stdout, indent=1, sort_keys=True)
        print()
