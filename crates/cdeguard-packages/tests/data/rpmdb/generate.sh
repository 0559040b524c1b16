#!/usr/bin/env bash
# Regenerates the Berkeley DB rpmdb fixtures next to this script (deterministic: fixed
# SOURCE_DATE_EPOCH, build host and install time; libdb's random file id and padding
# bytes are zeroed). Needs Debian's rpm, python3-rpm and
# db5.3-util (db5.3_load); not needed to run the tests, which only need `rpm` (the oracle,
# installed by .ci/setup).
#
# 1. rpmbuild makes tiny packages (no sources, no files) from generated spec files: epochs
#    0/absent/set, tilde and caret versions, noarch and x86_64, a header larger than many
#    pages (long description, many provides), and fillers so the hash table has several
#    buckets and pages.
# 2. python3-rpm reads each package's header and adds the tags an install adds
#    (INSTALLTIME, INSTALLTID), exactly as `rpm -i` would store it.
# 3. db5.3_load writes them into a Berkeley DB hash database keyed by the instance number
#    (host byte order, as rpm does), plus rpm's key-0 "next instance" record, in three
#    layouts: little-endian 4 KiB pages (x86_64 RHEL/CentOS), big-endian 4 KiB pages
#    (s390x/ppc64), little-endian 512-byte pages (long overflow chains, many hash pages).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=1700000000 TZ=UTC LC_ALL=C

spec() {  # name epoch version release arch license extra-preamble description
  local name=$1 epoch=$2 version=$3 release=$4 arch=$5 license=$6 extra=$7 description=$8
  {
    echo "Name: $name"
    [[ -n $epoch ]] && echo "Epoch: $epoch"
    echo "Version: $version"
    echo "Release: $release"
    echo "Summary: cdeguard rpmdb fixture $name"
    echo "License: $license"
    [[ $arch == noarch ]] && echo "BuildArch: noarch"
    printf '%b' "$extra"
    echo
    echo "%description"
    printf '%s\n' "$description"
    echo
    echo "%files"
  } >"$work/$name.spec"
}

long_description="$(for i in $(seq 1 400); do echo "Line $i of a description long enough to need a chain of overflow pages."; done)"
many_provides="$(for i in $(seq 1 300); do echo "Provides: cdg-capability-$i = $i.0"; done)\n"

spec cdg-alpha "" 1.0 1 noarch MIT "" "Plain noarch package."
spec cdg-beta 2 3.4.5 0.rc1.el8 x86_64 "GPL-2.0-or-later AND (MIT OR Apache-2.0)" "" "Epoch 2, x86_64."
spec cdg-zero-epoch 0 7.1 3.el7 x86_64 BSD "" "Explicit epoch 0."
spec cdg-tilde "" '1.0~rc1^git2' '1%{?dist}' noarch "ASL 2.0" "" "Tilde and caret in the version."
spec cdg-big 1 2024.1 5.el9_3 x86_64 "LGPL-2.1-or-later" "$many_provides" "$long_description"
for i in $(seq -w 1 20); do
  spec "cdg-filler-$i" "" "0.$i" "$i.el8" x86_64 MIT "" "Filler $i."
done

for s in "$work"/*.spec; do
  rpmbuild -bb --quiet \
    --define "_topdir $work/build" \
    --define "_buildhost fixtures.cdeguard.invalid" \
    --define "use_source_date_epoch_as_buildtime 1" \
    --define "clamp_mtime_to_source_date_epoch 1" \
    --define "_binary_payload w9.gzdio" \
    --define "dist .el8" \
    "$s" >/dev/null
done

/usr/bin/python3 - "$work" "$here" <<'PY'
import glob, os, subprocess, sys
import rpm

work, out = sys.argv[1], sys.argv[2]
ts = rpm.TransactionSet("/", rpm._RPMVSF_NOSIGNATURES | rpm._RPMVSF_NODIGESTS)
blobs = []
for path in sorted(glob.glob(os.path.join(work, "build", "RPMS", "*", "*.rpm"))):
    with open(path, "rb") as f:
        h = ts.hdrFromFdno(f.fileno())
    h[rpm.RPMTAG_INSTALLTIME] = 1700000000
    h[rpm.RPMTAG_INSTALLTID] = 1700000000
    blobs.append(h.unload())

def dump(order, pagesize):
    byteorder = "little" if order == 1234 else "big"
    lines = ["VERSION=3", "format=bytevalue", "type=hash",
             f"db_lorder={order}", f"db_pagesize={pagesize}", "HEADER=END"]
    records = [(0, (len(blobs) + 1).to_bytes(4, byteorder))]
    records += [(i + 1, blob) for i, blob in enumerate(blobs)]
    for key, value in records:
        lines.append(" " + key.to_bytes(4, byteorder).hex())
        lines.append(" " + value.hex())
    lines.append("DATA=END")
    return "\n".join(lines) + "\n"

def scrub(path, byteorder, pagesize):
    """Zeroes what db_load leaves random: the file id in the metadata page and the
    padding bytes of off-page item references (uninitialised memory in libdb)."""
    data = bytearray(open(path, "rb").read())
    data[52:72] = bytes(20)
    for start in range(pagesize, len(data), pagesize):
        page = data[start:start + pagesize]
        if page[25] not in (2, 13):  # hash pages
            continue
        entries = int.from_bytes(page[20:22], byteorder)
        for i in range(entries):
            at = int.from_bytes(page[26 + 2 * i:28 + 2 * i], byteorder)
            if page[at] == 3:  # H_OFFPAGE: type, 3 unused bytes, pgno, length
                data[start + at + 1:start + at + 4] = bytes(3)
    open(path, "wb").write(data)

for name, order, pagesize in [("le-4096", 1234, 4096), ("be-4096", 4321, 4096),
                              ("le-512", 1234, 512)]:
    target = os.path.join(out, f"Packages.{name}.bdb")
    if os.path.exists(target):
        os.remove(target)
    subprocess.run(["db5.3_load", target], input=dump(order, pagesize).encode(), check=True)
    scrub(target, byteorder="little" if order == 1234 else "big", pagesize=pagesize)
print(f"{len(blobs)} packages")
PY
