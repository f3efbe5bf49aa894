"""Reading units' evidence: YAML or JSON files (one unit or a list), folders of them, workbooks.

Evidence is read with a fast loader (json, or ruamel's C-based safe loader) and line numbers are
recovered only when an error must be reported: the round-trip parser is slow (about 17 s per 1,000
units). Each :class:`UnitEvidence` carries a ``locate(path) -> Location`` that maps a key path inside
the unit (``("observations", "portal.maintenance", "broken_links")``) to file and line, or to sheet
and cell for workbooks.

A unit's evidence::

    unit: {id: fgj, name: 区发展和改革局, kind: department}
    accounts: [{platform: wechat, name: 曾都发改, kind: publishing, filed: true, posts: [2023-01-03]}]
    observations: {indicator id: {observation: value | {value, source, checked_at, note}}}
    adjustments: [{indicator, points | set_to, reason, decided_by, decided_on}]
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import chain
from pathlib import Path
from typing import Any, Callable, Literal, Optional

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WrapValidator, field_validator, model_validator
from typing_extensions import Annotated

from .dates import parse_date
from .errors import GovscoreError, Location, RuleSetError
from .i18n import _
from .numbers import parse_fraction
from .observations import Day, Item, found, to_bool
from .yamlio import line_for, parse_json_text, parse_yaml_text, read_text

UNIT_KINDS = {"department": "department", "部门": "department", "town": "town", "镇街": "town", "乡镇": "town",
              "街道": "town", "镇": "town", "town/street": "town", "street": "town", "镇/街道": "town"}
ACCOUNT_KINDS = {"publishing": "publishing", "发布类": "publishing", "service": "service", "服务类": "service"}
EVIDENCE_SUFFIXES = (".yaml", ".yml", ".json")
UNIT_ERRORS_KEY = "__errors__"
"""Key under which a reader hands a unit's own read errors (e.g. a bad row of a workbook) to parse_unit."""


def _unit_id(v: Any) -> str:
    if isinstance(v, bool) or v is None:
        raise ValueError(_("expected a unit id, found {value}", value=found(v)))
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    text = str(v).strip()
    if not text:
        raise ValueError(_("a unit id cannot be empty"))
    return text


class UnitInfo(BaseModel):
    """The unit (被评估单位): id, display name and kind (department, or town/street)."""

    model_config = ConfigDict(extra="forbid")
    id: Annotated[str, BeforeValidator(_unit_id)]
    name: str
    kind: Literal["department", "town"] = "department"

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, v):
        if v is None:
            return "department"
        got = UNIT_KINDS.get(str(v).strip().lower(), UNIT_KINDS.get(str(v).strip()))
        if not got:
            raise ValueError(_("expected department or town (部门 / 镇街), found {value}", value=found(v)))
        return got

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, v):
        if v is None or not str(v).strip():
            raise ValueError(_("a unit needs a name"))
        return str(v).strip()


def _post_dates(value: Any, handler: Callable) -> Any:
    """Posts written as "2023-10-07" (almost all of them) read in one pass; anything else, or any
    failure, goes through the per-post validation, which locates a bad post (``posts.3``).

    The one pass gives what the per-post validator would: :func:`parse_date` returns
    ``date.fromisoformat`` of a text of ten characters with dashes at 5 and 8 when that succeeds
    (without the dashes, ``fromisoformat`` also reads "20231007xx", which parse_date refuses).
    """
    if type(value) is list:
        try:
            days = list(map(_dt.date.fromisoformat, value))
        except (TypeError, ValueError):
            return handler(value)
        if set(map(len, value)) <= {10}:
            text, n = "".join(value), len(value)
            if text[4::10].count("-") == n and text[7::10].count("-") == n:
                return days
    return handler(value)


