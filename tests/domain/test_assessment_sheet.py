"""研判一张单 content from a hand-built Situation: figures, tasks and their numbers computed
by hand."""

from __future__ import annotations

import dataclasses
import json

import pytest

from console.domain.assessment import (
    CONTENT_BUDGET,
    DEFAULT_TASK_TEMPLATES,
    ENDANGERED,
    TaskTemplate,
    build_sheet,
    crossing_text,
    renumber,
    sheet_number,
    templates_from_json,
)
from console.domain.assessment_rules import CONTENT_MAX_LEN, content_problem, parse_content
from testkit.situations import (
    POINT,
    STATION,
    TOWN_A,
    TOWN_B,
    VILLAGE,
    calm_situation,
    flood_situation,
)


def test_the_flood_sheet_holds_period_rain_points_warnings_and_numbered_tasks() -> None:
    sheet = build_sheet(flood_situation())
    assert sheet.title == "防汛防台风险研判单（红色预警）"
    # 24 h back from 06:00, 6 h of forecast ahead.
    assert sheet.period_from == "2026-06-30T06:00:00+08:00"
    assert sheet.period_to == "2026-07-01T12:00:00+08:00"
    assert sheet.generated_at == "2026-07-01T06:00:00+08:00"
    assert (sheet.highest_warning, sheet.proposed_response) == ("红", "IV")
    assert sheet.summary == (
        "截至2026-07-01 06:00，全县最高预警等级为红色，2 个乡镇（街道）达到预警，"
        "2 处村或风险点受威胁，涉及 337 人，1 个站点超过警戒（汛限）水位。"
        "建议启动防汛IV级应急响应。"
    )
    content = sheet.content
    north = content["townships"][0]
    assert north["observed"] == {"1": 38.0, "3": 104.5, "6": 120.0, "24": 151.2}
    assert north["forecast"] == {"6": 40.0} and north["peak_1h"] == 41.0
    # Only the station over a line is listed.
    assert [s["id"] for s in content["stations"]] == [STATION]
    assert content["stations"][0]["over"] == ["警戒水位"]
    assert content["stations"][0]["township"] == "北界镇"
    # Endangered places, the 红 one first, with their people to call.
    point, village = content["endangered"]
    assert (point["id"], point["level"], point["persons"]) == (POINT, "红", 27)
    assert point["responsible"] == [
        {"name": "李村长", "role": "行政责任人", "mobile": "13800000001"},
        {"name": "王监测", "role": "监测负责人", "mobile": "13800000002"},
    ]
    assert (village["id"], village["expected_level"], village["expected_in_h"]) == (
        VILLAGE,
        "红",
        2.0,
    )
    assert content["warnings"] == [
        {"township_id": TOWN_A, "name": "北界镇", "level": "红"},
        {"township_id": TOWN_B, "name": "金竹镇", "level": "黄"},
    ]
    assert content["response_reasons"] == ["北界镇 3 小时雨量 104.5 毫米，超过 100 毫米"]
    assert [t["no"] for t in content["tasks"]] == list(range(1, 10))
    assert [t["text"] for t in content["tasks"]] == [
        "立即组织危险区人员转移，应转尽转、应转早转，必要时扩面转移。",
        "抢险救援队伍和物资向北界镇前置，做好抢险救援准备。",
        "北界镇及时发布预警，组织受威胁区域人员提前转移，落实“一户一策”。",
        "超警戒站点加密监测，水库、山塘按规定控制运行，落实巡查值守。",
        "北界镇、金竹镇防汛责任人到岗到位，巡查山洪危险区、地质灾害隐患点和低洼易涝区。",
        "逐一叫应受威胁点位责任人（2 处，涉及 337 人），做好人员转移准备。",
        "加强雨情、水情监测，密切关注天气变化，做好预警信息发布准备。",
        "建议报请启动防汛IV级应急响应。",
        "各乡镇及时反馈人员转移和险情，县防指值班室跟踪督办并按规定报送。",
    ]
    assert len(sheet.crossings) == 5


def test_the_stored_arguments_validate_and_round_trip() -> None:
    args = build_sheet(flood_situation(simulated=True)).args()
    assert content_problem(args["content"]) is None
    assert parse_content(args["content"])["tasks"][0]["no"] == 1
    assert args["simulated"] is True
    # The crossing set as a digest: the same set in another order is the same text.
    reordered = tuple(reversed(flood_situation().crossings()))
    assert args["crossings"] == crossing_text(reordered) and len(args["crossings"]) == 64
    assert crossing_text(()) == ""


