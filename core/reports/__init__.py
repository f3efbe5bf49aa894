"""Report writers: JSON (versioned schema), Excel workbook, HTML report (and per-unit cards)."""

from __future__ import annotations


def BUILTIN_WRITERS():
    """The built-in report writers, imported lazily so that a missing optional piece fails alone."""
    from .base import ReportWriter
    from .json_report import write_json

    from .table import write_table

    writers = [ReportWriter("table", ".txt", write_table, "ranking table as plain text (printed on the terminal)"),
               ReportWriter("json", ".json", write_json, "JSON result (schema core/schema/result.schema.json)")]
    try:
        from .xlsx_report import write_xlsx

        writers.append(ReportWriter("xlsx", ".xlsx", write_xlsx, "result workbook: 汇总, one sheet per category, 扣分明细"))
    except ImportError:
        pass
    try:
        from .html_report import write_html

        writers.append(ReportWriter("html", ".html", write_html, "self-contained HTML report with inline SVG charts"))
    except ImportError:
        pass
    return writers