class Account(Item):
    """A new-media account of the unit (rubric-2023.md, raw evidence: accounts)."""

    platform: str
    name: str
    kind: Literal["publishing", "service"]
    filed: Annotated[bool, BeforeValidator(to_bool)]
    opened_on: Day = None
    closed_on: Day = None
    posts: Annotated[list[Annotated[_dt.date, BeforeValidator(parse_date)]], WrapValidator(_post_dates)] = Field(default_factory=list)

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, v):
        got = ACCOUNT_KINDS.get(str(v).strip().lower(), ACCOUNT_KINDS.get(str(v).strip()))
        if not got:
            raise ValueError(_("expected publishing or service (发布类 / 服务类), found {value}", value=found(v)))
        return got

    @field_validator("platform", "name", mode="before")
    @classmethod
    def _text(cls, v):
        if v is None or not str(v).strip():
            raise ValueError(_("cannot be empty"))
        return str(v).strip()

    @model_validator(mode="after")
    def _dates(self):
        if self.opened_on and self.closed_on and self.closed_on < self.opened_on:
            raise ValueError(_("closed_on {closed} is before opened_on {opened}", closed=self.closed_on.isoformat(), opened=self.opened_on.isoformat()))
        # a post before the account was opened or after it was closed cannot be (a wrong year, or another
        # account's post): refused rather than silently left out of every required period
        if self.posts and self.opened_on and min(self.posts) < self.opened_on:
            n, day = next((i, d) for i, d in enumerate(self.posts) if d < self.opened_on)
            raise ValueError(_("post {n} ({date}) is before the account was opened ({opened})", n=n + 1, date=day.isoformat(),
                               opened=self.opened_on.isoformat()))
        if self.posts and self.closed_on and max(self.posts) > self.closed_on:
            n, day = next((i, d) for i, d in enumerate(self.posts) if d > self.closed_on)
            raise ValueError(_("post {n} ({date}) is after the account was closed ({closed})", n=n + 1, date=day.isoformat(),
                               closed=self.closed_on.isoformat()))
        return self


class Adjustment(BaseModel):
    """An appeal decision (复核): change a leaf by `points`, or set it to `set_to`, on record."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)
    indicator: str
    points: Optional[Fraction] = None
    set_to: Optional[Fraction] = None
    reason: str
    decided_by: str
    decided_on: Day

    @field_validator("points", "set_to", mode="before")
    @classmethod
    def _num(cls, v):
        if v is None:
            return None
        return parse_fraction(v.strip() if isinstance(v, str) else v)

    @model_validator(mode="after")
    def _one(self):
        if (self.points is None) == (self.set_to is None):
            raise ValueError(_("an adjustment gives either points or set_to"))
        if self.decided_on is None:
            raise ValueError(_("an adjustment needs decided_on"))
        return self


@dataclass
class SourceDoc:
    """A parsed evidence file; its line map is computed only when an error needs it."""

    path: str
    text: str | None
    kind: str  # "yaml" | "json"
    _lines: dict | None = None

    def lines(self) -> dict:
        if self._lines is None:
            try:
                text = self.text if self.text is not None else read_text(Path(self.path))
                self._lines = parse_yaml_text(text, self.path)[1]
            except GovscoreError:
                self._lines = {}
        return self._lines


@dataclass
class UnitEvidence:
    """One unit's raw evidence and how to locate a key path in its source."""

    raw: dict
    source: str
    locate: Callable[[tuple], Location]
    index: int = 0
    prefix: tuple | None = None
    """Key path of the unit inside its YAML/JSON file (None for workbooks)."""

    def portable(self) -> tuple:
        """(raw, source, index, prefix): what a worker process needs to rebuild this unit."""
        return (self.raw, self.source, self.index, self.prefix)

    @classmethod
    def rebuild(cls, raw: dict, source: str, index: int, prefix: tuple, docs: dict | None = None) -> "UnitEvidence":
        """The unit again in another process; its file is re-read only if an error needs a line.

        `docs` (source -> SourceDoc) lets the units of one file share its line map: a file with many
        bad units is then re-read once, not once per unit.
        """
        doc = docs.get(source) if docs is not None else None
        if doc is None:
            doc = SourceDoc(source, None, "json" if source.lower().endswith(".json") else "yaml")
            if docs is not None:
                docs[source] = doc
        return cls(raw, source, _doc_locator(doc, prefix), index, prefix)

    @property
    def unit_id(self) -> str | None:
        u = self.raw.get("unit") if isinstance(self.raw, dict) else None
        if isinstance(u, dict) and u.get("id") is not None:
            try:
                return _unit_id(u.get("id"))
            except ValueError:
                return None
        return None


