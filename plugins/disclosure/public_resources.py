"""公共资源配置 (disclosure.public_resources): 考核公共资源配置领域专栏的建设和内容维护情况。

Rubric 2023, 政府信息公开 / 重点领域信息公开 / 公共资源配置 (weight 6):
1. 栏目体系合理，按照相关政策要求和业务逻辑分类公开相关信息，50% -> structured;
2. 栏目内容与栏目名称一致，不存在关联性不高的信息噪音，50% -> consistent.
注 (veto) and 说明 (applicability): see :mod:`govscore.plugins.disclosure._key_area`.
"""

from govscore.core.hookspecs import hookimpl

from ._key_area import KeyAreaEvidence, key_area_spec


class Evidence(KeyAreaEvidence):
    """Observations of 公共资源配置 (附录三, not in the source): applicable, structured, consistent,
    last_updated, burst_publishing, falsified."""


@hookimpl
def register_indicators(register):
    register(key_area_spec("disclosure.public_resources", Evidence, "公共资源配置"))
