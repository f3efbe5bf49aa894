"""协调联动 (newmedia.coordination), 6 points.

Rubric 2023, 政务新媒体 / 协调联动 (指标说明: 政务新媒体与市政府政务新媒体联动情况。):

1. 本地政务新媒体全面、及时转载市政府要求转载的重要信息，50%（随机抽查，每月2次）。 -> ``repost_checks``: a
   list of spot checks, each ``{on: date (optional), passed: yes/no}``; rule kind ``items`` with
   aggregate mean: credit = passed / total. No checks recorded: nothing earned, listed as missing.
2. 围绕当前中心工作，与市政府政务新媒体共同组织策划重大主题宣传，制作、首发重要政务信息的，50%（1—4次，得权重的50%；5次以上得权重的100%）。
   -> ``joint_campaigns`` (a count) with bands 0 -> 0, 1-4 -> 25% of the weight, >= 5 -> 50%: "100% of
   the weight" inside a 50% item is read as the item's full share (Known defect 4).
"""

from typing import Annotated, Optional

from pydantic import BeforeValidator, model_validator

from govscore.core.dates import iso_text
from govscore.core.derivations import Derivation
from govscore.core.hookspecs import hookimpl
from govscore.core.indicator import IndicatorSpec
from govscore.core.observations import Count, Day, Item, Observations, to_bool

ID = "newmedia.coordination"
LIST = "repost_checks"


class RepostCheck(Item):
    """One spot check (随机抽查) of the reposting of an item the city government asked to be reposted."""

    on: Day = None
    passed: Annotated[bool, BeforeValidator(to_bool)]

    @model_validator(mode="before")
    @classmethod
    def _yaml11_on(cls, data):
        # Evidence YAML is read as YAML 1.1 (libyaml), where a bare key ``on`` is the boolean true.
        if isinstance(data, dict) and True in data and "on" not in data:
            data = {("on" if k is True else k): v for k, v in data.items()}
        return data


class Evidence(Observations):
    """Observations: repost_checks (list of RepostCheck), joint_campaigns (共同组织策划重大主题宣传的次数)."""

    repost_checks: Optional[list] = None
    joint_campaigns: Count = None


@hookimpl
def register_indicators(register):
    register(IndicatorSpec(id=ID, evidence=Evidence, rule_kinds=("items", "bands"), lists={LIST: RepostCheck},
                           display_name="协调联动"))


def derive(work, compiled) -> None:
    """Record each repost check's date and outcome as its audit detail, so that a unit sees which of its
    checks failed (``{"checked_on": "2023-02-15" or None, "passed": bool}`` per check, in evidence order).

    Rubric: 协调联动 item 1 (随机抽查，每月2次).
    """
    work.item_details[(ID, LIST)] = [{"checked_on": iso_text(c["on"]) if c.get("on") else None, "passed": c.get("passed")}
                                     for c in work.lists.get((ID, LIST), [])]


@hookimpl
def register_derivations(register):
    register(Derivation("coordination.repost_check_details", (ID,), derive,
                        "协调联动: each repost check's date and outcome, for the audit trail"))