def _doc_locator(doc: SourceDoc, prefix: tuple) -> Callable[[tuple], Location]:
    def locate(path: tuple) -> Location:
        return Location(file=doc.path, line=line_for(doc.lines(), prefix + tuple(path)))
    return locate


_LOADER = None


def _yaml12_loader():
    """libyaml's safe loader with YAML 1.2 scalars, as ruamel reads them.

    PyYAML follows YAML 1.1, where ``on``/``off``/``yes``/``no`` are booleans (a key ``on:`` would
    become True) and ``012`` is octal. Evidence must read the same with either parser, so booleans are
    only true/false and integers are decimal (or 0o / 0x).
    """
    global _LOADER
    if _LOADER is None:
        import re

        import yaml

        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

        class Loader(base):  # type: ignore[misc, valid-type]
            pass

        # Timestamps stay text: core/dates.py reads them (so 2020-02-30 is that unit's located error,
        # not a crash of the parser), and JSON evidence gives text too.
        drop = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp"}
        Loader.yaml_implicit_resolvers = {k: [(t, rx) for t, rx in v if t not in drop]
                                          for k, v in base.yaml_implicit_resolvers.items()}
        Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
        Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
                                     list("-+0123456789"))
        Loader.add_implicit_resolver(
            "tag:yaml.org,2002:float",
            re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
            list("-+0123456789."))

        def _int(loader, node):
            text = loader.construct_scalar(node)
            if text.startswith(("0o", "0x")):
                return int(text, 0)
            return int(text, 10)

        Loader.add_constructor("tag:yaml.org,2002:int", _int)
        _LOADER = Loader
    return _LOADER


def _fast_yaml(text: str, path: str) -> Any:
    """Parse evidence YAML fast (libyaml through PyYAML when available); on any problem, parse again
    with ruamel's round-trip parser, whose error names the line."""
    import yaml

    from .yamlio import refuse_aliases

    refuse_aliases(text, path)
    try:
        return yaml.load(text, Loader=_yaml12_loader())  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        parse_yaml_text(text, path)
        raise RuleSetError("malformed YAML", {}, Location(file=path)) from None
    except (ValueError, OverflowError, RecursionError) as exc:  # a 5,000-digit integer, nesting too deep
        raise RuleSetError("malformed YAML: {problem}", {"problem": str(exc).splitlines()[0][:200]}, Location(file=path)) from None


def read_evidence_file(path: Path) -> list[UnitEvidence]:
    """Read one YAML/JSON evidence file: one unit (a mapping) or a list of units.

    Raises:
        RuleSetError: unreadable or malformed file, naming file and line (a file-level error; the
            other files are still read).
    """
    path = Path(path)
    text = read_text(path)
    kind = "json" if path.suffix.lower() == ".json" else "yaml"
    data = parse_json_text(text, str(path)) if kind == "json" else _fast_yaml(text, str(path))
    doc = SourceDoc(str(path), text, kind)
    if isinstance(data, dict) and "units" in data and isinstance(data["units"], list) and "unit" not in data:
        items = [((("units", i)), u) for i, u in enumerate(data["units"])]
    elif isinstance(data, list):
        items = [((i,), u) for i, u in enumerate(data)]
    elif isinstance(data, dict):
        items = [((), data)]
    else:
        raise RuleSetError("an evidence file holds one unit (a mapping with unit:) or a list of units", {}, Location(file=str(path), line=1))
    out = []
    for prefix, raw in items:
        out.append(UnitEvidence(raw if isinstance(raw, dict) else {"__invalid__": raw}, str(path), _doc_locator(doc, prefix), 0, prefix))
    return out


