"""Prints the closing line 'N passed, N failed' from meson's testlog.json (TAP subtests counted per test)."""
import json
import sys

passed = failed = skipped = 0
with open(sys.argv[1]) as f:
    for line in f:
        r = json.loads(line)
        if r["result"] in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r["result"] == "SKIP":
            skipped += 1
        else:
            failed += 1
            print(f"FAILED: {r['name']} ({r['result']})")
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
