"""The terminal table of `tracehybrid analyze`: candidates and their static preconditions."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tracehybrid import codes
from tracehybrid.static.model import FunctionFacts, ProjectFacts


def has_blocking_finding(fn: FunctionFacts) -> bool:
    """True when a finding of `fn` would block its refactoring on static grounds."""
    return any(codes.get(f.code).blocking for f in fn.findings)


def static_outlook(fn: FunctionFacts) -> tuple[str, str]:
    """A short label for what static analysis alone concludes, and its style."""
    blocking = sorted({f.category for f in fn.findings if codes.get(f.code).blocking})
    if fn.kind == "hybrid":
        if blocking:
            return "review: " + ", ".join(blocking), "yellow"
        return "keep graph; check retracing at run time", "cyan"
    if blocking:
        return "blocked: " + ", ".join(blocking), "red"
    if fn.has_tensor_param.value == "yes":
        return "convertible; needs runtime proof", "green"
    return "unknown: " + (fn.has_tensor_param.reason or "tensor inputs undecided"), "yellow"


def _findings_text(fn: FunctionFacts) -> Text:
    """One line per code: `TH141 python-random l.21,22 via helper`."""
    lines: dict[str, list[str]] = {}
    for finding in fn.findings:
        where = f"{finding.line}" + (f" via {finding.via}" if finding.via else "")
        lines.setdefault(finding.code, []).append(where)
    text = Text()
    for i, (code, wheres) in enumerate(sorted(lines.items())):
        if i:
            text.append("\n")
        style = "bold" if codes.get(code).blocking else "dim"
        text.append(f"{code} {codes.get(code).name}", style=style)
        text.append(" l." + ",".join(dict.fromkeys(wheres)), style="dim")
    return text


def render_table(
    console: Console, facts: ProjectFacts, *, show_all: bool, elapsed_s: float
) -> None:
    """Print the candidate table and a one-line summary."""
    shown = [fn for fn in facts.functions if show_all or fn.is_candidate]
    table = Table(title="tracehybrid: candidate functions (static analysis)", show_lines=False)
    table.add_column("function", min_width=24, overflow="fold")
    table.add_column("kind")
    table.add_column("tensor in")
    table.add_column("preconditions")
    table.add_column("outlook")
    for fn in shown:
        label, style = static_outlook(fn)
        name = Text(fn.qualname, style="bold")
        name.append(f"\n{fn.path}:{fn.line}", style="dim")
        table.add_row(
            name,
            fn.kind,
            fn.has_tensor_param.value,
            _findings_text(fn),
            Text(label, style=style),
        )
    console.print(table)
    console.print(_summary(facts, elapsed_s))


def _summary(facts: ProjectFacts, elapsed_s: float) -> str:
    candidates = [fn for fn in facts.functions if fn.is_candidate]
    outlooks = Counter(static_outlook(fn)[0].split(":")[0].split(";")[0] for fn in candidates)
    parts = ", ".join(f"{n} {label}" for label, n in outlooks.most_common())
    return (
        f"{len(candidates)} candidates among {len(facts.functions)} functions in "
        f"{facts.files_analysed} files ({facts.lines_analysed} lines, {elapsed_s:.2f} s): {parts}"
    )
