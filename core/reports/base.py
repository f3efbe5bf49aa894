"""Report writers: the contract, and atomic file writing.

A writer is contributed through ``register_report_writers`` as ``register(name, ReportWriter(...))``.
Reports are written atomically: to a temporary file in the target folder, then renamed, so an
interrupted run never leaves a half-written report in place.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable


@dataclass(frozen=True)
class ReportWriter:
    """A report format.

    Attributes:
        name: the ``--format`` value, e.g. "json".
        suffix: file suffix, e.g. ".json".
        write: ``write(run_result, path: Path, options: dict) -> None``; must write through
            :func:`atomic_write_bytes` (or write to a temporary path and rename).
        description: one line for ``--help`` and ``govscore plugins``.
    """

    name: str
    suffix: str
    write: Callable
    description: str = ""


def report_target(path: Path) -> Path:
    """Where a report really goes: a symlink's target (the rename must not replace the link), and never
    over something that is not a regular file (a device such as /dev/full, a folder).

    Raises:
        OSError: the target exists and is not a regular file.
    """
    path = Path(path)
    if path.is_symlink():
        path = path.resolve()
    if path.exists() and not path.is_file():
        import errno

        raise (IsADirectoryError(errno.EISDIR, "a folder", str(path)) if path.is_dir()
               else FileExistsError(errno.EEXIST, "not a regular file", str(path)))
    return path


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` via a temporary file in the same folder and a rename."""
    path = report_target(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=str(path.parent))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        _usual_mode(tmp)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _usual_mode(tmp: str) -> None:
    """mkstemp creates 0600 files: give the report the mode a plainly created file would have (0666 - umask)."""
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp, 0o666 & ~umask)
    except OSError:
        pass


def atomic_path(path: Path):
    """Context manager yielding a temporary path next to `path`, renamed onto it on success."""
    import contextlib

    @contextlib.contextmanager
    def _cm():
        p = report_target(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=p.suffix, dir=str(p.parent))
        os.close(fd)
        try:
            yield Path(tmp)
            _usual_mode(tmp)
            os.replace(tmp, p)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    return _cm()
