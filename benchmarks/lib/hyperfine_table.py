"""One Markdown table row from hyperfine --export-json files: the case's median and min.

usage: hyperfine_table.py NAME FILE.json...   (files that failed or are missing are skipped)

A case with no result at all still gets its row, saying it failed: a table never hides a case.
"""
import json
import statistics
import sys

times = []
for path in sys.argv[2:]:
    try:
        with open(path) as f:
            times += json.load(f)["results"][0]["times"]
    except (OSError, ValueError, KeyError, IndexError):
        pass
if times:
    print("| %s | %.1f ms | %.1f ms | %d |" % (sys.argv[1], statistics.median(times) * 1000,
                                              min(times) * 1000, len(times)))
else:
    print("| %s | failed | failed | 0 |" % sys.argv[1])
