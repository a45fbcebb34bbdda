"""Start, stop and flush the tracer of one process: the only runtime module that writes stores."""

from __future__ import annotations

import atexit
import json
import os
import socket
import sys
import threading
import time
from pathlib import Path

from tracehybrid import __version__
from tracehybrid.runtime import describe
from tracehybrid.runtime.candidates import CANDIDATES_ENV, CandidateSet, load_candidates
from tracehybrid.runtime.live_functions import add_predictions
from tracehybrid.runtime.sysmon import Tracer
from tracehybrid.store.writer import Batch, StoreWriter

FLUSH_INTERVAL_ENV = "TRACEHYBRID_FLUSH_INTERVAL"  # seconds between periodic flushes, read once
FLUSH_INTERVAL_S = float(os.environ.get(FLUSH_INTERVAL_ENV) or 5.0)
_monotonic = time.monotonic
_ACTIVE: Collector | None = None


class Collector:
    """Owns the tracer, the test index and the process store; `flush` turns records into rows."""

    def __init__(self, candidates: CandidateSet, argv: list[str] | None = None) -> None:
        self.candidates = candidates
        self.tracer = Tracer(candidates)
        self.writer = StoreWriter(candidates.out_dir)
        self.argv = list(sys.argv if argv is None else argv)
        self.tests: dict[str, int] = {"": 0}
        self.outcomes: dict[int, str] = {}
        self.started = time.strftime("%Y-%m-%dT%H:%M:%S")
        self.last_flush = _monotonic()
        self._written_tests = 0
        self._written_signatures: dict[int, int] = {}
        self._identities: dict[int, int] = {}
        self.collection_order: list[str] = []  # pytest's session.items; orders combined samples
        self._collection_written = False
        self._finished = False
        self._lock = threading.Lock()  # a script's periodic flush thread vs. the final flush

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> bool:
        """Start tracing; False when every sys.monitoring tool id is taken."""
        os.register_at_fork(after_in_child=self._after_fork)
        return self.tracer.start() is not None

    def finish(self) -> Path | None:
        """Stop tracing, predict trace keys, and write the last flush (idempotent)."""
        if self._finished:
            return self.writer.path
        self._finished = True
        self.tracer.stop()
        path = self.flush(final=True)
        self.writer.close()
        return path

    def _after_fork(self) -> None:
        self._lock = threading.Lock()
        # The child writes its own file; the parent still owns (and flushes) what it recorded.
        self.tracer.swap_buffers()
        self.writer = StoreWriter(self.candidates.out_dir)
        self._written_tests = 0
        self._written_signatures = {}
        self._collection_written = False

    # -- tests -----------------------------------------------------------------------------------
    def set_test(self, nodeid: str | None) -> None:
        """Attribute the following calls to a test (None or "": outside any test)."""
        key = nodeid or ""
        index = self.tests.get(key)
        if index is None:
            index = self.tests[key] = len(self.tests)
        self.tracer.test_index = index

    def set_outcome(self, nodeid: str, outcome: str) -> None:
        """Record the final outcome of a test."""
        index = self.tests.get(nodeid)
        if index is None:
            index = self.tests[nodeid] = len(self.tests)
        self.outcomes[index] = outcome

    def set_collection_order(self, nodeids: list[str]) -> None:
        """pytest's collection order (session.items): how `combine` orders samples like serial."""
        self.collection_order = list(nodeids)
        self._collection_written = False

    # -- flushing --------------------------------------------------------------------------------
    def maybe_flush(self) -> None:
        """Flush when the last flush is older than FLUSH_INTERVAL_S (cheap to call often)."""
        if _monotonic() - self.last_flush >= FLUSH_INTERVAL_S:
            self.flush()

    def flush(self, final: bool = False) -> Path | None:
        """Write everything recorded since the last flush; never raises into the caller."""
        with self._lock:
            if self._finished and not final:
                return self.writer.path
            return self._flush_locked(final)

    def _flush_locked(self, final: bool) -> Path | None:
        self.last_flush = _monotonic()
        try:
            batch = self._batch(final)
            if not final and not (batch.counts or batch.effects or batch.tests):
                return self.writer.path
            return self.writer.write(batch)
        except Exception as exc:  # a store problem must not break the user's run
            sys.stderr.write(f"tracehybrid: could not write the trace store: {exc}\n")
            return None

    def _batch(self, final: bool) -> Batch:
        batch = Batch()
        describe.add_buffers(batch, self.tracer.swap_buffers())
        for state in self.tracer.states:
            batch.candidates.append(describe.candidate_row(state))
            done = self._written_signatures.get(state.index, 0)
            batch.signatures += describe.new_signature_rows(state, done, self._identities)
            self._written_signatures[state.index] = len(state.signature_keys)
        names = list(self.tests)
        batch.tests = [(i, names[i], self.outcomes.get(i)) for i in range(len(names))]
        batch.meta = self._meta(final)
        if not self._collection_written:
            batch.collected = list(enumerate(self.collection_order))
            self._collection_written = True
        if final:
            add_predictions(batch, self.tracer.states, self.writer.ensure_open()[0].name)
        return batch

    def _meta(self, final: bool) -> dict[str, str]:
        tf = sys.modules.get("tensorflow")
        meta = {
            "tool_version": __version__,
            "argv": json.dumps(self.argv),
            "python": sys.version.split()[0],
            "tensorflow": str(getattr(tf, "__version__", "not imported")),
            "host": socket.gethostname(),
            "pid": str(os.getpid()),
            "started": self.started,
            "flushed": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "tool_id": str(self.tracer.tool_id),
            "callback_failures": str(self.tracer.failures),
        }
        if final:
            meta["complete"] = "1"
        return meta


def active_collector() -> Collector | None:
    """The collector tracing this process, if any."""
    return _ACTIVE


def start_collector(
    candidates_file: Path | None = None, out_dir: Path | None = None
) -> Collector | None:
    """Start tracing this process once (later calls return the running collector)."""
    global _ACTIVE  # noqa: PLW0603 - one tracer per process, like coverage's current Coverage
    if _ACTIVE is not None:
        return _ACTIVE
    path = candidates_file or (
        Path(os.environ[CANDIDATES_ENV]) if os.environ.get(CANDIDATES_ENV) else None
    )
    if path is None:
        return None
    collector = Collector(load_candidates(path, out_dir))
    if not collector.start():
        sys.stderr.write("tracehybrid: every sys.monitoring tool id is taken; not tracing\n")
        return None
    _ACTIVE = collector
    atexit.register(collector.finish)
    return collector


def stop_collector() -> Path | None:
    """Finish the active collector (final flush) and forget it."""
    global _ACTIVE
    collector, _ACTIVE = _ACTIVE, None
    return collector.finish() if collector is not None else None
