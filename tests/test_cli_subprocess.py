"""The govscore CLI as users run it: real subprocesses, ``python -m govscore.core.cli`` and the
``govscore`` console script, every command and each exit code.

The CLI test plugin (test_cli_support.py) is laid out as an installed third-party distribution on
PYTHONPATH, so it loads through the ``govscore.plugins`` entry point exactly as pip would leave it.
Scores are the hand-computed ones of test_cli_support. Messages are Chinese unless GOVSCORE_LANG=en.
"""

from __future__ import annotations

import json

import pytest

import test_cli_support as sup


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli")
    site = sup.install_test_plugin(tmp / "site")
    rules = sup.write_rules(tmp / "rules")
    ev = sup.write_evidence(tmp / "units.yaml")
    good = sup.write_evidence(tmp / "good.yaml", sup.EVIDENCE.split("- unit: {id: u4")[0])
    return tmp, site, rules, ev, good


def run(world, *args, module=True, **env):
    tmp, site = world[0], world[1]
    return sup.run_cli(list(args), tmp, sup.subprocess_env(site, **env), module=module)


def test_score_exit_1_writes_the_others_and_lists_the_failure(world):
    tmp, _site, rules, ev, _good = world
    out = tmp / "r.json"
    p = run(world, "score", ev, "--rules", rules, "--format", "json", "-o", out)
    assert p.returncode == 1
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert [u["id"] for u in doc["units"]] == ["u1", "u2", "u3", "u5"] and doc["units"][0]["total"]["exact"] == "701/60"
    assert "u4 丁局" in p.stderr and f"{ev}:27" in p.stderr
    assert "名次" in p.stdout and "Traceback" not in p.stderr


def test_score_exit_0_through_the_console_script(world):
    _tmp, _site, rules, _ev, good = world
    p = run(world, "score", good, "--rules", rules, "--group-by", "kind", module=False, GOVSCORE_LANG="en")
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    # good.yaml holds u1, u2 and u3: departments u1 (1st overall), u3 (2nd, tied with u2); towns u2
    assert lines[2] == "departments" and lines[7] == "towns and streets"
    assert lines[4].split()[:3] == ["1", "1", "u1"] and lines[4].split()[4] == "11.68"
    assert lines[5].split()[:3] == ["2", "2", "u3"] and lines[9].split()[:3] == ["1", "2", "u2"]
    assert p.stderr == ""


def test_usage_errors_exit_2(world):
    _tmp, _site, rules, ev, _good = world
    p = run(world, "score", ev, "--rules", rules, "--frmat", "json")
    assert p.returncode == 2 and "没有这个选项：--frmat" in p.stderr
    p = run(world, "score", ev, "--rules", rules, "--period", "2023-12-31:2023-01-01", GOVSCORE_LANG="en")
    assert p.returncode == 2 and "the period starts after it ends" in p.stderr
    p = run(world, "score", ev, "--rules", rules / "missing")
    assert p.returncode == 2 and "找不到规则集" in p.stderr


def test_invalid_rule_set_exits_2(world):
    tmp, _site, rules, ev, _good = world
    bad = sup.write_rules(tmp / "bad-rules")
    (bad / "bonus.yaml").write_text((bad / "bonus.yaml").read_text(encoding="utf-8").replace("kind: bonus", "kind: extra"),
                                    encoding="utf-8")
    p = run(world, "score", ev, "--rules", bad, GOVSCORE_LANG="en")
    assert p.returncode == 2 and f"{bad / 'bonus.yaml'}:1" in p.stderr
    p = run(world, "validate", bad, GOVSCORE_LANG="en")
    assert p.returncode == 2 and f"{bad / 'bonus.yaml'}:1" in p.stderr


def test_failed_plugin_exits_2_until_disabled(world):
    tmp, _site, rules, _ev, good = world
    site2 = tmp / "site2"
    sup.install_test_plugin(site2)
    (site2 / "broken_plugin.py").write_text("import no_such_module_anywhere\n", encoding="utf-8")
    info = site2 / "broken_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("[govscore.plugins]\nbroken = broken_plugin\n", encoding="utf-8")
    env = sup.subprocess_env(site2, GOVSCORE_LANG="en")
    p = sup.run_cli(["score", good, "--rules", rules], tmp, env)
    assert p.returncode == 2 and "plugin broken failed to load: ModuleNotFoundError" in p.stderr
    p = sup.run_cli(["plugins", "--json"], tmp, env)
    assert p.returncode == 2
    rows = {r["name"]: r for r in json.loads(p.stdout)}
    assert rows["broken"]["distribution"] == "broken-plugin" and rows["broken"]["error"].startswith("ModuleNotFoundError")
    env["GOVSCORE_DISABLE_PLUGINS"] = "broken"
    assert sup.run_cli(["score", good, "--rules", rules], tmp, env).returncode == 0


