"""The HTML report (``--format html``) and per-unit report cards (``--per-unit DIR``).

One self-contained file: CSS and the few lines of script are inline, charts are inline SVG drawn here,
no font, image or script is fetched. Sections: run context (rule set, hash, as_of, period, calendar,
engine), the ranking with a bar chart, the distribution of totals (a histogram), category averages, and
each unit's breakdown (a stacked bar of its categories, its indicators, and every lost point with its
reason). At district scale (up to ``collapse_above`` units, 500 by default) everything is written out
and prints well; above it each unit's details are collapsed (``<details>``) and drawn from a compact
JSON block when opened, so that 20,000 units stay a file a browser opens.

:func:`write_cards` writes one card per unit for sending to that unit: its scores, lost points,
reasons, rank and the district averages only, never another unit's data.

Labels go through :func:`govscore.core.i18n._` (English msgids, Chinese catalogue). Output is
byte-identical for the same input: no timestamps, fixed number formatting, stable ordering.
"""

from __future__ import annotations

import html
import json
import math
import re
from fractions import Fraction
from pathlib import Path

from ..i18n import _, current_language
from ..numbers import fmt2, round_half_up
from .base import atomic_write_bytes
from .xlsx_report import fmt_points, kind_label, loss_rows, provenance_text, role_label

TEMPLATES = Path(__file__).with_name("templates")
COLLAPSE_ABOVE = 500
RANKING_CHART_LIMIT = 100  # bars drawn in the ranking chart above collapse_above (the table lists every unit)
PALETTE = ["#4472c4", "#ed7d31", "#70ad47", "#7f6bb3", "#ffc000", "#5b9bd5", "#a5a5a5", "#264478", "#9e480e", "#43682b"]
BONUS_COLOR = "#2e9d5b"
DEDUCTION_COLOR = "#c0392b"
KIND_COLORS = {"department": "#4472c4", "town": "#ed7d31"}


# --- numbers and SVG helpers ----------------------------------------------------------------------

