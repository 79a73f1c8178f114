"""Hand-built Situations (the threshold engine's output) for tests and screenshots of the
研判一张单 and the alerts: the contract, without the engine."""

from __future__ import annotations

from console.domain.situation import (
    Endangered,
    Responsible,
    Situation,
    StationState,
    TownshipState,
)

# 2026-07-01 06:00 Beijing (22:00 UTC the day before).
AT = 1_782_856_800
TOWN_A = "11111111-1111-4111-8111-111111111111"
TOWN_B = "22222222-2222-4222-8222-222222222222"
POINT = "33333333-3333-4333-8333-333333333333"
VILLAGE = "44444444-4444-4444-8444-444444444444"
STATION = "55555555-5555-4555-8555-555555555555"


def flood_situation(*, at: int = AT, simulated: bool = False) -> Situation:
    """北界镇 at 红 (a landslide point with 27 people and two responsible people), 金竹镇 at
    黄, a water-level station over its warning line, response IV proposed."""
    return Situation(
        at=at,
        townships=(
            TownshipState(
                TOWN_A,
                "北界镇",
                observed={1: 38.0, 3: 104.5, 6: 120.0, 24: 151.25},
                peak_1h=41.0,
                forecast={6: 40.0},
                signal="红",
                expected_signal="红",
                proposed_warning="红",
                note="已 104.5 毫米/3小时",
            ),
            TownshipState(
                TOWN_B,
                "金竹镇",
                observed={1: 12.0, 3: 30.0, 6: 52.0},
                forecast={6: 20.0},
                signal="黄",
                proposed_warning="黄",
            ),
        ),
        stations=(
            StationState(
                STATION,
                "70100100",
                "北界水位站",
                "水位站",
                TOWN_A,
                level_m=182.4,
                over=("警戒水位",),
            ),
            StationState("66666666-6666-4666-8666-666666666666", "1", "无事站", "雨量站", TOWN_B),
        ),
        endangered=(
            Endangered(
                "risk_point",
                POINT,
                "苏村滑坡隐患点",
                TOWN_A,
                VILLAGE,
                "红",
                "",
                None,
                "24小时雨量 151 毫米，已达立即转移雨量 100 毫米",
                STATION,
                households=9,
                persons=27,
                responsible=(
                    Responsible("p1", "李村长", "行政责任人", "13800000001"),
                    Responsible("p2", "王监测", "监测负责人", "13800000002"),
                ),
            ),
            Endangered(
                "village",
                VILLAGE,
                "苏村",
                TOWN_A,
                VILLAGE,
                "橙",
                "红",
                2.0,
                "3小时雨量 104 毫米",
                STATION,
                persons=310,
            ),
        ),
        proposed_response="IV",
        response_reasons=("北界镇 3 小时雨量 104.5 毫米，超过 100 毫米",),
        simulated=simulated,
    )


def calm_situation(*, at: int = AT) -> Situation:
    """Rain but nothing crossed."""
    return Situation(
        at=at,
        townships=(TownshipState(TOWN_B, "金竹镇", observed={1: 2.0, 24: 10.0}),),
    )
