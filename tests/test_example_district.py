"""The bundled example district (examples/2023-zengdu/ and examples/2023-zengdu-workbook.xlsx).

(a) every example unit scores; (b) the workbook scores exactly like the YAML files; (c) hand-computed
checks on chosen units, arithmetic in the comments; (d) nothing in examples/ looks like a mainland ID
number or a mobile number; and the committed YAML is what tools/make_example.py makes.
"""

from __future__ import annotations

import re
import subprocess
import sys
from fractions import Fraction as F
from pathlib import Path

import pytest

from govscore.core.evidence import discover
from govscore.core.runner import RunOptions, RunResult, run

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
DISTRICT = EXAMPLES / "2023-zengdu"
WORKBOOK = EXAMPLES / "2023-zengdu-workbook.xlsx"
GENERATOR = ROOT / "tools" / "make_example.py"

DISCLOSURE_OTHERS = {  # the 10 政府信息公开 leaves that receive a non-applicable key area's weight
    "disclosure.overview": 2, "disclosure.functions": 2, "disclosure.leaders": 2, "disclosure.policy_documents": 2,
    "disclosure.licensing_results": 2, "disclosure.enforcement": 2, "disclosure.budgets": 2, "disclosure.proposals": 2,
    "disclosure.special_topics": 3, "disclosure.policy_interpretation": 5,
}
KEY_AREAS = ("disclosure.major_projects", "disclosure.public_welfare", "disclosure.public_resources")


@pytest.fixture(scope="module")
def yaml_run() -> RunResult:
    return run([DISTRICT], RunOptions())


@pytest.fixture(scope="module")
def workbook_run() -> RunResult:
    return run([WORKBOOK], RunOptions())


def unit(result: RunResult, uid: str):
    return next(u for u in result.units if u.unit_id == uid)


# --- (a) every unit scores ---------------------------------------------------------------------------

def test_every_example_unit_scores(yaml_run: RunResult) -> None:
    assert yaml_run.failures == []
    assert len(yaml_run.units) >= 30
    assert {u.kind for u in yaml_run.units} == {"department", "town"}
    assert sum(u.kind == "town" for u in yaml_run.units) >= 8
    # one file per unit, and the workbook is not inside the folder (its units would be read twice)
    files = discover([DISTRICT])
    assert all(f.suffix == ".yaml" for f in files) and len(files) == len(yaml_run.units)
    assert not WORKBOOK.is_relative_to(DISTRICT)
    # a realistic spread: most units between 70 and 92 points, a few weak ones below
    totals = sorted(float(u.total) for u in yaml_run.units)
    assert sum(70 <= t <= 92 for t in totals) >= 0.75 * len(totals)
    assert 1 <= sum(t < 70 for t in totals) <= 5


