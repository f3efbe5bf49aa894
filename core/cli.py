"""The govscore command line (typer). Thin: each command parses options and calls core functions.

Commands: score, check, explain, validate, indicators, plugins, rules diff, compare, template,
new-plugin. ``-h/--help`` everywhere; rich tables on a terminal, plain text when piped.

Language: every text a user reads goes through the catalogue (:mod:`govscore.core.i18n`): Chinese by
default, English with ``--lang en`` (before or after the command) or ``GOVSCORE_LANG=en``. Help texts
are catalogue ids marked with ``N_`` and translated when the help is shown, so ``--lang`` applies to
``--help`` too.

Exit codes (:class:`govscore.core.errors.ExitCode`; each ``--help`` lists those its command can end with,
one line each): 0 ok; 1 some units could not be scored (the others are scored and written, the failures
listed); 2 bad usage, an invalid rule set or a plugin that failed to load. No traceback unless
GOVSCORE_DEBUG=1; a file or folder that cannot be read or written is named with the reason.
"""

from __future__ import annotations

import json
import os
import sys
import time
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from typing import List, Optional

import typer
from typer.core import TyperCommand, TyperGroup

from .errors import ErrorList, ExitCode, GovscoreError, Location
from .i18n import N_, _, lang_supported, set_language

try:  # typer >= 0.20 vendors click
    from typer._click import exceptions as _cx
except ImportError:  # pragma: no cover - older typer on top of click
    import click.exceptions as _cx  # type: ignore[no-redef]

USAGE_HELP = N_("bad usage, an invalid rule set or a plugin that failed to load")
EXIT_CODE_HELP = {
    ExitCode.OK: N_("every unit scored and its reports written"),
    ExitCode.UNIT_ERRORS: N_("some units could not be scored: the others are scored and written, the failures listed"),
    ExitCode.USAGE: USAGE_HELP,
}
# the exit codes each command can end with, listed by its --help; the main --help and score (not named
# here) list all of EXIT_CODE_HELP
COMMAND_EXIT_CODES = {
    "check": {ExitCode.OK: N_("every unit can be scored"),
              ExitCode.UNIT_ERRORS: N_("some units have errors (with --strict: or observations not recorded), or a file cannot be read"),
              ExitCode.USAGE: USAGE_HELP},
    "explain": {ExitCode.OK: N_("the unit explained"), ExitCode.UNIT_ERRORS: N_("the unit could not be scored"),
                ExitCode.USAGE: N_("bad usage, an unknown unit or indicator, an invalid rule set or a plugin that failed to load")},
    "validate": {ExitCode.OK: N_("the rule set is valid (warnings may be listed)"),
                 ExitCode.USAGE: N_("the rule set has errors, a plugin failed to load, or bad usage")},
    "indicators": {ExitCode.OK: N_("the tree printed"), ExitCode.USAGE: USAGE_HELP},
    "plugins": {ExitCode.OK: N_("every plugin loaded"), ExitCode.USAGE: N_("a plugin failed to load, or bad usage")},
    "diff": {ExitCode.OK: N_("the differences printed (none is no error)"), ExitCode.USAGE: N_("bad usage or an invalid rule set")},
    "compare": {ExitCode.OK: N_("the comparison printed"),
                ExitCode.USAGE: N_("bad usage, or a file that is not a govscore JSON result")},
    "template": {ExitCode.OK: N_("the workbook written"),
                 ExitCode.USAGE: N_("bad usage, an invalid rule set, a plugin that failed to load, or a workbook already there")},
    "new-plugin": {ExitCode.OK: N_("the plugin package created"), ExitCode.USAGE: N_("bad usage, a bad name or a folder that cannot be written")},
}
COMMAND_EXIT_CODES["rules"] = COMMAND_EXIT_CODES["diff"]  # the group of `rules diff`
ENGINES = ("durable", "reference")
GROUP_BY = ("kind",)
DEFAULT_RULESET = "2023-zengdu"


def exit_codes_text(command: str | None = None) -> str:
    """The exit codes `command` can end with (all of them for None), in the current language: a heading,
    then one line per code (the epilog of every --help)."""
    codes = COMMAND_EXIT_CODES.get(command or "", EXIT_CODE_HELP)
    return "\n".join([_("Exit codes:")] + [_("{code}: {meaning}", code=int(code), meaning=_(text)) for code, text in codes.items()])


# --- language, help and usage errors -------------------------------------------------------------


def check_lang(lang: str | None) -> None:
    """Refuse a ``--lang`` that names no supported language (it would silently print Chinese).

    Raises:
        GovscoreError: `lang` is neither zh_CN nor en (nor a spelling of them: zh, zh-CN, en_US ...).
    """
    if lang is not None and not lang_supported(lang):
        raise GovscoreError("unknown language {lang}: choose zh_CN or en", {"lang": lang if lang.strip() else repr(lang)})


def prescan_lang(argv: list[str]) -> str | None:
    """The value of ``--lang`` anywhere before ``--`` (None when absent)."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def _typer_labels() -> None:
    """Translate the labels typer's rich help prints (panel titles, [default: ...])."""
    try:
        from typer import rich_utils as ru
    except ImportError:  # pragma: no cover - rich is a dependency
        return
    ru.ARGUMENTS_PANEL_TITLE = _("Arguments")
    ru.OPTIONS_PANEL_TITLE = _("Options")
    ru.COMMANDS_PANEL_TITLE = _("Commands")
    ru.ERRORS_PANEL_TITLE = _("Error")
    ru.DEFAULT_STRING = _("[default: {}]")
    ru.REQUIRED_LONG_STRING = _("[required]")
    ru.ENVVAR_STRING = _("[env var: {}]")
    ru.DEPRECATED_STRING = _("(deprecated) ")
    ru.ABORTED_TEXT = _("Aborted.")
    # Chinese has no spaces to wrap at: let rich fold long runs of text instead of cutting them with "…"
    make = getattr(ru, "_make_rich_text", None)
    if make is not None and not getattr(make, "_govscore_folds", False):
        def folding(*args, **kwargs):
            text = make(*args, **kwargs)
            if hasattr(text, "overflow"):
                text.overflow = "fold"
            return text
        folding._govscore_folds = True
        ru._make_rich_text = folding


def _tr(text: str | None) -> str | None:
    if not text:
        return text
    from rich.markup import escape

    return escape(_(text))


def _no_type(ctx=None):
    """An empty type column in --help (typer would show a Python type such as <bool>)."""
    return None


