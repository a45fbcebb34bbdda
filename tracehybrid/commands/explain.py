"""`tracehybrid explain CODE`: print a diagnostic code's documentation."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table

from tracehybrid import codes
from tracehybrid.docsgen import render_code
from tracehybrid.errors import ExitCode, UsageError


def do_explain(args: argparse.Namespace) -> int:
    """Print one code's page, or the list of codes."""
    console = Console()
    if args.list or not args.code:
        if not args.list:
            raise UsageError("explain needs a code or name, e.g. `tracehybrid explain TH101`")
        table = Table("code", "name", "category", "summary")
        for code in codes.all_codes():
            table.add_row(code.code, code.name, code.category, code.summary)
        console.print(table)
        return ExitCode.OK
    code = codes.get(args.code)
    console.print(Markdown(render_code(code)))
    return ExitCode.OK
