"""The HTML report: one self-contained page (inline CSS, SVG and script) rendered from the model."""

from __future__ import annotations

import base64
import hashlib
import shlex
from importlib import resources

from tracehybrid.report import plots
from tracehybrid.report.html_detail import code_section, function_section, h, inline_code
from tracehybrid.report.model import FunctionView, ReportModel
from tracehybrid.report.phase_times import timings_html
from tracehybrid.report.text import candidate_sources_text

_CATEGORY_LABELS = {  # how the contract's categories read in a sentence
    "side_effect": "side effects",
    "global_write": "global writes",
    "mutation": "mutation",
    "tensor_to_python": "tensor to Python",
    "nondeterminism": "nondeterminism",
    "variable_creation": "variable creation",
    "recursion": "recursion",
    "generator": "generators",
    "unsupported": "unsupported constructs",
    "no_tensor_args": "no tensor inputs",
    "retracing": "retracing",
    "not_exercised": "not exercised",
    "disagreement": "static/runtime disagreement",
    "graph_failure": "graph failures",
    "output_mismatch": "output mismatch",
    "no_speedup": "no speedup",
}


def _asset(name: str) -> str:
    return resources.files("tracehybrid.report").joinpath("assets", name).read_text("utf-8")


def render_html(model: ReportModel) -> str:
    """The whole report page."""
    script = _asset("report.js")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    # Defence in depth: even an escaping bug could not run a script or load anything.
    policy = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    )
    body = "\n".join(
        [
            _header(model),
            _summary(model),
            _unreadable(model),
            _table(model),
            '<h2 id="details">Functions in detail</h2>',
            *(function_section(fn) for fn in model.functions),
            _codes(model),
            f"<footer>{h(f'tracehybrid {model.tool_version}')} · results from "
            f"<code>{h(model.source)}</code></footer>",
        ]
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light dark">\n'
        f"<title>tracehybrid report: {h(_project_name(model))}</title>\n"
        f"<style>\n{_asset('report.css')}</style>\n</head>\n<body>\n"
        '<a class="skip" href="#functions-heading">Skip to the functions table</a>\n'
        f"<main>\n{body}\n</main>\n<script>{script}</script>\n</body>\n</html>\n"
    )


def _project_name(model: ReportModel) -> str:
    return model.project_root.rstrip("/").rsplit("/", 1)[-1] or model.project_root


def _header(model: ReportModel) -> str:
    command = shlex.join(model.test_command)  # quoted as a shell reads it, so it can be pasted
    return (
        f"<header><h1>tracehybrid report: {h(_project_name(model))}</h1>\n"
        f'<p class="subtitle">Project <code>{h(model.project_root)}</code> · tests run with '
        f"<code>{h(command)}</code></p>\n"
        '<nav class="toc" aria-label="Sections"><a href="#summary">Summary</a>'
        '<a href="#functions-heading">Functions</a><a href="#details">Details</a>'
        '<a href="#codes">Codes</a></nav></header>'
    )


def _card(label: str, value: str, note: str = "", kind: str = "") -> str:
    note_html = f'<div class="note">{note}</div>' if note else ""
    return (
        f'<div class="card {kind}"><div class="label">{label}</div>'
        f'<div class="value">{value}</div>{note_html}</div>'
    )


def _times(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}\u00d7"


