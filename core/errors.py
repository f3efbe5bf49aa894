"""Errors users see: one plain sentence with where it happened, never a traceback.

Every error carries a location (file and line for YAML/JSON, sheet and cell for Excel), and where known
the unit and the field. Messages are catalogue ids rendered in the current language at display time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from .i18n import _


class ExitCode(IntEnum):
    """Process exit codes of the govscore CLI."""

    OK = 0
    """Every unit scored and written."""
    UNIT_ERRORS = 1
    """Some units could not be scored; the others are scored and written and the failures listed."""
    USAGE = 2
    """Bad usage, an invalid rule set or a plugin that failed to load."""


@dataclass
class Location:
    """Where something is: `file` and `line` (1-based), or `file`, `sheet` and `cell`."""

    file: str | None = None
    line: int | None = None
    sheet: str | None = None
    cell: str | None = None

    def render(self) -> str:
        """"path:12", "book.xlsx 单位!C5", or "" when unknown."""
        if self.sheet:
            where = f"{self.file or ''} {self.sheet}!{self.cell or ''}".strip()
            return where
        if self.file and self.line:
            return f"{self.file}:{self.line}"
        return self.file or ""

    def as_dict(self) -> dict:
        return {k: v for k, v in (("file", self.file), ("line", self.line), ("sheet", self.sheet), ("cell", self.cell)) if v is not None}


@dataclass
class GovscoreError(Exception):
    """Base of all errors reported to users.

    Attributes:
        msgid: catalogue id (English with {named} fields), rendered by :meth:`render`.
        params: values for the fields.
        location: where the problem is.
        unit: id of the unit concerned, if any.
        field: the field (observation, rule key, column) concerned, if any.
    """

    msgid: str
    params: dict = field(default_factory=dict)
    location: Location = field(default_factory=Location)
    unit: str | None = None
    field: str | None = None
    exit_code: ExitCode = ExitCode.USAGE

    def __post_init__(self) -> None:
        super().__init__(self.msgid)

    def message(self) -> str:
        """The sentence alone, in the current language."""
        return _(self.msgid, **self.params)

    def render(self) -> str:
        """One line: "<where>: [unit] field: sentence"."""
        parts = []
        where = self.location.render()
        prefix = f"{where}: " if where else ""
        if self.unit:
            parts.append(_("unit {unit}", unit=self.unit))
        if self.field:
            parts.append(_("field {field}", field=self.field))
        from .i18n import current_language

        head = ("，" if current_language() == "zh_CN" else ", ").join(parts)
        return f"{prefix}{head + ': ' if head else ''}{self.message()}"

    def __str__(self) -> str:
        return self.render()

    def as_dict(self) -> dict:
        return {"message": self.render(), "location": self.location.as_dict(), "unit": self.unit, "field": self.field}


class RuleSetError(GovscoreError):
    """A rule file is invalid or a rule set cannot be found (exit 2)."""


class PluginError(GovscoreError):
    """A plugin failed to import, or contributed something invalid or duplicate (exit 2)."""


class EvidenceError(GovscoreError):
    """A unit's evidence is malformed (exit 1 for that unit; other units are still scored)."""

    def __init__(self, msgid: str, params: dict | None = None, location: Location | None = None,
                 unit: str | None = None, field: str | None = None) -> None:
        super().__init__(msgid, params or {}, location or Location(), unit, field, ExitCode.UNIT_ERRORS)


class CalendarError(EvidenceError):
    """A date lies in a year that neither chinese_calendar nor an override file covers."""


class ErrorList(GovscoreError):
    """Several errors at once (a rule set with many mistakes)."""

    def __init__(self, errors: list[GovscoreError]) -> None:
        self.errors = errors
        first = errors[0]
        super().__init__(first.msgid, first.params, first.location, first.unit, first.field, first.exit_code)

    def render(self) -> str:
        return "\n".join(e.render() for e in self.errors)
