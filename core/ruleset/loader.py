"""Finding, reading, merging (``extends:``) and validating rule sets.

A rule set is found by name (registered by a plugin through ``register_rulesets``; the built-in plugin
registers every folder of ``rules/``) or by path. ``extends:`` takes a name or a path relative to the
child's folder; the child overrides or adds categories and indicators, and inside an indicator its
criteria, deductions and vetoes merge by ``id``.

Every error names the file, the line and the field.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import ErrorList, GovscoreError, Location, RuleSetError
from ..i18n import _
from ..yamlio import describe_pydantic_error, load_yaml, loc_text
from .models import CategoryFile, CategoryHeader, IndicatorModel, RuleSetHeader

SECTIONS = ("criteria", "deductions", "vetoes")
SrcMap = dict  # key path (relative to a node) -> (file, line)


@dataclass
class RuleEntry:
    """One entry of an indicator's criteria, deductions or vetoes, with where it was written."""

    section: str
    raw: dict
    file: str
    line: int | None
    srcmap: SrcMap

    @property
    def id(self) -> str:
        return str(self.raw.get("id", ""))

    @property
    def kind(self) -> str | None:
        return self.raw.get("kind")

    def where(self, *path: Any) -> Location:
        """Location of a key inside this entry (falls back to the entry's own line)."""
        for n in range(len(path), -1, -1):
            hit = self.srcmap.get(tuple(path[:n]))
            if hit:
                return Location(file=hit[0], line=hit[1])
        return Location(file=self.file, line=self.line)


@dataclass
class Leaf:
    """A validated indicator of the rule set, in rule-file order."""

    model: IndicatorModel
    category: str
    file: str
    line: int | None
    entries: list[RuleEntry]
    srcmap: SrcMap

    @property
    def id(self) -> str:
        return self.model.id

    def where(self, *path: Any) -> Location:
        for n in range(len(path), -1, -1):
            hit = self.srcmap.get(tuple(path[:n]))
            if hit:
                return Location(file=hit[0], line=hit[1])
        return Location(file=self.file, line=self.line)


@dataclass
class Category:
    header: CategoryHeader
    file: str
    line: int | None
    srcmap: SrcMap


@dataclass
class RuleSet:
    """A loaded rule set: header, categories and leaves (all files merged along ``extends``).

    Attributes:
        name: the rule set's name; chain: names from the root ancestor to this one.
        path: the folder of ``ruleset.yaml``; header_file: that file.
        calendar_files: override calendars named in the rule set(s), resolved to paths.
        content_hash: sha256 over the merged content, identifying exactly what rules were used.
    """

    name: str
    title: str | None
    path: Path
    header: RuleSetHeader
    header_file: str
    header_srcmap: SrcMap
    categories: dict[str, Category]
    leaves: list[Leaf]
    chain: list[str]
    calendar_files: list[Path] = field(default_factory=list)
    content_hash: str = ""

    def leaf(self, indicator_id: str) -> Leaf:
        for lf in self.leaves:
            if lf.id == indicator_id:
                return lf
        raise KeyError(indicator_id)

    def header_where(self, *path: Any) -> Location:
        for n in range(len(path), -1, -1):
            hit = self.header_srcmap.get(tuple(path[:n]))
            if hit:
                return Location(file=hit[0], line=hit[1])
        return Location(file=self.header_file)


def _sub_srcmap(lines: dict, prefix: tuple, file: str) -> SrcMap:
    n = len(prefix)
    return {k[n:]: (file, v) for k, v in lines.items() if k[:n] == prefix}


def _validation_errors(exc: ValidationError, srcmap: SrcMap, fallback: Location, prefix: tuple = ()) -> list[GovscoreError]:
    out: list[GovscoreError] = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        hit = None
        for n in range(len(loc), -1, -1):
            hit = srcmap.get(loc[:n])
            if hit:
                break
        location = Location(file=hit[0], line=hit[1]) if hit else fallback
        msgid, params = describe_pydantic_error(err)
        out.append(RuleSetError(msgid, params, location, None, loc_text(prefix + loc) or None))
    return out


