"""Synthetic evidence for the benchmark: N units of full 2023 evidence (rules/2023-zengdu), seeded.

Each unit records every indicator of the 2023 rubric with realistic sizes: about 5 consultation
messages with timestamps in 2023, 1-3 new-media accounts with weekly posts over the year (a few weeks
missed now and then), 24 repost checks (2 a month), key areas that sometimes do not apply, and now
and then a problem (broken links, notices, defective documents, irrelevant posts, a veto flag).

Usage::

    python bench/generate.py N OUT_DIR [--seed 2023] [--format json|yaml] [--per-file 500]

writes OUT_DIR/units-0000.json (or .yaml), each file a list of up to --per-file units. The same seed
gives the same files, byte for byte.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from pathlib import Path

MONDAYS = [dt.date(2023, 1, 2) + dt.timedelta(weeks=k) for k in range(52)]
PLATFORMS = ["wechat", "weibo", "douyin", "toutiao"]
SURNAMES = "发改 财政 教育 科技 公安 民政 司法 人社 自然资源 住建 交通 水利 农业 商务 文旅 卫健 应急 审计 市场 统计".split()


def _judge(rng: random.Random) -> object:
    r = rng.random()
    if r < 0.75:
        return True
    if r < 0.9:
        return False
    return rng.choice(["1/2", 0.5, "75%", "是"])


def _day(rng: random.Random, start: dt.date, end: dt.date) -> str:
    return (start + dt.timedelta(days=rng.randrange((end - start).days + 1))).isoformat()


def _count(rng: random.Random, p: float, hi: int = 3) -> int:
    return rng.randint(1, hi) if rng.random() < p else 0


def _messages(rng: random.Random, n: int) -> list[dict]:
    out = []
    for _ in range(n):
        asked = dt.datetime(2023, 1, 3, 9, 0) + dt.timedelta(minutes=rng.randrange(340 * 24 * 60))
        msg = {"asked_at": asked.strftime("%Y-%m-%d %H:%M"), "accurate": rng.random() < 0.9}
        r = rng.random()
        if r < 0.9:
            hours = rng.choice([2, 5, 20, 30, 50, 100, 200, 400])
            msg["answered_at"] = (asked + dt.timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M")
        if rng.random() < 0.05:
            msg["perfunctory"] = True
        out.append(msg)
    return out


def _account(rng: random.Random, name: str, platform: str) -> dict:
    kind = "publishing" if rng.random() < 0.8 else "service"
    weekday = rng.randrange(5)
    missed = set(rng.sample(range(52), rng.choice([0, 0, 0, 1, 2]))) if kind == "publishing" else set()
    posts = [(d + dt.timedelta(days=weekday)).isoformat() for k, d in enumerate(MONDAYS) if k not in missed]
    if kind == "service":
        posts = posts[::2]
    acc = {"platform": platform, "name": name, "kind": kind, "filed": rng.random() < 0.95, "opened_on": _day(rng, dt.date(2016, 1, 1), dt.date(2022, 12, 31)),
           "posts": posts}
    return acc


def make_unit(rng: random.Random, i: int) -> dict:
    """One unit's complete evidence (a dict as an evaluator would write it)."""
    town = rng.random() < 0.3
    uid = f"{'town' if town else 'dept'}{i:05d}"
    name = f"曾都区{rng.choice(SURNAMES)}{'镇' if town else '局'}{i}"
    n_acc = rng.choice([1, 1, 2, 2, 3])
    platforms = rng.sample(PLATFORMS, n_acc) if rng.random() < 0.9 else [PLATFORMS[0]] * n_acc
    accounts = [_account(rng, f"{name}{k + 1}号", platforms[k]) for k in range(n_acc)]

    def key_area() -> dict:
        if rng.random() < 0.2:
            return {"applicable": False}
        return {"applicable": True, "structured": _judge(rng), "consistent": _judge(rng),
                "last_updated": _day(rng, dt.date(2023, 3, 1), dt.date(2023, 12, 31)),
                **({"burst_publishing": True} if rng.random() < 0.03 else {})}

    def checklist(items: list[str]) -> list[str]:
        return [it for it in items if rng.random() < 0.9]

    obs = {
        "disclosure.overview": {"up_to_date": _judge(rng), "consistent": _judge(rng)},
        "disclosure.functions": {"published_fields": checklist(["functions", "structure", "address", "office_hours", "contact", "head"]),
                                 "consistent": _judge(rng)},
        "disclosure.leaders": {"published_fields": checklist(["name", "post", "duties"]), "consistent": _judge(rng)},
        "disclosure.policy_documents": {"timely": _judge(rng), "cleanup_published": _judge(rng), "consistent": _judge(rng),
                                        "defective_documents": _count(rng, 0.15),
                                        "last_updated": _day(rng, dt.date(2023, 4, 1), dt.date(2023, 12, 31))},
        "disclosure.licensing_results": {"published": _judge(rng), "consistent": _judge(rng)},
        "disclosure.enforcement": {"double_random": checklist(["plan", "objects", "results"]),
                                   "annual_statistics_report": _judge(rng), "consistent": _judge(rng)},
        "disclosure.budgets": {"published": checklist(["budget", "final_accounts"])},
        "disclosure.proposals": {"published": checklist(["reply_full_text", "progress", "annual_summary"]), "consistent": _judge(rng)},
        "disclosure.major_projects": key_area(),
        "disclosure.public_welfare": key_area(),
        "disclosure.public_resources": key_area(),
        "disclosure.special_topics": {"topic_columns": rng.choice([0, 1, 2, 3]), "structured": _judge(rng), "consistent": _judge(rng),
                                      "last_updated": _day(rng, dt.date(2023, 3, 1), dt.date(2023, 12, 31))},
        "disclosure.policy_interpretation": {"interpreted": rng.choice([0, 1, 2, 2]), "diverse_forms": _judge(rng),
                                             "content_focused": _judge(rng), "drafter_interprets": _judge(rng),
                                             "cross_linked": rng.choice([0, 1, 2, 2]), "consistent": _judge(rng),
                                             "last_updated": _day(rng, dt.date(2023, 3, 1), dt.date(2023, 12, 31)),
                                             **({"copied_text": True} if rng.random() < 0.05 else {})},
        "portal.query_service": {"own_service": _judge(rng), "form_level": rng.randint(0, 5), "consistent": _judge(rng),
                                 **({"unusable": True} if rng.random() < 0.03 else {})},
        "portal.consultation": {"messages": _messages(rng, rng.choice([4, 5, 5, 6]))},
        "portal.opinion_collection": {"solicitations": _judge(rng), "feedback_published": _judge(rng)},
        "portal.maintenance": {"empty_or_stale_columns": _count(rng, 0.2), "broken_links": _count(rng, 0.3, 6),
                               "privacy_leaks": _count(rng, 0.05, 1)},
        "portal.annual_report": {"format_compliant": _judge(rng), "published_on": _day(rng, dt.date(2023, 1, 5), dt.date(2023, 2, 20)),
                                 "centrally_published": _judge(rng)},
        "newmedia.intensive": {"lifecycle_compliant": _judge(rng)},
        "newmedia.publishing": {"content_types": checklist(["dynamics", "policy_documents", "interpretations", "responses"]),
                                "mobile_adapted": _judge(rng), "same_source": _judge(rng), "irrelevant_posts": _count(rng, 0.1, 2)},
        "newmedia.services": {"mobile_services": _judge(rng), "novel_design": _judge(rng)},
        "newmedia.interaction": {"consultation_available": _judge(rng), "replies_timely": _judge(rng)},
        "newmedia.coordination": {"repost_checks": [{"on": _day(rng, dt.date(2023, m, 1), dt.date(2023, m, 28)), "passed": rng.random() < 0.9}
                                                    for m in range(1, 13) for _ in range(2)],
                                  "joint_campaigns": rng.randint(0, 7)},
        "bonus.commendation": {"commendations": _count(rng, 0.1, 2), "central_media_reports": _count(rng, 0.1, 2)},
        "penalty.notices": {"state_council_notices": _count(rng, 0.02, 1), "provincial_notices": _count(rng, 0.08, 3)},
        "penalty.media_exposure": {"central_media_exposures": _count(rng, 0.02, 1), "provincial_media_exposures": _count(rng, 0.05, 2)},
        "penalty.service_items": {"inaccurate_guides": _count(rng, 0.05, 2)},
    }
    return {"unit": {"id": uid, "name": name, "kind": "town" if town else "department"}, "accounts": accounts, "observations": obs}


def generate(n: int, seed: int = 2023) -> list[dict]:
    """`n` units, the same for the same seed."""
    rng = random.Random(seed)
    return [make_unit(rng, i) for i in range(n)]


def write(units: list[dict], out: Path, fmt: str = "json", per_file: int = 500) -> list[Path]:
    """Write `units` as lists of at most `per_file` units per file; returns the files."""
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for k in range(0, len(units), per_file):
        part = units[k:k + per_file]
        path = out / f"units-{k // per_file:04d}.{fmt}"
        if fmt == "json":
            path.write_text(json.dumps(part, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        else:
            import yaml

            path.write_text(yaml.safe_dump(part, allow_unicode=True, sort_keys=False, default_flow_style=None, width=160),
                            encoding="utf-8")
        files.append(path)
    return files


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=2023)
    ap.add_argument("--format", choices=("json", "yaml"), default="json")
    ap.add_argument("--per-file", type=int, default=500)
    a = ap.parse_args()
    files = write(generate(a.n, a.seed), a.out, a.format, a.per_file)
    print(f"wrote {a.n} units in {len(files)} {a.format} file(s) under {a.out}")


if __name__ == "__main__":
    main()
