"""Reading YAML/JSON with line numbers, and turning pydantic errors into one sentence per problem.

Rule files and evidence are parsed with ruamel.yaml's round-trip loader (which keeps line numbers),
then converted to plain Python containers plus a map from each key path to its 1-based line. Pydantic
error locations (``loc``) are looked up in that map, the way rendercv and dagster report config errors.
"""

from __future__ import annotations

import datetime as _dt
import errno
import json
import os
import re
from pathlib import Path
from typing import Any, Iterable

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError

from .errors import GovscoreError, Location, RuleSetError
from .i18n import N_, _

LinePath = tuple
Lines = dict


def _plain(node: Any, path: tuple, lines: dict) -> Any:
    if isinstance(node, CommentedMap):
        out = {}
        for key in node:
            try:
                ln = node.lc.key(key)[0] + 1
            except (KeyError, TypeError, AttributeError):
                ln = None
            kpath = path + (str(key),)
            if ln:
                lines[kpath] = ln
            out[str(key) if not isinstance(key, (int, _dt.date)) else key] = _plain(node[key], kpath, lines)
        return out
    if isinstance(node, CommentedSeq):
        out_l = []
        for i, item in enumerate(node):
            try:
                ln = node.lc.item(i)[0] + 1
            except (KeyError, TypeError, AttributeError, IndexError):
                ln = None
            ipath = path + (i,)
            if ln:
                lines[ipath] = ln
            out_l.append(_plain(item, ipath, lines))
        return out_l
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return node


class _LenientDates(RoundTripConstructor):
    """Round-trip constructor that keeps an impossible date (2023-02-30) as its text.

    The validation that follows then reports it with its file and line, instead of ruamel failing the
    whole file with a bare ValueError. A private subclass: other YAML readers are unaffected.
    """

    def construct_yaml_timestamp(self, node, values=None):  # noqa: D102 - ruamel's hook
        try:
            return super().construct_yaml_timestamp(node, values)
        except ValueError:
            return self.construct_scalar(node)


_LenientDates.add_constructor("tag:yaml.org,2002:timestamp", _LenientDates.construct_yaml_timestamp)


