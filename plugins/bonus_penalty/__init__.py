"""加分指标 and 扣分指标 (bonus, penalty): the bonus leaf and the three deduction leaves of the 2023 rubric.

加分指标 (capped at +10): 表彰宣传 +10. 扣分指标 (capped at -10): 通报曝光 -6, 媒体曝光 -4, 政务服务事项 (no weight
in the source). Deduction leaves are written with positive weights in the rule files: the most each can
deduct (rubric-2023.md, Terms).
"""