def localise(cmd) -> None:
    """Translate the help of `cmd`, its parameters and its subcommands (ids kept for a later language)."""
    for param in getattr(cmd, "params", []):
        # the help's type column shows Python types (<bool>, <list[Path]>) for flags and for arguments
        # that have a metavar of their own: nothing there instead
        if getattr(param, "is_flag", False) or (getattr(param, "param_type_name", "") == "argument" and param.metavar):
            param.display_type_rich = _no_type
    for obj in [cmd, *getattr(cmd, "params", [])]:
        for attr in ("help", "short_help"):
            key = f"_gs_{attr}"
            if key not in obj.__dict__:
                obj.__dict__[key] = getattr(obj, attr, None)
            orig = obj.__dict__[key]
            if orig:
                setattr(obj, attr, _tr(orig))
    cmd.epilog = _tr(exit_codes_text(cmd.name))
    if isinstance(cmd, TyperGroup):
        for sub in cmd.commands.values():
            localise(sub)


class _Localised:
    """Usage line and help option in the current language."""

    def format_usage(self, ctx, formatter) -> None:
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=_("Usage: "))

    def get_help_option(self, ctx):
        opt = super().get_help_option(ctx)
        if opt is not None:
            opt.help = _("Show this message and exit.")
            opt.display_type_rich = _no_type
        return opt


class GovCommand(_Localised, TyperCommand):
    """A govscore command."""


class GovGroup(_Localised, TyperGroup):
    """The govscore group: picks the language before parsing, and turns every error into one sentence
    and an exit code (no traceback unless GOVSCORE_DEBUG=1)."""

    def list_commands(self, ctx) -> list[str]:
        return list(self.commands)  # in definition order, not alphabetical

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        from . import i18n

        argv = list(sys.argv[1:] if args is None else args)
        saved = list(i18n._current)
        # --lang, else GOVSCORE_LANG, else Chinese: never a language left over from an earlier call in this process
        # (an unknown --lang is refused below, in the language the run would have had without it)
        asked = prescan_lang(argv)
        set_language((asked if asked and lang_supported(asked) else None) or os.environ.get("GOVSCORE_LANG") or "zh_CN")
        try:
            _typer_labels()
            localise(self)
            def parse_and_run():
                check_lang(asked)
                env_lang = os.environ.get("GOVSCORE_LANG")
                if not asked and env_lang and not lang_supported(env_lang):  # said once, then Chinese as usual
                    _err(_("warning: GOVSCORE_LANG={lang} is not a language govscore has (zh_CN or en); using zh_CN",
                           lang=env_lang))
                return super(GovGroup, self).main(args=argv, prog_name="govscore", complete_var=complete_var,
                                                  standalone_mode=False, **extra)
            code = run_guarded(parse_and_run)
        finally:
            i18n._current[:] = saved
        if standalone_mode:
            sys.exit(code)
        return code


def _hint(e) -> str:
    param = getattr(e, "param", None)
    if param is None:
        return ""
    for call in (lambda: param.get_error_hint(e.ctx), lambda: param.get_error_hint()):
        try:
            return str(call()).strip("'").replace("' / '", " / ")
        except TypeError:
            continue
        except Exception:  # noqa: BLE001 - a hint is a nicety
            break
    return param.name or ""


def usage_message(e) -> str:
    """One sentence, in the current language, for a usage error raised while parsing."""
    if isinstance(e, _cx.NoSuchOption):
        msg = _("no such option: {option}", option=e.option_name)
        if e.possibilities:
            msg += _(" (did you mean {options}?)", options=", ".join(sorted(e.possibilities)))
        return msg
    if isinstance(e, _cx.MissingParameter):
        hint = _hint(e)
        if e.param is not None and e.param.param_type_name == "argument":
            return _("missing argument {name}", name=hint)
        return _("missing option {name}", name=hint)
    if isinstance(e, _cx.BadParameter):
        hint = _hint(e)
        return _("invalid value for {name}: {reason}", name=hint or "-", reason=e.message)
    if isinstance(e, _cx.BadOptionUsage) and "requires an argument" in e.message:
        return _("option {option} needs a value", option=e.option_name)
    text = e.format_message()
    if text.startswith("No such command"):
        name = text.split("'")[1] if text.count("'") >= 2 else text
        return _("no such command: {name}", name=name)
    if text.startswith("Got unexpected extra argument"):
        extra = text[text.find("(") + 1:text.rfind(")")] if "(" in text else text
        return _("unexpected extra arguments: {args}", args=extra)
    return _("usage error: {message}", message=text)


def _err(text: str) -> None:
    typer.echo(text, err=True)


def report_error(err: GovscoreError) -> None:
    """Print a GovscoreError (each of an ErrorList on its own line) on stderr."""
    errors = err.errors if isinstance(err, ErrorList) else [err]
    for e in errors:
        _err(_("error: {message}", message=e.render()))


def run_guarded(fn) -> int:
    """Call `fn`, turning every outcome into an exit code and every error into sentences on stderr."""
    try:
        rv = fn()
        if rv == 130:  # typer's answer to Ctrl-C (or TERM, see main): say so
            _err(_("aborted"))
        return int(rv) if isinstance(rv, int) else 0
    except _cx.UsageError as e:
        if type(e).__name__ == "NoArgsIsHelpError":
            if e.message:
                typer.echo(e.message)
            return int(ExitCode.USAGE)
        ctx = getattr(e, "ctx", None)
        if ctx is not None:
            _err(ctx.get_usage())
        _err(_("error: {message}", message=usage_message(e)))
        if ctx is not None:
            _err(_("Try '{command} --help' for help.", command=ctx.command_path))
        return int(ExitCode.USAGE)
    except typer.Exit as e:
        return int(e.exit_code)
    except GovscoreError as err:
        report_error(err)
        return int(err.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        _err(_("aborted"))
        return 130
    except OSError as exc:  # a file or folder that cannot be read or written: where, and why
        if os.environ.get("GOVSCORE_DEBUG") == "1":
            raise
        from .yamlio import os_reason

        reason = os_reason(exc)
        _err(_("error: {message}", message=_("{path}: {reason}", path=str(exc.filename), reason=reason)
                                              if exc.filename is not None else reason))
        return int(ExitCode.USAGE)
    except _cx.ClickException as e:
        _err(_("error: {message}", message=e.format_message()))
        return int(ExitCode.USAGE)
    except Exception as exc:
        if os.environ.get("GOVSCORE_DEBUG") == "1":
            raise
        _err(_("internal error: {error} (set GOVSCORE_DEBUG=1 for details)", error=f"{type(exc).__name__}: {exc}"))
        return int(ExitCode.USAGE)


app = typer.Typer(cls=GovGroup, add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  rich_markup_mode="rich", context_settings={"help_option_names": ["-h", "--help"]},
                  help=N_("govscore: score government portals and new-media accounts (政务新媒体) against an annual rubric."))
rules_app = typer.Typer(cls=GovGroup, add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                        rich_markup_mode="rich", context_settings={"help_option_names": ["-h", "--help"]},
                        help=N_("Work with rule sets: compare two of them."))
app.add_typer(rules_app, name="rules", help=N_("Work with rule sets: compare two of them."))


@rules_app.callback()
def _rules_root(lang: Optional[str] = typer.Option(None, "--lang", metavar="zh_CN|en", help=N_(
        "language of everything printed: zh_CN (default) or en; GOVSCORE_LANG=en does the same"))) -> None:
    """govscore rules."""


def _version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"govscore {__version__}")
        raise typer.Exit(0)


