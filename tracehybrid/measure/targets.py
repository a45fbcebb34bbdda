"""The graph-run targets file: which functions run as graphs, with which decorator, how."""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

TARGETS_ENV = "TRACEHYBRID_GRAPH_TARGETS"
PLUGIN_MODULE = "tracehybrid.measure.inrun.graph_plugin"
DEHYBRIDIZE = ""  # the decorator of a target that goes back to eager


def target_key(path: str, first_line: int, qualname: str) -> str:
    """A target's stable identity across processes and runs: `path:first_line:qualname`, with
    PATH absolute as the graph runs see it."""
    return f"{path}:{first_line}:{qualname}"


def called_when_traced(
    callers: Mapping[str, Collection[str] | None], key: str, tests: Collection[str]
) -> bool:
    """Whether one of TESTS called the target KEY in the traced run, by CALLERS (target key ->
    its tests; None: called outside any test, so every test may see it; absent: never called)."""
    if key not in callers:
        return False
    called = callers[key]
    return called is None or any(nodeid in called for nodeid in tests)


@dataclass(frozen=True)
class Target:
    """One function to run as a graph (or, with decorator "", eagerly) during the rerun."""

    path: str
    qualname: str
    line: int
    first_line: int
    decorator: str = "@tf.function"
    #: None: measure unless dehybridizing (the eager side of a dehybridize may have side effects).
    measure: bool | None = None

    @property
    def key(self) -> str:
        """Stable identity across processes and runs (`target_key`)."""
        return target_key(self.path, self.first_line, self.qualname)

    @property
    def code_key(self) -> tuple[str, int, str]:
        """What a code object must match: (realpath of co_filename, co_firstlineno, co_qualname)."""
        return (os.path.realpath(self.path), self.first_line, self.qualname)

    @property
    def dehybridize(self) -> bool:
        """True when the target runs its Python function eagerly instead of as a graph."""
        return self.decorator.strip() == DEHYBRIDIZE

    @property
    def in_class(self) -> bool:
        """Defined in a class body (a method, bound per instance, its graph too), not at a
        module's top level or inside a function (`outer.<locals>.inner`)."""
        parts = self.qualname.split(".")
        return len(parts) > 1 and parts[-2] != "<locals>"

    @property
    def measured(self) -> bool:
        """Whether eager/graph outputs are compared and timed on this target's calls."""
        return (not self.dehybridize) if self.measure is None else self.measure

    def to_json(self) -> dict[str, Any]:
        """The JSON object of this target (the targets file's `targets` items)."""
        data = asdict(self)
        if self.measure is None:
            del data["measure"]
        return data

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> Target:
        """Read one `targets` item; `first_line` defaults to `line`."""
        line = int(item["line"])
        measure = item.get("measure")
        return cls(
            path=os.path.realpath(str(item["path"])),
            qualname=str(item["qualname"]),
            line=line,
            first_line=int(item.get("first_line", line)),
            decorator=str(item.get("decorator", "@tf.function")),
            measure=None if measure is None else bool(measure),
        )


@dataclass(frozen=True)
class MeasureSettings:
    """How much the plugin measures per target: budgets keep a big suite's rerun affordable."""

    enabled: bool = True
    max_samples_per_signature: int = 3  # calls per argument signature compared with eager
    timed_samples_per_signature: int = 1  # of those, how many are also timed
    max_timed_signatures: int = 4  # per target and process: a retracing function has many
    repeats: int = 10  # timed repeats per signature, at least (each: eager and graph, paired)
    max_repeats: int = 60  # at most, while the ratio is still uncertain and the budget lasts
    # Stop adding repeats once the ratio's 95% half-width is about this fraction of it.
    target_halfwidth: float = 0.03
    # The speed rule's threshold (config's min-speedup, set by the session): once the ratio is
    # clearly above or below it, more repeats cannot change the verdict, so timing stops there.
    decide_at: float | None = None
    warmup: int = 1
    min_repeat_s: float = 0.002  # each repeat runs enough calls to last this long
    max_calls_per_repeat: int = 100
    budget_s: float = 2.0  # wall time cap for timing one signature (both modes)
    rtol: float = 1e-5
    atol: float = 1e-6
    # Config's rerun-budget (its former name kept here: older targets files still read): every
    # in-process rerun together may take this fraction of the tests' own time in the run.
    solo_budget: float = 0.5

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MeasureSettings:
        """Known keys only; unknown keys are ignored so older plugins read newer files."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass
class TargetsFile:
    """The whole document at $TRACEHYBRID_GRAPH_TARGETS."""

    out_dir: Path
    targets: list[Target] = field(default_factory=list)
    measure: MeasureSettings = field(default_factory=MeasureSettings)
    baseline: dict[str, str] = field(default_factory=dict)  # nodeid -> eager outcome
    flaky: list[str] = field(default_factory=list)  # tests whose changes prove nothing
    # Target key -> the tests that called it in the traced run (None: outside any test); a
    # target not in it: not known.
    callers: dict[str, list[str] | None] = field(default_factory=dict)

    def write(self, path: Path) -> Path:
        """Write the document as JSON and return its path."""
        data = {
            "out_dir": str(self.out_dir),
            "targets": [t.to_json() for t in self.targets],
            "measure": asdict(self.measure),
            "baseline": self.baseline,
            "flaky": self.flaky,
            "callers": self.callers,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=1), encoding="utf-8")
        return path

    @classmethod
    def read(cls, path: Path) -> TargetsFile:
        """Read the document written by `write` (or by hand)."""
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            out_dir=Path(data["out_dir"]),
            targets=[Target.from_json(item) for item in data.get("targets", [])],
            measure=MeasureSettings.from_json(data.get("measure", {})),
            baseline=dict(data.get("baseline", {})),
            flaky=list(data.get("flaky", [])),
            callers=dict(data.get("callers", {})),
        )