def test_unwritable_output_is_a_located_error_with_a_traceback_only_in_debug(world):
    """An OSError while writing is one sentence naming the path and the reason in the chosen language,
    never Python's "[Errno 20] Not a directory: ..."; GOVSCORE_DEBUG=1 shows the traceback."""
    tmp, _site, rules, _ev, good = world
    blocker = tmp / "a-file"
    blocker.write_text("x", encoding="utf-8")
    target = blocker / "sub" / "r.json"  # a folder cannot be made inside a file
    p = run(world, "score", good, "--rules", rules, "-o", target)
    assert p.returncode == 2
    assert p.stderr == f"错误：{target}: 无法写入：路径中有一段是文件而不是文件夹\n"
    p = run(world, "score", good, "--rules", rules, "-o", target, GOVSCORE_LANG="en")
    assert p.stderr == f"error: {target}: cannot be written: part of the path is a file, not a folder\n"
    p = run(world, "score", good, "--rules", rules, "-o", target, GOVSCORE_DEBUG="1")
    assert p.returncode != 0 and "Traceback" in p.stderr and "NotADirectoryError" in p.stderr


def test_check_explain_validate_indicators(world):
    _tmp, _site, rules, ev, good = world
    p = run(world, "check", ev, "--rules", rules, GOVSCORE_LANG="en")
    assert p.returncode == 1 and "5 unit(s) checked: 4 can be scored, 1 with errors" in p.stdout
    assert run(world, "check", good, "--rules", rules).returncode == 0
    p = run(world, "explain", ev, "--rules", rules, "--unit", "u1", "--indicator", "t.basic", GOVSCORE_LANG="en")
    assert p.returncode == 0 and "[deducted] defects (share 10%): -17/30 ≈ -0.57" in p.stdout
    p = run(world, "validate", rules, GOVSCORE_LANG="en")
    assert p.returncode == 0 and "maximum attainable base score: 14 of 15 points" in p.stdout
    p = run(world, "indicators", rules)
    assert p.returncode == 0 and "  t.basic  基本信息  4 分" in p.stdout


def test_plugins_rules_diff_compare(world):
    tmp, _site, rules, ev, _good = world
    p = run(world, "plugins", "--json")
    assert p.returncode == 0
    row = next(r for r in json.loads(p.stdout) if r["name"] == "cli_test")
    assert (row["builtin"], row["distribution"], row["version"]) == (False, "govscore-cli-test-plugin", "0.1")
    other = sup.write_rules(tmp / "rules-b")
    (other / "service.yaml").write_text((other / "service.yaml").read_text(encoding="utf-8").replace("weight: 3", "weight: 4"),
                                        encoding="utf-8")
    p = run(world, "rules", "diff", rules, other, GOVSCORE_LANG="en")
    assert p.returncode == 0 and f"{other / 'service.yaml'}:5: changed indicator t.svc weight: 3 -> 4" in p.stdout
    a, b = tmp / "a.json", tmp / "b.json"
    assert run(world, "score", ev, "--rules", rules, "-o", a).returncode == 1
    assert run(world, "score", ev, "--rules", other, "-o", b).returncode == 1
    p = run(world, "compare", a, b, "--json")
    assert p.returncode == 0
    u1 = json.loads(p.stdout)["units"][0]
    # t.svc weight 3 -> 4 and u1 answers yes: +1 point
    assert (u1["id"], u1["delta"]["exact"]) == ("u1", "1")


def test_template_and_new_plugin(world):
    tmp, _site, rules, _ev, _good = world
    target = tmp / "evidence-template.xlsx"
    p = run(world, "template", rules, "-o", target)
    assert p.returncode == 0, p.stderr
    assert target.read_bytes()[:2] == b"PK"  # an .xlsx is a zip file
    p = run(world, "new-plugin", "widgets", "--dest", tmp / "new")
    assert p.returncode == 0, p.stderr
    assert (tmp / "new" / "govscore-widgets").is_dir()
    p = run(world, "new-plugin", "Bad Name", "--dest", tmp / "new")
    assert p.returncode == 2 and "插件名" in p.stderr


def test_help_lists_exit_codes(world):
    p = run(world, "-h")
    assert p.returncode == 0 and "退出码" in p.stdout
    p = run(world, "rules", "diff", "--help", GOVSCORE_LANG="en")
    assert p.returncode == 0 and "Exit codes" in p.stdout