LANG_HELP = N_("language of everything printed: zh_CN (default) or en; GOVSCORE_LANG=en does the same")


@app.callback()
def _root(
    lang: Optional[str] = typer.Option(None, "--lang", metavar="zh_CN|en", help=LANG_HELP),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help=N_("print the version and exit")),
) -> None:
    """govscore."""
    if lang:
        set_language(lang)


# --- shared pieces -----------------------------------------------------------------------------


def load_registry():
    """The plugin registry (tests replace this to add plugins of their own)."""
    from .plugins import load

    return load()


def stdout_console():
    from rich.console import Console

    return Console(file=sys.stdout, highlight=False, soft_wrap=False)


def stderr_console():
    from rich.console import Console

    return Console(file=sys.stderr, highlight=False)


def parse_day(text: str, option: str):
    from .dates import parse_date

    try:
        return parse_date(text.strip())
    except (ValueError, TypeError):
        raise GovscoreError("{option} expects a date such as 2023-12-31, found {value!r}", {"option": option, "value": text}) from None


def parse_period(text: str):
    """START:END (or START..END) as two dates."""
    sep = ".." if ".." in text else ":"
    parts = text.split(sep)
    if len(parts) != 2 or not all(p.strip() for p in parts):
        raise GovscoreError("--period expects START:END such as 2023-01-01:2023-12-31, found {value!r}", {"value": text})
    return parse_day(parts[0], "--period"), parse_day(parts[1], "--period")


def run_options(rules, as_of, period, calendar, engine="durable", strict=False, workers: int | str | None = 1):
    """The options of a scoring run from the command line (`workers` None: one per CPU; text as typed).

    Raises:
        GovscoreError: an unknown engine, a worker count that is not a whole number of at least 1, a
            calendar file that does not exist, an option given empty (--rules '').
    """
    from .runner import RunOptions

    for option, value in (("--rules", rules), ("--as-of", as_of), ("--period", period)):
        if value is not None and not str(value).strip():  # given, but empty (an unset variable in a script)
            raise GovscoreError("{option} needs a value, found an empty one", {"option": option})
    if workers is None:
        workers = os.cpu_count() or 1
    if engine not in ENGINES:
        raise GovscoreError("unknown engine {name}: choose {known}", {"name": engine, "known": ", ".join(ENGINES)})
    typed = workers
    if isinstance(workers, str):  # parsed here rather than by typer, so that the message is ours and names the value
        workers = int(workers.strip()) if workers.strip().isdigit() else 0
    if workers < 1:
        raise GovscoreError("--workers expects a whole number of at least 1, found {value}",
                            {"value": typed if str(typed).strip() else repr(typed)})
    for p in calendar or []:
        if not Path(p).is_file():
            raise GovscoreError("the calendar override file (--calendar) does not exist", {}, Location(file=str(p)))
    return RunOptions(rules=rules or DEFAULT_RULESET, as_of=parse_day(as_of, "--as-of") if as_of else None,
                      period=parse_period(period) if period else None, calendar_files=[Path(p) for p in calendar or []],
                      engine=engine, strict=strict, workers=workers)


class DelayedProgress:
    """A rich progress bar on stderr that appears only once a run has lasted `delay` seconds, and only
    on a terminal (nothing is drawn when stderr is piped). The total may be unknown at first (evidence
    is read while scoring): the bar then counts units until :meth:`set_total` gives it."""

    def __init__(self, total: int | None, console=None, delay: float = 1.5, clock=time.monotonic) -> None:
        self.total = total
        self.console = console
        self.delay = delay
        self.clock = clock
        self.started = clock()
        self.done = 0
        self.bar = None
        self.task = None

    def set_total(self, total: int) -> None:
        self.total = total

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self.bar is None:
            if self.console is None or not self.console.is_terminal or self.clock() - self.started < self.delay:
                return
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                                console=self.console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task(_("scoring units"), total=self.total, completed=self.done)
        else:
            self.bar.update(self.task, completed=self.done, total=self.total)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


@contextmanager
def progress_bar(total: int | None = None):
    prog = DelayedProgress(total, stderr_console())
    try:
        yield prog
    finally:
        prog.close()


def score_run(evidence, opts, group_by=None, registry=None, keep: str = "full"):
    """Load plugins and rules, then read evidence and score (file by file), with the delayed progress bar.

    `keep` is passed to :func:`govscore.core.runner.run`: "summary" when only the JSON report and the
    table are wanted (a lean run: the caller closes the result).
    """
    from .runner import prepare, run

    registry = registry or load_registry()
    registry.require_healthy()
    compiled = prepare(opts, registry)
    with progress_bar() as prog:
        res = run(evidence, opts, group_by, registry, prog.advance, compiled=compiled, keep=keep, on_total=prog.set_total)
    try:
        require_evidence(evidence, len(res.evidence_files), len(res.units) + len(res.failures))
    except GovscoreError:
        res.close()
        raise
    return res


def require_evidence(evidence, files: int, units: int) -> None:
    """Refuse a run that has nothing to work on, rather than rank (or check) nobody.

    Args:
        evidence: the EVIDENCE paths as given; files: evidence files found; units: units read (scored,
            failed) plus files that could not be read.

    Raises:
        GovscoreError (exit 2): no evidence file (a folder given by mistake, an empty one), or files
            without a single unit (an empty list, a blank template).
    """
    paths = ", ".join(map(str, evidence))
    if not files:
        raise GovscoreError("no evidence files (.yaml, .yml, .json, .xlsx) in {paths}", {"paths": paths})
    if not units:
        raise GovscoreError("the evidence files hold no unit ({n} file(s) read from {paths}): nothing to score",
                            {"n": files, "paths": paths})


