"""The message catalogue: every message of core/ and plugins/ translated to Chinese; Chinese by default,
English with --lang en or GOVSCORE_LANG=en, never from the shell's LANG.

A new message without a zh_CN translation fails test_every_message_has_a_chinese_translation: run
``python tools/update_catalogue.py`` and translate the new entries of
core/locale/zh_CN/LC_MESSAGES/govscore.po.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from typer.testing import CliRunner

import test_cli_support as sup
from govscore.core import cli, i18n

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def _tool():
    spec = importlib.util.spec_from_file_location("update_catalogue", ROOT / "tools" / "update_catalogue.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


tool = _tool()


def test_every_message_has_a_chinese_translation():
    missing = tool.missing_translations()
    assert not missing, ("messages without a zh_CN translation (run python tools/update_catalogue.py, then translate "
                         f"them in core/locale/zh_CN/LC_MESSAGES/govscore.po): {missing}")


def test_extraction_sees_every_way_a_message_is_written():
    ids = tool.extract()
    assert "Rank" in ids                                                   # _()
    assert "earned" in ids                                                 # N_()
    assert "evidence path {path} does not exist" in ids                    # RuleSetError(...)
    assert "duplicate unit id {id}: already given at {first}" in ids       # EvidenceError(...)
    assert "plugin {plugin} failed in {hook}: {reason}" in ids             # PluginError(...)
    assert "unknown engine {name}: choose {known}" in ids                  # GovscoreError(...)
    assert any("rubric defect {defect}" in m for m in ids)                # Finding(code, msgid, ...)
    assert len(ids) > 300


def test_the_check_fails_on_a_new_untranslated_message(tmp_path):
    for sub in ("core", "plugins"):
        (tmp_path / sub).mkdir()
    (tmp_path / "core" / "new.py").write_text(
        'from .i18n import _\n\nprint(_("Rank"))\nprint(_("a brand new message {x}", x=1))\n', encoding="utf-8")
    locale = tmp_path / "core" / "locale" / "zh_CN" / "LC_MESSAGES"
    locale.mkdir(parents=True)
    shutil.copy(tool.po_path("zh_CN"), locale / "govscore.po")
    assert tool.missing_translations(tmp_path) == ["a brand new message {x}"]
    # a translation that drops a {field} does not count either
    po = (locale / "govscore.po").read_text(encoding="utf-8")
    (locale / "govscore.po").write_text(po.replace('msgid "Rank"\nmsgstr "名次"', 'msgid "Rank"\nmsgstr "名次 {x}"'), encoding="utf-8")
    assert tool.missing_translations(tmp_path) == ["Rank", "a brand new message {x}"]


def test_catalogues_parse_without_fuzzy_entries_and_english_is_the_identity():
    ids = tool.extract()
    for lang in ("zh_CN", "en"):
        with tool.po_path(lang).open("rb") as fh:
            cat = read_po(fh, locale=lang)
        entries = {str(m.id): m for m in cat if m.id}
        assert not [m.id for m in entries.values() if m.fuzzy]
        assert set(ids) <= set(entries)
        if lang == "en":
            assert all(str(m.string) == str(m.id) for m in entries.values())
        else:
            for msgid, m in entries.items():
                assert tool.fields(str(m.string)) == tool.fields(msgid), msgid


def test_update_catalogue_check_passes():
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "update_catalogue.py"), "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout
    assert "0 message(s) without a zh_CN translation" in proc.stdout


def test_translation_function():
    i18n.set_language("zh_CN")
    try:
        assert i18n._("unit {unit}", unit="u1") == "单位 u1"
        assert i18n._("a message nobody translated {x}", x=2) == "a message nobody translated 2"
        i18n.set_language("en")
        assert i18n._("unit {unit}", unit="u1") == "unit u1"
    finally:
        i18n._current.clear()


@pytest.fixture
def env(tmp_path, monkeypatch):
    e = sup.cli_env(tmp_path, monkeypatch)
    return e.rules, e.ev


def test_chinese_by_default(env):
    rules, ev = env
    r = runner.invoke(cli.app, ["score", str(ev), "--rules", str(rules)])
    assert r.exit_code == 1
    header = next(line for line in r.stdout.splitlines() if line.startswith("名次"))
    assert header.split() == ["名次", "单位编号", "单位", "总分", "基础分", "加分", "扣分", "信息公开", "办事服务"]
    assert "复核调整（与计算得分并列显示）" in r.stdout
    assert "1 个单位或文件未能评分；其余单位已评分：" in r.stderr
    assert "单位 u4" in r.stderr and "字段 observations.t.basic.up" in r.stderr
    r = runner.invoke(cli.app, ["explain", str(ev), "--rules", str(rules), "--unit", "u1", "--indicator", "t.other"])
    assert "复核调整：11/6 ≈ 1.83 -> 7/3 ≈ 2.33（实际调整 +0.5，申请 +0.5）" in r.stdout
    assert "权重调整：权重 +5/3，来自 t.area（不适用）" in r.stdout
    assert "[得分] ok（占比 50%）：+11/6 ≈ 1.83（得 11/6 分（满分 11/6））" in r.stdout
    r = runner.invoke(cli.app, ["score", str(ev), "--rules", str(rules), "--format", "pdf"])
    assert r.exit_code == 2 and "错误：未知的报告格式 pdf" in r.stderr


def test_help_and_usage_errors_in_chinese(env):
    r = runner.invoke(cli.app, ["score", "-h"])
    text = " ".join(r.stdout.split())
    assert "用法：govscore score" in text and "为各单位评分并打印排名" in text
    assert "退出码： 0：所有单位均已评分，报告已写出 1：部分单位未能评分" in text  # a heading, then one line per code
    assert "选项" in text and "显示本帮助并退出。" in text
    assert "…" not in r.stdout  # long Chinese help is folded onto the next line, never cut off
    assert "规则集：已注册的名称或含" in r.stdout
    r = runner.invoke(cli.app, ["score", "x.yaml", "--bogus"])
    assert r.exit_code == 2 and "错误：没有这个选项：--bogus" in r.stderr and "可运行 'govscore score --help' 查看帮助。" in r.stderr


@pytest.mark.parametrize("args, env_vars", [
    (["--lang", "en", "score"], {}),
    (["score", "--lang", "en"], {}),
    (["score", "--lang=en"], {}),
    (["score"], {"GOVSCORE_LANG": "en"}),
    (["score", "--lang", "en_US"], {"GOVSCORE_LANG": "zh_CN"}),
])
def test_english_with_lang_or_govscore_lang(env, args, env_vars):
    rules, ev = env
    r = runner.invoke(cli.app, args + [str(ev), "--rules", str(rules)], env=env_vars)
    assert r.exit_code == 1
    assert any(line.startswith("Rank ") for line in r.stdout.splitlines())
    assert "unit u4, field observations.t.basic.up" in r.stderr


def test_the_shell_lang_is_ignored(env):
    rules, ev = env
    r = runner.invoke(cli.app, ["score", str(ev), "--rules", str(rules)], env={"LANG": "en_US.UTF-8", "LC_ALL": "en_US.UTF-8"})
    assert any(line.startswith("名次") for line in r.stdout.splitlines())


def test_the_language_of_one_call_does_not_leak_into_the_next(env):
    rules, ev = env
    runner.invoke(cli.app, ["score", str(ev), "--rules", str(rules), "--lang", "en"])
    r = runner.invoke(cli.app, ["score", str(ev), "--rules", str(rules)])
    assert any(line.startswith("名次") for line in r.stdout.splitlines())


def test_language_in_a_subprocess(tmp_path):
    rules = sup.write_overview_rules(tmp_path / "rules")
    ev = sup.write_evidence(tmp_path / "units.yaml", sup.OVERVIEW_EVIDENCE)
    zh = sup.run_cli(["score", ev, "--rules", rules], tmp_path, sup.subprocess_env(LANG="en_US.UTF-8"))
    en = sup.run_cli(["score", ev, "--rules", rules], tmp_path, sup.subprocess_env(GOVSCORE_LANG="en"))
    assert zh.returncode == en.returncode == 0
    assert "名次" in zh.stdout and "Rank" not in zh.stdout
    assert "Rank" in en.stdout and "名次" not in en.stdout


# --- validation messages are whole sentences of the chosen language ----------------------------------------


CHINESE_UNITS = """\
- unit: {id: k1, name: 类型局, kind: 县}
- unit: {id: k2, name: 日期局}
  observations:
    disclosure.policy_documents: {last_updated: 2023年13月31日}
