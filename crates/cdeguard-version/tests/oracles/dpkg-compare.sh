#!/usr/bin/env bash
# Test oracle for cdeguard-version's differential tests: reads tab-separated Debian
# version pairs from stdin and prints, for each, how `dpkg --compare-versions` orders
# them (-1, 0 or 1), or `invalid` when dpkg rejects a version. dpkg has no batch mode,
# so this is one or two dpkg processes per pair (exit status 1: relation false,
# 2: bad version syntax).
set -u
while IFS=$'\t' read -r a b; do
  dpkg --compare-versions "$a" lt "$b" 2>/dev/null
  case $? in
    0) echo -1; continue ;;
    2) echo invalid; continue ;;
  esac
  if dpkg --compare-versions "$a" gt "$b" 2>/dev/null; then echo 1; else echo 0; fi
done