def _f(x: float) -> str:
    """Fixed-precision SVG coordinate (stable text)."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _num(v: Fraction | None) -> str:
    return "" if v is None else fmt_points(v)


def _shown(v: Fraction) -> str:
    return fmt_points(v)


def _esc(text) -> str:
    return html.escape(str(text), quote=True)


def _trim(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _svg(width: float, height: float, body: list[str], label: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {_f(width)} {_f(height)}" '
            f'width="{_f(width)}" height="{_f(height)}" role="img" aria-label="{_esc(label)}"><title>{_esc(label)}</title>'
            + "".join(body) + "</svg>")


def ranking_svg(units: list, limit: int | None, scale_max: float) -> str:
    """Horizontal bars of the totals in rank order (the first `limit` units when given)."""
    shown = units if limit is None else units[:limit]
    bar, gap, left, right, width = 14, 4, 190, 60, 900
    height = 24 + len(shown) * (bar + gap) + 10
    plot = width - left - right
    body = [f'<g font-size="11" fill="#333">']
    for x in range(0, int(scale_max) + 1, 10 if scale_max <= 120 else 20):
        px = left + plot * x / scale_max
        body.append(f'<line x1="{_f(px)}" y1="16" x2="{_f(px)}" y2="{_f(height - 8)}" stroke="#e3e3e3"/>'
                    f'<text x="{_f(px)}" y="12" text-anchor="middle">{x}</text>')
    for i, u in enumerate(shown):
        y = 22 + i * (bar + gap)
        total = float(u.display["total"])
        w = max(0.0, plot * total / scale_max)
        color = KIND_COLORS.get(u.kind, "#888")
        body.append(f'<text x="{left - 6}" y="{_f(y + bar - 3)}" text-anchor="end">{u.rank}. {_esc(_trim(u.name, 14))}</text>'
                    f'<rect x="{left}" y="{_f(y)}" width="{_f(w)}" height="{bar}" fill="{color}"><title>{_esc(u.name)}: '
                    f'{_shown(u.display["total"])}</title></rect>'
                    f'<text x="{_f(left + w + 4)}" y="{_f(y + bar - 3)}">{_shown(u.display["total"])}</text>')
    body.append("</g>")
    return _svg(width, height, body, _("Ranking by total score"))


def histogram_bins(totals: list[Fraction], width: int = 5, top: int = 100) -> list[tuple[int, int, int]]:
    """(low, high, count) bins [low, high) of `width` points from 0 up to max(top, highest total)."""
    hi = max([top] + [int(math.floor(float(t))) + 1 for t in totals])
    nbins = max(1, math.ceil(hi / width))
    counts = [0] * nbins
    for t in totals:
        k = min(nbins - 1, max(0, int(Fraction(t) // width)))
        counts[k] += 1
    return [(k * width, (k + 1) * width, c) for k, c in enumerate(counts)]


def histogram_svg(totals: list[Fraction]) -> str:
    bins = histogram_bins(totals)
    width, height, left, bottom, top = 900, 270, 40, 30, 34
    plot_w, plot_h = width - left - 10, height - top - bottom
    most = max([c for _l, _h, c in bins] + [1])
    bw = plot_w / len(bins)
    body = ['<g font-size="11" fill="#333">']
    body.append(f'<line x1="{left}" y1="{_f(top + plot_h)}" x2="{_f(left + plot_w)}" y2="{_f(top + plot_h)}" stroke="#999"/>')
    for k, (lo, hi, c) in enumerate(bins):
        h = plot_h * c / most
        x = left + k * bw
        body.append(f'<rect x="{_f(x + 1)}" y="{_f(top + plot_h - h)}" width="{_f(bw - 2)}" height="{_f(h)}" fill="#5b9bd5">'
                    f'<title>[{lo}, {hi}): {c}</title></rect>')
        if c:
            body.append(f'<text x="{_f(x + bw / 2)}" y="{_f(top + plot_h - h - 3)}" text-anchor="middle">{c}</text>')
        if lo % 10 == 0:
            body.append(f'<text x="{_f(x)}" y="{_f(top + plot_h + 14)}" text-anchor="middle">{lo}</text>')
    body.append(f'<text x="{_f(left + plot_w)}" y="{_f(top + plot_h + 14)}" text-anchor="middle">{bins[-1][1]}</text>')
    body.append(f'<text x="{left}" y="12">{_esc(_("Units"))}</text>')
    body.append("</g>")
    return _svg(width, height, body, _("Distribution of totals (bins of 5 points)"))


def category_svg(rows: list[dict]) -> str:
    """Average score of each category as a share of its weight (deductions: of their cap, in red)."""
    bar, gap, left, width = 20, 8, 190, 900
    plot = width - left - 170
    height = 10 + len(rows) * (bar + gap) + 10
    body = ['<g font-size="12" fill="#333">']
    for i, r in enumerate(rows):
        y = 10 + i * (bar + gap)
        frac = r["fraction"]
        color = DEDUCTION_COLOR if r["kind"] == "deduction" else BONUS_COLOR if r["kind"] == "bonus" else r["color"]
        body.append(f'<text x="{left - 6}" y="{_f(y + bar - 5)}" text-anchor="end">{_esc(_trim(r["name"], 14))}</text>'
                    f'<rect x="{left}" y="{_f(y)}" width="{_f(plot)}" height="{bar}" fill="#f0f0f0"/>'
                    f'<rect x="{left}" y="{_f(y)}" width="{_f(plot * frac)}" height="{bar}" fill="{color}">'
                    f'<title>{_esc(r["name"])}: {r["average"]} / {r["weight"]}</title></rect>'
                    f'<text x="{_f(left + plot + 6)}" y="{_f(y + bar - 5)}">{r["average"]} / {r["weight"]} ({r["percent"]})</text>')
    body.append("</g>")
    return _svg(width, height, body, _("Category averages"))


def stack_svg(segments: list[tuple[str, Fraction, str]], deduction: Fraction, scale_max: Fraction, label: str) -> str:
    """One unit's stacked bar: its base and bonus categories, and its deductions as a red band at the end."""
    width, height, bar = 600, 30, 18
    body = [f'<rect x="0" y="4" width="{width}" height="{bar}" fill="#f0f0f0"/>']
    x = 0.0
    scale = float(scale_max) or 1.0
    for name, value, color in segments:
        v = float(value)
        if v <= 0:
            continue
        w = width * v / scale
        body.append(f'<rect x="{_f(x)}" y="4" width="{_f(w)}" height="{bar}" fill="{color}"><title>{_esc(name)}: {_esc(fmt2(value))}</title></rect>')
        x += w
    if deduction > 0:
        w = min(x, width * float(deduction) / scale)
        body.append(f'<rect x="{_f(x - w)}" y="4" width="{_f(w)}" height="{bar}" fill="{DEDUCTION_COLOR}" fill-opacity="0.75">'
                    f'<title>{_esc(_("Deductions"))}: -{_esc(fmt2(deduction))}</title></rect>')
    return _svg(width, height, body, label)


