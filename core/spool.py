"""Lean runs: each unit's JSON result is written to a spool file as soon as it is scored, and only a
summary of the unit (ranking fields, category scores, what is missing or adjusted) stays in memory.

A district of 20,000 units holds ~90 KB of exact results and audit trail per unit; a summary is a
few KB, and the JSON text (~33 KB per unit) waits on disk until the report is written in rank order.
Workers of the process pool spool into files of their own, so results never travel back through a
pipe. Used when the requested reports need nothing more than the summary (the ranking table) and the
JSON text (the JSON report); see :func:`govscore.core.runner.run` (``keep="summary"``).
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .result import UnitResult

RANK_PLACEHOLDER = '"rank":null,"group_rank":null'
"""How a unit's JSON text reads before ranking. JSON strings escape every quote, so the first
occurrence is always the unit's own rank fields (they follow id, name, kind and source)."""


@dataclass(slots=True)
class UnitSummary(UnitResult):
    """What the ranking and the table need of a unit, and where its JSON text is spooled.

    A :class:`~govscore.core.result.UnitResult` whose ``indicators`` hold only the indicators with
    missing observations or appeal adjustments, without their audit trail; ``ref`` is (spool file,
    byte offset, byte length) of the unit's full JSON text, ranks not yet filled in.
    """

    ref: tuple[str, int, int] | None = None

    @classmethod
    def of(cls, r: UnitResult, ref: tuple[str, int, int]) -> "UnitSummary":
        """The summary of a full result whose JSON is at `ref`."""
        kept = [dataclasses.replace(lf, audit=[]) for lf in r.indicators if lf.missing or lf.adjustments]
        values = {f.name: getattr(r, f.name) for f in dataclasses.fields(UnitResult)}
        return cls(**dict(values, indicators=kept), ref=ref)


class SpoolWriter:
    """Appends unit JSON texts to one file of the spool (one writer per process)."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)
        self._fh = open(path, "ab")
        self._offset = self._fh.tell()

    def write(self, text: str) -> tuple[str, int, int]:
        """Append `text`; returns its reference (file, offset, length in bytes)."""
        data = text.encode("utf-8")
        self._fh.write(data)
        ref = (self.path, self._offset, len(data))
        self._offset += len(data)
        return ref

    def flush(self) -> None:
        """Make everything written so far readable by another process."""
        self._fh.flush()

    def close(self) -> None:
        self._fh.close()


class Spool:
    """A temporary folder of spool files, removed by :meth:`close` (or when the run is collected).

    Raises:
        OSError: the temporary folder cannot be created or read.
    """

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="govscore-spool-")
        self.folder = Path(self._dir.name)
        self._readers: dict[str, object] = {}

    def writer(self, name: str | None = None) -> SpoolWriter:
        """A writer on a file of its own (`name` defaults to the process id)."""
        return SpoolWriter(self.folder / f"{name or os.getpid()}.jsonl")

    def read(self, ref: tuple[str, int, int]) -> str:
        """The text at `ref`."""
        path, offset, length = ref
        fh = self._readers.get(path)
        if fh is None:
            fh = self._readers[path] = open(path, "rb")
        fh.seek(offset)
        return fh.read(length).decode("utf-8")

    def close(self) -> None:
        for fh in self._readers.values():
            fh.close()
        self._readers.clear()
        self._dir.cleanup()


def with_ranks(text: str, rank: int | None, group_rank: int | None) -> str:
    """A spooled unit text with its rank and group rank filled in.

    Raises:
        ValueError: the text has no rank placeholder (not a spooled unit).
    """
    if RANK_PLACEHOLDER not in text:
        raise ValueError("a spooled unit's JSON lacks its rank fields")
    return text.replace(RANK_PLACEHOLDER, f'"rank":{_j(rank)},"group_rank":{_j(group_rank)}', 1)


def _j(v: int | None) -> str:
    return "null" if v is None else str(int(v))
