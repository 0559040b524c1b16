"""Scores CVSS vectors with RedHatProductSecurity `cvss` (the differential oracle of
tests/oracle.rs): one vector per stdin line; per stdout line the base score, and for v2
and v3 the temporal and environmental scores ("-" when not defined), or "error: ..."."""
import sys

from cvss import CVSS2, CVSS3, CVSS4

for line in sys.stdin:
    vector = line.strip()
    try:
        if vector.startswith("CVSS:4.0/"):
            scores = [CVSS4(vector).base_score]
        elif vector.startswith("CVSS:3."):
            scores = CVSS3(vector).scores()
        else:
            scores = CVSS2(vector).scores()
        print(" ".join("-" if score is None else f"{float(score):.1f}" for score in scores))
    except Exception as error:  # noqa: BLE001 - reported back to the Rust side
        print(f"error: {error}")
