"""Independent oracle for cdeguard's OSV matching (tests/pypa_oracle.rs).

Reads OSV YAML records from a folder and (package, version) queries as JSON on stdin;
prints, per query, the ids of the records affecting it, computed with the OSV schema's
evaluation pseudocode (`IsVulnerable`) and Python `packaging` ordering. A record with an
event version `packaging` cannot parse is reported as "skipped" for its package.
"""
import json
import pathlib
import re
import sys

import yaml
from packaging.version import InvalidVersion, Version


def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def prepare(aff):
    """Parses an affected entry once: listed versions, and per range its limits and its
    events sorted by version ("introduced 0" first). Raises InvalidVersion."""
    listed = aff.get("versions") or []
    parsed_listed = []
    for text in listed:
        try:
            parsed_listed.append(Version(text))
        except InvalidVersion:
            pass
    ranges = []
    for rng in aff.get("ranges") or []:
        events = rng.get("events") or []
        if rng.get("type") == "GIT" or not any("introduced" in e for e in events):
            continue  # GIT: not applicable; no introduced: invalid OSV, skipped by cdeguard too
        limits = [None if "*" in e["limit"] else Version(e["limit"]) for e in events if "limit" in e]
        ordered = []
        for e in events:
            ((kind, ver),) = e.items()
            if kind == "limit":
                continue
            zero = kind == "introduced" and ver == "0"
            ordered.append(((0, Version("0")) if zero else (1, Version(ver)), kind, zero))
        ordered.sort(key=lambda x: x[0])
        ranges.append((limits, ordered))
    return set(listed), parsed_listed, ranges


def affected(v, text, prepared):
    listed, parsed_listed, ranges = prepared
    if text in listed or any(v == p for p in parsed_listed):
        return True
    for limits, ordered in ranges:
        if limits and not any(l is None or v < l for l in limits):
            continue
        vulnerable = False
        for (_, ver), kind, zero in ordered:
            if kind == "introduced" and (zero or v >= ver):
                vulnerable = True
            elif kind == "fixed" and v >= ver:
                vulnerable = False
            elif kind == "last_affected" and v > ver:
                vulnerable = False
        if vulnerable:
            return True
    return False


def main():
    records = {}
    for path in pathlib.Path(sys.argv[1]).rglob("*.yaml"):
        record = yaml.safe_load(path.read_text())
        if not isinstance(record, dict) or "id" not in record or record.get("withdrawn"):
            continue
        for aff in record.get("affected") or []:
            pkg = aff.get("package") or {}
            if pkg.get("ecosystem") != "PyPI":
                continue
            try:
                prepared = prepare(aff)
            except InvalidVersion:
                prepared = None
            records.setdefault(norm(pkg["name"]), []).append((record["id"], prepared))
    answers = []
    for name, text in json.load(sys.stdin):
        try:
            v = Version(text)
        except InvalidVersion:
            answers.append(None)
            continue
        ids, skipped = set(), set()
        for rid, prepared in records.get(norm(name), []):
            if prepared is None:
                skipped.add(rid)
            elif affected(v, text, prepared):
                ids.add(rid)
        answers.append({"affected": sorted(ids), "skipped": sorted(skipped)})
    json.dump(answers, sys.stdout)


main()
