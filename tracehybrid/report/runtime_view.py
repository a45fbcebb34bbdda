"""The terminal table that `tracehybrid run` prints: what the traced tests showed per candidate."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tracehybrid.store.reader import CandidateFacts

if TYPE_CHECKING:
    from tracehybrid.session import RunOutcome


def _calls_text(fact: CandidateFacts | None) -> str:
    if fact is None or not fact.calls:
        return "never called"
    return ", ".join(f"{n} {mode}" for mode, n in sorted(fact.calls.items()))


def _traces_text(fact: CandidateFacts | None) -> str:
    if fact is None or not fact.predictions:
        return "-"
    pred = max(fact.predictions, key=lambda p: int(str(p.get("plain") or 0)))
    parts = [f"{pred.get('plain')} plain", f"{pred.get('reduce_retracing')} relaxed"]
    if pred.get("signature") is not None:
        parts.append(f"{pred.get('signature')} signature")
    return ", ".join(str(p) for p in parts)


def _effects_text(fact: CandidateFacts | None) -> Text:
    text = Text()
    if fact is None:
        return text
    for i, effect in enumerate(fact.effects[:4]):
        text.append(("\n" if i else "") + f"{effect.category} l.{effect.line} ({effect.detail})")
    if len(fact.effects) > 4:
        text.append(f"\n... {len(fact.effects) - 4} more", style="dim")
    return text


def render_runtime_table(console: Console, outcome: RunOutcome) -> None:
    """Print one row per candidate with calls, tests, predicted traces and observed effects."""
    table = Table(title="tracehybrid: what the tests showed (runtime)")
    table.add_column("function", min_width=24, overflow="fold")
    table.add_column("calls")
    table.add_column("tests", justify="right")
    table.add_column("traces")
    table.add_column("effects seen")
    root = outcome.facts.root.resolve()
    for fn in outcome.facts.candidates:
        fact = outcome.runtime.get((str(root / fn.path), fn.qualname, fn.first_line))
        name = Text(fn.qualname, style="bold")
        name.append(f"\n{fn.path}:{fn.line}", style="dim")
        tests = str(len(fact.tests)) if fact else "0"
        table.add_row(name, _calls_text(fact), tests, _traces_text(fact), _effects_text(fact))
    console.print(table)
    called = sum(1 for f in outcome.runtime.values() if f.calls)
    console.print(
        f"{called} of {len(outcome.facts.candidates)} candidates called; test command exited "
        f"{outcome.exit_code} after {outcome.wall_s:.1f} s; store: {outcome.store}"
    )