def refuse_aliases(text: str, file: str) -> None:
    """Refuse YAML aliases (``*name``) and repeated keys in one mapping, from libyaml's event stream.

    Nested aliases expand exponentially ("billion laughs") and no rule file or evidence needs them; a
    repeated key (``unit:`` twice) would silently keep only the last value.

    Raises:
        RuleSetError: naming the file and the line of the first alias or repeated key.
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    stack: list[list] = []  # per open collection: [is_mapping, expecting_key, keys seen]

    def value_done() -> None:
        if stack and stack[-1][0]:
            stack[-1][1] = True

    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.AliasEvent):
                raise RuleSetError("YAML aliases (*{name}) are not accepted: write the values out",
                                   {"name": event.anchor}, Location(file=file, line=event.start_mark.line + 1))
            if isinstance(event, yaml.ScalarEvent):
                top = stack[-1] if stack else None
                if top is not None and top[0] and top[1]:
                    if event.value in top[2]:
                        raise RuleSetError("the key {key} is given twice in the same mapping", {"key": event.value},
                                           Location(file=file, line=event.start_mark.line + 1), None, event.value)
                    top[2].add(event.value)
                    top[1] = False
                else:
                    value_done()
            elif isinstance(event, yaml.MappingStartEvent):
                if stack and stack[-1][0]:
                    stack[-1][1] = False
                stack.append([True, True, set()])
            elif isinstance(event, yaml.SequenceStartEvent):
                if stack and stack[-1][0]:
                    stack[-1][1] = False
                stack.append([False, False, None])
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                stack.pop()
                value_done()
    except yaml.YAMLError:
        return  # malformed: the parser that follows reports it with its line


def parse_yaml_text(text: str, file: str) -> tuple[Any, dict]:
    """Parse YAML text keeping lines.

    Returns:
        (plain data, {key path tuple: 1-based line}).

    Raises:
        RuleSetError: malformed YAML, naming file and line.
    """
    refuse_aliases(text, file)
    yaml = YAML(typ="rt")
    yaml.Constructor = _LenientDates
    try:
        node = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise RuleSetError(
            "malformed YAML: {problem}",
            {"problem": parser_problem(exc.problem or exc.context or "")},
            Location(file=file, line=line),
        ) from None
    except Exception as exc:  # ruamel raises a few unmarked errors (duplicate keys, bad tags)
        raise RuleSetError("malformed YAML: {problem}", {"problem": str(exc).splitlines()[0]}, Location(file=file)) from None
    lines: dict = {}
    return _plain(node, (), lines), lines


# What the YAML and JSON parsers say, in the reader's language: the usual problems of a hand-edited file
# (a bracket not closed, a tab, a colon inside a value, a missing comma). Anything else keeps the
# parser's own words.
_PARSER_PROBLEMS = [
    (re.compile(r"expected ',' or '\}', but got (?P<found>.+)"), N_("a {{…}} mapping is not closed: a ',' or '}}' was expected, found {found}")),
    (re.compile(r"expected ',' or '\]', but got (?P<found>.+)"), N_("a [...] list is not closed: a ',' or ']' was expected, found {found}")),
    (re.compile(r"found character (?P<found>.+) that cannot start any token"),
     N_("the character {found} cannot start a value (indent with spaces, not tabs; quote a value starting with @ or `)")),
    (re.compile(r"mapping values are not allowed here"), N_("a colon where no key can start (put a value containing ': ' in quotes)")),
    (re.compile(r"could not find expected ':'"), N_("a key without its colon")),
    (re.compile(r"expected the node content, but found (?P<found>.+)"), N_("a value is missing: found {found}")),
    (re.compile(r"did not find expected key"), N_("a line out of place in a mapping (check its indentation)")),
    (re.compile(r"did not find expected '-' indicator"), N_("a line out of place in a list (check its indentation)")),
    (re.compile(r"found unexpected end of stream"), N_("the file ends inside a quoted text or a bracket")),
    (re.compile(r"found unknown escape character (?P<found>.+)"), N_("an unknown escape {found} in double-quoted text")),
    (re.compile(r"but found another document"), N_("a second document (---) in the file: a file holds one YAML document")),
    (re.compile(r"expected <block end>, but found (?P<found>.+)"), N_("a line out of place (check its indentation): found {found}")),
    (re.compile(r"expected alphabetic or numeric character"), N_("an anchor or alias (& or *) without a name")),
    (re.compile(r"found incompatible YAML document"), N_("a YAML version other than 1.x (%YAML)")),
    (re.compile(r"expected escape sequence"), N_("an incomplete escape (\\u or \\x) in double-quoted text")),
    (re.compile(r"unacceptable character (?P<found>#x[0-9a-fA-F]+)"), N_("a control character ({found}) that a YAML file cannot hold")),
    (re.compile(r"expected chomping or indentation indicators"), N_("a block text (| or >) with something after its sign")),
    (re.compile(r"expected '<document start>'"), N_("a line starting with % (a YAML directive) that is not one")),
    (re.compile(r"Expecting value"), N_("a value was expected")),
    (re.compile(r"Expecting ',' delimiter"), N_("a ',' was expected")),
    (re.compile(r"Expecting ':' delimiter"), N_("a ':' was expected")),
    (re.compile(r"Expecting property name enclosed in double quotes"), N_("a key in double quotes was expected")),
    (re.compile(r"Unterminated string starting at"), N_("a text is not closed with its quote")),
    (re.compile(r"Invalid control character at"), N_("a line break or tab inside a quoted text")),
    (re.compile(r"Invalid \\escape"), N_("an invalid escape (\\…) in a text")),
    (re.compile(r"Extra data"), N_("more data after the end of the document")),
]


def parser_problem(problem: str) -> str:
    """A YAML or JSON parser's problem in the current language (its own words when not a usual one)."""
    text = (problem or "").strip()
    for pattern, msgid in _PARSER_PROBLEMS:
        m = pattern.search(text)
        if m:
            found = m.groupdict().get("found")
            if found is not None:
                found = found.strip()
                if found in ("'<stream end>'", "<stream end>"):
                    found = _("the end of the file")
                return _(msgid, found=found)
            return _(msgid)
    return text