def _summary(model: ReportModel) -> str:
    s = model.summary
    cards = [
        _card("Candidates", str(s.candidates), candidate_sources_text(model)),
        _card(
            "Approved", str(s.approved), "safe to run as graphs, proven by the tests", "approved"
        ),
        _card("Rejected", str(s.blocked), "kept as they are, with the reasons", "rejected"),
    ]
    if s.already_optimal or s.inside_graph:
        parts = [f"{s.already_optimal} already optimal"] if s.already_optimal else []
        parts += [f"{s.inside_graph} already inside a graph"] if s.inside_graph else []
        cards.append(
            _card("Nothing to change", str(s.already_optimal + s.inside_graph), ", ".join(parts))
        )
    if s.suite is not None:
        note = f"{s.suite.eager_s:.1f} s eager → {s.suite.graph_s:.1f} s graph"
        cards.append(_card("Whole suite", _times(s.suite.ratio), note))
    cards.append(_card("Mean speedup", _times(s.mean_speedup), "approved, measured"))
    cards.append(_card("Median speedup", _times(s.median_speedup), "approved, measured"))
    return (
        '<section aria-labelledby="summary"><h2 id="summary">Summary</h2>\n'
        f'<div class="cards">{"".join(cards)}</div>\n'
        f'<div class="split">{_rejections(model)}{_plots(model)}</div>\n{_runs(model)}'
        f"{timings_html(model.timings)}</section>"
    )


def _unreadable(model: ReportModel) -> str:
    """The files the run could not parse or decode: without this, their functions would be
    missing from the report without a word."""
    if not model.unreadable_files:
        return ""
    items = "".join(
        f"<li><code>{h(f.location)}</code> {h(f.message)}</li>" for f in model.unreadable_files
    )
    return (
        '<section aria-labelledby="unreadable"><h2 id="unreadable">Files not analysed</h2>\n'
        "<p>tracehybrid could not parse or decode these files; their functions are not in this "
        f'report.</p>\n<ul class="unreadable">{items}</ul></section>'
    )


def _rejections(model: ReportModel) -> str:
    items = "".join(
        f'<li><span title="{h(cat)}">{h(_CATEGORY_LABELS.get(cat, cat))}</span>'
        f'<span class="n">{n}</span></li>'
        for cat, n in model.summary.rejected_by_category
    )
    commonest = "".join(
        f'<li><span><a href="#{doc.anchor}">{h(doc.code)}</a> {h(doc.name)}</span>'
        f'<span class="n">{n}</span></li>'
        for doc, n in model.reason_counts()[:5]
    )
    empty = '<p class="muted">No function was rejected.</p>'
    return (
        '<div class="panel"><h3>Rejected by category</h3>'
        f"{f'<ul class=cats>{items}</ul>' if items else empty}"
        f'<h3 style="margin-top:14px">Commonest reasons</h3>'
        f"{f'<ul class=cats>{commonest}</ul>' if commonest else empty}</div>"
    )


def _plots(model: ReportModel) -> str:
    figures = []
    speedup = plots.speedup_svg(model.functions)
    if speedup:
        caption = "Speedup per function (green: approved, grey: rejected), sorted"
        figures.append(f"<figure><figcaption>{caption}</figcaption>{speedup}</figure>")
    saved = plots.seconds_saved_svg(model.functions)
    if saved:
        caption = "Seconds saved per function over one run of the tests, tracing counted"
        figures.append(f"<figure><figcaption>{caption}</figcaption>{saved}</figure>")
    inner = "".join(figures) or '<p class="muted">No function was measured.</p>'
    return f'<div class="panel plots">{inner}</div>'


