"""政府门户网站 (portal): the leaves of 办事服务, 互动交流 and 管理保障 in the 2023 rubric.

查询服务 (portal.query_service), 在线咨询 (portal.consultation), 民意征集 (portal.opinion_collection),
运维保障 (portal.maintenance), 信息公开工作年报 (portal.annual_report).
"""