def print_failures(res) -> None:
    if not res.failures:
        return
    if res.units:
        _err(_("{n} unit(s) or file(s) could not be scored; the others were scored:", n=len(res.failures)))
    else:
        _err(_("{n} unit(s) or file(s) could not be scored, and no unit was:", n=len(res.failures)))
    for f in res.failures:
        who = f.unit_id or f.source
        _err("  " + _("{who}:", who=f"{who} {f.name}" if f.name else who))
        for m in f.messages():
            _err("    " + m)


def is_folder(output: Path | None, text: str | None = None) -> bool:
    """True when -o names a folder: an existing one, or a path written with a trailing slash ("out/").

    `text` is -o as typed: a Path has lost its trailing slash.
    """
    if output is None:
        return False
    text = str(output) if text is None else text
    return output.is_dir() or text.endswith(tuple({"/", os.sep, os.altsep or "/"}))


def choose_formats(fmt: list[str], output: Path | None, registry, folder: bool = False) -> list[str]:
    """The report formats of a score run (validated), inferred from -o's suffix when not given (a
    folder `output` has none: the table)."""
    writers = registry.report_writers
    known = sorted(set(writers) | {"table"})
    formats: list[str] = []
    if fmt and not any(part.strip() for f in fmt for part in f.split(",")):
        raise GovscoreError("{option} needs a value, found an empty one", {"option": "--format"})
    for f in fmt or []:
        for part in f.split(","):
            part = part.strip().lower()
            if part and part not in formats:
                formats.append(part)
    if not formats:
        suffix = output.suffix.lower() if output is not None and not folder and not output.is_dir() else ""
        by_suffix = {c.value.suffix.lower(): name for name, c in writers.items()}
        formats = [by_suffix[suffix]] if suffix in by_suffix else ["table"]
    for f in formats:
        if f not in known:
            raise GovscoreError("unknown report format {name} (known: {known})", {"name": f, "known": ", ".join(known)})
    if output is None:
        if len(formats) > 1:
            raise GovscoreError("several formats ({formats}) need -o DIR, a folder for the reports", {"formats": ", ".join(formats)})
        if formats[0] not in ("table", "json"):
            raise GovscoreError("--format {name} writes a file: give -o FILE or -o DIR", {"name": formats[0]})
    return formats


def output_paths(formats: list[str], output: Path, registry, folder: bool = False) -> dict[str, Path]:
    """Where each format goes: -o itself for one format (unless -o is a folder: `folder`, or an existing
    one), else DIR/report<suffix>."""
    text = str(output)
    is_dir = folder or is_folder(output)
    if len(formats) == 1 and not is_dir:
        return {formats[0]: output}
    if output.exists() and not output.is_dir():
        raise GovscoreError("-o {path} is a file, but the reports need a folder there", {"path": text})
    out = {}
    for f in formats:
        c = registry.report_writers.get(f)
        suffix = c.value.suffix if c is not None else ".txt"
        out[f] = output / f"report{suffix}"
    return out


def write_reports(res, formats, output, registry, group_by, folder: bool = False) -> None:
    from .i18n import current_language

    options = {"group_by": group_by, "lang": current_language()}
    for fmt, path in output_paths(formats, output, registry, folder).items():
        c = registry.report_writers.get(fmt)
        with writing(path):
            if c is None:  # "table" without a registered writer
                from .reports.table import write_table

                write_table(res, path, options)
            else:
                c.value.write(res, path, options)
        _err(_("wrote {format} report: {path}", format=fmt, path=str(path)))


def refuse_evidence_targets(paths, evidence: list[Path]) -> None:
    """Refuse, before scoring, a report that would overwrite an evidence file of this run, or land in
    one of its evidence folders as a file the next run would read as evidence (.json, .yaml, .xlsx).

    Raises:
        GovscoreError: exit 2, naming the report and the evidence it would hit.
    """
    from .evidence import EVIDENCE_SUFFIXES, evidence_targets

    readable = EVIDENCE_SUFFIXES + (".xlsx",)
    # every evidence file of the run (through links too) and every folder it reads; a missing path is
    # reported by the run itself
    files, folders = evidence_targets([Path(e) for e in evidence if Path(e).exists()])
    for path in paths:
        target = Path(path).resolve()
        hit = files.get(str(target))
        if hit is not None:
            raise GovscoreError("the report {path} would overwrite the evidence file {evidence}: write it elsewhere (-o)",
                                {"path": str(path), "evidence": str(hit)})
        if target.suffix.lower() not in readable:
            continue
        for given, inside in folders.items():
            # any folder the run reads, linked ones included: a new folder under one of them too
            if any(str(a) in inside for a in target.parents):
                raise GovscoreError("the report {path} would be written into the evidence folder {folder}, where the next run "
                                    "would read it as evidence: write it elsewhere (-o)", {"path": str(path), "folder": given})


def probe_writable(paths) -> None:
    """Make each report's folder and write a scratch file there, so that a folder that cannot be
    written is reported before a long run, not after it.

    Raises:
        GovscoreError: the folder of a report cannot be made or written (exit 2).
    """
    from .reports.base import report_target

    for path in paths:
        with writing(Path(path)):
            _probe(report_target(Path(path)).parent)


def probe_folder(folder: Path) -> None:
    """:func:`probe_writable` for a folder of files (the --per-unit cards), errors naming the folder."""
    with writing(Path(folder)):
        _probe(Path(folder))


def _probe(folder: Path) -> None:
    import tempfile

    folder.mkdir(parents=True, exist_ok=True)
    fd, scratch = tempfile.mkstemp(prefix=".govscore-probe-", dir=str(folder))
    os.close(fd)
    os.unlink(scratch)


@contextmanager
def writing(path: Path):
    """Turn an OSError while writing `path` into one located sentence (exit 2), not an internal error."""
    from .yamlio import os_reason

    try:
        yield
    except OSError as exc:
        if os.environ.get("GOVSCORE_DEBUG") == "1":
            raise
        raise GovscoreError("cannot be written: {reason}", {"reason": os_reason(exc)}, Location(file=str(path))) from None


def print_table(res, group_by) -> None:
    from .reports.table import render_plain, render_rich

    console = stdout_console()
    if console.is_terminal:
        render_rich(res, console, group_by)
    else:
        typer.echo(render_plain(res, group_by), nl=False)


LEAN_FORMATS = frozenset({"table", "json"})
"""Report formats written from a lean run's summaries and spooled JSON (the others need full results)."""


def final_code(res) -> int:
    return int(ExitCode.UNIT_ERRORS if res.failures else ExitCode.OK)


