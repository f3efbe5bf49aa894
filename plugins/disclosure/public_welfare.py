"""公益事业建设 (disclosure.public_welfare): 考核公益事业建设领域专栏的建设和内容维护情况。

Rubric 2023, 政府信息公开 / 重点领域信息公开 / 公益事业建设 (weight 6):
1. 栏目体系合理，按照相关政策要求和业务逻辑分类公开相关信息，50% -> structured;
2. 栏目内容与栏目名称一致，不存在关联性不高的信息噪音，50% -> consistent.
注 (veto) and 说明 (applicability): see :mod:`govscore.plugins.disclosure._key_area`.
"""

from govscore.core.hookspecs import hookimpl

from ._key_area import KeyAreaEvidence, key_area_spec


class Evidence(KeyAreaEvidence):
    """Observations of 公益事业建设 (附录二, not in the source): applicable, structured, consistent,
    last_updated, burst_publishing, falsified."""


@hookimpl
def register_indicators(register):
    register(key_area_spec("disclosure.public_welfare", Evidence, "公益事业建设"))
