"""政府信息公开 (disclosure): the 13 leaf indicators of the 2023 rubric's first category."""