- unit: {id: k3, name: 拼写局}
  observations:
    disclosure.overveiw: {up_to_date: true}
    disclosure.leaders: {consistent: maybe}
  accounts:
    - {platform: wechat, name: 拼写发布, kind: official, filed: true}
"""


def test_evidence_errors_are_chinese_by_default(tmp_path, monkeypatch):
    """Validators' sentences, did-you-mean hints and date errors in Chinese; a message that already quotes
    the value found does not repeat it."""
    monkeypatch.delenv("GOVSCORE_LANG", raising=False)
    ev = sup.write_evidence(tmp_path / "units.yaml", CHINESE_UNITS)
    r = runner.invoke(cli.app, ["check", str(ev)])
    assert r.exit_code == 1
    errors = [line.strip() for line in r.stdout.splitlines() if line.strip().startswith("错误")]
    assert errors == [
        f"错误：{ev}:1: 单位 k1，字段 unit.kind: 应为 department 或 town（部门 / 镇街），实际为 '县'",
        f"错误：{ev}:4: 单位 k2，字段 observations.disclosure.policy_documents.last_updated: '2023年13月31日' 不是真实存在的日期时间",
        f"错误：{ev}:10: 单位 k3，字段 accounts[1].kind: 应为 publishing 或 service（发布类 / 服务类），实际为 'official'",
        f"错误：{ev}:7: 单位 k3，字段 disclosure.overveiw: 未知指标 disclosure.overveiw（是否想输入 disclosure.overview？）",
        f"错误：{ev}:8: 单位 k3，字段 observations.disclosure.leaders.consistent: 应为 是/否 或 0 到 1 之间的比例，实际为 'maybe'",
    ]
    en = runner.invoke(cli.app, ["check", str(ev), "--lang", "en"]).stdout
    assert f"{ev}:4: unit k2, field observations.disclosure.policy_documents.last_updated: '2023年13月31日' is not a real date and time\n" in en
    assert "did you mean disclosure.overview?" in en and "expected yes/no or a fraction between 0 and 1, found 'maybe'" in en


def test_rule_file_errors_are_chinese_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("GOVSCORE_LANG", raising=False)
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "ruleset.yaml").write_text("name: bad-share\nextends: 2023-zengdu\n", encoding="utf-8")
    (rules / "override.yaml").write_text("indicators:\n  - id: disclosure.overview\n    criteria:\n"
                                         "      - {id: up_to_date, share: 150%}\n", encoding="utf-8")
    r = runner.invoke(cli.app, ["validate", str(rules)])
    assert r.exit_code == 2
    assert (f"错误：{rules / 'override.yaml'}:4: 字段 disclosure.overview.up_to_date.share: 占比不能超过 100%，实际为 '150%'\n"
            in r.stderr)
    (rules / "override.yaml").write_text("category: {id: extra, name: 额外, kind: bonus}\n"
                                         "indicators:\n  - {id: overview, name: 概况, weight: -2}\n", encoding="utf-8")
    r = runner.invoke(cli.app, ["validate", str(rules)])
    assert "指标编号应写作“类别.名称”，如 disclosure.overview，实际为 'overview'" in r.stderr
    assert "权重应写为正的分值，实际为 -2" in r.stderr


def test_pydantic_messages_are_translated_too():
    from pydantic import ValidationError

    from govscore.core.ruleset.models import CategoryHeader
    from govscore.core.yamlio import describe_pydantic_error

    i18n.set_language("zh_CN")
    try:
        with pytest.raises(ValidationError) as info:
            CategoryHeader.model_validate({"id": "c", "name": "类", "kind": "extra", "order": "first"})
        got = [i18n._(*describe_pydantic_error(e)[:1], **describe_pydantic_error(e)[1]) for e in info.value.errors()]
    finally:
        i18n.set_language("en")
    assert got == ["应为 'base', 'bonus', 'deduction' 之一（实际为 'extra'）", "应为整数（实际为 'first'）"]


def test_rubric_defects_read_without_doubled_punctuation(monkeypatch):
    """A source note's closing full stop is dropped before "；本规则集解读为" follows it."""
    monkeypatch.delenv("GOVSCORE_LANG", raising=False)
    r = runner.invoke(cli.app, ["validate"])
    assert r.exit_code == 0
    assert ("原文为 集约开设的三项评分细则合计 30% + 10% + 30% = 70%，不足 100%；本规则集解读为：按原文计分" in r.stdout)
    assert "。；" not in r.stdout


