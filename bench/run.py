"""The benchmark of issue 8: score N = 100, 1,000, 10,000 and 20,000 synthetic units end to end with the
durable engine and, in the same run, the reference engine; then scoring alone in one process.

    python bench/run.py [--sizes 100,1000,10000,20000] [--workers 2] [--out bench/RESULTS.md]

Each configuration runs in a subprocess of its own (``bench/run.py --one N ENGINE DIR``), which loads the
plugins and the rule set, reads the JSON evidence (bench/generate.py, seed 2023), scores every unit on
the process pool (RunOptions(workers=2), one durable Host per worker) and writes the JSON report with the
real writer; it reports the time of each step. Peak RSS is measured by the parent with
resource.getrusage(RUSAGE_CHILDREN) around each subprocess (the largest resident set of the
configuration's process tree: the main process or one pool worker), and by the subprocess itself for
the main process and its workers separately. Wall time is the subprocess's whole life, interpreter start
included. No figure here is asserted by a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def one(n: int, engine: str, folder: Path, workers: int) -> dict:
    """One configuration, in this process, as `govscore score DIR --format json -o FILE --workers N` runs
    it: evidence read file by file while the pool scores (a lean run: each unit's JSON text is spooled by
    the worker that scored it), then the JSON report written. Returns the timings."""
    t0 = time.perf_counter()
    from govscore.core.plugins import load
    from govscore.core.reports.json_report import write_json
    from govscore.core.runner import RunOptions, prepare, run

    opts = RunOptions(engine=engine, workers=workers)
    registry = load()
    compiled = prepare(opts, registry)
    t1 = time.perf_counter()
    res = run([folder], opts, registry=registry, compiled=compiled, keep="summary")
    t2 = time.perf_counter()
    out = Path(tempfile.mkdtemp(prefix="gsbench-")) / "report.json"
    write_json(res, out)
    res.close()
    t3 = time.perf_counter()
    size = out.stat().st_size
    out.unlink()
    out.parent.rmdir()
    assert len(res.units) == n and not res.failures, (len(res.units), len(res.failures))
    return {"n": n, "engine": engine, "setup_s": t1 - t0, "load_s": res.timings["read_s"], "score_s": t2 - t1, "write_s": t3 - t2,
            "report_bytes": size, "main_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "workers_rss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}


def scoring_alone(folder: Path, limit: int = 1000, repeat: int = 3) -> dict:
    """Units/s of one process scoring already-read evidence, per engine, and where the time goes: the
    best of `repeat` measurements (the machine is shared; the fastest run is the least disturbed)."""
    best: dict = {}
    for _ in range(repeat):
        for engine, m in _scoring_alone_once(folder, limit).items():
            if engine not in best or m["cpu_s"] < best[engine]["cpu_s"]:
                best[engine] = dict(m, ms_per_unit=best.get(engine, m)["ms_per_unit"])
            steps = best[engine]["ms_per_unit"]
            best[engine]["ms_per_unit"] = {k: min(steps[k], m["ms_per_unit"][k]) for k in steps}
    for m in best.values():
        ms = m["ms_per_unit"]
        m["engine_units_per_s_cpu"] = 1000 / ms["engine"] if ms["engine"] else None
        m["validated_units_per_s_cpu"] = 1000 / sum(ms[k] for k in ("derive", "facts", "engine", "aggregate"))
    return best


def _hand_on(result) -> None:
    """What score_units keeps of a result here: nothing (a run spools its JSON text and keeps a summary)."""
    return None


def _scoring_alone_once(folder: Path, limit: int) -> dict:
    from govscore.core.aggregate import forget_lines, score_unit
    from govscore.core.engine.base import make_engine
    from govscore.core.evidence import load_evidence
    from govscore.core.facts import build_facts, parse_unit, run_derivations
    from govscore.core.reports.json_report import unit_text
    from govscore.core.runner import RunOptions, prepare, score_units

    compiled = prepare(RunOptions())
    units = load_evidence([folder], compiled).units[:limit]
    out = {}
    for engine in ("durable", "reference"):
        eng = make_engine(engine)
        eng.prepare(compiled)
        score_units(compiled, units[:20], engine)  # warm up
        # each pass starts from an empty memo of fired rules and no shared audit lines, as a run of these
        # units alone would (and the second engine's pass learns nothing from the first's)
        engine_forget = getattr(eng, "forget", lambda: None)

        def forget():
            engine_forget()
            forget_lines(compiled)

        forget()
        t = time.perf_counter()
        c = time.process_time()
        # each result handed on as it is made, as a run hands it to the JSON writer (none kept: holding
        # every full result in memory costs a sixth more, measured, and no run does it)
        res, fail = score_units(compiled, units, engine, keep=_hand_on)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        assert not fail and len(res) == len(units)
        steps = dict.fromkeys(("parse", "derive", "facts", "engine", "aggregate", "json"), 0.0)
        nfacts = 0
        forget()
        before = (getattr(eng, "parts_asserted", 0), getattr(eng, "parts_remembered", 0))
        for i, ev in enumerate(units):
            a = time.process_time()
            work = parse_unit(ev, compiled)
            b = time.process_time()
            run_derivations(work, compiled)
            c2 = time.process_time()
            uf = build_facts(work, compiled, f"bench-{engine}-{i}")
            d = time.process_time()
            outcome = eng.evaluate(compiled, uf)
            e = time.process_time()
            r = score_unit(compiled, uf, outcome)
            f = time.process_time()
            unit_text(r, compiled)
            g = time.process_time()
            nfacts += len(uf.facts)
            for k, x, y in (("parse", a, b), ("derive", b, c2), ("facts", c2, d), ("engine", d, e), ("aggregate", e, f), ("json", f, g)):
                steps[k] += y - x
        asserted, remembered = getattr(eng, "parts_asserted", 0) - before[0], getattr(eng, "parts_remembered", 0) - before[1]
        out[engine] = {"units": len(units), "wall_s": wall, "cpu_s": cpu, "units_per_s_wall": len(units) / wall,
                       "remembered_share": remembered / (asserted + remembered) if asserted + remembered else None,
                       "units_per_s_cpu": len(units) / cpu, "facts_per_unit": nfacts / len(units),
                       "ms_per_unit": {k: 1000 * v / len(units) for k, v in steps.items()},
                       "engine_units_per_s_cpu": len(units) / steps["engine"] if steps["engine"] else None,
                       "validated_units_per_s_cpu": len(units) / sum(steps[k] for k in ("derive", "facts", "engine", "aggregate"))}
    return out


def machine() -> dict:
    model = "-"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "python": platform.python_version(), "platform": platform.platform(),
            "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "loadavg_before": os.getloadavg()}


def child(args: list[str]) -> tuple[dict, float, int]:
    """Run this script in a subprocess; its JSON answer, wall time and the children's peak RSS so far (KiB)."""
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), *args], capture_output=True, text=True)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"bench child {args} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1]), wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def render(info: dict, rows: list[dict], alone: dict, workers: int) -> str:
    mib = lambda kib: f"{kib / 1024:.0f}"  # noqa: E731
    lines = ["# Benchmark results (issue 8)", "",
             f"Produced by `python bench/run.py` on {info['date']}: {info['nproc']} CPUs ({info['cpu']}), Python {info['python']}, "
             f"{info['platform']}; load average before the run {', '.join(f'{x:.2f}' for x in info['loadavg_before'])} "
             "(the machine is shared with other work: wall times vary with its load).", "",
             f"Evidence: bench/generate.py, seed 2023, JSON, 500 units per file; each unit full 2023 evidence (about 5 messages, "
             f"1-3 accounts with weekly posts, 24 repost checks). End to end = interpreter start, plugins and rule set, reading "
             f"the evidence, scoring on {workers} worker processes, writing the JSON report with the real writer.", "",
             "## End to end", "",
             "| units | engine | wall s | units/s | setup s | load s | score s | write s | JSON MiB | peak RSS MiB (largest process) | main / worker RSS MiB |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['n']:,} | {r['engine']} | {r['wall']:.1f} | {r['n'] / r['wall']:.0f} | {r['setup_s']:.2f} | {r['load_s']:.2f} | "
                     f"{r['score_s']:.1f} | {r['write_s']:.1f} | {r['report_bytes'] / 2**20:.0f} | {mib(r['peak_kib'])} | "
                     f"{mib(r['main_rss_kib'])} / {mib(r['workers_rss_kib'])} |")
    lines += ["", "Durable / reference (wall time, end to end):", ""]
    by = {(r["n"], r["engine"]): r for r in rows}
    for n in sorted({r["n"] for r in rows}):
        if (n, "durable") in by and (n, "reference") in by:
            d, ref = by[(n, "durable")], by[(n, "reference")]
            lines.append(f"- {n:,} units: {d['wall'] / ref['wall']:.2f} (scoring step alone {d['score_s'] / ref['score_s']:.2f})")
    lines += ["", "## Scoring alone, one process", "",
              "Already-read evidence, `score_units` in one process (no pool): raw evidence in, exact results out (validation, "
              "derivations, facts, engine, aggregation), each result handed on as it is made (as a run hands it to the JSON "
              "writer; none kept in memory); units/s by wall clock and by CPU time of the process, best of 3 runs. "
              "Then CPU milliseconds per unit for each step (each the best of 3), the units/s of the steps after validation (validated evidence -> "
              "result), and of the engine step alone. The JSON text of a unit (written by the worker in a run) is not "
              "part of scoring; its cost is shown last. Each pass starts with no shared audit lines (core/aggregate.py: a "
              "criterion's line of full points or of nothing met, shared by the units with the same value), and each pass of "
              "the durable engine from an empty memo of fired rules (core/engine/durable.py), as a run of these units alone "
              "would; \"parts remembered\" is the share "
              "of the units' parts (an indicator's fields, a group of list items) it answered from the memo instead of asserting "
              "them.", "",
              "| engine | units | units/s (wall) | units/s (CPU) | validated -> result, units/s | engine step alone, units/s | "
              "facts built/unit | parts remembered | parse ms | derive ms | facts ms | engine ms | aggregate ms | JSON text ms |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for eng, a in alone.items():
        ms = a["ms_per_unit"]
        share = a.get("remembered_share")
        lines.append(f"| {eng} | {a['units']:,} | {a['units_per_s_wall']:.0f} | {a['units_per_s_cpu']:.0f} | "
                     f"{a['validated_units_per_s_cpu']:.0f} | {a['engine_units_per_s_cpu']:.0f} | {a['facts_per_unit']:.1f} | "
                     f"{'-' if share is None else f'{share:.0%}'} | "
                     f"{ms['parse']:.2f} | {ms['derive']:.2f} | {ms['facts']:.2f} | {ms['engine']:.2f} | {ms['aggregate']:.2f} | "
                     f"{ms['json']:.2f} |")
    lines += ["", "## Targets (issue 8)", "",
              "- 20,000 units of JSON evidence end to end in under 60 s on this 2-core machine;",
              "- scoring alone at least 1,000 units/s per process with durable;",
              "- peak RSS under 1 GiB.", ""]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100,1000,10000,20000")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    ap.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "govscore-bench")
    ap.add_argument("--one", nargs=3, metavar=("N", "ENGINE", "DIR"), help=argparse.SUPPRESS)
    ap.add_argument("--alone", metavar="DIR", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        print(json.dumps(one(int(a.one[0]), a.one[1], Path(a.one[2]), a.workers)))
        return
    if a.alone:
        print(json.dumps(scoring_alone(Path(a.alone))))
        return
    import generate

    info = machine()
    sizes = [int(x) for x in a.sizes.split(",")]
    rows = []
    for n in sizes:
        folder = a.data / f"n{n}"
        if not folder.is_dir() or len(list(folder.glob("*.json"))) != -(-n // 500):
            generate.write(generate.generate(n, 2023), folder, "json", 500)
        for engine in ("durable", "reference"):
            res, wall, peak = child(["--one", str(n), engine, str(folder), "--workers", str(a.workers)])
            # the child's own figures: its main process and the largest of its pool workers
            res.update(wall=wall, peak_kib=max(res["main_rss_kib"], res["workers_rss_kib"]))
            rows.append(res)
            print(f"{n:>6} {engine:9} {wall:7.1f} s  {n / wall:7.0f} units/s  load {res['load_s']:.1f} s  score {res['score_s']:.1f} s  "
                  f"write {res['write_s']:.1f} s  peak RSS {res['peak_kib'] / 1024:.0f} MiB", flush=True)
    small = a.data / f"n{min(max(sizes), 1000)}"
    alone, _wall, _peak = child(["--alone", str(small)])
    for eng, x in alone.items():
        print(f"alone {eng:9} {x['units_per_s_wall']:.0f} units/s (wall), {x['units_per_s_cpu']:.0f} (CPU), engine step "
              f"{x['engine_units_per_s_cpu']:.0f} units/s", flush=True)
    notes = ""
    if a.out.is_file():  # a hand-written "## Findings" section survives a new run
        old = a.out.read_text(encoding="utf-8")
        if "\n## Findings" in old:
            notes = old[old.index("\n## Findings") + 1:]
    a.out.write_text(render(info, rows, alone, a.workers) + ("\n" + notes if notes else ""), encoding="utf-8")
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