def test_the_cli_scores_the_folder_with_exit_0() -> None:
    proc = subprocess.run([sys.executable, "-m", "govscore.core.cli", "score", str(DISTRICT)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for uid in ("fgj", "tjj", "nj_jd", "kfq"):
        assert uid in proc.stdout


# --- (b) the workbook scores identically -------------------------------------------------------------

def test_workbook_scores_identically_to_the_yaml(yaml_run: RunResult, workbook_run: RunResult) -> None:
    assert workbook_run.failures == []
    by_id = {u.unit_id: u for u in workbook_run.units}
    assert set(by_id) == {u.unit_id for u in yaml_run.units}
    for y in yaml_run.units:
        w = by_id[y.unit_id]
        assert (w.name, w.kind) == (y.name, y.kind)
        assert (w.total, w.base, w.bonus, w.deductions, w.rank) == (y.total, y.base, y.bonus, y.deductions, y.rank), y.unit_id
        assert [c.score for c in w.categories] == [c.score for c in y.categories], y.unit_id
        for ly, lw in zip(y.indicators, w.indicators, strict=True):
            assert lw.id == ly.id
            got = (lw.score, lw.computed, lw.effective_weight, lw.vetoed, lw.applicable, sorted(lw.missing))
            want = (ly.score, ly.computed, ly.effective_weight, ly.vetoed, ly.applicable, sorted(ly.missing))
            assert got == want, f"{y.unit_id} {ly.id}"
            assert [(a.applied, a.reason, a.decided_by, a.decided_on) for a in lw.adjustments] == \
                   [(a.applied, a.reason, a.decided_by, a.decided_on) for a in ly.adjustments]


def test_workbook_has_the_current_template_columns() -> None:
    """The workbook is `govscore template`'s, filled: when the template gains or loses a column, rerun
    tools/make_example.py."""
    from openpyxl import load_workbook

    from govscore.core.runner import prepare
    from govscore.core.workbook import workbook_layout

    layout = workbook_layout(prepare(RunOptions()))
    wb = load_workbook(WORKBOOK, read_only=True)
    try:
        for sl in layout.sheets:
            row = next(wb[sl.name].iter_rows(min_row=sl.key_row, max_row=sl.key_row, values_only=True))
            assert [k for k in row if k] == [c.key for c in sl.columns], f"{sl.name}: rerun tools/make_example.py"
    finally:
        wb.close()


def test_workbook_carries_the_provenance(workbook_run: RunResult) -> None:
    leaf = unit(workbook_run, "jtj").leaf("portal.maintenance")
    rec = next(r for r in leaf.audit if r.entry == "broken_links")
    assert rec.provenance["broken_links"]["source"].startswith("https://www.example.gov.cn/")


# --- (c) hand-computed checks ------------------------------------------------------------------------

def test_no_key_areas_spreads_18_points_over_the_other_10_disclosure_leaves(yaml_run: RunResult) -> None:
    tjj = unit(yaml_run, "tjj")  # 区统计局: applicable: false on all three key areas
    for ind in KEY_AREAS:
        assert not tjj.leaf(ind).applicable and tjj.leaf(ind).effective_weight == 0
    # 6 + 6 + 6 = 18 points, split evenly over 10 leaves: +1.8 each
    for ind, weight in DISCLOSURE_OTHERS.items():
        assert tjj.leaf(ind).effective_weight == weight + F(18, 10), ind
    assert tjj.category("disclosure").weight == 42
    assert sum(lf.effective_weight for lf in tjj.indicators if lf.category == "disclosure") == 42
    # 概况信息: up_to_date 50% + consistent 50% of 2 + 1.8 = 3.8
    assert tjj.leaf("disclosure.overview").score == F(38, 10)
    # 政策文件: (40% + 40% + 10%) x 3.8 = 3.42, one defective document -10% x 3.8 = -0.38 -> 3.04
    assert tjj.leaf("disclosure.policy_documents").score == F(304, 100)
    # no accounts: the derived shares of 集约开设 earn nothing and are listed as missing; lifecycle 10% x 6 = 0.6
    intensive = tjj.leaf("newmedia.intensive")
    assert intensive.score == F(6, 10)
    assert {"one_account_per_platform", "accounts"} <= set(intensive.missing)  # filed reads the (empty) accounts list


def test_a_partial_key_area_unit_spreads_its_weight_too(yaml_run: RunResult) -> None:
    # 区教育局: only 公益事业建设 applies; 12 points over 11 leaves (10 + the applicable key area)
    jyj = unit(yaml_run, "jyj")
    assert jyj.leaf("disclosure.public_welfare").effective_weight == 6 + F(12, 11)
    assert jyj.leaf("disclosure.overview").effective_weight == 2 + F(12, 11)


def test_appeal_adjustment_shows_as_its_own_line(yaml_run: RunResult) -> None:
    leaf = unit(yaml_run, "jtj").leaf("portal.maintenance")
    # broken_links 1 -> 0 of 25%; empty columns 0 and privacy leaks 0 -> 25% + 25% of 5 = 2.5
    assert leaf.computed == F(5, 2)
    # the appeal adds 1.25: 2.5 + 1.25 = 3.75, recorded beside the computed score
    assert leaf.score == F(15, 4)
    [adj] = leaf.adjustments
    assert adj.applied == F(5, 4) and adj.decided_by == "区政务公开办" and adj.decided_on == "2024-01-12"
    proc = subprocess.run([sys.executable, "-m", "govscore.core.cli", "--lang", "en", "explain", str(DISTRICT), "--unit", "jtj",
                           "--indicator", "portal.maintenance"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    lines = [ln.strip() for ln in proc.stdout.splitlines()]
    assert any(ln.startswith("appeal adjustment: 2.5 -> 3.75") for ln in lines), proc.stdout


def test_set_to_adjustment(yaml_run: RunResult) -> None:
    leaf = unit(yaml_run, "nj_jd").leaf("newmedia.interaction")
    # consultation_available 50% of 4 = 2, replies_timely false -> computed 2; set_to 4 applies +2
    assert (leaf.computed, leaf.score) == (2, 4)
    assert leaf.adjustments[0].applied == 2
    # the JSON keeps the decision's own form; reports show it in the reader's language
    assert leaf.adjustments[0].requested == "set_to 4"
    from govscore.core import i18n

    saved = list(i18n._current)
    try:
        assert i18n.set_language("zh_CN") and leaf.adjustments[0].requested_text() == "改为 4"
        assert i18n.set_language("en") and leaf.adjustments[0].requested_text() == "set to 4"
    finally:
        i18n._current[:] = saved


def test_explain_says_why_a_message_or_a_repost_check_earned_nothing() -> None:
    def explain(indicator: str) -> list[str]:
        proc = subprocess.run([sys.executable, "-m", "govscore.core.cli", "--lang", "en", "explain", str(DISTRICT), "--unit", "cnxq",
                               "--indicator", indicator], capture_output=True, text=True, cwd=ROOT)
        assert proc.returncode == 0, proc.stderr
        return [ln.strip() for ln in proc.stdout.splitlines()]

    lines = explain("portal.consultation")
    # 城南新区's messages 3 and 4 were answered within 1 working day but earn nothing: the band requires an
    # accurate answer that is not perfunctory (examples/2023-zengdu/units/cnxq.yaml)
    assert ("message 3: asked 2023-08-15 09:10, answered 2023-08-15 15:00, 0 working day(s) elapsed, "
            "no band (perfunctory answer (敷衍塞责)), share 0%") in lines
    assert ("message 4: asked 2023-10-17 14:00, answered 2023-10-18 09:00, 1 working day(s) elapsed, "
            "no band (answer not accurate), share 0%") in lines
    # its 10th repost check (2023-05-17) failed: 0 of the 50% share; the 1st passed
    lines = explain("newmedia.coordination")
    assert "item 10: share 0%; checked on: 2023-05-17; passed: no" in lines
    assert "item 1: share 50%; checked on: 2023-01-12; passed: yes" in lines


def test_consultation_across_holidays(yaml_run: RunResult) -> None:
    # 南郊街道's four test questions:
    #   2023-01-20 (Fri) -> 01-28 (make-up Saturday): 1 working day, 50% of 5 = 2.5
    #   2023-04-21 (Fri) -> 04-24 (Mon): the make-up Sunday 04-23 counts, 2 working days, 20% = 1
    #   2023-09-28 -> 10-16: 10-07, 10-08, 10-09..10-13, 10-16 = 8 working days, (5, 10] unscored = 0
    #   unanswered = 0
    # mean: (2.5 + 1 + 0 + 0) / 4 = 0.875
    assert unit(yaml_run, "nj_jd").leaf("portal.consultation").score == F(7, 8)


def test_late_annual_report(yaml_run: RunResult) -> None:
    # published 2023-02-10, after 2023-01-31: format 1/3 + central 1/3 of 10 = 20/3
    assert unit(yaml_run, "nj_jd").leaf("portal.annual_report").score == F(20, 3)


def test_vetoes(yaml_run: RunResult) -> None:
    # unusable query service (区市场监督管理局) -> 0 of 5
    q = unit(yaml_run, "scjgj").leaf("portal.query_service")
    assert q.vetoed and q.score == 0
    # stale columns: 政策文件 last updated 2023-05-26 and 政策解读 2023-03-15, before 2023-06-30 (府河镇)
    fh = unit(yaml_run, "fh_z")
    for ind in ("disclosure.policy_documents", "disclosure.policy_interpretation"):
        assert fh.leaf(ind).vetoed and fh.leaf(ind).score == 0
    # a stale key area (区交通运输局, 重大建设项目 last updated 2023-04-28) and burst publishing (淅河镇)
    assert unit(yaml_run, "jtj").leaf("disclosure.major_projects").vetoed
    assert unit(yaml_run, "xh_z").leaf("disclosure.special_topics").vetoed
    # unusable mobile query (洛阳镇)
    assert unit(yaml_run, "ly_z").leaf("newmedia.services").score == 0


def test_deductions_and_bonus(yaml_run: RunResult) -> None:
    # one State Council notice: -50% of 6 = -3 (区住房和城乡建设局)
    assert unit(yaml_run, "zjj").leaf("penalty.notices").score == -3
    # two provincial notices: 2 x -5% of 6 = -0.6 (万店镇)
    assert unit(yaml_run, "wd_z").leaf("penalty.notices").score == F(-3, 5)
    # one central-media exposure: -50% of 4 = -2 (府河镇); one provincial: -10% of 4 = -0.4 (区城市管理执法局)
    assert unit(yaml_run, "fh_z").leaf("penalty.media_exposure").score == -2
    assert unit(yaml_run, "cgj").leaf("penalty.media_exposure").score == F(-2, 5)
    # inaccurate service guides are recorded, but the leaf has no weight: nothing deducted
    assert unit(yaml_run, "scjgj").leaf("penalty.service_items").score == 0
    # commendations 2 and a central-media report 1: 50% + 50% of 10 = +10 (区医疗保障局)
    assert unit(yaml_run, "ybj").bonus == 10
    # one irrelevant post on 信息发布: -50% of 8 = -4 (曾都经济开发区)
    rec = next(r for r in unit(yaml_run, "kfq").leaf("newmedia.publishing").audit if r.entry == "irrelevant_posts")
    assert rec.points == -4


def test_accounts(yaml_run: RunResult) -> None:
    # two Weibo accounts, one of them unfiled, lifecycle not met: 集约开设 0 of 6 (区住房和城乡建设局)
    assert unit(yaml_run, "zjj").leaf("newmedia.intensive").score == 0

    def update(uid: str):
        return next(r for r in unit(yaml_run, uid).leaf("newmedia.publishing").audit if r.entry == "update_frequency")

    # 何店镇's Douyin account opened 2023-06-15 posts every week from then on: 40% of 8 = 3.2
    assert update("hd_z").points == F(16, 5)
    # 区农业农村局's Weibo closed 2023-08-31: weeks after it are not required
    assert update("nyj").points == F(16, 5)
    # gaps: 北郊街道's service account misses the block 07-31..08-13; 洛阳镇 three weeks of August
    assert update("bj_jd").points == 0 and update("ly_z").points == 0


# --- (d) no personal numbers -------------------------------------------------------------------------

ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
TEXT_SUFFIXES = {".yaml", ".yml", ".json", ".md", ".txt", ".py", ".toml", ".csv", ".cfg", ".ini", ".html"}


def _strings(path: Path):
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True)
        try:
            for ws in wb.worksheets:
                for row in ws.iter_rows(values_only=True):
                    for v in row:
                        if v is not None:
                            yield f"{ws.title}: {v}"
        finally:
            wb.close()
    elif path.suffix in TEXT_SUFFIXES:
        yield from path.read_text(encoding="utf-8").splitlines()


def test_no_id_or_mobile_numbers_in_examples() -> None:
    files = [p for p in sorted(EXAMPLES.rglob("*")) if p.is_file() and "__pycache__" not in p.parts] + [GENERATOR]
    assert any(p.suffix == ".xlsx" for p in files)
    bad = [(str(p.relative_to(ROOT)), s) for p in files for s in _strings(p) if ID_NUMBER.search(str(s)) or MOBILE.search(str(s))]
    assert bad == []


def test_the_patterns_catch_what_they_should() -> None:
    # samples made up at run time (no number written out here): 17 digits + X, and 1, 3 and nine digits
    assert ID_NUMBER.search("身份证 " + "1" * 17 + "X") and MOBILE.search("电话" + "13" + "0" * 9)
    assert not MOBILE.search("posts: [2023-01-03, 2023-01-10]") and not ID_NUMBER.search("2023-12-31")


# --- the committed files are the generator's ---------------------------------------------------------

def test_generator_reproduces_the_committed_yaml(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, str(GENERATOR), "--out", str(tmp_path), "--yaml-only"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    made = sorted(p.relative_to(tmp_path / "2023-zengdu") for p in (tmp_path / "2023-zengdu").rglob("*") if p.is_file())
    committed = sorted(p.relative_to(DISTRICT) for p in DISTRICT.rglob("*") if p.is_file())
    assert made == committed
    for rel in made:
        assert (tmp_path / "2023-zengdu" / rel).read_text(encoding="utf-8") == (DISTRICT / rel).read_text(encoding="utf-8"), rel
