#!/usr/bin/env python3
"""Per-check comparison of cdeguard with Checkov and `trivy config` on the same manifests.

For each check the three tools share, prints how many resources each flags and every
resource a peer flags that cdeguard does not (a resource is (file, kind, name)).
"""
import argparse
import json
import os
import re
from collections import defaultdict

# check -> (trivy ids, checkov ids, cdeguard rule ids)
CHECKS = {
    "privileged": (["KSV-0017"], ["CKV_K8S_16"], ["CDG-PSS-003"]),
    "root user": (["KSV-0012"], ["CKV_K8S_23"], ["CDG-PSS-015", "CDG-PSS-016"]),
    "host namespaces": (["KSV-0008", "KSV-0009", "KSV-0010"], ["CKV_K8S_17", "CKV_K8S_18", "CKV_K8S_19"], ["CDG-PSS-002"]),
    "hostPath": (["KSV-0023"], [], ["CDG-PSS-005"]),
    "capabilities": (["KSV-0003", "KSV-0022", "KSV-0005"], ["CKV_K8S_25", "CKV_K8S_28", "CKV_K8S_37", "CKV_K8S_39"], ["CDG-PSS-004", "CDG-PSS-018"]),
    "privilege escalation": (["KSV-0001"], ["CKV_K8S_20"], ["CDG-PSS-014"]),
    "read-only root fs": (["KSV-0014"], ["CKV_K8S_22"], ["CDG-K8S-019"]),
    "limits": (["KSV-0011", "KSV-0018"], ["CKV_K8S_11", "CKV_K8S_13"], ["CDG-K8S-020"]),
    "latest tag": (["KSV-0013"], ["CKV_K8S_14"], ["CDG-PCI-001"]),
    "secrets in env": ([], ["CKV_K8S_35"], ["CDG-K8S-017"]),
    "token automount": (["KSV-0036"], ["CKV_K8S_38"], ["CDG-K8S-007"]),
}

KIND_NAME = re.compile(r"\b([A-Z][A-Za-z]+) '([^']+)'")


def norm(path, root):
    path = os.path.normpath(path.lstrip("/") if not os.path.isabs(path) or not path.startswith(root) else os.path.relpath(path, root))
    for prefix in (os.path.basename(root.rstrip("/")) + "/",):
        if path.startswith(prefix):
            path = path[len(prefix):]
    return path


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def trivy(path, root):
    hits = defaultdict(set)
    for res in (load(path) or {}).get("Results") or []:
        for m in res.get("Misconfigurations") or []:
            if m.get("Status") != "FAIL":
                continue
            found = KIND_NAME.findall(m.get("Message", ""))
            kind, name = found[-1] if found else ("?", "?")
            hits[m["ID"]].add((norm(res["Target"], root), kind, name))
    return hits


def checkov(path, root):
    hits = defaultdict(set)
    data = load(path) or []
    for block in data if isinstance(data, list) else [data]:
        for c in block.get("results", {}).get("failed_checks", []):
            parts = c["resource"].split(".", 2)
            kind, name = parts[0], parts[-1]
            hits[c["check_id"]].add((norm(c["file_path"], root), kind, name))
    return hits


def cdeguard(path, root):
    hits = defaultdict(set)
    for f in json.load(open(path))["findings"]:
        r = f["resource"]
        hits[f["rule_id"]].add((norm(r["file"], root), r["kind"], r["name"]))
    return hits


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cdeguard", required=True)
    ap.add_argument("--checkov", required=True)
    ap.add_argument("--trivy", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--show", type=int, default=5)
    a = ap.parse_args()
    t, c, g = trivy(a.trivy, a.root), checkov(a.checkov, a.root), cdeguard(a.cdeguard, a.root)
    union = lambda hits, ids: set().union(*(hits.get(i, set()) for i in ids)) if ids else set()
    print(f"{'check':<22}{'trivy':>7}{'checkov':>9}{'cdeguard':>10}{'trivy-only':>12}{'checkov-only':>14}")
    details = []
    for name, (tids, cids, gids) in CHECKS.items():
        ts, cs, gs = union(t, tids), union(c, cids), union(g, gids)
        t_only, c_only = (ts - gs) if tids else set(), (cs - gs) if cids else set()
        print(f"{name:<22}{len(ts) if tids else '-':>7}{len(cs) if cids else '-':>9}{len(gs):>10}{len(t_only) if tids else '-':>12}{len(c_only) if cids else '-':>14}")
        for who, only in (("trivy", t_only), ("checkov", c_only)):
            for r in sorted(only)[: a.show]:
                details.append(f"  {name}: flagged by {who} only: {r[0]} {r[1]}/{r[2]}")
            if len(only) > a.show:
                details.append(f"  {name}: … {len(only) - a.show} more flagged by {who} only")
    if details:
        print("\ndisagreements (peer flags, cdeguard does not):")
        print("\n".join(details))


if __name__ == "__main__":
    main()