# options shared by the commands that score
EVIDENCE_HELP = N_("evidence: YAML/JSON files (one unit or a list of units), folders of them, or .xlsx workbooks")
RULES_HELP = N_("rule set: a registered name or a folder with ruleset.yaml (default 2023-zengdu)")
ASOF_HELP = N_("monitoring date (监测时间点), e.g. 2023-12-31 (default: from the rule set)")
PERIOD_HELP = N_("evaluated period START:END, e.g. 2023-01-01:2023-12-31 (default: from the rule set)")
CALENDAR_HELP = N_("working-day calendar override file (may repeat)")
ENGINE_HELP = N_("evaluation engine: durable (durable_rules) or reference (pure Python, same results)")
STRICT_HELP = N_("a unit with any observation not recorded fails instead of earning nothing for it")
WORKERS_HELP = N_("processes used for large runs (more than 200 units); default: one per CPU")


@app.command(cls=GovCommand, help=N_("Score units and print the ranking; write reports with --format and -o."))
def score(
    evidence: List[Path] = typer.Argument(..., metavar="EVIDENCE", help=EVIDENCE_HELP, show_default=False),
    rules: Optional[str] = typer.Option(None, "--rules", metavar="NAME|PATH", help=RULES_HELP),
    as_of: Optional[str] = typer.Option(None, "--as-of", metavar="DATE", help=ASOF_HELP),
    period: Optional[str] = typer.Option(None, "--period", metavar="START:END", help=PERIOD_HELP),
    calendar: Optional[List[Path]] = typer.Option(None, "--calendar", metavar="FILE", help=CALENDAR_HELP),
    engine: str = typer.Option("durable", "--engine", metavar="durable|reference", help=ENGINE_HELP),
    fmt: Optional[List[str]] = typer.Option(None, "--format", metavar="FORMAT",
                                            help=N_("report format, may repeat: table (default), json, xlsx, html or any format a plugin adds")),
    output: Optional[str] = typer.Option(None, "-o", "--output", metavar="FILE|DIR",
                                         help=N_("report file (one format) or folder (several formats, an existing folder or a path ending in /: report.<suffix> each)")),
    group_by: Optional[str] = typer.Option(None, "--group-by", metavar="kind",
                                           help=N_("kind: rank departments and towns/streets separately")),
    strict: bool = typer.Option(False, "--strict", help=STRICT_HELP),
    per_unit: Optional[str] = typer.Option(None, "--per-unit", metavar="DIR", help=N_("also write one HTML score card per unit into DIR")),
    workers: Optional[str] = typer.Option(None, "--workers", metavar="N", help=WORKERS_HELP, show_default=False),
    lang: Optional[str] = typer.Option(None, "--lang", metavar="zh_CN|en", help=LANG_HELP),
) -> None:
    if group_by is not None and group_by not in GROUP_BY:
        raise GovscoreError("--group-by accepts {known}, found {value!r}", {"known": ", ".join(GROUP_BY), "value": group_by})
    opts = run_options(rules, as_of, period, calendar, engine, strict, workers)
    registry = load_registry()
    registry.require_healthy()
    if output is not None and not output.strip():  # -o "" (an unset variable in a script): not silently stdout
        raise GovscoreError("-o needs a file or folder name, found an empty one", {})
    output_text, output = output, (Path(output) if output else None)
    folder = is_folder(output, output_text)
    formats = choose_formats(fmt or [], output, registry, folder)
    if output is not None:
        # a report over the evidence, a file in the way of a folder, or a folder that cannot be written:
        # refused before scoring
        targets = output_paths(formats, output, registry, folder).values()
        refuse_evidence_targets(targets, evidence)
        probe_writable(targets)
    write_cards = None
    if per_unit is not None:
        try:
            from .reports.html_report import write_cards
        except ImportError:
            raise GovscoreError("--per-unit needs the HTML report, which is not installed") from None
        # read as text, as a Path would turn "" (an unset variable in a script) into "." (the current folder)
        if not per_unit.strip():
            raise GovscoreError("--per-unit needs a folder name, found {value}", {"value": repr(per_unit)})
        per_unit = Path(per_unit)
        probe_folder(per_unit)  # a card folder that cannot be made or written: refused before scoring
    # the JSON report and the table need only each unit's summary and JSON text: a lean run keeps
    # those (the text on disk), so that a province's 20,000 units fit in memory
    lean = set(formats) <= LEAN_FORMATS and per_unit is None
    res = score_run(evidence, opts, group_by, registry, keep="summary" if lean else "full")
    try:
        if output is None and formats == ["json"]:
            from .reports.json_report import iter_chunks

            for chunk in iter_chunks(res):
                typer.echo(chunk, nl=False)
        else:
            print_table(res, group_by)
            if output is not None:
                write_reports(res, formats, output, registry, group_by, folder)
        if write_cards is not None:
            with writing(per_unit):
                write_cards(res, per_unit)
            _err(_("wrote per-unit cards into {path}", path=str(per_unit)))
    finally:
        res.close()
    print_failures(res)
    raise typer.Exit(final_code(res))


@app.command(cls=GovCommand, help=N_("Read and validate evidence without scoring: per unit, what is malformed, missing or defaulted."))
def check(
    evidence: List[Path] = typer.Argument(..., metavar="EVIDENCE", help=EVIDENCE_HELP, show_default=False),
    rules: Optional[str] = typer.Option(None, "--rules", metavar="NAME|PATH", help=RULES_HELP),
    as_of: Optional[str] = typer.Option(None, "--as-of", metavar="DATE", help=ASOF_HELP),
    period: Optional[str] = typer.Option(None, "--period", metavar="START:END", help=PERIOD_HELP),
    calendar: Optional[List[Path]] = typer.Option(None, "--calendar", metavar="FILE", help=CALENDAR_HELP),
    strict: bool = typer.Option(False, "--strict", help=N_("count observations not recorded as errors")),
    lang: Optional[str] = typer.Option(None, "--lang", metavar="zh_CN|en", help=LANG_HELP),
) -> None:
    from .check import check_evidence, render
    from .evidence import load_evidence
    from .runner import prepare

    opts = run_options(rules, as_of, period, calendar, strict=strict)
    registry = load_registry()
    registry.require_healthy()
    compiled = prepare(opts, registry)
    loaded = load_evidence([Path(p) for p in evidence], compiled)
    require_evidence(evidence, len(loaded.files), len(loaded.units) + len(loaded.errors))
    result = check_evidence(compiled, loaded, strict)
    typer.echo(render(result), nl=False)
    raise typer.Exit(int(ExitCode.UNIT_ERRORS if result.has_errors else ExitCode.OK))