# --- view models -----------------------------------------------------------------------------------

def _category_meta(run) -> list[dict]:
    out = []
    k = 0
    for c in run.compiled.categories:
        color = PALETTE[k % len(PALETTE)] if c.kind == "base" else BONUS_COLOR if c.kind == "bonus" else DEDUCTION_COLOR
        if c.kind == "base":
            k += 1
        out.append({"id": c.id, "name": c.name, "kind": c.kind, "weight": c.weight, "cap": c.cap, "color": color})
    return out


def _scale_max(run) -> Fraction:
    base = sum((c.weight for c in run.compiled.categories if c.kind == "base"), Fraction(0))
    bonus = sum(((c.cap if c.cap is not None else c.weight) for c in run.compiled.categories if c.kind == "bonus"), Fraction(0))
    return base + bonus or Fraction(100)


def averages(run) -> dict:
    """District averages: total, and each category (all units, and per kind of unit)."""
    units = run.units
    n = len(units)
    out = {"count": n, "total": _num(sum((u.total for u in units), Fraction(0)) / n) if n else "", "categories": [],
           "kinds": sorted({u.kind for u in units})}
    for meta in _category_meta(run):
        scores = [u.category(meta["id"]).score for u in units if any(c.id == meta["id"] for c in u.categories)]
        avg = sum(scores, Fraction(0)) / len(scores) if scores else Fraction(0)
        limit = meta["weight"] if meta["kind"] != "deduction" else (meta["cap"] if meta["cap"] is not None else meta["weight"])
        frac = float(abs(avg) / limit) if limit else 0.0
        by_kind = {}
        for kind in out["kinds"]:
            ks = [u.category(meta["id"]).score for u in units if u.kind == kind and any(c.id == meta["id"] for c in u.categories)]
            by_kind[kind] = _num(sum(ks, Fraction(0)) / len(ks)) if ks else ""
        out["categories"].append(dict(meta, average=_num(avg), average_exact=avg, fraction=min(1.0, frac),
                                      percent=f"{min(1.0, frac) * 100:.0f}%", weight=_num(limit) if limit is not None else "",
                                      by_kind=by_kind))
    return out


