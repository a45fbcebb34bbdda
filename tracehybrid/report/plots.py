"""Plots as inline SVG: matplotlib on the Agg canvas, fixed settings so the output is stable."""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

import matplotlib as mpl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from tracehybrid.contract import TraceCounts
from tracehybrid.report.model import FunctionView

MAX_ROWS = 40  # functions shown in one bar plot; the rest are listed in the table only
LABEL_CHARS = 48  # longer names are cut, with an ellipsis
_SMALLEST_RATIO = 1e-3  # a ratio of 0 cannot be drawn on a log axis
# Sentinel colours replaced by CSS variables after rendering, so plots follow light and dark mode.
_FG, _GRID = "#010203", "#020304"
_APPROVED, _REJECTED, _LOSS = "#2f8f5b", "#8a94a6", "#c8553d"
_RC: dict[str, Any] = {
    "svg.fonttype": "none",  # real <text>: small, selectable, and escaped by matplotlib
    "svg.hashsalt": "tracehybrid",  # stable clip-path ids
    "svg.image_inline": True,
    "font.family": ["DejaVu Sans"],  # bundled with matplotlib: the same metrics everywhere
    "font.size": 9.0,
    "text.parse_math": False,  # `$` in a qualname is text, not mathtext
    "text.usetex": False,
    "text.color": _FG,
    "axes.edgecolor": _FG,
    "axes.labelcolor": _FG,
    "xtick.color": _FG,
    "ytick.color": _FG,
    "grid.color": _GRID,
    "grid.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.facecolor": "none",
    "axes.facecolor": "none",
    "savefig.facecolor": "none",
    "path.simplify": False,
}


@contextmanager
def _settings() -> Iterator[None]:
    with mpl.rc_context(cast(Any, _RC)):  # matplotlib types rc keys as a Literal
        yield


def label(text: str) -> str:
    """A plot label: at most `LABEL_CHARS` characters."""
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def speedup_svg(functions: list[FunctionView], prefix: str = "speedup") -> str | None:
    """Per-function speedup, sorted, log scale, its 95% interval as error bars."""
    measured = [f for f in functions if f.speedup is not None]
    if not measured:
        return None
    rows = sorted(measured, key=lambda f: f.speedup.ratio if f.speedup else 0.0)[-MAX_ROWS:]
    bands = [_band(f) for f in rows]
    ratios = [ratio for ratio, _, _ in bands]
    low = [ratio - lo for ratio, lo, _ in bands]
    high = [hi - ratio for ratio, _, hi in bands]
    colors = [_APPROVED if f.verdict == "approved" else _REJECTED for f in rows]
    with _settings():
        fig, ax = _figure(len(rows))
        y = list(range(len(rows)))
        ax.hlines(y, 1.0, ratios, colors=colors, linewidth=2.0)
        ax.errorbar(
            ratios, y, xerr=[low, high], fmt="none", ecolor=_FG, elinewidth=0.8, capsize=2.5
        )
        ax.scatter(ratios, y, c=colors, s=28, zorder=3)
        ax.axvline(1.0, color=_FG, linewidth=0.8, linestyle="--")
        _log_axis(ax, ratios, low, high)
        ax.set_xlabel("speedup, eager time / graph time (log scale; bars: 95% interval)")
        _y_labels(ax, rows)
        ax.grid(axis="x", which="both")
        return _svg(fig, prefix, "Per-function speedup, sorted, on a log scale")


def seconds_saved_svg(functions: list[FunctionView], prefix: str = "saved") -> str | None:
    """Seconds each function would save over the test run, the traces counted in the graph run
    included at their measured cost (negative: graph mode costs the tests time)."""
    rows = [f for f in functions if f.speedup is not None and f.speedup.seconds_saved is not None]
    if not rows:
        return None
    rows = sorted(rows, key=_saved)[-MAX_ROWS:]
    values = [_saved(f) for f in rows]
    with _settings():
        fig, ax = _figure(len(rows))
        colors = [_APPROVED if v >= 0 else _LOSS for v in values]
        ax.barh(range(len(rows)), values, color=colors, height=0.6)
        ax.axvline(0.0, color=_FG, linewidth=0.8)
        ax.set_xlabel("seconds saved over the test run (per-call saving times calls, less tracing)")
        _y_labels(ax, rows)
        ax.grid(axis="x")
        return _svg(fig, prefix, "Seconds saved per function over the test run")


_PREFIX_MARK = "thprefixmark"  # stands for a plot's id prefix in a cached drawing


def retrace_svg(traces: TraceCounts, prefix: str) -> str:
    """Distinct traces of one function: as written, with `reduce_retracing`, with a signature.

    Most functions share a few count triples, so each triple is drawn once (drawing is the
    costly part of a report) and only the ids are renamed per function.
    """
    counts = (traces.plain, traces.reduce_retracing, traces.signature)
    return _retrace_drawing(counts).replace(_PREFIX_MARK, prefix)


@functools.lru_cache(maxsize=64)
def _retrace_drawing(counts: tuple[int | None, int | None, int | None]) -> str:
    return _retrace_figure().draw(counts)