@app.command(cls=GovCommand, help=N_("Explain one unit's scores: weights, each rule with its observations and provenance, "
                                     "rule file and line, points, vetoes, missing observations, appeal adjustments."))
def explain(
    evidence: List[Path] = typer.Argument(..., metavar="EVIDENCE", help=EVIDENCE_HELP, show_default=False),
    unit: str = typer.Option(..., "--unit", metavar="ID", help=N_("the unit to explain (its id)")),
    indicator: Optional[str] = typer.Option(None, "--indicator", metavar="ID", help=N_("only this indicator (its id)")),
    as_json: bool = typer.Option(False, "--json", help=N_("print the unit's JSON result instead of text")),
    rules: Optional[str] = typer.Option(None, "--rules", metavar="NAME|PATH", help=RULES_HELP),
    as_of: Optional[str] = typer.Option(None, "--as-of", metavar="DATE", help=ASOF_HELP),
    period: Optional[str] = typer.Option(None, "--period", metavar="START:END", help=PERIOD_HELP),
    calendar: Optional[List[Path]] = typer.Option(None, "--calendar", metavar="FILE", help=CALENDAR_HELP),
    engine: str = typer.Option("durable", "--engine", metavar="durable|reference", help=ENGINE_HELP),
    group_by: Optional[str] = typer.Option(None, "--group-by", metavar="kind", help=N_("kind: also rank the unit among its own kind")),
    strict: bool = typer.Option(False, "--strict", help=STRICT_HELP),
    workers: Optional[str] = typer.Option(None, "--workers", metavar="N", help=WORKERS_HELP, show_default=False),
    lang: Optional[str] = typer.Option(None, "--lang", metavar="zh_CN|en", help=LANG_HELP),
) -> None:
    from difflib import get_close_matches

    from .explain import explain_text
    from .reports.json_report import unit_dict

    if group_by is not None and group_by not in GROUP_BY:
        raise GovscoreError("--group-by accepts {known}, found {value!r}", {"known": ", ".join(GROUP_BY), "value": group_by})
    opts = run_options(rules, as_of, period, calendar, engine, strict, workers)
    res = score_run(evidence, opts, group_by)
    if indicator is not None and indicator not in {lf.id for lf in res.compiled.leaves}:
        close = get_close_matches(indicator, [lf.id for lf in res.compiled.leaves], n=1)
        raise GovscoreError("unknown indicator {id}{hint}", {"id": indicator, "hint": _(" (did you mean {options}?)", options=close[0]) if close else ""})
    hit = next((u for u in res.units if u.unit_id == unit), None)
    if hit is None:
        failed = [f for f in res.failures if f.unit_id == unit]
        # else the unit may be in a file that could not be read: name those files, not a near miss
        unread = [] if failed else [f for f in res.failures if f.unit_id is None]
        if failed or unread:
            _err(_("unit {id} could not be scored:", id=unit) if failed else
                 _("unit {id} is not among the units read; {n} file(s) could not be read, and it may be in one of them:",
                   id=unit, n=len(unread)))
            for f in failed or unread:
                for m in f.messages():
                    _err("  " + m)
            raise typer.Exit(int(ExitCode.UNIT_ERRORS))
        known = [u.unit_id for u in res.units]
        close = get_close_matches(unit, known, n=1)
        raise GovscoreError("unit {id} is not in the evidence{hint}", {"id": unit, "hint": _(" (did you mean {options}?)", options=close[0]) if close else ""})
    if as_json:
        typer.echo(json.dumps(unit_dict(hit, res.compiled), ensure_ascii=False, indent=2))
    else:
        typer.echo(explain_text(res, hit, indicator), nl=False)
    raise typer.Exit(int(ExitCode.OK))


@app.command(cls=GovCommand, help=N_("Check a rule set and its plugins: errors, warnings (the rubric's own defects), the maximum attainable score."))
def validate(
    rules: Optional[str] = typer.Argument(None, metavar="RULES", help=RULES_HELP, show_default=False),
    lang: Optional[str] = typer.Option(None, "--lang", metavar="zh_CN|en", help=LANG_HELP),
) -> None:
    from .numbers import exact_str
    from .ruleset.loader import load_ruleset

    registry = load_registry()
    problems = 0
    for p in registry.failed:
        _err(_("error: {message}", message=_("plugin {name} failed to load: {reason}", name=p.name, reason=p.error)))
        problems += 1
    rs = load_ruleset(rules or DEFAULT_RULESET, registry.ruleset_paths())
    try:
        from .analysis import analyse
    except ImportError:
        raise GovscoreError("validate needs govscore.core.analysis, which is not installed") from None
    rep = analyse(rs, registry)
    typer.echo(_("Rule set {name} ({title}), content sha256 {hash}", name=rs.name, title=rs.title or "-", hash=rs.content_hash))
    for e in rep.errors:
        for sub in (e.errors if isinstance(e, ErrorList) else [e]):
            _err(_("error: {message}", message=sub.render()))
            problems += 1
    if rep.warnings:
        typer.echo(_("{n} warning(s):", n=len(rep.warnings)))
        for w in rep.warnings:
            typer.echo("  " + _("warning: {message}", message=w.render()))
    if rep.compiled is not None:
        # the declarative kinds this rule set uses, each with the plugin that contributed it
        used: dict[str, int] = {}
        for lf in rep.compiled.leaves:
            for e in lf.entries:
                used[e.kind.name] = used.get(e.kind.name, 0) + 1
        typer.echo(_("rule kinds used:"))
        for name in sorted(used):
            contrib = registry.rule_kinds[name]
            typer.echo("  " + _("{kind} (used {count}× in the rule set, from {plugin}): {description}", kind=name, count=used[name],
                                plugin=contrib.plugin, description=_(contrib.value.description)))
    typer.echo(_("maximum attainable base score: {max} of {total} points",
                 max=_points(rep.max_attainable_base), total=_points(rep.base_total)))
    short = [(i, m) for i, m in rep.leaf_max.items() if rs_leaf_weight(rs, i) is not None and m < rs_leaf_weight(rs, i)
             and rs.categories[rs.leaf(i).category].header.kind != "deduction"]
    for i, m in short:
        typer.echo("  " + _("{id}: at most {max} of {weight}", id=i, max=_points(m), weight=exact_str(rs_leaf_weight(rs, i))))
    if problems:
        _err(_("{n} error(s): the rule set cannot be used", n=problems))
        raise typer.Exit(int(ExitCode.USAGE))
    typer.echo(_("the rule set is valid"))
    raise typer.Exit(int(ExitCode.OK))


