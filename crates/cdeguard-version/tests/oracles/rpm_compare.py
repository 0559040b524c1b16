"""Test oracle for cdeguard-version's differential tests: reads tab-separated RPM
`[epoch:]version[-release]` pairs from stdin and prints, for each, how RPM's own Python
binding (`rpm.ver`, librpm's EVR parser and rpmvercmp) orders them (-1, 0 or 1)."""
import sys

import rpm

out = []
for line in sys.stdin:
    a, b = line.rstrip("\n").split("\t")
    va, vb = rpm.ver(a), rpm.ver(b)
    out.append(str((va > vb) - (va < vb)))
print("\n".join(out))
