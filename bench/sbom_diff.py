"""Three-way difference of the packages in CycloneDX SBOMs from cdeguard, Trivy and Syft.

Usage: sbom_diff.py CASE CDEGUARD.json TRIVY.json SYFT.json   (missing files count as empty)
Packages are compared as (ecosystem, name, version), the ecosystem taken from the purl type.
"""
import json
import sys
from urllib.parse import unquote

ECOSYSTEMS = {"deb": "Debian", "apk": "Alpine", "rpm": "RPM", "pypi": "PyPI", "npm": "npm", "cargo": "crates.io",
              "golang": "Go", "maven": "Maven", "gem": "RubyGems", "composer": "Packagist", "nuget": "NuGet"}


def packages(path):
    try:
        with open(path) as f:
            bom = json.load(f)
    except (OSError, ValueError):
        return set()
    found = set()
    stack = list(bom.get("components", []))
    while stack:
        c = stack.pop()
        stack.extend(c.get("components", []))
        purl = c.get("purl", "")
        if not purl.startswith("pkg:"):
            continue
        kind = purl[4:].split("/", 1)[0]
        eco = ECOSYSTEMS.get(kind)
        if eco is None:
            continue
        name = c.get("name", "")
        group = c.get("group")
        if kind == "npm" and "/" in purl[4:].split("@")[0][4:] and not name.startswith("@"):
            scope = unquote(purl[8:].split("/")[0])
            name = f"{scope}/{name}"
        if kind == "maven" and group:
            name = f"{group}:{name}"
        if kind == "pypi":
            name = name.lower().replace("_", "-").replace(".", "-")
        version = c.get("version", "")
        if kind == "deb" and ":" not in version and "epoch=" in purl:
            epoch = purl.split("epoch=")[1].split("&")[0]
            version = f"{epoch}:{version}"
        if kind == "golang":
            version = version.removeprefix("go").removeprefix("v")
        found.add((eco, name, version))
    return found


def main():
    case, ours, trivy, syft = sys.argv[1], packages(sys.argv[2]), packages(sys.argv[3]), packages(sys.argv[4])
    union = ours | trivy | syft
    print(f"== {case}: cdeguard {len(ours)}, trivy {len(trivy)}, syft {len(syft)}; all three {len(ours & trivy & syft)}")
    for pkg in sorted(union):
        tools = [t for t, s in (("cdeguard", ours), ("trivy", trivy), ("syft", syft)) if pkg in s]
        if len(tools) < 3 and (not trivy or not syft or "cdeguard" not in tools or len(tools) == 1):
            print(f"  {' '.join(pkg):70s} +{','.join(tools)}")


if __name__ == "__main__":
    main()