_OS_REASONS = {
    errno.ENOENT: N_("no such file or folder"),
    errno.EACCES: N_("permission denied"),
    errno.EPERM: N_("permission denied"),
    errno.EISDIR: N_("it is a folder, not a file"),
    errno.ENOTDIR: N_("part of the path is a file, not a folder"),
    errno.ENOSPC: N_("no space left on the disk"),
    errno.EROFS: N_("the file system is read-only"),
    errno.ENAMETOOLONG: N_("the file name is too long"),
    errno.EEXIST: N_("something that is not a regular file is in the way (a device or a special file)"),
}


def os_reason(exc: OSError) -> str:
    """Why a file could not be read or written, in the current language (the system's own words for
    rarer errors), without Python's "[Errno 2] ... 'path'" wrapping: the path is the error's location."""
    if exc.errno == errno.EEXIST and exc.filename and os.path.isfile(exc.filename):
        # mkdir of a report's folder where an ordinary file has that name
        return _("a file of that name is in the way: a folder is needed there")
    msgid = _OS_REASONS.get(exc.errno)
    if msgid:
        return _(msgid)
    return exc.strerror or type(exc).__name__


def read_text(path: Path) -> str:
    """Read a text file as UTF-8, accepting a BOM; falls back to GBK for files saved by Chinese Windows.

    Raises:
        RuleSetError: the file cannot be read (named, with the reason) or is neither UTF-8 nor GBK.
    """
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise RuleSetError("cannot read the file: {reason}", {"reason": os_reason(exc)}, Location(file=str(path))) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return raw.decode("gbk")
        except UnicodeDecodeError:
            raise RuleSetError("the file is neither UTF-8 nor GBK text", {}, Location(file=str(path))) from None


def load_yaml(path: Path) -> tuple[Any, dict]:
    """Load a YAML file with line numbers (see :func:`parse_yaml_text`)."""
    return parse_yaml_text(read_text(path), str(path))


def line_for(lines: dict, loc: Iterable) -> int | None:
    """The line of the longest prefix of `loc` that has one (a missing key reports its parent's line)."""
    loc = tuple(loc)
    for n in range(len(loc), -1, -1):
        ln = lines.get(loc[:n])
        if ln:
            return ln
    return None


def loc_text(loc: Iterable, data: Any = None, prefix: str = "") -> str:
    """A key path as people read it: keys joined by dots, list positions 1-based in brackets.

    ``("reply", "bands", 0, "share")`` -> ``"reply.bands[1].share"`` (the form ``rules diff`` prints);
    `prefix` (text) goes in front: ``loc_text(("bands", 0), prefix="portal.consultation.reply")`` ->
    ``"portal.consultation.reply.bands[1]"``. With `data` (what `loc` points into), an integer is a list
    position only where `data` holds a list (an integer key of a mapping stays ``.3``); without it every
    integer is a list position.
    """
    out = prefix
    node = data
    for x in loc:
        in_list = isinstance(node, list) if data is not None else (isinstance(x, int) and not isinstance(x, bool))
        if in_list and isinstance(x, int) and not isinstance(x, bool):
            out += f"[{x + 1}]"
        else:
            out += ("." if out else "") + str(x)
        if data is not None:
            try:
                node = node[x]
            except (KeyError, IndexError, TypeError):
                node = None
    return out


# pydantic's own sentences (English only), by error type: catalogue ids with the same fields
_PYDANTIC = {
    "literal_error": N_("expected one of {expected} (found {found!r})"),
    "enum": N_("expected one of {expected} (found {found!r})"),
    "int_parsing": N_("expected a whole number (found {found!r})"),
    "int_type": N_("expected a whole number (found {found!r})"),
    "int_from_float": N_("expected a whole number (found {found!r})"),
    "float_parsing": N_("expected a number (found {found!r})"),
    "float_type": N_("expected a number (found {found!r})"),
    "string_type": N_("expected text (found {found!r})"),
    "bool_parsing": N_("expected true or false (found {found!r})"),
    "bool_type": N_("expected true or false (found {found!r})"),
    "list_type": N_("expected a list (found {found!r})"),
    "dict_type": N_("expected a mapping of key: value (found {found!r})"),
    "model_type": N_("expected a mapping of key: value (found {found!r})"),
    "model_attributes_type": N_("expected a mapping of key: value (found {found!r})"),
    "date_type": N_("expected a date such as 2023-12-31 (found {found!r})"),
    "date_parsing": N_("expected a date such as 2023-12-31 (found {found!r})"),
    "date_from_datetime_parsing": N_("expected a date such as 2023-12-31 (found {found!r})"),
    "date_from_datetime_inexact": N_("expected a date such as 2023-12-31 (found {found!r})"),
    "too_short": N_("expected at least {min_length} item(s), found {actual_length}"),
    "greater_than_equal": N_("expected at least {ge} (found {found!r})"),
}