def unit_view(run, u, metas: list[dict], scale_max: Fraction, chart: bool = True) -> dict:
    """Everything the templates show about one unit (strings, already formatted)."""
    by_id = {c.id: c for c in u.categories}
    segments = [(m["name"], by_id[m["id"]].score, m["color"]) for m in metas if m["kind"] != "deduction" and m["id"] in by_id]
    cats = []
    for m in metas:
        c = by_id.get(m["id"])
        if c is None:
            continue
        cats.append({"name": m["name"], "kind": m["kind"], "color": m["color"], "score": _shown(c.display),
                     "weight": _num(c.weight) if m["kind"] != "deduction" else _num(-(c.cap if c.cap is not None else c.weight)),
                     "capped": c.score != c.uncapped})
    cat_names = {m["id"]: m["name"] for m in metas}
    leaves = []
    for lf in u.indicators:
        lost = lf.lost if lf.applicable else Fraction(0)
        leaves.append({"id": lf.id, "name": lf.name, "category": cat_names.get(lf.category, lf.category),
                       "score": _shown(lf.display) if lf.applicable else _("n/a"),
                       "weight": _num(lf.effective_weight) if lf.applicable else _num(lf.weight),
                       "lost": _num(lost) if lost else "", "reason": lf.reason, "vetoed": lf.vetoed,
                       "applicable": lf.applicable, "full": lf.applicable and not lost})
    losses = []
    for row in loss_rows(run, u):
        losses.append({"leaf": row["leaf"].name, "role": role_label(row["role"]), "role_id": row["role"], "entry": row["entry"],
                       "text": row["text"], "lost": _num(row["lost"]) if row["lost"] is not None else "",
                       "reason": row["reason"], "provenance": provenance_text(row["provenance"]), "rule": row["rule"]})
    d = u.display
    return {"id": u.unit_id, "name": u.name, "kind": u.kind, "kind_label": kind_label(u.kind), "rank": u.rank,
            "group_rank": u.group_rank, "total": _shown(d["total"]), "base": _shown(d["base"]), "bonus": _shown(d["bonus"]),
            "deductions": _shown(d["deductions"]), "floor": _shown(d["floor_adjustment"]) if u.floor_adjustment else "",
            "missing_count": u.missing_count, "categories": cats, "leaves": leaves, "losses": losses,
            "stack": stack_svg(segments, u.deductions, scale_max, _("Score by category: {name}", name=u.name)) if chart else "",
            "anchor": "u-" + re.sub(r"[^A-Za-z0-9_-]", lambda m: f"_{ord(m.group(0)):x}", u.unit_id)}


def _context(run) -> dict:
    ctx = run.context_dict()
    period = ctx.get("period") or {}
    return {"ruleset": ctx.get("ruleset"), "title": ctx.get("ruleset_title") or ctx.get("ruleset"),
            "hash": ctx.get("ruleset_hash"), "chain": " > ".join(ctx.get("ruleset_chain") or []), "as_of": ctx.get("as_of"),
            "period": f"{period.get('start', '')} – {period.get('end', '')}",
            "calendar": "; ".join(str(x) for x in ctx.get("calendar") or []), "engine": ctx.get("engine"),
            "version": ctx.get("govscore_version")}


def _compact_data(run, units_v: list[dict], metas: list[dict]) -> str:
    """The JSON block the collapsed details are drawn from: strings deduplicated into tables."""
    strings: dict[str, int] = {}

    def s(text) -> int:
        text = "" if text is None else str(text)
        if text not in strings:
            strings[text] = len(strings)
        return strings[text]

    units = []
    for v in units_v:
        leaves = [[s(lf["name"]), s(lf["score"]), s(lf["weight"]), s(lf["lost"]), s(lf["reason"])] for lf in v["leaves"]]
        losses = [[s(r["leaf"]), s(r["role"]), s(r["entry"]), s(r["lost"]), s(r["reason"])] for r in v["losses"]
                  if r["role_id"] != "normalisation"]
        cats = [[s(c["name"]), s(c["score"]), s(c["weight"])] for c in v["categories"]]
        units.append([cats, leaves, losses])
    labels = {"indicator": _("Indicator"), "score": _("Score"), "weight": _("Weight"), "lost": _("Points lost"),
              "reason": _("Reason"), "type": _("Type"), "entry": _("Entry"), "category": _("Category"),
              "losses": _("Lost points and reasons"), "none": _("No points lost.")}
    doc = {"s": list(strings), "u": units, "l": labels}
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _env():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, trim_blocks=True, lstrip_blocks=True,
                      undefined=StrictUndefined, keep_trailing_newline=True)
    env.globals["_"] = _
    return env


def _asset(name: str):
    from markupsafe import Markup

    return Markup((TEMPLATES / name).read_text(encoding="utf-8"))


