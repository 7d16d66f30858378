"""Prints the closing line 'N passed, N failed' from one or more meson testlog.json files (one count per test;
a test of a later log, e.g. the sanitizer build's, is named with its build directory)."""
import json
import sys

passed = failed = skipped = 0
for k, path in enumerate(sys.argv[1:]):
    tag = "" if k == 0 else path.split("/")[0] + ": "
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if r["result"] in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif r["result"] == "SKIP":
                skipped += 1
            else:
                failed += 1
                print(f"FAILED: {tag}{r['name']} ({r['result']})")
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
