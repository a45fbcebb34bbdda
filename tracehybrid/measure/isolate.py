"""Which targets changed a run's test outcomes: the run's own in-process culprit search, and
bisection over further runs where that could not tell."""

from __future__ import annotations

from collections import Counter

from tracehybrid.measure.bisect import Culprits, find_culprits
from tracehybrid.measure.proof import Rejection
from tracehybrid.measure.prover import Prover
from tracehybrid.measure.suite_run import SuiteRun
from tracehybrid.measure.targets import Target


def suspects_of(active: list[Target], run: SuiteRun, changed: set[str]) -> list[Target]:
    """Targets the changed tests called, or that ran outside any test (import time, fixtures)."""
    if any(run.outcomes.get(nodeid, "missing") == "missing" for nodeid in changed):
        return active  # a test vanished (collection error): anything imported may be the cause
    suspects = []
    for target in active:
        facts = run.facts.get(target.key, {})
        called = set(facts.get("tests", {})) | {e["test"] for e in facts.get("exceptions", [])}
        if called & (changed | {""}):
            suspects.append(target)
    return suspects


def bisect_culprits(
    prover: Prover, active: list[Target], run: SuiteRun
) -> tuple[list[Target], Culprits]:
    """Bisect among the suspects first (presumed to hold the culprits, which saves a run), and
    over every active target when the presumption fails."""
    changed = set(prover.changed(run))
    suspects = suspects_of(active, run, changed)
    if len(suspects) > 1 and len(suspects) < len(active):
        found = find_culprits(suspects, changed, prover.changed_by, prover.jobs)
        root = tuple(range(len(suspects)))
        unverified = [group for group, _ in found.together if group == root]
        if found.alone or (found.together and not unverified):
            return suspects, found
        if unverified and prover.changed_by(suspects):
            return suspects, found
    elif len(suspects) == 1 and len(active) > 1 and prover.changed_by(suspects):
        return suspects, Culprits(alone={0: changed})
    found = find_culprits(active, changed, prover.changed_by, prover.jobs)
    everything = tuple(range(len(active)))
    if any(group == everything for group, _ in found.together) and not prover.changed_by(active):
        # Every part passes and so does the whole set without measurement: the change came
        # from the measured run alone (or chance), and blames no target.
        found.together = [(g, t) for g, t in found.together if g != everything]
    return active, found


def isolate(prover: Prover, active: list[Target], run: SuiteRun) -> list[Rejection]:
    """The rejections explaining the changed outcomes of RUN (which ran ACTIVE as graphs)."""
    pool, culprits = bisect_culprits(prover, active, run)
    blamed = Counter(nodeid for tests in culprits.alone.values() for nodeid in tests)
    blamed.update(nodeid for _, tests in culprits.together for nodeid in tests)
    rejections = []
    for index, tests in culprits.alone.items():
        crashes = own_crashes(prover, [pool[index]], tests, run, blamed)
        rejections.append(Rejection(pool[index], sorted(tests), crashes))
    for group, tests in culprits.together:
        together = [pool[i] for i in group]
        crashes = own_crashes(prover, together, tests, run, blamed)
        rejections += [Rejection(t, sorted(tests), crashes, together) for t in together]
    return rejections


def own_crashes(
    prover: Prover, culprits: list[Target], tests: set[str], run: SuiteRun, blamed: Counter[str]
) -> dict[str, str]:
    """The failures CULPRITS caused in TESTS: from the latest run with exactly them as graphs.

    RUN, where every active target was a graph, shows a test's first failure, which may be
    another culprit's; its text is kept only for a test that no other culprit changed.
    """
    keys = {target.key for target in culprits}
    own = next((r for r in reversed(prover.runs) if {t.key for t in r.targets} == keys), None)
    if own is not None:
        return {nodeid: own.crashes.get(nodeid, "") for nodeid in tests}
    return {nodeid: run.crashes.get(nodeid, "") for nodeid in tests if blamed[nodeid] == 1}


def in_process_rejections(prover: Prover, active: list[Target], run: SuiteRun) -> list[Rejection]:
    """Targets that alone in their new form changed a test's outcome, in the run's process:
    culprits of the tests it changed, and targets that change a test only alone."""
    rejections = []
    for target in active:
        for kind in ("culprits", "failures"):
            found = run.solo.get(kind, {}).get(target.key, {})
            tests = {
                nodeid: crash for nodeid, crash in found.items() if nodeid not in prover.ignore
            }
            if tests:
                alone = kind == "failures"
                rejections.append(Rejection(target, sorted(tests), tests, alone=alone))
                break
    return rejections
