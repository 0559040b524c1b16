"""Scores CVSS vectors with RedHatProductSecurity `cvss` (the differential oracle of
tests/oracle.rs): one vector per stdin line, one score (or "error: ...") per stdout line."""
import sys

from cvss import CVSS2, CVSS3, CVSS4

for line in sys.stdin:
    vector = line.strip()
    try:
        if vector.startswith("CVSS:4.0/"):
            score = CVSS4(vector).base_score
        elif vector.startswith("CVSS:3."):
            score = CVSS3(vector).scores()[0]
        else:
            score = CVSS2(vector).scores()[0]
        print(f"{float(score):.1f}")
    except Exception as error:  # noqa: BLE001 - reported back to the Rust side
        print(f"error: {error}")
