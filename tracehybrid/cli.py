"""The command line: one small `do_*` function per verb; errors become one line and an exit code."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tracehybrid import __version__
from tracehybrid.errors import ExitCode, TraceHybridError, UsageError

Handler = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """argparse that raises UsageError instead of printing usage and exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see `{self.prog} --help`)")


if TYPE_CHECKING:  # argparse has no public name for what add_subparsers returns
    Subparsers = argparse._SubParsersAction[_Parser]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every verb."""
    parser = _Parser(
        prog="tracehybrid",
        description="Find eager TensorFlow functions that can safely run as graphs.",
    )
    parser.add_argument("--version", action="version", version=f"tracehybrid {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=_Parser)
    _add_analyze(verbs)
    _add_run(verbs)
    _add_report(verbs)
    _add_combine(verbs)
    _add_debug(verbs)
    _add_explain(verbs)
    _add_apply(verbs)
    return parser


def _debug_flag() -> _Parser:
    """`--debug` for a verb's own parser, so `tracehybrid run --debug -- pytest` works too.

    SUPPRESS keeps a verb's parser from resetting a `--debug` given before the verb.
    """
    flag = _Parser(add_help=False)
    flag.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
    )
    return flag


def _output_folder(value: str) -> Path:
    """`--out` of `run` and `combine`: a folder, existing or not, never an existing file."""
    path = Path(value)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{value} is a file; give a folder for the output")
    return path


def _keep_stores_flag() -> _Parser:
    """`--keep-stores` of `run` and `combine`."""
    flag = _Parser(add_help=False)
    flag.add_argument(
        "--keep-stores",
        action="store_true",
        help="keep the per-process trace stores once combined (also: keep-stores = true)",
    )
    return flag


def _add_analyze(verbs: Subparsers) -> None:
    analyze = verbs.add_parser(
        "analyze", parents=[_debug_flag()], help="static analysis only: list candidate functions"
    )
    analyze.add_argument(
        "paths",
        nargs="*",
        type=Path,
        help="files or folders (default: the config's source, else .)",
    )
    analyze.add_argument("--format", choices=("table", "json"), default="table")
    analyze.add_argument("--all", action="store_true", help="also list non-candidate functions")
    analyze.add_argument("--no-cache", action="store_true", help="ignore the analysis cache")
    analyze.add_argument(
        "--exit-findings",
        action="store_true",
        help="exit 1 when a candidate has a blocking finding",
    )
    analyze.add_argument("--quiet", action="store_true", help="no progress output")
    analyze.set_defaults(handler=_do_analyze)


def _add_run(verbs: Subparsers) -> None:
    run = verbs.add_parser(
        "run",
        parents=[_debug_flag(), _keep_stores_flag()],
        help="run the test command under the tracer: `tracehybrid run -- pytest`",
    )
    run.add_argument("--out", type=_output_folder, help="output folder (default: .tracehybrid)")
    run.add_argument("--quiet", action="store_true", help="no progress; a one-line summary")
    run.add_argument(
        "--no-graph", action="store_true", help="trace and reconcile only: skip the graph rerun"
    )
    run.add_argument(
        "--candidates-from",
        type=Path,
        metavar="MERGED",
        help="CI shards, stage 2: prove the candidates `combine` decided over the stage-1 "
        "shards (their merged run folder) instead of this run's own (docs/ci.md)",
    )
    run.add_argument("cmd", nargs=argparse.REMAINDER, help="the test command, after --")
    run.set_defaults(handler=_do_run)


def _add_report(verbs: Subparsers) -> None:
    report = verbs.add_parser(
        "report", parents=[_debug_flag()], help="render the last run's results in one format"
    )
    report.add_argument("--format", choices=("html", "json", "sarif", "text"), default="html")
    report.add_argument("--out", type=Path, help="file to write (default: stdout; html: the run's)")
    report.add_argument("--dir", type=Path, help="the run's output folder (default: .tracehybrid)")
    report.add_argument("--quiet", action="store_true", help="text: one summary line")
    report.add_argument(
        "--rebuild",
        action="store_true",
        help="recompute the results from the run's stores on today's source (not results.json)",
    )
    report.set_defaults(handler=_do_report)


def _add_combine(verbs: Subparsers) -> None:
    combine = verbs.add_parser(
        "combine",
        parents=[_debug_flag(), _keep_stores_flag()],
        help="merge CI shards' run folders into one run (or per-process trace stores)",
        description="With folders: merge the `.tracehybrid/` run folders of CI shards (each a "
        "`tracehybrid run` of one part of the suite, same commit and configuration) into one "
        "run in --out, decided once over all their evidence: results.json, report.html, "
        "results.sarif. With store files, or nothing: merge trace stores only. See docs/ci.md.",
    )
    combine.add_argument(
        "stores",
        nargs="*",
        type=Path,
        metavar="SHARD_DIR|STORE",
        help="the shards' run folders (or their project folders), or store files "
        "(default: the run's own stores)",
    )
    combine.add_argument(
        "--out", type=_output_folder, help="folder of the merged run (default: .tracehybrid)"
    )
    combine.add_argument("--quiet", action="store_true", help="no progress; a one-line summary")
    combine.set_defaults(handler=_do_combine)


def _add_debug(verbs: Subparsers) -> None:
    debug = verbs.add_parser(
        "debug", parents=[_debug_flag()], help="inspect tracehybrid's data for bug reports"
    )
    debug_what = debug.add_subparsers(dest="what", metavar="WHAT", parser_class=_Parser)
    store = debug_what.add_parser(
        "store", parents=[_debug_flag()], help="print what a trace store holds"
    )
    store.add_argument("path", nargs="?", type=Path, help="store file (default: the run's)")
    store.set_defaults(handler=_do_debug)


def _add_explain(verbs: Subparsers) -> None:
    explain = verbs.add_parser("explain", parents=[_debug_flag()], help="explain a diagnostic code")
    explain.add_argument("code", nargs="?", help="a code (TH101) or name (print-call)")
    explain.add_argument("--list", action="store_true", help="list every code")
    explain.set_defaults(handler=_do_explain)


def _add_apply(verbs: Subparsers) -> None:
    apply = verbs.add_parser(
        "apply", parents=[_debug_flag()], help="write the approved refactorings into the source"
    )
    apply.add_argument("--results", type=Path, help="results file (default: the run's)")
    apply.add_argument(
        "--root", type=Path, help="project to rewrite (default: the one around the current folder)"
    )
    apply.add_argument("--diff", action="store_true", help="print a unified diff, write nothing")
    apply.add_argument("--unsafe-fixes", action="store_true", help="also apply unsafe fixes")
    for flag, verb in (("--select", "only"), ("--ignore", "never")):
        apply.add_argument(
            flag,
            action="extend",
            nargs="+",
            default=[],
            metavar="CODE|QUALNAME",
            help=f"{verb} fix functions with this reason code, qualname or path::qualname",
        )
    apply.add_argument("--force", action="store_true", help="apply to files changed since the run")
    apply.set_defaults(handler=_do_apply)


# Each verb imports its command module on use, so `tracehybrid --help` stays fast; plain imports
# (not importlib) keep the dependency visible to import-linter's layers contract.
def _do_analyze(args: argparse.Namespace) -> int:
    from tracehybrid.commands.analyze import do_analyze

    return do_analyze(args)


def _do_run(args: argparse.Namespace) -> int:
    from tracehybrid.commands.run import do_run

    return do_run(args)


def _do_report(args: argparse.Namespace) -> int:
    from tracehybrid.commands.report import do_report

    return do_report(args)


def _do_combine(args: argparse.Namespace) -> int:
    from tracehybrid.commands.combine import do_combine

    return do_combine(args)


def _do_debug(args: argparse.Namespace) -> int:
    from tracehybrid.commands.store import do_debug

    return do_debug(args)


def _do_explain(args: argparse.Namespace) -> int:
    from tracehybrid.commands.explain import do_explain

    return do_explain(args)


def _do_apply(args: argparse.Namespace) -> int:
    from tracehybrid.commands.apply import do_apply

    return do_apply(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    raw = list(sys.argv[1:] if argv is None else argv)
    debug = _wants_debug(raw)
    try:
        args = build_parser().parse_args(raw)
        if args.verb is None:
            build_parser().print_help()
            return ExitCode.USAGE
        handler: Handler | None = getattr(args, "handler", None)
        if handler is None:  # a verb with sub-verbs given none, e.g. `tracehybrid debug`
            raise UsageError(f"`{args.verb}` needs a sub-command; see `tracehybrid {args.verb} -h`")
        return handler(args)
    except TraceHybridError as exc:
        if debug:
            traceback.print_exc()
        print(exc.one_line(), file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # `tracehybrid ... | head`: the reader left, which is not an error
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silences the flush at exit
        return ExitCode.OK
    except KeyboardInterrupt:
        print("error[interrupted]: stopped by Ctrl-C", file=sys.stderr)
        return 130
    except Exception as exc:  # the last line of defence: one line, not a traceback
        if debug:
            traceback.print_exc()
        name = type(exc).__name__
        hint = "a bug in tracehybrid: rerun with --debug and report it"
        print(f"error[internal]: {name}: {exc} ({hint})", file=sys.stderr)
        return ExitCode.INTERNAL


def _wants_debug(raw: list[str]) -> bool:
    """`--debug` anywhere among tracehybrid's own arguments; after `--` it belongs to CMD.

    Read from the raw arguments so that an error while parsing them gets its traceback too.
    """
    own = raw[: raw.index("--")] if "--" in raw else raw
    return "--debug" in own