def resolve(name_or_path: str | Path, known: dict[str, Path], base: Path | None = None) -> Path:
    """The folder of a rule set given its name or a path (relative to `base` when given).

    Raises:
        RuleSetError: neither a folder with ruleset.yaml nor a registered name.
    """
    text = str(name_or_path)
    candidates = []
    if base is not None:
        candidates.append((base / text))
    candidates.append(Path(text))
    for cand in candidates:
        if cand.is_file() and cand.name in ("ruleset.yaml", "ruleset.yml"):
            return cand.parent.resolve()
        if cand.is_dir() and (cand / "ruleset.yaml").is_file():
            return cand.resolve()
    if text in known:
        return Path(known[text])
    names = ", ".join(sorted(known)) or "-"
    raise RuleSetError("rule set {name} not found: no folder with ruleset.yaml there and no rule set of that name (known: {names})",
                       {"name": text, "names": names})


def _overlay_srcmap(parent: SrcMap, child: SrcMap, replaced: set) -> SrcMap:
    """The parent's key lines, minus everything under a key the child replaced, plus the child's."""
    out = {k: v for k, v in parent.items() if not (k and k[0] in replaced)}
    out.update(child)
    return out


def _merge_entries(parent: list[RuleEntry], child: list[RuleEntry], indicator: str = "",
                   errors: list | None = None) -> list[RuleEntry]:
    """Merge a child's entries into the parent's by id (a child's key replaces the parent's key whole).

    A child entry with an id the parent lacks is new: it must say its kind, otherwise it is most likely
    a misspelt id, reported with a did-you-mean.
    """
    out = list(parent)
    index = {e.id: i for i, e in enumerate(out)}
    for ce in child:
        if ce.id in index:
            pe = out[index[ce.id]]
            merged_raw = copy.deepcopy(pe.raw)
            merged_raw.update(copy.deepcopy(ce.raw))
            srcmap = _overlay_srcmap(pe.srcmap, ce.srcmap, set(ce.raw))
            out[index[ce.id]] = RuleEntry(pe.section, merged_raw, ce.file, ce.line, srcmap)
        else:
            if parent and "kind" not in ce.raw and errors is not None:
                from difflib import get_close_matches

                close = get_close_matches(ce.id, [e.id for e in parent], n=1)
                errors.append(RuleSetError(
                    "entry {id} is not in the parent rule set's {indicator}{hint}; a new entry must give its kind:",
                    {"id": ce.id, "indicator": indicator, "hint": _(" (did you mean {options}?)", options=close[0]) if close else ""},
                    ce.where("id"), None, f"{indicator}.{ce.id}"))
                continue
            index[ce.id] = len(out)
            out.append(ce)
    return out


@dataclass
class _RawLeaf:
    raw: dict
    category: str
    file: str
    line: int | None
    srcmap: SrcMap
    entries: dict[str, list[RuleEntry]]


def _inherit_header(parent: RuleSetHeader, child: RuleSetHeader) -> RuleSetHeader:
    """The child's header with what it does not state taken from its parent (merged along extends).

    ``run``: the parent's period unless the child states one, and the parent's as_of only when the
    child states neither (a child that moves the period gets as_of = its period's end, not the parent's
    date); ``scoring`` field by field; ``settings`` merged key by key, the child winning.
    """
    merged = child.model_copy(deep=True)
    stated = child.run.model_fields_set if "run" in child.model_fields_set else set()
    if "period" not in stated:
        merged.run.period = copy.deepcopy(parent.run.period)
        if "as_of" not in stated:
            merged.run.as_of = parent.run.as_of
    if "scoring" not in child.model_fields_set:
        merged.scoring = parent.scoring.model_copy(deep=True)
    else:
        for name in type(parent.scoring).model_fields:
            if name not in child.scoring.model_fields_set:
                setattr(merged.scoring, name, copy.deepcopy(getattr(parent.scoring, name)))
    merged.settings = {**copy.deepcopy(parent.settings), **copy.deepcopy(child.settings)}
    return merged


