"""Sub-hazards (亚灾种) through the incident services on a real store: the call record takes
one, its title and reports name the event by it (滑坡 rather than 地质灾害), search finds it,
and ``duty-console incident new --json`` accepts it with the same messages as the form.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from console.domain import beijing
from console.services.context import Workstation, open_workstation
from console.services.incident_list import (
    IncidentFilter,
    fetch_incident,
    fetch_rows,
    query_rowids,
)
from console.services.incidents import IncidentService
from console.services.intake import FORM_FIELDS, FormErrors, classification, event_name
from console.services.report_text import compose
from testkit.server import run_python

NOW = datetime(2026, 11, 28, 14, 0, tzinfo=beijing.BEIJING)
CALL = {
    "received_at": "2026-11-28 13:50",
    "caller_name": "王某某",
    "township": "北界镇",
    "village": "苏村",
    "category": "自然灾害",
    "subtype": "地质",
    "sub_hazard": "滑坡",
    "grade": "较大",
    "description": "后山山体垮塌，有群众被困",
    "trapped": "3",
}


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workstation]:
    workstation = open_workstation(tmp_path / "ws", sample_incidents=False)
    yield workstation
    workstation.close()


@pytest.mark.parametrize(
    ("category", "subtype", "sub_hazard", "name"),
    [
        ("自然灾害", "地质", "滑坡", "滑坡"),
        ("自然灾害", "地质", "地面塌陷", "地面塌陷"),
        ("自然灾害", "地质", "其他", "地质灾害"),
        ("自然灾害", "地质", "", "地质灾害"),
        ("自然灾害", "水旱", "洪涝", "洪涝灾害"),
        ("自然灾害", "气象", "台风", "台风灾害"),
        ("自然灾害", "气象", "低温冷冻", "低温冷冻灾害"),
        ("自然灾害", "气象", "雪灾", "雪灾"),
        ("自然灾害", "气象", "其他", "气象灾害"),
        ("自然灾害", "其他", "", "其他自然灾害"),
        ("事故灾难", "其他", "", "其他事故灾难"),
        ("社会安全事件", "其他", "", "其他社会安全事件"),
    ],
)
def test_the_event_is_named_by_its_sub_hazard(
    category: str, subtype: str, sub_hazard: str, name: str
) -> None:
    assert event_name(category, subtype, sub_hazard) == name


def test_the_form_field_is_declared_once() -> None:
    assert FORM_FIELDS["sub_hazard"].label == "亚灾种"
    assert classification({"category": "自然灾害", "subtype": "气象", "sub_hazard": "暴雨"}) == (
        "自然灾害／气象／暴雨"
    )
    assert classification({"category": "事故灾难", "subtype": "", "sub_hazard": ""}) == "事故灾难"


def test_a_call_with_a_sub_hazard_is_stored_titled_and_found(ws: Workstation) -> None:
    svc = IncidentService(ws.writer)
    incident_id = svc.take_call(CALL, user="张三", now=NOW)
    row = fetch_incident(ws.store, incident_id)
    assert row is not None
    assert (row["subtype"], row["sub_hazard"]) == ("地质", "滑坡")
    assert row["title"] == "北界镇苏村滑坡"

    # A title typed by hand that does not say it: the sub-hazard is still searchable.
    typed = svc.take_call(
        {**CALL, "title": "湖山乡石门村险情", "sub_hazard": "崩塌", "description": ""},
        user="张三",
        now=NOW,
    )
    plain = svc.take_call({**CALL, "sub_hazard": "", "description": ""}, user="张三", now=NOW)
    assert (fetch_incident(ws.store, plain) or {}).get("title") == "北界镇苏村地质灾害"

    def ids(query: str) -> set[str]:
        rowids = query_rowids(ws.store, IncidentFilter(text=query))
        return {r["id"] for r in fetch_rows(ws.store, rowids).values()}

    assert ids("崩塌") == {typed}
    assert ids("滑坡") == {incident_id}

    svc.update(typed, {"sub_hazard": "泥石流"}, {"sub_hazard": "崩塌"}, user="张三")
    assert ids("崩塌") == set() and ids("泥石流") == {typed}


def test_a_wrong_pair_is_refused_next_to_the_field_and_nothing_written(ws: Workstation) -> None:
    before = ws.queries.sync_counters().next_mutation_id
    svc = IncidentService(ws.writer)
    with pytest.raises(FormErrors) as info:
        svc.take_call({**CALL, "sub_hazard": "干旱"}, user="张三", now=NOW)
    assert info.value.errors == {
        "sub_hazard": "“地质”下没有亚灾种“干旱”（可选：滑坡、崩塌、泥石流、地面塌陷、其他）"
    }
    with pytest.raises(FormErrors) as info:
        svc.take_call({**CALL, "subtype": "森林火灾"}, user="张三", now=NOW)
    assert info.value.errors == {"sub_hazard": "“森林火灾”不分亚灾种，请不要填写亚灾种"}
    assert ws.queries.sync_counters().next_mutation_id == before


def _first_report(ws: Workstation, call: dict[str, Any]) -> str:
    incident_id = IncidentService(ws.writer).take_call(call, user="张三", now=NOW)
    incident = fetch_incident(ws.store, incident_id)
    assert incident is not None
    return compose("首报", incident, [], [], {}, now=NOW).body


def test_reports_name_the_sub_hazard_and_ask_for_it_while_unknown(ws: Workstation) -> None:
    body = _first_report(ws, CALL)
    assert "13:50，遂昌县（具体地点待核实）发生滑坡。" in body  # no place names given here
    assert "事件类别：自然灾害（地质／滑坡）；初判等级：较大。" in body

    unknown = _first_report(ws, {**CALL, "sub_hazard": ""})
    assert "发生地质灾害。" in unknown
    assert "事件类别：自然灾害（地质／亚灾种待核实）" in unknown

    fire = _first_report(ws, {**CALL, "subtype": "森林火灾", "sub_hazard": ""})
    assert "事件类别：自然灾害（森林火灾）；" in fire

    typhoon = _first_report(ws, {**CALL, "subtype": "气象", "sub_hazard": "台风"})
    assert "发生台风灾害。" in typhoon


def test_cli_incident_new_takes_a_sub_hazard(tmp_path: Path) -> None:
    data = str(tmp_path / "cli")

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return run_python("-m", "console", "incident", *args, "--data-dir", data, stdin=stdin)

    call = {**CALL, "received_at": "2026-11-28 09:00", "subtype": "水旱", "sub_hazard": "洪涝"}
    ok = run("new", "--json", "-", stdin=json.dumps(call, ensure_ascii=False))
    assert ok.returncode == 0, ok.stderr
    created = json.loads(ok.stdout)["id"]
    bad = run("new", "--json", "-", stdin=json.dumps({**call, "sub_hazard": "滑坡"}))
    assert bad.returncode == 2
    assert (
        "sub_hazard（亚灾种）：“水旱”下没有亚灾种“滑坡”" in bad.stderr
        and "未写入任何数据" in bad.stderr
    )
    listed = run("list", "--json", "--search", "洪涝")
    assert listed.returncode == 0, listed.stderr
    # a first standalone run loads the sample county and its incidents: the officer's own
    rows = [r for r in json.loads(listed.stdout) if not r["is_sample"]]
    assert [(r["id"], r["sub_hazard"], r["title"]) for r in rows] == [
        (created, "洪涝", "北界镇苏村洪涝灾害")
    ]
