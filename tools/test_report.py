#!/usr/bin/env python3
"""Counts test results from a Bazel build event file and the test.xml files.

usage: test_report.py BUILD_EVENTS_JSON [EXTRA_RESULTS]

EXTRA_RESULTS holds lines "PASS name" or "FAIL name" for checks that are not
Bazel tests (the short fuzz runs, tools/demo).

Prints one line per failed or unbuilt test and per skipped case, then the
closing line "N passed, N failed[, N skipped]". Exits 1 when anything failed
(including a test target that did not build), 0 otherwise.
"""
import json
import sys
import xml.etree.ElementTree as ET


def file_path(uri):
    return uri[len("file://"):] if uri.startswith("file://") else uri


def count_xml(path):
    """Returns (passed, failed, skipped, failed_names, skipped_notes)."""
    passed = failed = skipped = 0
    failed_names, skipped_notes = [], []
    root = ET.parse(path).getroot()
    for case in root.iter("testcase"):
        name = "%s.%s" % (case.get("classname", ""), case.get("name", ""))
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
            failed_names.append(name)
        elif case.get("result") == "skipped" or case.find("skipped") is not None:
            skipped += 1
            note = case.find("skipped")
            reason = note.get("message", "") if note is not None else ""
            skipped_notes.append("%s: %s" % (name, " ".join(reason.split())))
        else:
            passed += 1
    return passed, failed, skipped, failed_names, skipped_notes


def main():
    if len(sys.argv) not in (2, 3):
        sys.stderr.write(__doc__)
        return 2
    results = {}   # label -> list of test.xml paths (one per shard/run)
    statuses = {}  # label -> overall status
    unbuilt = set()
    with open(sys.argv[1]) as events:
        for line in events:
            event = json.loads(line)
            ident = event.get("id", {})
            if "testResult" in ident:
                label = ident["testResult"]["label"]
                for out in event.get("testResult", {}).get("testActionOutput", []):
                    if out.get("name") == "test.xml":
                        results.setdefault(label, []).append(file_path(out["uri"]))
                statuses[label] = event.get("testResult", {}).get("status", "")
            elif "targetCompleted" in ident:
                # A target that failed to build has "aborted" or a
                # "completed" without success; either way it counts.
                if not event.get("completed", {}).get("success", False):
                    unbuilt.add(ident["targetCompleted"]["label"])
    passed = failed = skipped = 0
    for label in sorted(results):
        for path in results[label]:
            try:
                p, f, s, names, notes = count_xml(path)
            except (OSError, ET.ParseError) as err:
                print("FAILED %s: unreadable test.xml (%s)" % (label, err))
                failed += 1
                continue
            if statuses.get(label) not in ("PASSED", "FLAKY") and f == 0:
                # The binary failed outside any test case (crash, timeout).
                print("FAILED %s: %s" % (label, statuses.get(label)))
                f = 1
            passed, failed, skipped = passed + p, failed + f, skipped + s
            for name in names:
                print("FAILED %s: %s" % (label, name))
            for note in notes:
                print("SKIPPED %s: %s" % (label, note))
    for label in sorted(unbuilt - set(results)):
        print("FAILED %s: did not build" % label)
        failed += 1
    if len(sys.argv) == 3:
        with open(sys.argv[2]) as extra:
            for entry in extra:
                verdict, _, name = entry.strip().partition(" ")
                if verdict == "PASS":
                    passed += 1
                elif verdict == "FAIL":
                    failed += 1
                    print("FAILED %s" % name)
    line = "%d passed, %d failed" % (passed, failed)
    if skipped:
        line += ", %d skipped" % skipped
    print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
