"""A third-party report writer that fails half-way: it writes part of its report through
govscore's atomic_path, then raises (a full disk, a killed process)."""

from govscore.core.hookspecs import hookimpl
from govscore.core.reports.base import ReportWriter, atomic_path


def write_partial(run, path, options):
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write("new report, first half: ")
            for u in run.units:
                fh.write(u.unit_id + " ")
            fh.flush()
            raise RuntimeError("disk full")


@hookimpl
def register_report_writers(register):
    register("partial", ReportWriter("partial", ".partial", write_partial, "fails half-way"))
