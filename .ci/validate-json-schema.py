"""Validates a JSON document against a JSON schema; sibling schema files resolve `$ref`s
by file name or `$id`. Usage: validate-json-schema.py SCHEMA DOCUMENT. Exit 0 = valid;
otherwise prints each error (path: message) and exits 1."""
import json
import pathlib
import sys

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

schema_path, doc_path = map(pathlib.Path, sys.argv[1:3])
resources = []
for sibling in schema_path.parent.glob("*.json"):
    contents = json.loads(sibling.read_text())
    resource = Resource.from_contents(contents, default_specification=DRAFT7)
    resources.append((sibling.name, resource))
    if isinstance(contents, dict) and "$id" in contents:
        resources.append((contents["$id"], resource))
registry = Registry().with_resources(resources)
schema = json.loads(schema_path.read_text())
validator_class = jsonschema.validators.validator_for(schema)
validator = validator_class(schema, registry=registry, format_checker=validator_class.FORMAT_CHECKER)
errors = sorted(validator.iter_errors(json.loads(doc_path.read_text())), key=lambda e: list(e.absolute_path))
for error in errors:
    print(f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}")
sys.exit(1 if errors else 0)