def render_html(run, options: dict | None = None) -> str:
    """The report as text (see :func:`write_html`)."""
    from markupsafe import Markup

    options = options or {}
    limit = int(options.get("collapse_above", COLLAPSE_ABOVE))
    collapsed = len(run.units) > limit
    metas = _category_meta(run)
    smax = _scale_max(run)
    units_v = [unit_view(run, u, metas, smax, chart=not collapsed) for u in run.units]
    avg = averages(run)
    top = max([float(u.display["total"]) for u in run.units] + [float(smax)])
    grouped = options.get("group_by") == "kind" or any(u.group_rank is not None for u in run.units)
    failures = [{"unit": f.unit_id or "", "name": f.name or "", "source": f.source, "errors": [e.render() for e in f.errors]}
                for f in run.failures]
    ctx = {
        "lang": "zh-CN" if current_language().startswith("zh") else "en",
        "context": _context(run), "count": len(run.units), "collapsed": collapsed, "limit": limit,
        "ranking_chart": Markup(ranking_svg(run.units, RANKING_CHART_LIMIT if collapsed else None, top)) if run.units else "",
        "ranking_chart_limited": collapsed and len(run.units) > RANKING_CHART_LIMIT, "chart_limit": RANKING_CHART_LIMIT,
        "histogram": Markup(histogram_svg([u.total for u in run.units])) if run.units else "",
        "category_chart": Markup(category_svg(avg["categories"])) if run.units else "",
        "averages": avg, "kind_labels": {k: kind_label(k) for k in avg["kinds"]}, "metas": metas,
        "units": units_v, "grouped": grouped, "failures": failures,
        "kind_colors": KIND_COLORS,
        "css": _asset("style.css"), "script": _asset("report.js") if collapsed else "",
        "data": Markup(_compact_data(run, units_v, metas)) if collapsed else "",
    }
    for v in units_v:
        v["stack"] = Markup(v["stack"])
    return _env().get_template("report.html.j2").render(**ctx)


def write_html(run, path: Path, options: dict | None = None) -> None:
    """Write the self-contained HTML report of `run` to `path` atomically.

    Args:
        options: ``collapse_above`` (default 500): with more units, per-unit details are collapsed;
            ``group_by`` ("kind" shows the rank among departments / towns and streets).
    """
    atomic_write_bytes(Path(path), render_html(run, options).encode("utf-8"))


def card_filename(unit_id: str, used: set[str]) -> str:
    """A safe, unique file name for a unit's card: its id with unsafe characters replaced."""
    base = re.sub(r"[^\w.-]", "_", unit_id, flags=re.UNICODE).strip("._") or "unit"
    name, n = f"{base}.html", 2
    while name.lower() in used:
        name = f"{base}-{n}.html"
        n += 1
    used.add(name.lower())
    return name


def render_card(run, u, avg: dict | None = None) -> str:
    """One unit's report card: its own results, rank, and the district averages only."""
    from markupsafe import Markup

    metas = _category_meta(run)
    avg = avg or averages(run)
    v = unit_view(run, u, metas, _scale_max(run))
    v["stack"] = Markup(v["stack"])
    cat_avg = {c["name"]: c["average"] for c in avg["categories"]}
    group_count = sum(1 for x in run.units if x.kind == u.kind) if u.group_rank is not None else None
    ctx = {"lang": "zh-CN" if current_language().startswith("zh") else "en", "context": _context(run), "unit": v,
           "count": avg["count"], "average_total": avg["total"], "category_averages": cat_avg, "group_count": group_count,
           "css": _asset("style.css")}
    return _env().get_template("card.html.j2").render(**ctx)


def write_cards(run, folder: Path) -> list[Path]:
    """Write one HTML report card per scored unit into `folder` (created if needed), atomically each.

    Returns:
        The card paths, in rank order. File names are the unit ids made safe for file systems.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    avg = averages(run)
    used: set[str] = set()
    out = []
    for u in run.units:
        path = folder / card_filename(u.unit_id, used)
        atomic_write_bytes(path, render_card(run, u, avg).encode("utf-8"))
        out.append(path)
    return out