def _walk(folder: Path, folders: set[str] | None = None, dangling: list[Path] | None = None):
    """Every file under `folder`, following linked folders (an evaluator's folder of links to each
    office's own folder is read whole), each real folder once (a link back up cannot loop); the real
    folders walked are added to `folders`, and links to nothing to `dangling`, when given."""
    seen: set[str] = set()
    for root, dirs, files in os.walk(folder, followlinks=True):
        real = os.path.realpath(root)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        for name in files:
            q = Path(root) / name
            if q.is_file():
                yield q
            elif dangling is not None and q.is_symlink():
                dangling.append(q)
    if folders is not None:
        folders.update(seen)


def _is_evidence_name(q: Path) -> bool:
    return q.suffix.lower() in EVIDENCE_SUFFIXES + (".xlsx",) and not q.name.startswith((".", "~$"))


def evidence_targets(paths: list[Path]) -> tuple[dict[str, Path], dict[str, set[str]]]:
    """Where a run over existing `paths` reads evidence, each folder walked once (what a report must
    not overwrite, nor be written into).

    Returns:
        (real path -> evidence path as found, for every evidence file, through links too, and for
        where each link to a missing evidence file points, as a report written there would be read by
        the next run; each folder given -> the real paths of it and of every folder under it, linked
        folders followed).
    """
    files: dict[str, Path] = {}
    folders: dict[str, set[str]] = {}
    for p in map(Path, paths):
        if p.is_dir():
            inside: set[str] = set()
            dangling: list[Path] = []
            # (the links to nothing are listed by the walk, so they are read after it)
            for q in chain(_walk(p, inside, dangling), dangling):
                if _is_evidence_name(q):
                    files.setdefault(os.path.realpath(q), q)
            folders[str(p)] = inside
        elif p.exists():
            files.setdefault(os.path.realpath(p), p)
    return files, folders


def discover(paths: list[Path]) -> list[Path]:
    """Expand folders into their evidence files (sorted, recursively, linked folders followed), keep
    files as given; a file reached twice (given twice, through a link, or as a hard link) is read once.

    Raises:
        RuleSetError: a path that does not exist.
    """
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(sorted(q for q in _walk(p) if _is_evidence_name(q)))
        elif p.exists():
            out.append(p)
        else:
            raise RuleSetError("evidence path {path} does not exist", {"path": str(p)}, Location(file=str(p)))
    seen: set[tuple[int, int]] = set()
    once = []
    for q in out:
        st = q.stat()
        if (st.st_dev, st.st_ino) not in seen:
            seen.add((st.st_dev, st.st_ino))
            once.append(q)
    return once


@dataclass
class LoadedEvidence:
    """All units read from the given paths, plus file-level errors (which fail no other file)."""

    units: list[UnitEvidence] = field(default_factory=list)
    errors: list[GovscoreError] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def load_evidence(paths: list[Path], compiled=None) -> LoadedEvidence:
    """Read every unit from YAML/JSON files, folders and .xlsx workbooks.

    A file that cannot be read is recorded as an error; the other files are still read. Workbooks are
    read by :mod:`govscore.core.workbook` (needs `compiled`, the rule set that defines the columns).
    """
    out = LoadedEvidence()
    for f in discover(paths):
        out.files.append(str(f))
        try:
            if f.suffix.lower() == ".xlsx":
                from .workbook import read_workbook

                units, loose = read_workbook(f, compiled, partial=True)
                out.errors.extend(loose)
            else:
                units = read_evidence_file(f)
        except GovscoreError as err:
            out.errors.append(err)
            continue
        out.units.extend(units)
    for i, u in enumerate(out.units):
        u.index = i
    return out


