"""Upward-reporting (信息报送) rules: which report is due how long after the call.

The rules are DATA (a synced table the duty leader edits in 设置); these defaults come from
DOMAIN.md and are loaded once through the write path. ``grade`` "" means any grade.
"""

from __future__ import annotations

from dataclasses import dataclass

REPORT_STAGES: tuple[str, ...] = ("首报", "续报", "终报")
CHANNELS: tuple[str, ...] = ("电话", "书面")


@dataclass(frozen=True)
class DefaultRule:
    category: str
    grade: str  # "" = any grade
    stage: str
    channel: str
    minutes: int
    basis: str


# Serious events (特别重大/重大/较大) of any category: phone within 30 min, written within
# 1 h (common duty-room practice); production-safety accidents 1 h / 2 h (国务院令493号);
# natural disasters: county 初报 within 2 h (应急〔2020〕19号).
DEFAULT_RULES: tuple[DefaultRule, ...] = tuple(
    [
        DefaultRule(category, grade, "首报", channel, minutes, "重大事件常见值班要求")
        for category in ("自然灾害", "事故灾难", "公共卫生事件")
        for grade in ("特别重大", "重大", "较大")
        for channel, minutes in (("电话", 30), ("书面", 60))
    ]
    + [
        DefaultRule("社会安全事件", "", "首报", "电话", 30, "重大事件常见值班要求"),
        DefaultRule("社会安全事件", "", "首报", "书面", 60, "重大事件常见值班要求"),
        DefaultRule("事故灾难", "一般", "首报", "电话", 60, "国务院令493号：事故单位1小时内报告"),
        DefaultRule("事故灾难", "一般", "首报", "书面", 120, "国务院令493号：逐级上报不超过2小时"),
        DefaultRule("自然灾害", "一般", "首报", "书面", 120, "应急〔2020〕19号：县级2小时内初报"),
        DefaultRule("公共卫生事件", "一般", "首报", "书面", 120, "默认值，请按本地规定修改"),
    ]
)
