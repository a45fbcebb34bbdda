"""HTML for one function's detail section and for the embedded code explanations."""

from __future__ import annotations

import html
import re

from tracehybrid.report import plots
from tracehybrid.report.figures import gap_line, steady_saved_text, traces_text, tracing_text
from tracehybrid.report.model import CodeDoc, FunctionView, PatchView, ReasonView, SourceExcerpt
from tracehybrid.report.text import saved_text, shards_text, speedup_text

MAX_TESTS_OPEN = 8  # longer test lists are folded into a <details>
_EVIDENCE = {
    "static": "static analysis",
    "runtime": "observed under the tests",
    "both": "static analysis and the tests",
    "measurement": "graph-mode rerun and timing",
}


def h(text: str) -> str:
    """`text` escaped for HTML text and for quoted attribute values."""
    return html.escape(text, quote=True)


def inline_code(text: str) -> str:
    """Escape `text`, then show its `backticked` spans as code (registry prose is Markdown-ish)."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", h(text))


def function_section(fn: FunctionView) -> str:
    """The detail section of one function."""
    badge = fn.verdict if fn.verdict in {"approved", "rejected"} else "neutral"
    parts = [
        f'<section class="fn" id="{fn.anchor}" tabindex="-1" aria-labelledby="{fn.anchor}-t">',
        f'<header><h3 id="{fn.anchor}-t"><code>{h(fn.qualname)}</code></h3>'
        f'<span class="badge {badge}">{h(fn.verdict)}</span></header>',
        f'<p class="where"><code>{h(fn.path)}:{fn.line}</code> · {h(fn.kind)} · '
        f"{h(_refactoring_text(fn))}</p>",
        _facts(fn),
        _reasons(fn),
        '<div class="two">',
        f"<div><h4>Source</h4>{_excerpt(fn.excerpt)}</div>",
        f"<div><h4>Patch that apply would write</h4>{_patch(fn.patch)}</div>",
        "</div>",
        _signatures(fn),
        _traces(fn),
        _tests(fn),
        '<p class="back"><a href="#functions-heading">Back to the table</a></p></section>',
    ]
    return "\n".join(p for p in parts if p)


def _refactoring_text(fn: FunctionView) -> str:
    names = {
        "convert_to_hybrid": "convert to @tf.function",
        "optimize_hybrid": "optimize its tf.function",
        "dehybridize": "back to eager (remove @tf.function)",
    }
    return names.get(fn.refactoring or "", fn.refactoring or "no refactoring proposed")


def _facts(fn: FunctionView) -> str:
    facts = [
        ("calls under the tests", str(fn.calls)),
        ("distinct trace keys", str(fn.distinct_trace_keys)),
    ]
    s = fn.speedup
    if s is not None:
        facts += [
            ("speedup (95% interval)", speedup_text(fn)),
            ("eager per call", _seconds(s.eager_s)),
            ("graph per call", _seconds(s.graph_s)),
        ]
        if s.repeats is not None:
            facts.append(("timed repeats", str(s.repeats)))
        if s.first_call_s is not None:
            facts.append(("first call (tracing)", _seconds(s.first_call_s)))
        if s.break_even_calls is not None:
            facts.append(("break-even after", f"{s.break_even_calls:,.0f} calls"))
        facts.append(("saved over the tests, tracing counted", saved_text(fn)))
        if s.seconds_saved_steady is not None:
            facts.append(("saved in steady state, as many calls", steady_saved_text(fn)))
        tracing = tracing_text(fn)
        if tracing is not None:
            facts.append(("tracing under the tests", tracing))
    observed = traces_text(fn.traces)
    if observed is not None:
        facts.append(("traces counted as a graph", observed))
    if fn.graph_only:
        facts.append(("called", "only from inside graphs"))
    if fn.shards is not None:
        facts.append(("CI shards", shards_text(fn.shards)))
    if fn.not_run_alone:
        count = len(fn.not_run_alone)
        facts.append(("proven alone", f"not on {count} test{'s' if count > 1 else ''} (budget)"))
    items = "".join(f"<div><dt>{name}</dt><dd>{h(value)}</dd></div>" for name, value in facts)
    return f'<dl class="facts">{items}</dl>{_notes(fn)}'


def _notes(fn: FunctionView) -> str:
    """The gap between the two figures, a trace prediction the graph run did not bear out, and
    the output differences set aside (not reproduced, or eager itself varies)."""
    notes = [gap_line(fn)]
    if fn.traces is not None and fn.traces.prediction_mismatch:
        notes.append(f"Traces: {fn.traces.prediction_mismatch}.")
    notes += [f"Outputs, {note}" for note in fn.output_notes]
    return "".join(f'<p class="muted">{h(n[0].upper() + n[1:])}</p>' for n in notes if n)


def _seconds(value: float) -> str:
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 1e-3:
        return f"{value * 1e3:.2f} ms"
    return f"{value * 1e6:.1f} µs"


def _reasons(fn: FunctionView) -> str:
    if not fn.reasons:
        return '<h4>Reasons</h4><p class="muted">None: a plain, proven conversion.</p>'
    title = "What the refactoring fixes" if fn.verdict == "approved" else "Why it is rejected"
    kind = "fixes" if fn.verdict == "approved" else "blocks"
    items = "".join(_reason(r, kind) for r in fn.reasons)
    effects = "".join(
        f"<li><code>{h(e.code)}</code> at <code>{h(e.location or '?')}</code>"
        f"{f' under <code>{h(e.test)}</code>' if e.test else ''}</li>"
        for e in fn.effects
    )
    seen = f'<h4>Effects seen at run time</h4><ul class="plain">{effects}</ul>' if effects else ""
    return f'<h4>{title}</h4><ul class="reasons">{items}</ul>{seen}'


def _reason(reason: ReasonView, kind: str) -> str:
    where = f" at <code>{h(reason.location)}</code>" if reason.location else ""
    evidence = _EVIDENCE.get(reason.evidence, reason.evidence)
    return (
        f'<li class="{kind}"><a href="#{reason.doc.anchor}"><code>{h(reason.code)}</code></a> '
        f"<strong>{h(reason.doc.name)}</strong> "
        f'<span class="badge neutral">{h(reason.category)}</span><br>{h(reason.message)}'
        f'<div class="meta">evidence: {h(evidence)}{where}</div></li>'
    )


def _excerpt(excerpt: SourceExcerpt) -> str:
    if excerpt.unavailable:
        return f'<p class="muted">Source not shown: {h(excerpt.unavailable)}.</p>'
    lines = "".join(
        f'<span class="l{" marked" if line.marked else ""}"><span class="n">{line.number}</span>'
        f"{h(line.text)}</span>"
        for line in excerpt.lines
    )
    stale = (
        '<p class="warn">This file changed since the run; the lines may have moved.</p>'
        if excerpt.stale
        else ""
    )
    return f"{stale}<pre><code>{lines}</code></pre>"


#: How each kind of diff line is drawn: its CSS class and the sign in the gutter.
_DIFF_STYLE = {
    "file": ("l file", ""),
    "hunk": ("l hunk", ""),
    "add": ("l add", "+"),
    "del": ("l del", "-"),
    "context": ("l", " "),
    "note": ("l note", "\\"),
}


def _patch(patch: PatchView | None) -> str:
    if patch is None:
        return '<p class="muted">None: nothing would be written.</p>'
    applicability = {
        "safe": "safe: `tracehybrid apply` writes it",
        "unsafe": "unsafe: written with `tracehybrid apply --unsafe-fixes`",
        "display_only": "display only: never written",
    }.get(patch.applicability, patch.applicability)
    note = f"<p class=muted>{inline_code(applicability)}</p>"
    if not patch.diff:  # results written without the preview (an older or outside tool)
        change = f"`{patch.decorator}` on the def" if patch.decorator else "no tf.function"
        text = inline_code(f"No preview recorded; it writes {change}.")
        return f'<p class="muted">{text}</p>{note}'
    body = "".join(
        f'<span class="{_DIFF_STYLE[line.kind][0]}">'
        f'<span class="n">{_DIFF_STYLE[line.kind][1]}</span>{h(line.text)}</span>'
        for line in patch.diff
    )
    return f"<pre><code>{body}</code></pre>{note}"


def _signatures(fn: FunctionView) -> str:
    if not fn.signatures:
        return ""
    rows = "".join(
        f"<tr><td><code>{h(s.args)}</code></td><td>{s.calls}</td></tr>" for s in fn.signatures
    )
    return (
        '<h4>Observed argument signatures</h4><div class="table-wrap"><table class="sigs">'
        f"<thead><tr><th>arguments</th><th>calls</th></tr></thead><tbody>{rows}</tbody></table></div>"
    )


def _traces(fn: FunctionView) -> str:
    parts = []
    if fn.traces is not None:
        svg = plots.retrace_svg(fn.traces, f"{fn.anchor}-traces")
        parts.append(
            f'<figure class="traces"><figcaption>Distinct traces</figcaption>{svg}</figure>'
        )
    if fn.retrace_explanations:
        items = "".join(f"<li><code>{h(e)}</code></li>" for e in fn.retrace_explanations)
        parts.append(f'<div><h4>Why it retraces</h4><ul class="plain">{items}</ul></div>')
    if not parts:
        return ""
    return f'<h4>Retracing</h4><div class="two">{"".join(parts)}</div>'


def _tests(fn: FunctionView) -> str:
    if not fn.tests:
        return '<h4>Tests that call it</h4><p class="muted">No passing test calls it.</p>'
    items = "".join(f"<li><code>{h(t)}</code></li>" for t in fn.tests)
    listing = f'<ul class="plain">{items}</ul>'
    if len(fn.tests) > MAX_TESTS_OPEN:
        listing = f"<details><summary>{len(fn.tests)} tests</summary>{listing}</details>"
    return f"<h4>Tests that call it</h4>{listing}"


def code_section(doc: CodeDoc) -> str:
    """One code's explanation, the target of every link to that code."""
    status = "blocks the refactoring" if doc.blocking else "informs, never blocks"
    head = (
        f'<section class="code" id="{doc.anchor}" tabindex="-1">'
        f"<h3><code>{h(doc.code)}</code> {h(doc.name)}</h3>"
    )
    if not doc.known:
        return f"{head}<p>{h(doc.summary)}</p></section>"
    examples = "".join(
        f'<div><h4>{title}</h4><pre class="plain"><code>{h(text)}</code></pre></div>'
        for title, text in (("Example", doc.before), ("Instead", doc.after))
    )
    return (
        f"{head}"
        f'<p class="muted">category <code>{h(doc.category)}</code> · {status}</p>'
        f"<p>{inline_code(doc.summary)}</p><p>{inline_code(doc.why)}</p>"
        f'<div class="two">{examples}</div></section>'
    )