def describe_pydantic_error(err: dict) -> tuple[str, dict]:
    """A plain sentence for one pydantic error dict: (msgid, params).

    A validator's own message (a ValueError, already in the current language) is kept as it is; the
    value found is added only when the message does not already quote it.
    """
    typ = err.get("type", "")
    field = str(err["loc"][-1]) if err.get("loc") else ""
    found = err.get("input")
    if typ == "extra_forbidden":
        return N_("unknown field {field}"), {"field": field}
    if typ == "missing":
        return N_("required field {field} is missing"), {"field": field}
    shown = found if not isinstance(found, (dict, list)) else type(found).__name__
    if typ in _PYDANTIC:
        ctx = {k: str(v) for k, v in (err.get("ctx") or {}).items()}
        if "expected" in ctx:
            ctx["expected"] = ctx["expected"].replace(" or ", ", ")
        if typ == "too_short":
            ctx = {"min_length": ctx.get("min_length", "1"), "actual_length": ctx.get("actual_length", "0")}
        try:
            _(_PYDANTIC[typ], found=shown, **ctx)
        except (KeyError, IndexError):
            pass
        else:
            return _PYDANTIC[typ], dict(ctx, found=shown)
    msg = err.get("msg", "")
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    if msg.startswith("Assertion failed, "):
        msg = msg[len("Assertion failed, "):]
    own = typ in ("value_error", "assertion_error")
    quoted = (repr(shown) in msg or (own and isinstance(found, (str, int, float)) and str(found) != "" and str(found) in msg)
              or (own and found is None))  # our validators word an empty value themselves (observations.found)
    if "found" in msg or quoted or (own and isinstance(found, (dict, list))):
        return N_("{problem}"), {"problem": msg}
    return N_("{problem} (found {found!r})"), {"problem": msg, "found": shown}


def pydantic_errors(exc: ValidationError, file: str, lines: dict, prefix: tuple = (), cls=RuleSetError,
                    **extra: Any) -> list[GovscoreError]:
    """Turn a pydantic ValidationError into one located error per problem.

    Args:
        exc: the validation error.
        file: the file the data came from.
        lines: the key-path -> line map of that file.
        prefix: the key path of the validated data inside the file.
        cls: the error class to build (RuleSetError or EvidenceError).
    """
    out: list[GovscoreError] = []
    for err in exc.errors():
        loc = prefix + tuple(x for x in err["loc"] if not (isinstance(x, str) and x.startswith("function-")))
        msgid, params = describe_pydantic_error(err)
        location = Location(file=file, line=line_for(lines, loc))
        dotted = ".".join(str(x) for x in loc)
        if cls is RuleSetError:
            out.append(RuleSetError(msgid, params, location, None, dotted or None))
        else:
            out.append(cls(msgid, params, location, extra.get("unit"), dotted or None))
    return out


def parse_json_text(text: str, file: str) -> Any:
    """Parse JSON (BOM already stripped); malformed JSON raises RuleSetError naming file and line."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise RuleSetError("malformed JSON: {problem}", {"problem": parser_problem(exc.msg)}, Location(file=file, line=exc.lineno)) from None
    except (ValueError, RecursionError) as exc:  # an integer of over 4,300 digits; nesting deeper than Python's stack
        raise RuleSetError("malformed JSON: {problem}", {"problem": str(exc).splitlines()[0][:200]}, Location(file=file)) from None
