"""在线咨询 (portal.consultation): 考核各单位政务咨询类栏目留言公开、统计情况、办理答复情况。

Rubric 2023, 互动交流 / 政务咨询（网上信访、纪检举报等专门渠道除外） / 在线咨询 (weight 5):
用户提问在1个工作日内答复且准确的，50%，超过1个工作日且在5个工作日内收到答复且准确的，只得20%；
（注：超过10个工作日未答复或答复内容存在敷衍塞责情况的不得分。）

Evidence: the evaluator's test questions, ``messages``: each {asked_at, answered_at (absent if
unanswered), accurate, perfunctory}; timestamps are read in Asia/Shanghai (core/dates.py).
The derivation below gives each answered message its elapsed working days (rubric-2023.md "Terms":
working days strictly after the question's date up to and including the answer's date, in the
official PRC calendar with make-up working days); the rule file's bands then score each message
(<= 1 and accurate: 50%; > 1 and <= 5 and accurate: 20%; otherwise 0: unanswered, perfunctory (敷衍
塞责 zeroes that message only), over 10 days, and the unstated (5, 10] gap of known defect 3) and the
indicator takes the mean over the messages. No messages: listed as missing, 0.
"""

from __future__ import annotations

from typing import Annotated, Optional

from pydantic import BeforeValidator, field_validator

from govscore.core.i18n import _

from govscore.core.derivations import Derivation
from govscore.core.errors import CalendarError
from govscore.core.hookspecs import hookimpl
from govscore.core.indicator import IndicatorSpec
from govscore.core.observations import Flag, Item, Observations, Timestamp, to_bool

INDICATOR = "portal.consultation"
LIST = "messages"

YesNo = Annotated[bool, BeforeValidator(to_bool)]  # a required yes/no (是/否), like Account.filed


class Message(Item):
    """A test question (留言): asked_at (required), answered_at (absent: unanswered), accurate (答复准确,
    required yes/no), perfunctory (敷衍塞责, default false)."""

    asked_at: Timestamp
    answered_at: Timestamp = None
    accurate: YesNo
    perfunctory: Flag = False

    @field_validator("asked_at")
    @classmethod
    def _asked(cls, v):
        if v is None:
            raise ValueError(_("a message needs asked_at, the date and time the question was asked"))
        return v


class Evidence(Observations):
    """在线咨询 is recorded as its list of messages only (lists={"messages": Message}; the items become
    facts of their own, so the field here only names the list)."""

    messages: Optional[list[Message]] = None


def derive(work, compiled) -> None:
    """Set ``elapsed_working_days`` on every answered message and record per-message audit details.

    Raises:
        EvidenceError: an answer before its question (located at the message).
        CalendarError: a date in a year no calendar source covers (located at the message).
    """
    key = (INDICATOR, LIST)
    cal = compiled.context.calendar
    rows = []
    for i, msg in enumerate(work.lists.get(key, [])):
        path = ("observations", INDICATOR, LIST, i)
        fld = f"{INDICATOR}.{LIST}[{i + 1}]"
        asked, answered = msg["asked_at"], msg.get("answered_at")
        # accurate and perfunctory go along: a message answered in time that earns nothing was inaccurate
        # or perfunctory, and the unit is told which
        row = {"asked": asked.isoformat(), "answered": answered.isoformat() if answered else None,
               "elapsed_working_days": None, "accurate": msg.get("accurate"), "perfunctory": msg.get("perfunctory")}
        if answered is not None:
            if answered < asked:
                raise work.error("message {n}: the answer ({answered}) is before the question ({asked})",
                                 {"n": i + 1, "answered": answered.isoformat(), "asked": asked.isoformat()}, path, fld)
            try:
                days = cal.elapsed_working_days(asked.date(), answered.date())
            except CalendarError as err:
                err.location = work.evidence.locate(path)
                err.unit = work.unit.id
                err.field = fld
                raise
            msg["elapsed_working_days"] = days
            row["elapsed_working_days"] = days
        rows.append(row)
    work.item_details[key] = rows


@hookimpl
def register_indicators(register):
    register(IndicatorSpec(id=INDICATOR, evidence=Evidence, rule_kinds=("bands",), lists={LIST: Message},
                           derived=(f"{LIST}.elapsed_working_days",), display_name="在线咨询"))


@hookimpl
def register_derivations(register):
    register(Derivation("consultation.elapsed_working_days", (INDICATOR,), derive,
                        "在线咨询: each answered message's elapsed working days (official PRC calendar, Asia/Shanghai dates)"))