def _read_folder(folder: Path, known: dict[str, Path], seen: tuple[str, ...]) -> tuple:
    header_path = folder / "ruleset.yaml"
    data, lines = load_yaml(header_path)
    hfile = str(header_path)
    if not isinstance(data, dict):
        raise RuleSetError("ruleset.yaml must be a mapping with at least name:", {}, Location(file=hfile, line=1))
    hsrc = _sub_srcmap(lines, (), hfile)
    try:
        header = RuleSetHeader.model_validate(data)
    except ValidationError as exc:
        raise ErrorList(_validation_errors(exc, hsrc, Location(file=hfile, line=1))) from None

    if str(folder) in seen:
        raise RuleSetError("extends forms a cycle: {chain}", {"chain": " -> ".join(seen + (str(folder),))}, Location(file=hfile))

    categories: dict[str, Category] = {}
    raw_leaves: dict[str, _RawLeaf] = {}
    order: list[str] = []
    chain: list[str] = []
    calendar_files: list[Path] = []
    parent_header = None
    if header.extends:
        try:
            parent_folder = resolve(header.extends, known, folder)
        except RuleSetError as err:
            err.location = Location(file=hfile, line=hsrc.get(("extends",), (hfile, None))[1])
            err.field = "extends"
            raise
        parent_header, _ph_src, categories, raw_leaves, order, chain, calendar_files = _read_folder(parent_folder, known, seen + (str(folder),))
    if parent_header is not None:
        header = _inherit_header(parent_header, header)
    chain = chain + [header.name]
    for cal in header.calendar:
        calendar_files.append((folder / cal).resolve())

    files = header.files
    if files is None:
        files = sorted(p.name for p in folder.glob("*.yaml") if p.name != "ruleset.yaml")
    errors: list[GovscoreError] = []
    defined_here: dict[str, str] = {}  # indicator id -> "file:line" of its definition in this folder
    for fname in files:
        fpath = folder / fname
        if not fpath.is_file():
            errors.append(RuleSetError("rule file {file} listed in files: does not exist", {"file": fname},
                                       Location(file=hfile, line=hsrc.get(("files",), (hfile, None))[1]), None, "files"))
            continue
        fdata, flines = load_yaml(fpath)
        ffile = str(fpath)
        fsrc = _sub_srcmap(flines, (), ffile)
        try:
            cfile = CategoryFile.model_validate(fdata or {})
        except ValidationError as exc:
            errors.extend(_validation_errors(exc, fsrc, Location(file=ffile, line=1)))
            continue
        cat_id = None
        if cfile.category is not None:
            cat_id = cfile.category.id
            if cat_id in categories:
                merged = categories[cat_id].header.model_dump()
                merged.update(cfile.category.model_dump(exclude_unset=True))
                categories[cat_id] = Category(CategoryHeader.model_validate(merged), ffile, fsrc.get(("category",), (ffile, None))[1],
                                              _sub_srcmap(flines, ("category",), ffile))
            else:
                categories[cat_id] = Category(cfile.category, ffile, fsrc.get(("category",), (ffile, None))[1],
                                              _sub_srcmap(flines, ("category",), ffile))
        for i, raw in enumerate(cfile.indicators):
            isrc = _sub_srcmap(flines, ("indicators", i), ffile)
            iline = flines.get(("indicators", i))
            if not isinstance(raw, dict) or "id" not in raw:
                errors.append(RuleSetError("required field {field} is missing", {"field": "id"}, Location(file=ffile, line=iline), None, f"indicators.{i}"))
                continue
            ind_id = str(raw["id"])
            if ind_id in defined_here:
                # extends: merges a child into its parent; inside one rule set a second block is a mistake
                errors.append(RuleSetError("indicator {id} is defined twice in this rule set (first at {first})",
                                           {"id": ind_id, "first": defined_here[ind_id]}, Location(file=ffile, line=iline), None, ind_id))
                continue
            defined_here[ind_id] = f"{ffile}:{iline}"
            entries: dict[str, list[RuleEntry]] = {}
            for sec in SECTIONS:
                items = raw.get(sec) or []
                if not isinstance(items, list):
                    errors.append(RuleSetError("{field} must be a list of entries", {"field": sec}, Location(file=ffile, line=isrc.get((sec,), (ffile, iline))[1]), None, f"{ind_id}.{sec}"))
                    items = []
                lst = []
                for j, e in enumerate(items):
                    esrc = _sub_srcmap(flines, ("indicators", i, sec, j), ffile)
                    eline = flines.get(("indicators", i, sec, j))
                    if not isinstance(e, dict) or not e.get("id"):
                        errors.append(RuleSetError("every rule entry needs an id", {}, Location(file=ffile, line=eline), None, f"{ind_id}.{sec}.{j}"))
                        continue
                    lst.append(RuleEntry(sec, dict(e), ffile, eline, esrc))
                entries[sec] = lst
            plain = {k: v for k, v in raw.items() if k not in SECTIONS}
            if ind_id in raw_leaves:
                prev = raw_leaves[ind_id]
                merged_raw = copy.deepcopy(prev.raw)
                merged_raw.update(plain)
                msrc = _overlay_srcmap(prev.srcmap, {k: v for k, v in isrc.items() if k and k[0] not in SECTIONS}, set(plain))
                ments = {sec: _merge_entries(prev.entries.get(sec, []), entries.get(sec, []), ind_id, errors) for sec in SECTIONS}
                raw_leaves[ind_id] = _RawLeaf(merged_raw, cat_id or prev.category, ffile, iline, msrc, ments)
            else:
                if cat_id is None:
                    errors.append(RuleSetError("indicator {id} is new here, so its file needs a category: header",
                                               {"id": ind_id}, Location(file=ffile, line=iline), None, ind_id))
                    continue
                raw_leaves[ind_id] = _RawLeaf(plain, cat_id, ffile, iline,
                                              {k: v for k, v in isrc.items() if not (k and k[0] in SECTIONS)}, entries)
                order.append(ind_id)
    if errors:
        raise ErrorList(errors)
    if not order:
        raise RuleSetError("the rule set defines no indicators", {}, Location(file=hfile, line=1))
    missing_cal = [p for p in calendar_files if not p.is_file()]
    if missing_cal:
        raise RuleSetError("calendar override file {path} does not exist", {"path": str(missing_cal[0])},
                           Location(file=hfile, line=hsrc.get(("calendar",), (hfile, None))[1]), None, "calendar")
    if header.run.period and header.run.period.start > header.run.period.end:
        raise RuleSetError("the period starts after it ends: {start} > {end}",
                           {"start": header.run.period.start, "end": header.run.period.end},
                           Location(file=hfile, line=hsrc.get(("run", "period"), (hfile, None))[1]), None, "run.period")
    return header, hsrc, categories, raw_leaves, order, chain, calendar_files


