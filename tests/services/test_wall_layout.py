"""大屏模式 placement rules, pure (no Qt): pages, a screen lost and back, renamed outputs,
every chosen screen gone, damaged presets."""

from __future__ import annotations

import pytest

from console.services.wall_layout import (
    DEFAULT_ROTATE_S,
    EMPTY,
    PAIR,
    QUAD,
    SINGLE,
    ScreenInfo,
    ScreenPlan,
    WallPreset,
    default_preset,
    fitting_layout,
    paginate,
    place,
    preset_from_json,
    preset_to_json,
)

L = ScreenInfo("WALL-L", 0, 0, 1280, 720)
R = ScreenInfo("WALL-R", 1280, 0, 1280, 720)
M = ScreenInfo("WALL-M", 2560, 0, 1280, 720)
TWO = WallPreset(
    (
        ScreenPlan("WALL-L", SINGLE, ("map",), 0, L.geometry),
        ScreenPlan("WALL-R", SINGLE, ("kpi",), 0, R.geometry),
    )
)


@pytest.mark.parametrize(
    ("panels", "layout", "pages"),
    [
        ((), SINGLE, ((EMPTY,),)),
        (("a",), PAIR, (("a", EMPTY),)),
        (("a", "b", "c"), PAIR, (("a", "b"), ("c", EMPTY))),
        (("a", "b", "c", "d", "e"), QUAD, (("a", "b", "c", "d"), ("e", EMPTY, EMPTY, EMPTY))),
    ],
)
def test_paginate_pads_the_last_page(
    panels: tuple[str, ...], layout: str, pages: tuple[tuple[str, ...], ...]
) -> None:
    assert paginate(panels, layout) == pages


@pytest.mark.parametrize(
    ("count", "layout"), [(0, SINGLE), (1, SINGLE), (2, PAIR), (3, QUAD), (9, QUAD)]
)
def test_fitting_layout(count: int, layout: str) -> None:
    assert fitting_layout(count) == layout


def test_every_chosen_screen_present_shows_its_own_plan() -> None:
    placed = place(TWO, [L, R])
    assert set(placed) == {"WALL-L", "WALL-R"}
    assert placed["WALL-L"].pages == (("map",),)
    assert placed["WALL-R"].pages == (("kpi",),)
    assert all(not p.guests and p.rotate_s == 0 for p in placed.values())


def test_a_screen_not_chosen_gets_nothing() -> None:
    placed = place(WallPreset((ScreenPlan("WALL-R", PAIR, ("map", "duty")),)), [L, R])
    assert list(placed) == ["WALL-R"]
    assert placed["WALL-R"].layout == PAIR


def test_lost_screen_panels_go_side_by_side_on_the_other_and_come_back() -> None:
    lost = place(TWO, [L])
    assert list(lost) == ["WALL-L"]
    assert lost["WALL-L"].layout == PAIR
    assert lost["WALL-L"].pages == (("map", "kpi"),)
    assert lost["WALL-L"].guests == ("WALL-R",)
    back = place(TWO, [L, R])
    assert back == place(TWO, [R, L])  # order of the system's list does not matter
    assert back["WALL-L"].pages == (("map",),) and back["WALL-R"].pages == (("kpi",),)


def test_beyond_four_panels_the_host_rotates_them_in() -> None:
    preset = WallPreset(
        (
            ScreenPlan("WALL-L", QUAD, ("map", "kpi", "ticker", "control")),
            ScreenPlan("WALL-R", PAIR, ("duty", "video")),
        )
    )
    placed = place(preset, [L])["WALL-L"]
    assert placed.layout == QUAD
    assert placed.pages == (("map", "kpi", "ticker", "control"), ("duty", "video", EMPTY, EMPTY))
    assert placed.rotate_s == DEFAULT_ROTATE_S


def test_the_host_keeps_its_own_rotation_interval() -> None:
    preset = WallPreset(
        (
            ScreenPlan("WALL-L", QUAD, ("map", "kpi", "ticker", "control"), 45),
            ScreenPlan("WALL-R", SINGLE, ("duty",)),
        )
    )
    assert place(preset, [L])["WALL-L"].rotate_s == 45


