"""The traces the graph run really counted: retracing judged on them, set-up told apart from it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tracehybrid.measure.proof import TargetProof
from tracehybrid.verdict.model import Reason


@dataclass(frozen=True)
class ObservedTraces:
    """Traces of one function made a graph, counted in the graph run.

    `instances` is how many graph objects traced: one for a function, one per instance for a
    method (tf.function binds each instance its own cache). `per_instance` is the most traces one
    object's cache held: above one, the same object retraced (new shapes, Python values or
    structures); a first trace in each new object is set-up cost, not retracing.
    """

    traces: int
    instances: int
    per_instance: int

    @classmethod
    def of(cls, proof: TargetProof | None) -> ObservedTraces | None:
        """The counts of PROOF; None when nothing was counted (eager, or an older proof.json)."""
        if proof is None or proof.target.dehybridize:
            return None
        facts = proof.facts
        if facts.get("traced_objects") is None or not facts.get("traces"):
            return None
        return cls(
            int(facts["traces"]), int(facts["traced_objects"]), int(facts["max_object_traces"])
        )

    @property
    def setup_traces(self) -> int:
        """Traces that were each a new object's first: paid once per object built."""
        return self.instances

    @property
    def retraces(self) -> int:
        """Traces beyond each object's first: the retracing `max-traces` is about."""
        return max(0, self.traces - self.instances)

    def to_json(self) -> dict[str, int]:
        """The `runtime.traces` extras of results.json (docs/results-extras.md)."""
        return {
            "observed": self.traces,
            "instances": self.instances,
            "max_per_instance": self.per_instance,
        }

    def describe(self) -> str:
        """One line on what the traces were, for the report and the reasons."""
        if self.instances > 1 and self.per_instance == 1:
            return (
                f"the tests built {self.instances} objects and each traced once: "
                "set-up cost per object, not retracing"
            )
        if self.instances > 1:
            return (
                f"{self.traces} traces in {self.instances} objects, at most "
                f"{self.per_instance} in one object's cache"
            )
        return f"{self.traces} trace{'s' if self.traces != 1 else ''} in one cache"


def predicted_for(decorator: str | None, traces: dict[str, Any]) -> int | None:
    """The predicted traces for the decorator the graph run used (plain, reduce_retracing or an
    input_signature): the prediction the observed count can be held against."""
    text = decorator or ""
    name = "plain"
    if "input_signature" in text:
        name = "signature"
    elif "reduce_retracing=True" in text or "experimental_relax_shapes=True" in text:
        name = "reduce_retracing"
    value = traces.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def mismatch_note(predicted: int | None, observed: ObservedTraces) -> str | None:
    """Why the prediction and the count disagree, in one line; None when they agree."""
    if predicted is None or predicted == observed.traces:
        return None
    return (
        f"predicted {predicted} trace{'s' if predicted != 1 else ''} from the traced run; "
        f"the graph run counted {observed.traces} ({observed.describe()})"
    )


def retracing_reason(
    observed: ObservedTraces | None, decorator: str | None, limit: int, where: str
) -> Reason | None:
    """TH201 when one object's cache held more than LIMIT traces in the graph run: the
    retracing a long-lived object would pay on every new shape or value, seen, not predicted."""
    if observed is None or observed.per_instance <= limit:
        return None
    cache = "one object's cache" if observed.instances > 1 else "its cache"
    message = (
        f"As a graph ({decorator or '@tf.function'}) the graph run counted "
        f"{observed.per_instance} traces in {cache} (limit {limit}; {observed.traces} traces "
        f"in all): it retraces on new shapes, Python values or structures."
    )
    return Reason("TH201", message, "measurement", where)
