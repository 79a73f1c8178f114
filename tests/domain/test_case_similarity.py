"""Similar cases: scores and reasons computed by hand from the weights."""

from __future__ import annotations

from console.domain.cases import (
    NEXT_MONTH,
    SAME_FAMILY,
    SAME_HAZARD,
    SAME_MONTH,
    SAME_RAIN_PATTERN,
    SAME_TOWNSHIP,
    Situation,
    hazard_of_incident,
    likeness,
    rain_pattern_of,
    similar,
)

BEIJIE, JINZHU = "t-beijie", "t-jinzhu"
NAMES = {BEIJIE: "北界镇", JINZHU: "金竹镇"}
SUCUN = {
    "id": "c-sucun",
    "hazard": "滑坡",
    "township_id": BEIJIE,
    "rain_pattern": "台风雨",
    "occurred_on": "2016-09-28",
}
DEBRIS = {
    "id": "c-debris",
    "hazard": "泥石流",
    "township_id": JINZHU,
    "rain_pattern": "梅雨",
    "occurred_on": "2020-06-10",
}
FIRE = {"id": "c-fire", "hazard": "森林火灾", "township_id": JINZHU, "occurred_on": "2019-03-02"}


def test_a_landslide_in_beijie_in_typhoon_rain_in_september() -> None:
    now = Situation("滑坡", BEIJIE, "北界镇", "台风雨", 9)
    got = likeness(now, SUCUN, NAMES)
    assert got.score == 40 + 25 + 20 + 15 == 100
    assert got.score == SAME_HAZARD + SAME_TOWNSHIP + SAME_RAIN_PATTERN + SAME_MONTH
    assert got.reason == "同为滑坡；同在北界镇；同为台风雨；同为9月"


def test_a_hazard_of_the_same_family_and_a_neighbouring_month_count_less() -> None:
    now = Situation("滑坡", BEIJIE, "北界镇", "台风雨", 7)  # July: June is next to it
    got = likeness(now, DEBRIS, NAMES)
    assert got.score == SAME_FAMILY + NEXT_MONTH == 30
    assert got.reason == "同属地质灾害（泥石流）；季节相近（6月）"
    # December and January are neighbours across the year's end
    winter = likeness(Situation(month=1), {**FIRE, "occurred_on": "2019-12-02"}, NAMES)
    assert (winter.score, winter.reason) == (NEXT_MONTH, "季节相近（12月）")


def test_similar_ranks_and_leaves_out_cases_with_nothing_in_common() -> None:
    now = Situation("滑坡", BEIJIE, "北界镇", "台风雨", 9)
    ranked = similar(now, [FIRE, DEBRIS, SUCUN], NAMES)
    assert [(r.case_id, r.score) for r in ranked] == [("c-sucun", 100), ("c-debris", 20)]
    assert similar(Situation(), [SUCUN], NAMES) == []


def test_an_incident_is_filed_under_its_sub_hazard_or_its_words() -> None:
    assert hazard_of_incident("自然灾害", "地质", "滑坡") == "滑坡"
    assert hazard_of_incident("自然灾害", "地质", "其他", "后山泥石流冲下") == "泥石流"
    assert hazard_of_incident("自然灾害", "森林火灾", "") == "森林火灾"
    assert hazard_of_incident("自然灾害", "水旱", "洪涝", "溪水暴涨 山洪") == "洪涝"
    assert hazard_of_incident("自然灾害", "水旱", "", "村口山洪") == "山洪"
    assert hazard_of_incident("事故灾难", "交通运输", "", "货车侧翻") == ""
    assert rain_pattern_of("受台风影响持续降雨") == "台风雨"
    assert rain_pattern_of("", "台风") == "台风雨"
    assert rain_pattern_of("入梅以来") == "梅雨"
    assert rain_pattern_of("晴") == ""


def test_equal_scores_put_the_most_recent_first_and_undated_last() -> None:
    now = Situation(hazard="滑坡")
    cases = [
        {"id": "a", "hazard": "滑坡", "occurred_on": None},
        {"id": "b", "hazard": "滑坡", "occurred_on": "2016-09-28"},
        {"id": "c", "hazard": "滑坡", "occurred_on": "2020-06-10"},
    ]
    assert [r.case_id for r in similar(now, cases, NAMES)] == ["c", "b", "a"]


def test_the_score_alone_is_what_the_likeness_adds_up() -> None:
    from console.domain.cases import score

    situations = [
        Situation("滑坡", BEIJIE, "北界镇", "台风雨", 9),
        Situation("山洪", JINZHU, "金竹镇", "梅雨", 6),
        Situation(month=1),
        Situation(),
    ]
    cases = [SUCUN, DEBRIS, FIRE, {**FIRE, "id": "x", "occurred_on": "2019-12-02"}]
    for now in situations:
        for case in cases:
            assert score(now, case) == likeness(now, case, NAMES).score, (now, case["id"])
