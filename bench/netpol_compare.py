#!/usr/bin/env python3
"""Differential check: cdeguard's NetworkPolicy matrix against IBM network-config-analyzer.

Compares `cdeguard netpol matrix --format json --host-network like-pods` with NCA's
`connectivityMap` DOT output (`outputFormat: dot`, pods as `ns/name(Pod)`), pod by pod and
for every IPv4 address (ranges are cut at every boundary of either side). Prints the
number of agreeing pairs and every difference; exits 1 on any difference.

    python3 bench/netpol_compare.py --ours matrix.json --nca nca.dot
"""

import argparse
import ipaddress
import json
import re
import sys

ALL = "ALL"
PROTOCOLS = ("TCP", "UDP", "SCTP")


def ranges_to_set(text):
    """'9090,30000-30005' -> frozenset of (a, b)."""
    out = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        a, _, b = part.partition("-")
        out.append((int(a), int(b or a)))
    return tuple(sorted(out))


def nca_conns(label):
    """NCA label ('TCP+UDP 53,TCP 5432,8000-8086') -> canonical {proto: ranges}, or ALL."""
    if label == "All connections":
        return ALL
    conns = {}
    protos = []
    for token in label.split(","):
        token = token.strip()
        if token[:1].isalpha():
            protos_text, _, token = token.partition(" ")
            protos = protos_text.split("+")
            if not token:
                for proto in protos:
                    conns[proto] = [(1, 65535)]
                continue
        for proto in protos:
            conns.setdefault(proto, []).extend(ranges_to_set(token))
    return tuple(sorted((p, tuple(sorted(r))) for p, r in conns.items()))


def our_conns(ports):
    if ports["other_protocols"] and all(ports[p] == [[1, 65535]] for p in PROTOCOLS):
        return ALL
    conns = {p: tuple(tuple(r) for r in ports[p]) for p in PROTOCOLS if ports[p]}
    return tuple(sorted(conns.items()))


def ip_range(name):
    """'a.b.c.d-e.f.g.h', 'a.b.c.d/n' or 'a.b.c.d' -> (first, last) ints, None for pods."""
    name = name.strip()
    try:
        if "/" in name:
            net = ipaddress.ip_network(name, strict=False)
            if net.version != 4:
                return "v6"
            return int(net.network_address), int(net.broadcast_address)
        first, sep, last = name.partition("-")
        a = ipaddress.ip_address(first)
        if a.version != 4:
            return "v6"
        b = ipaddress.ip_address(last) if sep else a
        return int(a), int(b)
    except ValueError:
        return None


def load_ours(path):
    data = json.load(open(path))
    members = {}
    for cls in data["classes"]:
        members[cls["name"]] = [f"{cls['namespace']}/{w['name']}" for w in cls["workloads"]]
    pods, ips = {}, []
    for edge in data["edges"]:
        conns = our_conns(edge["ports"])
        src, dst = edge["from"], edge["to"]
        rs, rd = ip_range(src), ip_range(dst)
        if "v6" in (rs, rd):
            continue
        if rs is None and rd is None:
            for s in members[src]:
                for d in members[dst]:
                    pods[(s, d)] = conns
        elif rs is not None:
            for d in members[dst]:
                ips.append(("in", d, rs, conns))
        else:
            for s in members[src]:
                ips.append(("out", s, rd, conns))
    return set(p for m in members.values() for p in m), pods, ips


EDGE = re.compile(r'^\s*"([^"]+)" -> "([^"]+)" \[label="([^"]*)"')


def pod_name(node):
    m = re.match(r"^(.*)\((\w+)\)$", node)
    return m.group(1) if m else node


def load_nca(path):
    pods, ips = {}, []
    for line in open(path):
        m = EDGE.match(line)
        if not m:
            continue
        src, dst, label = m.groups()
        conns = nca_conns(label)
        rs, rd = ip_range(src), ip_range(dst)
        if "v6" in (rs, rd):
            continue
        if rs is None and rd is None:
            pods[(pod_name(src), pod_name(dst))] = conns
        elif rs is not None:
            ips.append(("in", pod_name(dst), rs, conns))
        else:
            ips.append(("out", pod_name(src), rd, conns))
    return pods, ips


def ip_segments(entries):
    """{(direction, pod): [(first, last, conns)]}"""
    out = {}
    for direction, pod, (a, b), conns in entries:
        out.setdefault((direction, pod), []).append((a, b, conns))
    return out


def conns_at(segments, address):
    for a, b, conns in segments:
        if a <= address <= b:
            return conns
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ours", required=True)
    ap.add_argument("--nca", required=True)
    args = ap.parse_args()
    all_pods, our_pods, our_ips = load_ours(args.ours)
    nca_pods, nca_ips = load_nca(args.nca)
    differences = []
    agree = 0
    for s in sorted(all_pods):
        for d in sorted(all_pods):
            if s == d:
                continue  # NCA draws no self edges
            ours, theirs = our_pods.get((s, d)), nca_pods.get((s, d))
            if ours == theirs:
                agree += 1
            else:
                differences.append(f"{s} -> {d}: cdeguard {ours} / nca {theirs}")
    ours_seg, nca_seg = ip_segments(our_ips), ip_segments(nca_ips)
    ip_checks = 0
    for key in sorted(set(ours_seg) | set(nca_seg)):
        cuts = {0}
        for a, b, _ in ours_seg.get(key, []) + nca_seg.get(key, []):
            cuts.update((a, b + 1))
        for start in sorted(c for c in cuts if c <= 0xFFFFFFFF):
            ours = conns_at(ours_seg.get(key, []), start)
            theirs = conns_at(nca_seg.get(key, []), start)
            ip_checks += 1
            if ours != theirs:
                differences.append(f"{key} at {ipaddress.ip_address(start)}: cdeguard {ours} / nca {theirs}")
    print(f"pod pairs compared: {agree + sum(1 for d in differences if '->' in d)}, agreeing: {agree}")
    print(f"IPv4 segments compared: {ip_checks}")
    print(f"differences: {len(differences)}")
    for d in differences[:50]:
        print("  " + d)
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