def test_files_that_cannot_be_read_are_located_sentences(tmp_path, monkeypatch):
    """No "[Errno 2] No such file or directory": the path, and why, in the chosen language."""
    from govscore.core.errors import RuleSetError
    from govscore.core.yamlio import read_text

    monkeypatch.setenv("GOVSCORE_PLUGINS", sup.PLUGIN_SPEC)
    monkeypatch.delenv("GOVSCORE_LANG", raising=False)
    rules = sup.write_rules(tmp_path / "rules")
    ev = sup.write_evidence(tmp_path / "units.yaml")
    missing = tmp_path / "nope.yaml"
    r = runner.invoke(cli.app, ["score", str(ev), "--rules", str(rules), "--calendar", str(missing)])
    assert r.exit_code == 2 and r.stderr == f"错误：{missing}: 日历覆盖文件（--calendar）不存在\n"
    with pytest.raises(RuleSetError) as info:
        read_text(tmp_path)  # a folder
    assert info.value.render() == f"{tmp_path}: cannot read the file: it is a folder, not a file"
    i18n.set_language("zh_CN")  # the reason is worded when the error is raised: the language is chosen first
    try:
        with pytest.raises(RuleSetError) as info:
            read_text(tmp_path)
        assert info.value.render() == f"{tmp_path}: 无法读取文件：这是文件夹，不是文件"
    finally:
        i18n.set_language("en")
