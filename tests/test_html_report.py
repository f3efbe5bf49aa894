"""The HTML report and the per-unit cards: self-contained, byte-identical, small at 20,000 units, each card
showing one unit only; and a headless Chromium opens the report without console errors."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import _reportkit as kit
from govscore.core.reports import BUILTIN_WRITERS
from govscore.core.reports.html_report import (TEMPLATE_MESSAGES, TEMPLATES, histogram_bins, render_html, write_cards,
                                               write_html)

ROOT = Path(__file__).resolve().parent.parent
NAMES = ["区发展和改革局", "何店镇", "区教育局", "万店镇"]


@pytest.fixture
def run(tmp_path):
    return kit.run_paths([kit.write_yaml(tmp_path)], tmp_path, group_by="kind")


def _external_references(text: str) -> list[str]:
    """Anything the browser would fetch: src/href to another document, url(), @import, <link>."""
    found = re.findall(r'''(?:src|href)\s*=\s*["'](?!#)[^"']*''', text)
    found += re.findall(r"url\(\s*['\"]?(?!#)[^)]*\)", text)
    found += re.findall(r"@import|<link\b|<iframe\b|<img\b", text)
    return found


def test_registered_as_the_html_writer():
    writers = {w.name: w for w in BUILTIN_WRITERS()}
    assert writers["html"].write is write_html and writers["html"].suffix == ".html"


def test_self_contained_complete_and_byte_identical(run, tmp_path):
    one, two = tmp_path / "one.html", tmp_path / "two.html"
    write_html(run, one, {"group_by": "kind"})
    rerun = kit.run_paths([kit.write_yaml(tmp_path)], tmp_path, group_by="kind")
    write_html(rerun, two, {"group_by": "kind"})
    assert one.read_bytes() == two.read_bytes()
    text = one.read_text(encoding="utf-8")
    assert not _external_references(text), _external_references(text)
    assert "<script" not in text  # district scale: static, nothing to run
    for name in NAMES:
        assert name in text
    # context, ranking chart, histogram, category averages, one stacked bar per unit
    for needle in ("wbtest", run.ruleset.content_hash, "2023-12-31", "2023-01-01", "chinese_calendar", "reference"):
        assert needle in text
    assert text.count("<svg") == 3 + len(run.units)
    # lost points with reasons and rule locations
    assert "wbtest/base.yaml:20" in text and "https://fgj.example/links" in text
    assert "@media print" in text


def test_histogram_bins():
    from fractions import Fraction

    bins = histogram_bins([Fraction(0), Fraction(499, 5), Fraction(100), Fraction(53, 2)])
    assert bins[0] == (0, 5, 1) and bins[5] == (25, 30, 1)
    assert bins[-1] == (100, 105, 1) and bins[-2] == (95, 100, 1)
    assert sum(c for _l, _h, c in bins) == 4


def test_twenty_thousand_units_collapsed_and_small(run, tmp_path):
    big = kit.replicate(run, 20000)
    out = tmp_path / "big.html"
    write_html(big, out)
    size = out.stat().st_size
    assert size < 25 * 1024 * 1024, size
    text = out.read_text(encoding="utf-8")
    assert text.count("<details") == 20000 and "<article" not in text
    assert "单位00000" in text and "单位19999" in text
    assert not _external_references(text)
    assert '<script type="application/json" id="gs-data">' in text
    # the threshold is an option
    small = render_html(run, {"collapse_above": 2})
    assert small.count("<details") == len(run.units)


def test_cards_show_one_unit_only(run, tmp_path):
    paths = write_cards(run, tmp_path / "cards")
    assert [p.name for p in paths] == [f"{u.unit_id}.html" for u in run.units]
    for u, p in zip(run.units, paths):
        text = p.read_text(encoding="utf-8")
        assert u.name in text and u.unit_id in text
        others = [n for n in NAMES if n != u.name]
        assert not [n for n in others if n in text], (u.name, [n for n in others if n in text])
        assert not [x.unit_id for x in run.units if x is not u and f">{x.unit_id}<" in text]
        assert not _external_references(text)
    card = paths[0].read_text(encoding="utf-8")
    from govscore.core.reports.html_report import averages

    assert averages(run)["total"] in card  # the district average
    assert "<svg" in card
    # byte-identical again
    again = write_cards(run, tmp_path / "cards2")
    assert [p.read_bytes() for p in paths] == [p.read_bytes() for p in again]


def test_every_template_message_is_extractable():
    """Template labels are listed in html_report.TEMPLATE_MESSAGES (N_), so the catalogue tool extracts them."""
    used = set()
    for t in TEMPLATES.glob("*.j2"):
        used |= set(re.findall(r'_\("((?:[^"\\]|\\.)*)"', t.read_text(encoding="utf-8")))
    assert used and not used - set(TEMPLATE_MESSAGES), sorted(used - set(TEMPLATE_MESSAGES))


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def _browser(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    exe = _chromium()
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'chromium-profile'}", "--enable-logging=stderr", "--v=0"]
    return subprocess.run([exe, *flags, *args], capture_output=True, text=True, timeout=120)


def _console(proc) -> list[str]:
    return [ln for ln in proc.stderr.splitlines() if "CONSOLE" in ln or "Uncaught" in ln]


@pytest.fixture
def browser():
    if _chromium() is None:
        if os.environ.get("GOVSCORE_REQUIRE_BROWSER") == "1":
            pytest.fail("GOVSCORE_REQUIRE_BROWSER=1 but no chromium found (apt-get install chromium)")
        pytest.skip("headless Chromium not installed (apt-get install chromium); set GOVSCORE_REQUIRE_BROWSER=1 to fail instead")
    return _chromium()


def test_report_in_headless_chromium(browser, run, tmp_path):
    page = tmp_path / "report.html"
    write_html(run, page, {"group_by": "kind"})
    proc = _browser(["--dump-dom", page.as_uri()], tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert not _console(proc), _console(proc)
    dom = proc.stdout
    for u in run.units:
        assert u.name in dom and f'id="u-{u.unit_id}"' in dom
    assert dom.count("<svg") == 3 + len(run.units)
    assert dom.count("<rect") > 4 * len(run.units)
    shot = tmp_path / "report.png"
    proc = _browser(["--window-size=1280,2400", "--hide-scrollbars", f"--screenshot={shot}", page.as_uri()], tmp_path)
    assert proc.returncode == 0 and shot.exists() and shot.stat().st_size > 10000, proc.stderr[-2000:]
    assert not _console(proc), _console(proc)
    out = ROOT / "out"
    out.mkdir(exist_ok=True)
    shutil.copyfile(shot, out / "html-report.png")


def test_collapsed_report_in_headless_chromium(browser, run, tmp_path):
    """Above the threshold the details are drawn by the inline script when opened (#all opens every one)."""
    page = tmp_path / "collapsed.html"
    write_html(run, page, {"collapse_above": 2})
    proc = _browser(["--dump-dom", page.as_uri() + "#all"], tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert not _console(proc), _console(proc)
    dom = proc.stdout
    assert dom.count('data-done="1"') == len(run.units)
    assert "broken_links" in dom and "复核认定链接已修复" in dom  # the lost points, drawn from the data block
    card = write_cards(run, tmp_path / "cards")[0]
    proc = _browser(["--dump-dom", card.as_uri()], tmp_path)
    assert proc.returncode == 0 and not _console(proc), _console(proc)
    assert run.units[0].name in proc.stdout
