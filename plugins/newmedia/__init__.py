"""政务新媒体 (newmedia): the five leaf indicators of the 2023 rubric's fifth category (30 points).

集约开设 6, 信息发布 8, 办事服务 6, 互动交流 4, 协调联动 6 (rubric-2023.md, Indicators). Two of them read
the unit-level new-media accounts (``accounts:`` beside ``observations:`` in a unit's evidence); the
shared account logic lives in :mod:`._accounts`, which is not registered as a plugin.
"""
