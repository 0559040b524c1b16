#!/usr/bin/env python3
"""Precision and recall of secret scanners on labelled data, one table.

Labels (ground truth, one (file, line) per secret): bench/secrets-labels.tsv, covering
detect-secrets' test_data, gitleaks' testdata/repos/nogit and the secrets make-inputs.sh
plants in the peers' secrets-tree plus the one real credential found there (every other
finding there is a false positive).
A tool's finding counts once per (file, line); a finding on a labelled line is a true
positive, any other a false positive.
"""
import argparse
import json
import os


def norm(path, root):
    path = os.path.normpath(path)
    root = os.path.normpath(root)
    if os.path.isabs(path) and path.startswith(root + os.sep):
        path = os.path.relpath(path, root)
    return path[2:] if path.startswith("./") else path


def load(kind, path, root):
    hits = set()
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return hits
    with open(path) as f:
        data = json.load(f)
    if kind == "cdeguard":
        for x in data.get("findings", []):
            if (x["rule_id"].startswith("CDG-SECRET") or x["rule_id"].startswith("CDG-PAN")) and not x.get("suppressed"):
                hits.add((norm(x["resource"]["file"], root), x["resource"].get("line") or 0))
    elif kind == "trivy":
        for r in data.get("Results") or []:
            for s in r.get("Secrets") or []:
                hits.add((norm(r["Target"], root), s["StartLine"]))
    elif kind == "gitleaks":
        for x in data or []:
            hits.add((norm(x["File"], root), x["StartLine"]))
    elif kind == "detect-secrets":
        for fname, items in data.get("results", {}).items():
            for x in items:
                hits.add((norm(fname, root), x["line_number"]))
    return hits


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--labelled", required=True)
    ap.add_argument("--labels", required=True)
    ap.add_argument("--secrets-tree", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    labels, planted = set(), set()
    with open(a.labels) as f:
        for row in f:
            if row.startswith("#") or not row.strip():
                continue
            kind, fname, line, _ = row.rstrip("\n").split("\t", 3)
            (labels if kind == "lab" else planted).add((fname, int(line)))

    print(f"labels: {len(labels)} in the corpus test data, {len(planted)} planted in secrets-tree")
    print(f"{'tool':<16}{'TP':>5}{'FP':>6}{'FN':>5}{'precision':>11}{'recall':>8}")
    for tool, suffix in [("cdeguard", "cdeguard"), ("trivy", "trivy"), ("gitleaks", "gitleaks"), ("detect-secrets", "detect-secrets")]:
        got = {("lab", h) for h in load(tool, os.path.join(a.out, f"q-{suffix}.json"), a.labelled)}
        got |= {("st", h) for h in load(tool, os.path.join(a.out, f"q-{suffix}-st.json"), a.secrets_tree)}
        truth = {("lab", l) for l in labels} | {("st", l) for l in planted}
        tp = len(got & truth)
        fp = len(got - truth)
        fn = len(truth - got)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / len(truth)
        print(f"{tool:<16}{tp:>5}{fp:>6}{fn:>5}{precision:>11.3f}{recall:>8.3f}")
        with open(os.path.join(a.out, f"secrets-diff-{tool}.txt"), "w") as f:
            for kind, (fname, line) in sorted(truth - got):
                f.write(f"missed\t{kind}\t{fname}:{line}\n")
            for kind, (fname, line) in sorted(got - truth):
                f.write(f"false-positive\t{kind}\t{fname}:{line}\n")


if __name__ == "__main__":
    main()