def rs_leaf_weight(rs, indicator: str):
    try:
        return rs.leaf(indicator).model.weight
    except KeyError:
        return None


def _points(v: Fraction) -> str:
    from .explain import points

    return points(v)


@app.command(cls=GovCommand, help=N_("Show the indicator tree: categories and leaves with ids, names, weights and criteria shares."))
def indicators(
    rules: Optional[str] = typer.Argument(None, metavar="RULES", help=RULES_HELP, show_default=False),
    lang: Optional[str] = typer.Option(None, "--lang", metavar="zh_CN|en", help=LANG_HELP),
) -> None:
    from .ruleset.loader import load_ruleset

    registry = load_registry()
    rs = load_ruleset(rules or DEFAULT_RULESET, registry.ruleset_paths())
    typer.echo(indicator_tree(rs, registry), nl=False)
    raise typer.Exit(int(ExitCode.OK))


def entry_share(entry, registry) -> Fraction | None:
    """The nominal share of an award entry: its kind's highest share (a bands entry: its best band)."""
    from .numbers import parse_fraction
    from .rulekinds import COMMON_KEYS, DEFAULT_KIND

    kind_name = entry.raw.get("kind") or DEFAULT_KIND[entry.section]
    kc = registry.rule_kinds.get(kind_name)
    if kc is not None:
        try:
            params = kc.value.params.model_validate({k: v for k, v in entry.raw.items() if k not in COMMON_KEYS})
            return kc.value.max_share(params)
        except Exception:  # noqa: BLE001 - fall back to the written share
            pass
    for key in ("share", "rate"):
        if key in entry.raw:
            try:
                return parse_fraction(entry.raw[key])
            except ValueError:
                return None
    return None


def indicator_tree(rs, registry) -> str:
    """The indicator tree as indented text."""
    from .numbers import exact_str, parse_fraction
    from .rulekinds import DEFAULT_KIND

    kinds = {"base": _("base"), "bonus": _("bonus"), "deduction": _("deduction")}
    lines = [_("Rule set {name} ({title})", name=rs.name, title=rs.title or "-")]
    order = {cid: i for i, cid in enumerate(rs.categories)}
    for cid, cat in sorted(rs.categories.items(), key=lambda kv: (kv[1].header.order, order[kv[0]])):
        h = cat.header
        leaves = [lf for lf in rs.leaves if lf.category == cid]
        total = h.weight if h.weight is not None else sum((lf.model.weight or Fraction(0) for lf in leaves), Fraction(0))
        head = f"{h.name} ({cid}) [{kinds.get(h.kind, h.kind)}] " + _("{points} points", points=exact_str(total))
        if h.cap is not None:
            head += ", " + _("cap {cap}", cap=exact_str(h.cap))
        lines.append(head)
        group = None
        for lf in leaves:
            m = lf.model
            indent = "  "
            if m.group:
                if m.group != group:
                    lines.append(f"  {m.group}")
                group = m.group
                indent = "    "
            else:
                group = None
            weight = _("{points} points", points=exact_str(m.weight)) if m.weight is not None else _("no weight")
            extra = []
            if m.applicability:
                extra.append(_("may not apply to a unit (observation {observation}); its weight then moves to the others",
                               observation=m.applicability.observation))
            if m.normalise_shares:
                extra.append(_("shares scaled to 100%"))
            lines.append(f"{indent}{lf.id}  {m.name}  {weight}" + (f"  ({'; '.join(extra)})" if extra else ""))
            for e in lf.entries:
                kind = e.raw.get("kind") or DEFAULT_KIND[e.section]
                off = "" if e.raw.get("enabled", True) is not False else " " + _("(disabled)")
                if e.section == "criteria":
                    share = entry_share(e, registry)
                    text = _("criterion {id} ({kind}): {share}", id=e.id, kind=kind,
                             share=(exact_str(share * 100) + "%") if share is not None else "-")
                elif e.section == "deductions":
                    try:
                        rate = exact_str(parse_fraction(e.raw.get("rate")) * 100) + "%"
                    except (ValueError, TypeError):
                        rate = "-"
                    text = _("deduction {id}: {rate} of the weight per occurrence of {observation}", id=e.id, rate=rate,
                             observation=e.raw.get("observation", "-"))
                else:
                    what = e.raw.get("observation", "-")
                    if kind == "stale":
                        what = _("{observation} older than {months} months", observation=what, months=e.raw.get("months", "-"))
                    target = _("criterion {id}", id=e.raw["criterion"]) if e.raw.get("criterion") else _("the indicator")
                    text = _("veto {id} ({kind}): {what} zeroes {target}", id=e.id, kind=kind, what=what, target=target)
                lines.append(f"{indent}  - {text}{off}")
    return "\n".join(lines) + "\n"


@app.command(cls=GovCommand, help=N_("List the loaded plugins: built-in or from which distribution and version, their hooks and contributions, failures with the reason."))
def plugins(
    as_json: bool = typer.Option(False, "--json", help=N_("print JSON instead of a table")),
    lang: Optional[str] = typer.Option(None, "--lang", metavar="zh_CN|en", help=LANG_HELP),
) -> None:
    registry = load_registry()
    rows = plugin_rows(registry)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        from .reports.table import Section, render_section_plain

        headers = [_("Plugin"), _("Source"), _("Version"), _("Module"), _("Hooks"), _("Contributes"), _("Status")]
        body = []
        for r in rows:
            source = _("built-in") if r["builtin"] else (r["distribution"] or _("local"))
            contributes = _("; ").join(_("{label}: {value}", label=_(CONTRIBUTION_LABELS.get(k, k)), value=", ".join(v))
                                       for k, v in r["contributes"].items())
            status = _("failed: {reason}", reason=r["error"]) if r["error"] else _("loaded")
            body.append([r["name"], source, r["version"] or "-", r["module"] or "-", ", ".join(r["hooks"]) or "-", contributes or "-", status])
        sec = Section(_("{n} plugin(s)", n=len(rows)), headers, body)
        console = stdout_console()
        if console.is_terminal:
            from .reports.table import print_section

            print_section(console, sec)
        else:
            typer.echo(render_section_plain(sec))
    failed = [r for r in rows if r["error"]]
    if failed:
        _err(_("{n} plugin(s) failed to load; scoring refuses to run until they are fixed or disabled", n=len(failed)))
        raise typer.Exit(int(ExitCode.USAGE))
    raise typer.Exit(int(ExitCode.OK))


