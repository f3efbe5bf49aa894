"""Same input, same output: byte-identical JSON whatever PYTHONHASHSEED, and a process pool that gives
exactly the results of a single process (issue 8)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from govscore.core.derivations import Derivation
from govscore.core.errors import GovscoreError
from govscore.core.hookspecs import hookimpl
from govscore.core.plugins import load
from govscore.core.reports.json_report import dumps
from govscore.core.runner import RunOptions, prepare, run

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def evidence(folder: Path, n: int, seed: int = 8) -> list[Path]:
    """`n` synthetic units (messages, accounts with posts, repost checks), split over JSON and YAML files."""
    gen = _generator()
    units = gen.generate(n, seed)
    half = n // 2
    return gen.write(units[:half], folder / "json", "json", per_file=max(1, half // 3)) + \
        gen.write(units[half:], folder / "yaml", "yaml", per_file=max(1, (n - half) // 2))


def cli_json(tmp_path: Path, inputs: list[Path], seed: str, name: str, *extra: str) -> bytes:
    out = tmp_path / name
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVSCORE_")}
    env.update(PYTHONHASHSEED=seed, GOVSCORE_LANG="en")
    proc = subprocess.run([sys.executable, "-m", "govscore.core.cli", "score", *map(str, inputs), "--format", "json", "-o", str(out),
                           "--group-by", "kind", *extra], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return out.read_bytes()


def test_json_is_byte_identical_whatever_the_hash_seed(tmp_path: Path) -> None:
    inputs = evidence(tmp_path, 24)
    a = cli_json(tmp_path, inputs, "0", "a.json")
    b = cli_json(tmp_path, inputs, "4242", "b.json")
    c = cli_json(tmp_path, inputs, "1", "c.json", "--engine", "reference")
    assert a == b
    doc = json.loads(a)
    assert len(doc["units"]) == 24 and not doc["failures"]
    consult = [lf for u in doc["units"] for lf in u["indicators"] if lf["id"] == "portal.consultation"]
    assert consult and all(lf["audit"] for lf in consult)  # scored message by message
    # the reference engine gives the same document, but for the engine named in the context
    assert c.replace(b'"engine": "reference"', b'"engine": "durable"') == a


@pytest.fixture(scope="module")
def pool_input(tmp_path_factory) -> list[Path]:
    return evidence(tmp_path_factory.mktemp("pool"), 240, seed=11)


@pytest.mark.parametrize("engine", ["durable", "reference"])
def test_process_pool_gives_the_single_process_results(pool_input: list[Path], engine: str) -> None:
    compiled = prepare(RunOptions(engine=engine))
    single = run(pool_input, RunOptions(engine=engine, workers=1), group_by="kind", compiled=compiled)
    pooled = run(pool_input, RunOptions(engine=engine, workers=2), group_by="kind", compiled=compiled)
    assert len(single.units) == 240 and not single.failures
    assert dumps(pooled) == dumps(single)


def test_process_pool_keeps_unit_errors_in_input_order(tmp_path: Path) -> None:
    gen = _generator()
    units = gen.generate(230, seed=5)
    for i in (3, 120, 229):  # an answer before its question in three units
        msg = units[i]["observations"]["portal.consultation"]["messages"][0]
        msg["answered_at"] = "2023-01-01 08:00"
        msg["asked_at"] = "2023-01-02 08:00"
    files = gen.write(units, tmp_path, "json", per_file=100)
    single = run(files, RunOptions(workers=1))
    pooled = run(files, RunOptions(workers=2))
    assert [f.unit_id for f in single.failures] == [units[i]["unit"]["id"] for i in (3, 120, 229)]
    assert dumps(pooled) == dumps(single)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_lean_run_writes_the_json_of_a_full_run(pool_input: list[Path], workers: int) -> None:
    from govscore.core.reports.table import render_plain
    from govscore.core.spool import UnitSummary

    compiled = prepare(RunOptions())
    full = run(pool_input, RunOptions(workers=1), group_by="kind", compiled=compiled)
    lean = run(pool_input, RunOptions(workers=workers), group_by="kind", compiled=compiled, keep="summary")
    try:
        assert all(isinstance(u, UnitSummary) for u in lean.units) and len(lean.units) == 240
        # each unit's text was spooled (by the worker that scored it) before it was ranked; the ranks are
        # filled in when the report is written
        assert dumps(lean) == dumps(full)
        assert render_plain(lean, "kind") == render_plain(full, "kind")
        folder = lean.spool.folder
        assert any(folder.iterdir())
    finally:
        lean.close()
    assert not folder.exists()


def test_a_lean_run_reads_file_by_file_and_fails_a_repeated_unit_id(tmp_path: Path) -> None:
    gen = _generator()
    units = gen.generate(230, seed=6)
    units[200] = json.loads(json.dumps(units[2]))   # unit 201 repeats unit 3's id (in the third file)
    files = gen.write(units, tmp_path, "json", per_file=100)
    full = run(files, RunOptions(workers=1))
    lean = run(files, RunOptions(workers=2), keep="summary")
    try:
        assert [(f.unit_id, f.errors[0].location.file) for f in lean.failures] == [(units[2]["unit"]["id"], str(files[2]))]
        assert "already given at " + str(files[0]) in lean.failures[0].messages()[0]
        # 230 generated, unit 201 repeats unit 3: 229 scored, in 3 files of 100, 100 and 30 units
        assert len(lean.units) == 229 and lean.evidence_files == [str(f) for f in files]
        assert dumps(lean) == dumps(full)
    finally:
        lean.close()


class _KillerPlugin:
    """A derivation that kills the worker process scoring one unit (as the kernel's OOM killer would)."""

    def __init__(self, victim: str) -> None:
        self.victim = victim

    @hookimpl
    def register_derivations(self, register):
        import multiprocessing

        def derive(work, compiled):
            if work.unit.id == self.victim and multiprocessing.parent_process() is not None:
                os._exit(9)
        register(Derivation("test.killer", ("portal.consultation",), derive))


def test_a_worker_that_dies_is_a_clear_error_not_a_hang(pool_input: list[Path]) -> None:
    victim = json.loads(pool_input[0].read_text(encoding="utf-8"))[5]["unit"]["id"]
    registry = load(extra=[("killer", _KillerPlugin(victim))])
    with pytest.raises(GovscoreError) as info:
        run(pool_input, RunOptions(workers=2), registry=registry, keep="summary")
    assert "a worker process stopped before finishing" in info.value.render()
    # the same evidence in one process: the derivation leaves the unit alone, all 240 are scored
    assert len(run(pool_input, RunOptions(workers=1), registry=registry).units) == 240