class _RetraceFigure:
    """The one figure every retrace plot is drawn on: a report draws dozens of them, and a
    fresh figure each time cost a quarter more (its axes, ticks and artists built anew) for
    the same SVG. Only the bars, their labels and the x limit change from plot to plot."""

    def __init__(self) -> None:
        with _settings():  # the artists take their colours and fonts from rc when made
            self.fig = Figure(figsize=(5.4, 1.6), layout="constrained")
            FigureCanvasAgg(self.fig)
            self.ax = self.fig.add_subplot()
            colors = [_REJECTED, _APPROVED, _APPROVED]
            self.bars = self.ax.barh(range(3), [0, 0, 0], color=colors, height=0.6)
            self.labels = [
                self.ax.annotate("", (0, i), xytext=(3, 0), textcoords="offset points", va="center")
                for i in range(3)
            ]
            self.ax.set_yticks(range(3), ["plain", "reduce_retracing", "input_signature"])
            self.ax.set_xlabel("distinct traces")
            self.ax.invert_yaxis()
            spec = self.ax.get_subplotspec()
            assert spec is not None  # add_subplot's axes have one
            self.spec = spec

    def draw(self, counts: tuple[int | None, int | None, int | None]) -> str:
        """The SVG of COUNTS, byte for byte what a fresh figure of them would give."""
        values = [c if c is not None else 0 for c in counts]
        with _settings():
            for i, (bar, text, count) in enumerate(
                zip(self.bars, self.labels, counts, strict=True)
            ):
                bar.set_width(values[i])
                text.set_text("n/a" if count is None else str(count))
                text.xy = (values[i], i)
            self.ax.set_xlim(0, max(max(values) * 1.25, 1.0))
            # Constrained layout starts from the axes' current position, and the last plot's would
            # shift its floating point (and so the clip-path ids): start where new axes start.
            # (`set_position` would take the axes out of the layout.)
            self.ax.set_subplotspec(self.spec)
            return _svg(
                self.fig,
                _PREFIX_MARK,
                "Distinct traces: plain, with reduce_retracing, with input_signature",
            )


@functools.cache
def _retrace_figure() -> _RetraceFigure:
    return _RetraceFigure()


def _band(fn: FunctionView) -> tuple[float, float, float]:
    """(ratio, low, high) made safe for a log axis: positive, and the spread around the ratio."""
    speedup = fn.speedup
    ratio = max(speedup.ratio if speedup else 1.0, _SMALLEST_RATIO)
    lo, hi = speedup.spread if speedup and speedup.spread else (ratio, ratio)
    return ratio, max(min(lo, ratio), _SMALLEST_RATIO), max(hi, ratio)


def _log_axis(ax: Any, ratios: list[float], low: list[float], high: list[float]) -> None:
    """A log x axis with plain labels (`2x`): mathtext labels would need `text.parse_math`."""
    ax.set_xscale("log")
    smallest = min([1.0] + [r - d for r, d in zip(ratios, low, strict=True)])
    largest = max([1.0] + [r + d for r, d in zip(ratios, high, strict=True)])
    ax.set_xlim(smallest / 1.25, largest * 1.25)
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}x"))
    ax.xaxis.set_minor_formatter(NullFormatter())


def _saved(fn: FunctionView) -> float:
    saved = fn.speedup.seconds_saved if fn.speedup else None
    return saved if saved is not None else 0.0


def _figure(rows: int) -> tuple[Figure, Any]:
    fig = Figure(figsize=(7.5, 0.9 + 0.28 * rows), layout="constrained")
    FigureCanvasAgg(fig)  # the Agg canvas measures text; savefig switches to the SVG backend
    return fig, fig.add_subplot()


def _y_labels(ax: Any, rows: list[FunctionView]) -> None:
    ax.set_yticks(range(len(rows)), [label(f.qualname) for f in rows])
    ax.set_ylim(-0.6, len(rows) - 0.4)


_TAG = re.compile(r"<[^<>]+>")  # matplotlib escapes < and > in text, so this matches real tags only
_ID_REF = re.compile(r'(\bid="|url\(#|href="#)([^")]+)')


def _svg(fig: Figure, prefix: str, title: str) -> str:
    """The figure as an SVG element ready to inline: no prolog, comments, metadata or size."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.DOTALL)
    # its global `*{stroke-...}` rule would leak into the page; the page's CSS sets it for plots
    text = re.sub(r"<style[^>]*>.*?</style>", "", text, flags=re.DOTALL)
    text = _TAG.sub(lambda tag: _ID_REF.sub(rf"\1{prefix}-\2", tag.group(0)), text)
    text = re.sub(r'<svg [^>]*?(viewBox="[^"]*")[^>]*>', _open_tag(title), text, count=1)
    text = text.replace(_FG, "var(--plot-fg)").replace(_GRID, "var(--plot-grid)")
    return re.sub(r"\n\s*\n", "\n", text).strip()


def _open_tag(title: str) -> Any:
    def replace(match: re.Match[str]) -> str:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'{match.group(1)} class="plot" role="img" aria-label="{title}">'
        )

    return replace
