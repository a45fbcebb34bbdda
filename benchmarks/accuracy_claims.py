"""Claimed steady-state ratios against brute force (benchmarks/accuracy.py, step 3).

Each approved conversion's claim (results.json `speedup.ratio`) is set beside two brute-force
timings of the same function, on the call signatures the claim was timed on (proof.json):

- alone: the function the only graph, everything it calls eager (the issue's yardstick);
- as applied: every approved function a graph at once, as `tracehybrid apply` leaves the code,
  so a function's approved callees are tf.functions on both sides of its timing, as they are in
  the claim. The two part where approved callees are a large share of the work: the example's
  `compute_loss` calls three.

A claim agrees when it is within CLAIM_TOLERANCE of a figure.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracehybrid.measure.timing import Timing, combine_timings

CLAIM_TOLERANCE = 0.25  # an approval's claimed steady-state ratio within 25% of brute force
ADDRESS = re.compile(r"<([\w.]+) (?:at )?(?:0x)?[0-9a-f]{6,}>")
FURTHER_OBJECT = re.compile(r" on object \d+$")  # a method's signature timed on another object


def normal_signature(signature: str) -> str:
    """A timed call signature without object addresses (`<Gamma 7fe0e04c21e0>` -> `<Gamma>`) or
    the object it was timed on, so that two runs' signatures compare."""
    return FURTHER_OBJECT.sub("", ADDRESS.sub(r"<\1>", signature))


def ratio_of(timings: dict[str, Any], signatures: set[str] | None = None) -> float | None:
    """The combined ratio over the recorded TIMINGS (only SIGNATURES, when given)."""
    kept = [
        Timing.from_json(t)
        for sig, t in timings.items()
        if signatures is None or normal_signature(sig) in signatures
    ]
    timing = combine_timings(kept)
    return timing.ratio if timing is not None and math.isfinite(timing.ratio) else None


def claimed_signatures(project: Path) -> dict[str, set[str]]:
    """Per target key, the signatures tracehybrid's proof timed (its proof.json)."""
    path = project / ".tracehybrid" / "proof.json"
    if not path.is_file():
        return {}
    targets = json.loads(path.read_text(encoding="utf-8")).get("targets", {})
    return {
        key: {normal_signature(sig) for sig in (proof.get("timings") or {})}
        for key, proof in targets.items()
    }


@dataclass(frozen=True)
class Claim:
    """One approved conversion's claim and its brute-force timings (all timings by signature)."""

    name: str
    claimed: float | None
    alone: dict[str, Any]  # the function the only graph
    applied: dict[str, Any] | None  # every approved function a graph; None: not run
    signatures: set[str] | None  # those the claim was timed on; None: unknown

    def alone_ratio(self) -> float | None:
        return self._on_claimed(self.alone)

    def applied_ratio(self) -> float | None:
        return None if self.applied is None else self._on_claimed(self.applied)

    def _on_claimed(self, timings: dict[str, Any]) -> float | None:
        """On the claim's signatures where they were timed, else on all of them."""
        same = ratio_of(timings, self.signatures) if self.signatures else None
        return same if same is not None else ratio_of(timings)


def _cell(ratio: float | None) -> str:
    return "   -   " if ratio is None else f"{ratio:6.2f}x"


def _off(claimed: float, brute: float | None) -> tuple[str, bool | None]:
    if brute is None:
        return f"{'-':>7}", None
    off = claimed / brute - 1
    return f"{off:+6.0%} ", abs(off) <= CLAIM_TOLERANCE


def print_claims(claims: Iterable[Claim]) -> None:
    """A row per approved conversion: claimed, brute force alone and as applied, and whether
    the claim is within CLAIM_TOLERANCE of each; then the counts."""
    claims = list(claims)
    if not claims:
        print("claims: no approved conversion to check")
        return
    header = f"{'approved function':50} {'claimed':>8} {'alone':>8} {'off by':>8} {'applied':>8}"
    print(f"\n{header} {'off by':>8}")
    agree = {"alone": 0, "as applied": 0}
    for claim in claims:
        alone, applied = claim.alone_ratio(), claim.applied_ratio()
        row = f"{claim.name[:50]:50} {_cell(claim.claimed):>8} {_cell(alone):>8}"
        if claim.claimed is None:
            print(f"{row}  untimed")
            continue
        alone_off, alone_ok = _off(claim.claimed, alone)
        applied_off, applied_ok = _off(claim.claimed, applied)
        agree["alone"] += bool(alone_ok)
        agree["as applied"] += bool(applied_ok)
        marks = f"{'ok' if alone_ok else 'OFF'}/{'ok' if applied_ok else 'OFF'}"
        print(f"{row} {alone_off:>8} {_cell(applied):>8} {applied_off:>8}  {marks}")
    counts = ", ".join(f"{name} {n}/{len(claims)}" for name, n in agree.items())
    print(
        f"claims within {CLAIM_TOLERANCE:.0%} of brute force on the same call signatures: "
        f"{counts} (target: all, as applied being what `apply` gives)"
    )