def _runs(model: ReportModel) -> str:
    rows = []
    for name, run in (("eager (traced baseline)", model.eager_run), ("graph", model.graph_run)):
        if run is None:
            rows.append(f"<tr><td>{name}</td><td colspan=5 class=muted>not run</td></tr>")
            continue
        rows.append(
            f"<tr><td>{name}</td><td class=num>{run.passed}</td><td class=num>{run.failed}</td>"
            f"<td class=num>{run.skipped}</td><td class=num>{run.wall_s:.1f} s</td>"
            f"<td class=num>{run.exit_code}</td></tr>"
        )
    return (
        '<div class="table-wrap" style="margin-top:16px"><table><caption class="muted" '
        'style="text-align:left;padding:8px 10px">Test runs</caption><thead><tr><th>run</th>'
        "<th class=num>passed</th><th class=num>failed</th><th class=num>skipped</th>"
        "<th class=num>wall time</th><th class=num>exit code</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


_COLUMNS = (  # header, data-type, numeric
    ("Function", "text", False),
    ("Location", "text", False),
    ("Kind", "text", False),
    ("Refactoring", "text", False),
    ("Verdict", "text", False),
    ("Speedup", "number", True),
    ("Saved (s)", "number", True),
    ("Calls", "number", True),
    ("Traces", "number", True),
    ("Reasons", "text", False),
)


def _table(model: ReportModel) -> str:
    heads = "".join(
        f'<th scope="col" data-type="{kind}"{" class=num" if numeric else ""}>'
        f'<button type="button">{name}</button></th>'
        for name, kind, numeric in _COLUMNS
    )
    rows = "\n".join(_row(fn) for fn in model.functions)
    return (
        '<section aria-labelledby="functions-heading">'
        '<h2 id="functions-heading">Functions</h2>\n<div class="controls" role="search">'
        '<label>Filter <input id="filter-text" type="search" '
        'placeholder="name, path, code or category" autocomplete="off"></label>'
        '<label>Verdict <select id="filter-verdict"><option value="">all</option>'
        '<option value="approved">approved</option><option value="rejected">rejected</option>'
        '</select></label><output id="filter-count" aria-live="polite"></output></div>\n'
        f'<div class="table-wrap"><table id="functions"><thead><tr>{heads}</tr></thead>\n'
        f"<tbody>\n{rows}\n</tbody></table></div>\n"
        '<p class="muted">Sort with the column buttons; Enter on a row opens its details.</p>'
        "</section>"
    )


def _row(fn: FunctionView) -> str:
    speedup = fn.speedup
    ratio = f"{speedup.ratio:.6g}" if speedup else ""
    saved = speedup.seconds_saved if speedup else None
    codes = " ".join(f'<a href="#{r.doc.anchor}">{h(r.code)}</a>' for r in fn.reasons)
    search = " ".join(
        [fn.qualname, fn.path, fn.verdict, fn.refactoring or ""]
        + [r.code for r in fn.reasons]
        + fn.categories
    ).lower()
    return (
        f'<tr tabindex="0" data-target="{fn.anchor}" data-verdict="{h(fn.verdict)}" '
        f'data-search="{h(search)}">'
        f'<td><a href="#{fn.anchor}"><code>{_breakable(fn.qualname, ".")}</code></a></td>'
        f"<td><code>{_breakable(fn.path, '/')}:{fn.line}</code></td><td>{h(fn.kind)}</td>"
        f"<td>{h(fn.refactoring or '—')}</td>"
        f'<td><span class="badge {_verdict_class(fn.verdict)}">{h(fn.verdict)}</span></td>'
        f'<td class="num" data-sort="{ratio}">{f"{speedup.ratio:.2f}x" if speedup else "—"}</td>'
        f'<td class="num" data-sort="{"" if saved is None else f"{saved:.6g}"}">'
        f"{'—' if saved is None else f'{saved:.3f}'}</td>"
        f'<td class="num" data-sort="{fn.calls}">{fn.calls}</td>'
        f'<td class="num" data-sort="{fn.distinct_trace_keys}">{fn.distinct_trace_keys}</td>'
        f'<td class="codes-list">{codes or "—"}</td></tr>'
    )


def _breakable(name: str, separator: str) -> str:
    """NAME escaped, with a line-break opportunity after each SEPARATOR (`.` of a qualified
    name, `/` of a path): long names wrap there, so the functions table fits the page and its
    Reasons column stays in view."""
    return f"{h(separator)}<wbr>".join(h(part) for part in name.split(separator))


def _verdict_class(verdict: str) -> str:
    return verdict if verdict in {"approved", "rejected"} else "neutral"


def _codes(model: ReportModel) -> str:
    if not model.codes:
        return ""
    intro = (
        "Every code used above, explained. `tracehybrid explain CODE` prints the same text; "
        "suppress a code on one line with `# tracehybrid: ignore[CODE]`."
    )
    sections = "\n".join(code_section(doc) for doc in model.codes)
    return f'<h2 id="codes">Codes</h2>\n<p>{inline_code(intro)}</p>\n{sections}'