def load_ruleset(name_or_path: str | Path, known: dict[str, Path] | None = None) -> RuleSet:
    """Load, merge and validate a rule set.

    Args:
        name_or_path: a registered rule-set name (e.g. "2023-zengdu") or a folder / ruleset.yaml path.
        known: registered rule-set names -> folders (from the plugin registry).

    Returns:
        The :class:`RuleSet` with leaves in rule-file order (parents' first).

    Raises:
        RuleSetError / ErrorList: unknown name, malformed YAML, unknown or invalid fields; each with
        file, line and field.
    """
    known = known or {}
    folder = resolve(name_or_path, known)
    header, hsrc, categories, raw_leaves, order, chain, calendar_files = _read_folder(folder, known, ())
    errors: list[GovscoreError] = []
    leaves: list[Leaf] = []
    for ind_id in order:
        rl = raw_leaves[ind_id]
        try:
            model = IndicatorModel.model_validate(rl.raw)
        except ValidationError as exc:
            errors.extend(_validation_errors(exc, rl.srcmap, Location(file=rl.file, line=rl.line), (ind_id,)))
            continue
        if rl.category not in categories:
            errors.append(RuleSetError("indicator {id} names category {category}, which no rule file declares",
                                       {"id": ind_id, "category": rl.category}, Location(file=rl.file, line=rl.line), None, ind_id))
            continue
        entries = [e for sec in SECTIONS for e in rl.entries.get(sec, [])]
        seen_ids: dict[str, RuleEntry] = {}
        for e in entries:
            if e.id in seen_ids:
                errors.append(RuleSetError("entry id {id} is used twice in indicator {indicator}", {"id": e.id, "indicator": ind_id},
                                           e.where(), None, f"{ind_id}.{e.id}"))
            seen_ids[e.id] = e
        leaves.append(Leaf(model, rl.category, rl.file, rl.line, entries, rl.srcmap))
    if errors:
        raise ErrorList(errors)
    cat_order = {cid: i for i, cid in enumerate(categories)}
    leaves.sort(key=lambda lf: (categories[lf.category].header.order, cat_order[lf.category]))  # stable: file order inside
    rs = RuleSet(header.name, header.title, folder, header, str(folder / "ruleset.yaml"), hsrc, categories, leaves, chain, calendar_files)
    rs.content_hash = content_hash(rs)
    return rs


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    return str(obj)


def content_hash(rs: RuleSet) -> str:
    """sha256 of the merged rule set's content (not of file paths or comments)."""
    doc = {
        "header": _jsonable(rs.header.model_dump(exclude={"extends", "files", "calendar"})),
        "categories": {k: _jsonable(c.header.model_dump()) for k, c in rs.categories.items()},
        "leaves": [{"model": _jsonable(lf.model.model_dump()), "category": lf.category,
                    "entries": [_jsonable(e.raw) | {"section": e.section} for e in lf.entries]} for lf in rs.leaves],
        "calendar": [Path(p).read_text(encoding="utf-8") if Path(p).exists() else str(p) for p in rs.calendar_files],
    }
    text = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