def test_a_calm_situation_gives_no_warning_and_only_the_general_task() -> None:
    sheet = build_sheet(calm_situation())
    assert sheet.title == "防汛防台风险研判单"
    assert sheet.summary == "截至2026-07-01 06:00，各乡镇（街道）均未达到预警等级。"
    assert sheet.period_to == "2026-07-02T06:00:00+08:00"  # no forecast: 24 h ahead
    assert sheet.tasks == (DEFAULT_TASK_TEMPLATES[-1].text,)
    assert sheet.content["warnings"] == [] and sheet.crossings == ()


def test_county_templates_replace_the_defaults() -> None:
    templates = templates_from_json(
        json.dumps(
            [
                {"level": "黄", "text": "{townships}转移{persons}人", "condition": ENDANGERED},
                {"level": "红", "text": "县领导到岗"},
                {"level": "橙", "text": "带{braces}的原文"},
            ],
            ensure_ascii=False,
        )
    )
    assert templates[0] == TaskTemplate("黄", "{townships}转移{persons}人", ENDANGERED)
    sheet = build_sheet(flood_situation(), templates)
    # 红 first, then 橙 (an unknown placeholder keeps the text as written), then 黄.
    assert sheet.tasks == ("县领导到岗", "带{braces}的原文", "北界镇、金竹镇转移337人")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "非空"),
        ('[{"level": "紫", "text": "x"}]', "预警等级无效"),
        ('[{"level": "红", "text": " "}]', "为空或过长"),
        ('[{"level": "红", "text": "x", "condition": "?"}]', "条件无效"),
        ("[5]", "必须是对象"),
    ],
)
def test_bad_county_templates_are_refused_in_chinese(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        templates_from_json(text)


def test_numbers_and_renumbering() -> None:
    assert sheet_number(2026, 12) == "研判〔2026〕12号"
    assert renumber(["甲", "  ", " 乙 "]) == [{"no": 1, "text": "甲"}, {"no": 2, "text": "乙"}]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (5, "必须是文本"),
        ("{", "不是有效的 JSON"),
        ("[]", "必须是 JSON 对象"),
        ('{"x": []}', "未知部分"),
        ('{"tasks": {}}', "必须是列表"),
        ('{"tasks": [1]}', "必须是对象"),
        ('{"tasks": [{"text": ""}]}', "不能为空"),
        ('{"tasks": [{"text": "' + "长" * 501 + '"}]}', "工作任务过长"),
        ('{"tasks": [{"text": "a", "no": true}]}', "序号必须是整数"),
        ('{"warnings": [{"level": "紫"}]}', "预警等级只能是"),
        ('{"response_reasons": [1]}', "必须是文字"),
        ('{"stations": [{"level_m": NaN}]}', "不是有效的 JSON"),
        ('{"stations": [{"a": {"b": {"c": {"d": {"e": 1}}}}}]}', "嵌套过深"),
        ('{"stations": [{"name": "' + "长" * 2001 + '"}]}', "文字过长"),
        ('{"stations": [' + ",".join(["{}"] * 2001) + "]}", "条目过多"),
    ],
)
def test_hostile_content_is_refused_in_chinese(text: object, message: str) -> None:
    problem = content_problem(text)
    assert problem is not None and message in problem


def test_a_county_wide_storm_fits_the_sheet_keeping_the_most_severe_places() -> None:
    """700 endangered places do not fit: the least severe are left out, with a note."""
    base = flood_situation()
    many = tuple(
        dataclasses.replace(
            base.endangered[i % 2], place_id=f"p{i}", name=f"点{i}", level=("红", "蓝")[i % 2]
        )
        for i in range(700)
    )
    sheet = build_sheet(dataclasses.replace(base, endangered=many))
    text = sheet.args()["content"]
    assert content_problem(text) is None and len(text) <= CONTENT_BUDGET
    listed = sheet.content["endangered"]
    assert 0 < len(listed) < 700
    assert [e["level"] for e in listed[:350]] == ["红"] * 350  # the 红 ones first, all kept
    assert sheet.content["notes"] == [
        f"另有 {700 - len(listed)} 处受威胁村和风险点因篇幅未列出，详见“识别一张图”。"
    ]
    # Room is left for the officer's edits within the stored limit.
    assert CONTENT_MAX_LEN - len(text) >= CONTENT_MAX_LEN // 4
