"""What the culprits hid, seen again in the graph run's own process after the culprit search.

A culprit (a target that alone in its new form changes a test's outcome) spoils more evidence than
its own: in the tests it changed,

- targets it starved were never called: the fixture that builds the data with it failed first
  (keras_project's `make_corpus`; on GPflow 15 targets on 22 tests). Without them the prover
  starts the suite command once more for them;
- targets whose graph encloses its call raised there, as graphs only, and are rejected for it
  ("raised only as a graph"): GPflow's quadrature likelihoods raise when the
  `GaussianQuadrature.logspace` they call breaks as a graph, and its model classes when their
  `posteriors` culprits do.

- targets it called in the traced run but now did not reach are missing the test's objects
  from their timing: dm-sonnet's `ExponentialMovingAverage.reset` was timed only on the EMA of
  the one reset test whose culprit did not fail first, built in a tf.function (2.00x), and not
  on an eagerly built one (1.38x). Those timed on fewer objects than a method can be, or not at
  all, are fed as starved ones are.

So each changed test (not one that fails whatever runs as a graph) runs again, cheapest first,
with those targets called and measured as in the main loop (`rerunner.forms`) and the culprits
as they were. Starved targets alone are graphs there; with enclosing targets to check, they
and every other target the test called while tracing (what their graphs enclose, but the
culprits) are, so an exception that remains is the target's own with what will be approved,
and one that is gone was the culprits'. Each target's exception
is rerun once: where it was the culprits', it is theirs in the other tests the same culprits
changed. A rerun that changes the test is searched for culprits among the starved targets.
"""

from __future__ import annotations

import copy
from dataclasses import fields
from typing import TYPE_CHECKING

from tracehybrid.measure.inrun.record import TargetRecord
from tracehybrid.measure.inrun.sampled_call import OBJECTS_TIMED
from tracehybrid.measure.targets import called_when_traced

if TYPE_CHECKING:
    from tracehybrid.measure.inrun.reruns import InProcessProof

KIND = "hidden"  # the reruns' kind in the phase times


class Hidden:
    """The reruns that show what the culprits of one process hid."""

    def __init__(self, proof: InProcessProof) -> None:
        self.proof = proof
        self.record = proof.record
        self.culprits = proof.report.culprits
        self.rechecked: set[str] = set()  # targets whose exception was rerun once
        # Target -> the culprits whose test showed its exception was theirs: in another test
        # those same culprits changed, its exception is theirs too, without a rerun (GPflow's
        # quadrature raised in 8 tests that `logspace` changed; each rerun costs 1.3 s).
        self.explained: dict[str, frozenset[str]] = {}

    def run(self, changed: list[str]) -> None:
        """Rerun each changed test with something hidden in it, while the culprits' allowance
        lasts."""
        if not self.culprits:
            return
        starved = self._starved()
        durations = self.record.durations
        settled = set(self.proof.report.order_dependent)
        for nodeid in sorted((n for n in changed if n not in settled), key=lambda n: durations[n]):
            hungry = self._hungry(nodeid, starved)
            raised = self._unexplained(nodeid)
            if not (hungry or raised):
                continue
            if not self.proof.budget.fits_within(durations[nodeid], self.proof.culprit_allowance_s):
                continue
            outcome = self._rerun(nodeid, hungry, raised)
            if outcome != self.proof.expected(nodeid) and hungry:
                suspects = [key for key in self.proof.hits(nodeid) if key in hungry]
                self.proof.search(nodeid, suspects)

    def _starved(self) -> frozenset[str]:
        """Targets no call of this process reached that a test called when traced (not one the
        plugin could not wrap: no rerun calls it as a graph)."""
        callers = self.proof.callers
        return frozenset(
            key
            for key, rec in self.record.targets.items()
            if key not in self.culprits and rec.wrap != "not_wrapped" and _never_called(rec)
            and (not callers or key in callers)
        )  # fmt: skip

    def _hungry(self, nodeid: str, starved: frozenset[str]) -> frozenset[str]:
        """The targets to feed in NODEID: the STARVED no call has reached yet, where it may have
        called them when traced, and those it called when traced (but not now) that are timed
        on fewer objects than they can be (`_thinly_timed`)."""
        left = frozenset(k for k in starved if _never_called(self.record.targets[k]))
        hungry = left if self._called_when_traced(nodeid, left) else frozenset()
        callers = self.proof.callers
        if not callers:  # unknown callers: every target would be fed in every changed test
            return hungry
        thin = frozenset(
            key
            for key, rec in self.record.targets.items()
            if key not in self.culprits and rec.wrap != "not_wrapped" and _thinly_timed(rec)
            and not (rec.tests.get(nodeid) or rec.graph_tests.get(nodeid))
            and called_when_traced(callers, key, (nodeid,))
        )  # fmt: skip
        return hungry | thin

    def _called_when_traced(self, nodeid: str, keys: frozenset[str]) -> bool:
        """Whether NODEID called one of KEYS in the traced run (callers unknown: it may have)."""
        callers = self.proof.callers
        return not callers or any(called_when_traced(callers, key, (nodeid,)) for key in keys)

    def _culprits_of(self, nodeid: str) -> frozenset[str]:
        """The culprits charged with changing NODEID."""
        return frozenset(key for key, tests in self.culprits.items() if nodeid in tests)

    def _unexplained(self, nodeid: str) -> frozenset[str]:
        """The targets whose exception in NODEID needs a rerun: those `_raised_in` it, less
        those already rerun once, whose exception the same culprits explained is dropped."""
        by = self._culprits_of(nodeid)
        if not by:
            return frozenset()
        raised = self._raised_in(nodeid)
        for key in raised:
            if self.explained.get(key) == by:
                _drop_exceptions(self.record.targets[key], nodeid)
        return frozenset(raised - self.rechecked)

    def _nested_in(self, nodeid: str) -> frozenset[str]:
        """The targets, not culprits, that NODEID called while tracing a graph: those an
        enclosing graph's exception may come from besides the culprits. Every target as a
        graph would trace the test's other calls too (GPflow: 2 s a rerun)."""
        return frozenset(
            key
            for key, rec in self.record.targets.items()
            if key not in self.culprits and rec.graph_tests.get(nodeid)
        )

    def _raised_in(self, nodeid: str) -> frozenset[str]:
        """Targets, not culprits, that raised in NODEID as graphs only."""
        return frozenset(
            key
            for key, rec in self.record.targets.items()
            if key not in self.culprits
            and any(e.get("test") == nodeid and e.get("graph_only") for e in rec.exceptions)
        )

    def _rerun(self, nodeid: str, hungry: frozenset[str], raised: frozenset[str]) -> str:
        """NODEID again with HUNGRY and RAISED measured; RAISED keep only the exceptions they
        raise in it now, and the rest of their record as before (their calls were counted)."""
        saved = {key: copy.deepcopy(self.record.targets[key]) for key in raised}
        for key in raised:
            _drop_exceptions(self.record.targets[key], nodeid)
        graphs = self._nested_in(nodeid) | raised if raised else frozenset()
        self.record.current_test = nodeid  # the calls are this test's, as in the main loop
        try:
            ((outcome, _),) = self.proof.chain(KIND, [(nodeid, graphs)], measured=hungry | raised)
        finally:
            self.record.current_test = ""
            for key, before in saved.items():
                _keep_new_evidence(self.record.targets[key], before, nodeid)
        by, still_raised = self._culprits_of(nodeid), self._raised_in(nodeid)
        for key in raised:
            self.rechecked.add(key)
            if key not in still_raised:
                self.explained[key] = by
        return outcome


