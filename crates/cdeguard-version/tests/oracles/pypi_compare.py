"""Test oracle for cdeguard-version's differential tests: reads tab-separated PyPI
version pairs from stdin and prints, for each, how `packaging.version.Version` orders
them (-1, 0 or 1), or `invalid` when packaging rejects a version."""
import sys

from packaging.version import InvalidVersion, Version

out = []
for line in sys.stdin:
    a, b = line.rstrip("\n").split("\t")
    try:
        va, vb = Version(a), Version(b)
    except InvalidVersion:
        out.append("invalid")
        continue
    out.append(str((va > vb) - (va < vb)))
print("\n".join(out))