CONTRIBUTION_LABELS = {"indicators": N_("indicators"), "rule_kinds": N_("rule kinds"), "derivations": N_("derivations"),
                       "rulesets": N_("rule sets"), "normalisation_policies": N_("normalisation policies"),
                       "report_writers": N_("report writers")}
"""What a plugin contributes, by kind, as the plugins table words it (the JSON keeps the keys)."""


def plugin_rows(registry) -> list[dict]:
    """One JSON-ready row per plugin, with what it contributed (by kind)."""
    tables = {"indicators": registry.indicators, "rule_kinds": registry.rule_kinds, "derivations": registry.derivations,
              "rulesets": registry.rulesets, "normalisation_policies": registry.normalisation_policies,
              "report_writers": registry.report_writers}
    rows = []
    for p in registry.plugins:
        contributes = {}
        for kind, table in tables.items():
            names = [k for k, c in table.items() if c.plugin == p.name]
            if names:
                contributes[kind] = names
        rows.append({"name": p.name, "builtin": p.builtin, "distribution": p.distribution, "version": p.version,
                     "module": p.module, "hooks": list(p.hooks), "contributes": contributes, "error": p.error})
    return rows


@rules_app.command("diff", cls=GovCommand, help=N_("Show added, removed and changed indicators, weights, shares, thresholds, vetoes and settings between two rule sets."))
def rules_diff(
    old: str = typer.Argument(..., metavar="OLD", help=N_("the old rule set (name or folder)"), show_default=False),
    new: str = typer.Argument(..., metavar="NEW", help=N_("the new rule set (name or folder)"), show_default=False),
    as_json: bool = typer.Option(False, "--json", help=N_("print JSON instead of text")),
    lang: Optional[str] = typer.Option(None, "--lang", metavar="zh_CN|en", help=LANG_HELP),
) -> None:
    from .rulediff import diff_rulesets, render
    from .ruleset.loader import load_ruleset

    registry = load_registry()
    known = registry.ruleset_paths()
    a = load_ruleset(old, known)
    b = load_ruleset(new, known)
    changes = diff_rulesets(a, b)
    if as_json:
        doc = {"old": {"name": a.name, "hash": a.content_hash}, "new": {"name": b.name, "hash": b.content_hash},
               "changes": [c.as_dict() for c in changes]}
        typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        typer.echo(render(changes, a, b), nl=False)
    raise typer.Exit(int(ExitCode.OK))


@app.command(cls=GovCommand, help=N_("Compare two JSON results: per unit, the change of total, rank and each indicator."))
def compare(
    old: Path = typer.Argument(..., metavar="OLD.json", help=N_("the earlier result (score --format json)"), show_default=False),
    new: Path = typer.Argument(..., metavar="NEW.json", help=N_("the later result"), show_default=False),
    show_all: bool = typer.Option(False, "--all", help=N_("list unchanged indicators too")),
    as_json: bool = typer.Option(False, "--json", help=N_("print JSON instead of text")),
    lang: Optional[str] = typer.Option(None, "--lang", metavar="zh_CN|en", help=LANG_HELP),
) -> None:
    from .compare import compare_results, load_result, render

    cmp = compare_results(load_result(old), load_result(new))
    console = stdout_console()
    if as_json:
        typer.echo(json.dumps(cmp.as_dict(), ensure_ascii=False, indent=2))
    elif console.is_terminal:
        from .compare import render_parts
        from .reports.table import print_section

        head, sec, detail = render_parts(cmp, show_all)
        console.print("\n".join(head), markup=False)
        print_section(console, sec)
        if detail:
            console.print("\n".join(detail), markup=False)
    else:
        typer.echo(render(cmp, show_all), nl=False)
    raise typer.Exit(int(ExitCode.OK))


@app.command(cls=GovCommand, help=N_("Write an evidence workbook template (.xlsx) for a rule set."))
def template(
    rules: Optional[str] = typer.Argument(None, metavar="RULES", help=RULES_HELP, show_default=False),
    output: str = typer.Option(..., "-o", "--output", metavar="FILE", help=N_("the workbook to write (.xlsx)")),
    force: bool = typer.Option(False, "--force", help=N_("replace the workbook if it exists (it may hold filled-in evidence)")),
    lang: Optional[str] = typer.Option(None, "--lang", metavar="zh_CN|en", help=LANG_HELP),
) -> None:
    from .runner import RunOptions, prepare

    typed, output = output, Path(output)  # read as text: a Path would turn "" into "."
    if output.suffix.lower() != ".xlsx" or output.is_dir():
        raise GovscoreError("the template is a workbook: give -o a file name ending in .xlsx, found {value}",
                            {"value": typed if typed.strip() else repr(typed)})
    if output.exists() and not force:  # a filled-in evidence workbook is never replaced by a blank one unasked
        raise GovscoreError("{path} exists (it may hold filled-in evidence): write the template elsewhere, or pass --force to "
                            "replace it", {"path": str(output)})
    registry = load_registry()
    registry.require_healthy()
    compiled = prepare(RunOptions(rules=rules or DEFAULT_RULESET), registry)
    try:
        from .workbook import write_template
    except ImportError:
        raise GovscoreError("workbook templates need govscore.core.workbook, which is not installed") from None
    with writing(output):
        write_template(compiled, output)
    _err(_("wrote the template: {path}", path=str(output)))
    raise typer.Exit(int(ExitCode.OK))


@app.command("new-plugin", cls=GovCommand, help=N_("Create a new plugin package (an installable project with an example indicator, rule set and tests)."))
def new_plugin(
    name: str = typer.Argument(..., metavar="NAME", help=N_("the plugin's name: lowercase letters, digits and underscores, e.g. accessibility"),
                               show_default=False),
    dest: Path = typer.Option(Path("."), "--dest", metavar="DIR", help=N_("folder to create the plugin in")),
    lang: Optional[str] = typer.Option(None, "--lang", metavar="zh_CN|en", help=LANG_HELP),
) -> None:
    try:
        from .scaffold import new_plugin as make
    except ImportError:
        raise GovscoreError("new-plugin needs govscore.core.scaffold, which is not installed") from None
    with writing(dest):
        made = make(name, dest)
    _err(_("created plugin {name} in {path}", name=name, path=str(made if made is not None else dest)))
    raise typer.Exit(int(ExitCode.OK))


def main() -> None:
    """Console entry point: no traceback unless GOVSCORE_DEBUG=1. A TERM or HUP signal (a closed
    terminal, a cancelled job) stops a run as Ctrl-C does: workers shut down, the spool and any
    half-written report removed, exit 130."""
    import signal

    def stop(signum, frame):
        raise KeyboardInterrupt

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), stop)
    app()


if __name__ == "__main__":
    main()
