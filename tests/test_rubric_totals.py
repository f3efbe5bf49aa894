"""Whole-rubric totals of the 2023 rule set, computed by hand from rubric-2023.md."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from govscore.core.runner import RunOptions, run

MONDAYS = [dt.date(2023, 1, 2) + dt.timedelta(weeks=k) for k in range(52)]  # 2023-01-02 .. 2023-12-25


def perfect_unit(unit_id: str = "perfect", key_areas: bool = True) -> dict:
    """Every criterion met, no problem recorded."""
    key = {"applicable": True, "structured": True, "consistent": True, "last_updated": "2023-12-01"} if key_areas \
        else {"applicable": False}
    return {
        "unit": {"id": unit_id, "name": "满分局", "kind": "department"},
        "accounts": [{"platform": "wechat", "name": "满分发布", "kind": "publishing", "filed": True,
                      "opened_on": "2019-01-01", "posts": [d.isoformat() for d in MONDAYS]}],
        "observations": {
            "disclosure.overview": {"up_to_date": True, "consistent": True},
            "disclosure.functions": {"published_fields": ["functions", "structure", "address", "office_hours", "contact", "head"], "consistent": True},
            "disclosure.leaders": {"published_fields": ["name", "post", "duties"], "consistent": True},
            "disclosure.policy_documents": {"timely": True, "cleanup_published": True, "consistent": True, "last_updated": "2023-12-20"},
            "disclosure.licensing_results": {"published": True, "consistent": True},
            "disclosure.enforcement": {"double_random": ["plan", "objects", "results"], "annual_statistics_report": True, "consistent": True},
            "disclosure.budgets": {"published": ["budget", "final_accounts"]},
            "disclosure.proposals": {"published": ["reply_full_text", "progress", "annual_summary"], "consistent": True},
            "disclosure.major_projects": dict(key),
            "disclosure.public_welfare": dict(key),
            "disclosure.public_resources": dict(key),
            "disclosure.special_topics": {"topic_columns": 2, "structured": True, "consistent": True, "last_updated": "2023-12-15"},
            "disclosure.policy_interpretation": {"interpreted": 2, "diverse_forms": True, "content_focused": True, "drafter_interprets": True,
                                                 "cross_linked": 2, "consistent": True, "last_updated": "2023-12-10"},
            "portal.query_service": {"own_service": True, "form_level": 5, "consistent": True},
            "portal.consultation": {"messages": [{"asked_at": "2023-11-06 09:00", "answered_at": "2023-11-06 15:00", "accurate": True}]},
            "portal.opinion_collection": {"solicitations": True, "feedback_published": True},
            "portal.maintenance": {"empty_or_stale_columns": 0, "broken_links": 0, "privacy_leaks": 0},
            "portal.annual_report": {"format_compliant": True, "published_on": "2023-01-20", "centrally_published": True},
            "newmedia.intensive": {"lifecycle_compliant": True},
            "newmedia.publishing": {"content_types": ["dynamics", "policy_documents", "interpretations", "responses"],
                                    "mobile_adapted": True, "same_source": True},
            "newmedia.services": {"mobile_services": True, "novel_design": True},
            "newmedia.interaction": {"consultation_available": True, "replies_timely": True},
            "newmedia.coordination": {"repost_checks": [{"passed": True} for _ in range(24)], "joint_campaigns": 5},
            "bonus.commendation": {"commendations": 0, "central_media_reports": 0},
        },
    }


def _score(tmp_path: Path, units: list[dict], engine: str):
    path = tmp_path / "units.yaml"
    path.write_text(yaml.safe_dump(units, allow_unicode=True, sort_keys=False), encoding="utf-8")
    res = run([path], RunOptions(engine=engine))
    assert not res.failures, [f.messages() for f in res.failures]
    return {u.unit_id: u for u in res.units}


@pytest.mark.parametrize("engine", ["durable", "reference"])
def test_perfect_unit_scores_the_maximum_attainable(tmp_path: Path, engine: str) -> None:
    units = _score(tmp_path, [perfect_unit("all"), perfect_unit("none", key_areas=False)], engine)
    full = units["all"]
    # Shares as written lose: 政策文件 10% of 2 = 0.2, 行政监管执法信息 30% of 2 = 0.6, 在线咨询 50% of 5 = 2.5,
    # 运维保障 25% of 5 = 1.25, 集约开设 30% of 6 = 1.8; 100 - 6.35 = 93.65, no bonus, no deduction.
    assert full.base == Fraction("93.65")
    assert full.total == Fraction("93.65")
    assert full.bonus == 0 and full.deductions == 0
    assert [m for lf in full.indicators for m in lf.missing] == []
    none = units["none"]
    # No key area: 18 points over the other ten 政府信息公开 leaves, +1.8 each. 政策文件 then earns 90% of 3.8
    # = 3.42 (loses 0.38), 行政监管执法信息 70% of 3.8 = 2.66 (loses 1.14): 100 - (0.38 + 1.14 + 2.5 + 1.25 + 1.8)
    # = 92.93.
    assert none.base == Fraction("92.93")
    for leaf_id in ("disclosure.overview", "disclosure.policy_documents", "disclosure.special_topics", "disclosure.policy_interpretation"):
        lf = none.leaf(leaf_id)
        assert lf.effective_weight == lf.weight + Fraction("1.8")
    assert sum((lf.effective_weight for lf in none.indicators if lf.category != "penalty" and lf.category != "bonus"), Fraction(0)) == 100
    # Displayed parts add up: total 92.93 = base 92.93 + bonus 0 - deductions 0.
    assert none.display["total"] == Fraction("92.93")
