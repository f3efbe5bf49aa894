"""The govscore command line (typer). Thin: each command parses options and calls core functions."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, Optional

import typer

from .errors import ExitCode, GovscoreError
from .i18n import _, set_language

app = typer.Typer(add_completion=False, no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]})


@app.callback()
def _root() -> None:
    """govscore: score government portals and new-media accounts against a rubric."""


def _fail(err: GovscoreError) -> None:
    typer.echo(err.render(), err=True)
    raise typer.Exit(int(err.exit_code))


@app.command()
def score(
    evidence: List[Path] = typer.Argument(..., help="evidence files or folders"),
    rules: str = typer.Option("2023-zengdu", "--rules", help="rule set name or path"),
    engine: str = typer.Option("durable", "--engine"),
    fmt: List[str] = typer.Option(["table"], "--format"),
    output: Optional[Path] = typer.Option(None, "-o", "--output"),
    lang: Optional[str] = typer.Option(None, "--lang"),
):
    """Score units and print the ranking."""
    set_language(lang)
    from .numbers import fmt2
    from .runner import RunOptions, run

    try:
        res = run(evidence, RunOptions(rules=rules, engine=engine))
    except GovscoreError as err:
        _fail(err)
    for u in res.units:
        typer.echo(f"{u.rank}\t{u.unit_id}\t{u.name}\t{fmt2(u.display['total'])}")
    for f in res.failures:
        for m in f.messages():
            typer.echo(m, err=True)
    if "json" in fmt and output:
        from .reports.json_report import write_json

        write_json(res, output)
    raise typer.Exit(int(ExitCode.UNIT_ERRORS if res.failures else ExitCode.OK))


def main() -> None:
    """Console entry point: no traceback unless GOVSCORE_DEBUG=1."""
    try:
        app()
    except GovscoreError as err:
        typer.echo(err.render(), err=True)
        sys.exit(int(err.exit_code))
    except Exception as exc:  # pragma: no cover - last resort, keep users away from tracebacks
        if os.environ.get("GOVSCORE_DEBUG") == "1":
            raise
        typer.echo(_("internal error: {error} (set GOVSCORE_DEBUG=1 for details)", error=f"{type(exc).__name__}: {exc}"), err=True)
        sys.exit(int(ExitCode.USAGE))


if __name__ == "__main__":
    main()
