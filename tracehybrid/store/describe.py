"""`tracehybrid debug store`: what a trace store holds, as plain text for people and bug reports."""

from __future__ import annotations

from pathlib import Path

from tracehybrid.store.reader import CandidateFacts, open_store, read_facts, read_meta
from tracehybrid.store.schema import SCHEMA_VERSION, TABLES


def _candidate_lines(fact: CandidateFacts) -> list[str]:
    calls = ", ".join(f"{mode} {n}" for mode, n in sorted(fact.calls.items())) or "never called"
    lines = [f"  {fact.path}:{fact.line} {fact.qualname} [{fact.kind}]: {calls}"]
    if fact.raised:
        lines.append(f"    raised: {fact.raised}")
    if fact.tests:
        outcomes: dict[str, int] = {}
        for outcome in fact.tests.values():
            outcomes[outcome or "unknown"] = outcomes.get(outcome or "unknown", 0) + 1
        summary = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
        lines.append(f"    tests: {len(fact.tests)} ({summary})")
    overflow = f" (+{fact.overflow_calls} calls over the cap)" if fact.overflow_calls else ""
    lines.append(f"    signatures: {len(fact.signatures)}{overflow}")
    lines += [f"      {text}" for text in fact.signatures[:5]]
    if len(fact.signatures) > 5:
        lines.append(f"      ... {len(fact.signatures) - 5} more")
    lines += [
        f"    effect {e.kind} at {e.path}:{e.line} ({e.detail or '-'}) x{e.count}, "
        f"{len(e.tests)} test(s)"
        for e in fact.effects
    ]
    for pred in fact.predictions:
        lines.append(
            f"    predicted traces: plain {pred['plain']}, reduce_retracing "
            f"{pred['reduce_retracing']}, signature {pred['signature']} (from {pred['source']})"
        )
    return lines


def describe_store(path: Path) -> str:
    """A multi-line description of a store: meta, table sizes, then each candidate's facts."""
    with open_store(path) as conn:
        meta = read_meta(conn)
        sizes = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    lines = [f"trace store {path} (schema version {SCHEMA_VERSION})"]
    lines += [f"  {key}: {value}" for key, value in sorted(meta.items())]
    lines.append("rows: " + ", ".join(f"{t} {n}" for t, n in sizes.items()))
    facts = sorted(read_facts(path).values(), key=lambda f: (f.path, f.line))
    lines.append(f"candidates: {len(facts)}")
    for fact in facts:
        lines += _candidate_lines(fact)
    return "\n".join(lines)
