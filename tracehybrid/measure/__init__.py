"""Prove proposals on the project's own tests, as graphs, and measure the speedup.

One name for each kind of run, used in module names, functions, docs and progress messages:

- traced run: the user's test command under the tracer (`runtime/`), once per `tracehybrid run`;
  it is also the eager baseline the graph runs are compared with.
- suite run (`suite_run.run_suite`): one run of the user's test command with the graph plugin
  loaded, of purpose `eager` (an eager run, when no traced run serves as baseline), `graph` (a
  graph run: every target as a graph) or `bisect` (a bisection run: a subset of the targets).
- proof rounds (`rounds.prove`): graph runs and bisection runs (some unmeasured: no timing, only
  outcomes), repeated until every target is approved, rejected with evidence or left unsettled.
- reruns (`inrun/reruns.py`): single tests run again inside a graph run's own pytest process, after
  its tests: `control` (no target changed: the test depends on order), `culprit` (one target it
  called, alone in its new form), `hidden` (a test a culprit changed, to see what it hid: targets it
  starved, exceptions it caused in others' graphs; `inrun/hidden.py`), `solo` (a target alone as a
  graph), `confirmation` (the tests of rejected targets without them) and `unmeasured` (a test whose
  calls were measured, run again with nothing measured: it must not have passed only thanks to the
  eager reference calls).

`measure/` is the controller side and runs in tracehybrid's process; `measure/inrun/` runs inside
the user's pytest and imports from here only the files both sides share (`targets`, `timing`).
"""