def test_lost_panels_go_to_the_least_loaded_screen() -> None:
    preset = WallPreset(
        (
            ScreenPlan("WALL-L", QUAD, ("map", "kpi", "ticker")),
            ScreenPlan("WALL-M", SINGLE, ("control",)),
            ScreenPlan("WALL-R", SINGLE, ("duty",)),
        )
    )
    placed = place(preset, [L, M])
    assert placed["WALL-M"].pages == (("control", "duty"),)
    assert placed["WALL-M"].guests == ("WALL-R",)
    assert placed["WALL-L"].pages == (("map", "kpi", "ticker", EMPTY),)


def test_duplicate_panels_are_shown_once_on_the_host() -> None:
    preset = WallPreset(
        (ScreenPlan("WALL-L", SINGLE, ("map",)), ScreenPlan("WALL-R", SINGLE, ("map",)))
    )
    assert place(preset, [L])["WALL-L"].pages == (("map",),)


def test_without_any_chosen_screen_the_first_one_left_takes_the_wall() -> None:
    other = ScreenInfo("HDMI-1", 0, 0, 1920, 1080)
    placed = place(TWO, [other])
    assert list(placed) == ["HDMI-1"]
    assert placed["HDMI-1"].pages == (("map", "kpi"),)
    assert placed["HDMI-1"].guests == ("WALL-L", "WALL-R")


def test_no_screens_or_no_preset_places_nothing() -> None:
    assert place(TWO, []) == {}
    assert place(WallPreset(), [L, R]) == {}


def test_a_renamed_output_is_found_by_its_geometry() -> None:
    renamed = ScreenInfo("DP-3", *R.geometry)
    placed = place(TWO, [L, renamed])
    assert placed["DP-3"].pages == (("kpi",),) and not placed["DP-3"].guests
    # ...but never one of the chosen screens themselves.
    assert place(TWO, [ScreenInfo("WALL-L", *R.geometry)])["WALL-L"].guests == ("WALL-R",)


def test_without_rotation_only_the_first_page_shows() -> None:
    preset = WallPreset((ScreenPlan("WALL-L", PAIR, ("map", "kpi", "duty"), 0),))
    assert place(preset, [L])["WALL-L"].pages == (("map", "kpi"),)
    rotating = WallPreset((ScreenPlan("WALL-L", PAIR, ("map", "kpi", "duty"), 10),))
    assert place(rotating, [L])["WALL-L"].pages == (("map", "kpi"), ("duty", EMPTY))


def test_preset_round_trips_through_json() -> None:
    preset = WallPreset(
        (
            ScreenPlan("WALL-L", QUAD, ("map", "kpi"), 30, L.geometry),
            ScreenPlan("屏二", SINGLE, ("duty",)),
        )
    )
    assert preset_from_json(preset_to_json(preset)) == preset


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not json",
        "[]",
        '{"screens": 5}',
        '{"screens": [{"screen": "", "layout": "single"}]}',
        '{"screens": [{"screen": "A", "layout": "nine"}]}',
        '{"screens": [{"screen": "A", "panels": [1, 2]}]}',
        '{"screens": [{"screen": "A", "rotate_s": "10"}]}',
    ],
)
def test_a_damaged_preset_reads_as_empty(text: str) -> None:
    assert preset_from_json(text) == WallPreset()


def test_a_preset_keeps_what_it_can_read() -> None:
    text = (
        '{"screens": [{"screen": "A", "layout": "pair", "panels": ["map"], "rotate_s": 1,'
        ' "geometry": [0, 0, "x", 1]}, {"screen": "A"}, 7, {"screen": "B", "rotate_s": 99999}]}'
    )
    preset = preset_from_json(text)
    assert [p.screen for p in preset.screens] == ["A", "B"]
    assert preset.screens[0].rotate_s == 5 and preset.screens[0].geometry is None
    assert preset.screens[1].rotate_s == 3600


def test_default_preset_gives_each_screen_the_next_panel() -> None:
    preset = default_preset([L, R, M], ["map", "kpi"])
    assert [(p.screen, p.panels) for p in preset.screens] == [
        ("WALL-L", ("map",)),
        ("WALL-R", ("kpi",)),
        ("WALL-M", ("map",)),
    ]
    assert default_preset([L], []) == WallPreset()