def _keep_new_evidence(rec: TargetRecord, before: TargetRecord, nodeid: str) -> None:
    """REC as it was BEFORE the rerun of NODEID (its calls were counted in the main loop), but
    with the exceptions it raised in NODEID now, instead of the main loop's, and what the
    rerun's measured call found: mismatches, comparisons and timings. A target whose every
    graph call raised in the main loop has no timing but this one (dm-sonnet's
    `ExponentialMovingAverage.update`, 1.7x, was rejected as not shown faster)."""
    after = copy.copy(rec)
    for field in fields(TargetRecord):
        setattr(rec, field.name, getattr(before, field.name))
    rec.exceptions = [e for e in before.exceptions if e.get("test") != nodeid]
    rec.exceptions += [e for e in after.exceptions if e.get("test") == nodeid]
    rec.mismatches = before.mismatches + [m for m in after.mismatches if m not in before.mismatches]
    rec.not_compared = before.not_compared + [
        n for n in after.not_compared if n not in before.not_compared
    ]
    rec.compared, rec.inexact = after.compared, after.inexact
    rec.timings = {**after.timings, **before.timings}  # a signature timed before keeps its own


def _drop_exceptions(rec: TargetRecord, nodeid: str) -> None:
    """Forget what REC raised in NODEID."""
    rec.exceptions = [e for e in rec.exceptions if e.get("test") != nodeid]


def _thinly_timed(rec: TargetRecord) -> bool:
    """Called, and timed on fewer objects than a method can be (`OBJECTS_TIMED`), or not at
    all: the tests a culprit stopped before their call may hold the object the figure lacks
    (dm-sonnet's `ExponentialMovingAverage.reset` was timed only on the EMA one test built in a
    tf.function, 2.00x; the tests whose EMA was built eagerly, 1.38x, had failed first)."""
    if not rec.samples:  # never sampled: measurement is off for it (or every call raised)
        return False
    if not rec.timings:  # unless it is never timed: it draws random numbers, changes state...
        return not (rec.not_compared or rec.mismatches)
    return rec.target.in_class and len(rec.timings) < OBJECTS_TIMED


def _never_called(rec: TargetRecord) -> bool:
    """No call of the target in this process: from a test, outside one, or while tracing."""
    return not (rec.calls or rec.calls_in_graph or rec.tests or rec.graph_tests)
