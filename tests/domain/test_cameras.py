"""视频监控 rules: a stream address taken apart from its credentials and put back, hostile
addresses refused, the cameras near a place, tags and groups, and saved layouts that survive
damage."""

from __future__ import annotations

from typing import Any

import pytest

from console.domain import cameras as rules
from console.views.pages.video_layouts import GRIDS, VideoLayout, dump_layouts, saved_layouts


@pytest.mark.parametrize(
    ("url", "clean", "user", "password"),
    [
        (
            "rtsp://admin:12345@10.1.2.3:554/Streaming/Channels/101",
            "rtsp://10.1.2.3:554/Streaming/Channels/101",
            "admin",
            "12345",
        ),
        ("rtsp://u%40x:p%3Aw@cam/x?a=1", "rtsp://cam/x?a=1", "u@x", "p:w"),
        ("http://gw/live/1.flv", "http://gw/live/1.flv", "", ""),
        ("rtsp://[fe80::1]:8554/cam", "rtsp://[fe80::1]:8554/cam", "", ""),
        ("file:///srv/clip.mp4", "file:///srv/clip.mp4", "", ""),
    ],
)
def test_credentials_come_apart_and_back(url: str, clean: str, user: str, password: str) -> None:
    assert rules.split_credentials(url) == (clean, user, password)
    back = rules.with_credentials(clean, user, password)
    assert rules.split_credentials(back) == (clean, user, password)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "javascript:alert(1)",
        "rtsp://h/x y",
        "rtsp://h/\r\nX: 1",
        "ftp://h/x",
        "rtsp:///x",
        "rtsp://h/" + "x" * 1000,
    ],
)
def test_hostile_addresses_are_refused(url: str) -> None:
    with pytest.raises(rules.StreamAddressError):
        rules.split_credentials(url)


def test_nearby_orders_by_distance_then_the_township() -> None:
    cams: list[dict[str, Any]] = [
        {"id": "far", "name": "远", "lon": 119.5, "lat": 28.8, "township_id": "t2"},
        {"id": "near", "name": "近", "lon": 119.2701, "lat": 28.5901, "township_id": "t2"},
        {"id": "mid", "name": "中", "lon": 119.30, "lat": 28.60, "township_id": "t2"},
        {"id": "town", "name": "镇", "lon": None, "lat": None, "township_id": "t1"},
        {"id": "other", "name": "他", "lon": None, "lat": None, "township_id": "t3"},
    ]
    got = rules.nearby(cams, lon=119.27, lat=28.59, township_id="t1")
    assert [c["id"] for c in got] == ["near", "mid", "town"]
    assert got[0]["distance_km"] < 0.2 and got[2]["distance_km"] is None
    no_place = rules.nearby(cams, lon=None, lat=None, township_id="t2")
    assert {c["id"] for c in no_place} == {"far", "near", "mid"}  # the township's, by name


def test_names_and_filters() -> None:
    cam = {"groups": "防汛重点、河道，防汛重点; 城区", "department": "水利", "township_id": "t"}
    assert rules.names(cam["groups"]) == ["防汛重点", "河道", "城区"]
    assert rules.matches(cam, group="河道", department="水利", township_id="t")
    assert not rules.matches(cam, group="森林防火")
    assert not rules.matches(cam, department="林业")


@pytest.mark.parametrize(
    "text", ["", "not json", "[]", '{"grid": "99", "cells": 5}', '{"grid": 4, "cells": [1, null]}']
)
def test_a_damaged_layout_gives_the_default(text: str) -> None:
    layout = VideoLayout.from_json(text)
    assert layout.grid in GRIDS and len(layout.cells) == len(GRIDS[layout.grid][2])
    assert all(isinstance(c, str) for c in layout.cells)


def test_layouts_round_trip_and_custom_grids_cover_their_square() -> None:
    layout = VideoLayout("1+5", ["a", "", "b"])
    assert layout.cells == ["a", "", "b", "", "", ""]
    assert saved_layouts(dump_layouts({"值守": layout}))["值守"] == layout
    for _title, n, cells in GRIDS.values():
        covered = {(r + i, c + j) for r, c, rs, cs in cells for i in range(rs) for j in range(cs)}
        assert covered == {(r, c) for r in range(n) for c in range(n)}
        assert sum(rs * cs for _r, _c, rs, cs in cells) == n * n  # no overlap
