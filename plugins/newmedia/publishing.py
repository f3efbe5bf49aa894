"""信息发布 (newmedia.publishing), 8 points.

Rubric 2023, 政务新媒体 / 信息发布 (指标说明: 对政务动态、政策文件、解读回应等政务信息的发布和更新情况。):

1. 发布政务动态、政策文件、政策解读、回应关切类政务信息，20% -> ``content_types``, a checklist of 4:
   dynamics, policy_documents, interpretations, responses (credit = present / 4);
2. 发布类账号（如政务微博、微信订阅号、头条号、抖音号等）实现每周至少更新1次的，服务类账号（如微信服务号等）每2周至少更新1次，40%
   -> rule kind ``items`` over the accounts on the derived item field ``update_ok``, aggregate all: full
   share only if every account complies;
3. 页面适配移动端，20% -> ``mobile_adapted``;
4. 移动政务服务信息与政府门户网站实现数据同源，20% -> ``same_source``;
5. 发布与政府工作无关信息，不分场景“卖萌”“卖惨”、过度娱乐化的，每发现一个扣50%，扣完为止。 -> deduction
   ``irrelevant_posts`` (a problem count, absent = 0), each -50% of the weight, the leaf floored at 0.

update_ok (rubric-2023.md): a publishing account needs >= 1 post in every calendar week (Monday-Sunday),
a service account in every consecutive 2-week block starting on the period's first Monday; a week or
block is required only if it lies wholly within [max(period start, opened_on), min(period end,
closed_on, as_of)]. The cadences are the rule file's settings ``publishing_weeks`` and
``service_weeks``. The weeks/blocks without a post are recorded per account for the audit. A unit
with no accounts earns nothing for item 2, which is listed as missing.
"""

from govscore.core.dates import iso_text, missing_periods, required_periods
from govscore.core.derivations import Derivation
from govscore.core.hookspecs import hookimpl
from govscore.core.indicator import IndicatorSpec
from govscore.core.observations import Checklist, Judgement, Observations, ProblemCount

from ._accounts import account_rows, accounts, weeks_setting

ID = "newmedia.publishing"
CADENCE_SETTINGS = {"publishing": "publishing_weeks", "service": "service_weeks"}


class Evidence(Observations):
    """Observations: content_types (checklist: dynamics, policy_documents, interpretations, responses),
    mobile_adapted, same_source, irrelevant_posts (count of off-topic / over-entertaining posts).

    update_ok is derived per account from its post dates.
    """

    content_types: Checklist = None
    mobile_adapted: Judgement = None
    same_source: Judgement = None
    irrelevant_posts: ProblemCount = 0


def _span(p) -> str:
    return f"{iso_text(p[0])}..{iso_text(p[1])}"


def derive(work, compiled) -> None:
    """Set ``update_ok`` on every account and record the required and missing weeks/blocks.

    Raises:
        RuleSetError: a cadence setting is absent or invalid.
        EvidenceError: a post date that cannot be read.
    """
    weeks = {kind: weeks_setting(compiled, ID, name) for kind, name in CADENCE_SETTINGS.items()}
    ctx = compiled.context
    accs = accounts(work)
    rows = account_rows(work)
    audit = []
    for i, (acc, row) in enumerate(zip(accs, rows)):
        args = (acc["kind"], ctx.period_start, ctx.period_end, ctx.as_of, acc.get("opened_on"), acc.get("closed_on"))
        try:
            required = required_periods(*args, weeks=weeks[acc["kind"]])
            missing = missing_periods(acc.get("posts") or [], *args, weeks=weeks[acc["kind"]])
        except ValueError as exc:
            raise work.error("{problem}", {"problem": str(exc)}, ("accounts", i), f"accounts.{i}") from None
        acc["update_ok"] = not missing
        detail = {"weeks_per_period": weeks[acc["kind"]], "required_periods": len(required),
                  "missing_periods": [_span(p) for p in missing], "update_ok": not missing}
        row.update(detail)
        audit.append({"account": acc["name"], "platform": acc["platform"], "kind": acc["kind"], **detail})
    work.details.setdefault(ID, {})["accounts"] = audit


@hookimpl
def register_indicators(register):
    register(IndicatorSpec(id=ID, evidence=Evidence, rule_kinds=("checklist", "items", "judged", "deduction"),
                           uses_accounts=True, derived=("accounts.update_ok",), display_name="信息发布"))


@hookimpl
def register_derivations(register):
    register(Derivation("newmedia.update_frequency", (ID,), derive,
                        "accounts' post dates -> update_ok per account (weekly / 2-weekly cadence of the settings)"))
