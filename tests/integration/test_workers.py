"""The result of an analysis does not depend on the number of workers
(ARCHITECTURE.md "Threads"): every capture of the corpus, and all of them at
once, gives the same set of events with 1, 2 and 3 workers. The inventory's
device events are compared on all captures at once (one run each way); the
per-capture runs skip it (its fixed cost, times 300 runs, under ASan)."""
import json
import os

import mstest
import test_tshark_conv


def comparable(run):
    lines = []
    for e in run.events:
        if e["event_type"] == "stats":
            e = json.loads(json.dumps(e))
            del e["stats"]["workers"]
        lines.append(json.dumps(e, sort_keys=True))
    return sorted(lines)


def test_same_events_for_any_number_of_workers():
    caps = test_tshark_conv.corpus_captures()
    checked = 0
    for i, path in enumerate(caps):
        runs = [mstest.analyze(path, mstest.workdir("w%d_%03d" % (w, i)), workers=w, extra=["--no-inventory"])
                for w in (1, 2, 3)]
        base = comparable(runs[0])
        for w, r in zip((2, 3), runs[1:]):
            assert comparable(r) == base, "%s: events differ between 1 and %d workers" % (path, w)
        checked += 1
    print("captures checked: %d" % checked)
    assert checked >= 100


def test_all_captures_at_once():
    caps = test_tshark_conv.corpus_captures()
    runs = [mstest.analyze(caps, mstest.workdir("all_w%d" % w), workers=w) for w in (1, 4)]
    assert comparable(runs[0]) == comparable(runs[1])
    assert len(runs[0].of_type("flow")) > 500
    assert len(runs[0].of_type("device")) > 100


if __name__ == "__main__":
    mstest.main(globals())
