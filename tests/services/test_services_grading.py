"""A later change of casualties or losses that crosses a threshold of the grading table above
the incident's grade adds a 备注 line to its timeline, in the same write (no line when nothing
is crossed)."""

from __future__ import annotations

from console.services.context import Workstation
from console.services.incident_list import fetch_incident
from console.services.incident_source import IncidentSource
from console.services.incidents import IncidentService


def _notes(workstation: Workstation, incident_id: str) -> list[str]:
    timeline = IncidentSource(workstation.store).timeline(incident_id)
    return [e["body"] for e in timeline if e["kind"] == "备注"]


def _take(service: IncidentService, **form: str) -> str:
    return service.take_call({"caller_name": "安全员", **form}, user="测试")


def test_crossing_a_threshold_is_logged_once(workstation: Workstation) -> None:
    service = IncidentService(workstation.writer)
    incident_id = _take(
        service, category="事故灾难", subtype="企业安全事故", grade="较大", dead="3"
    )

    def update(**fields: object) -> None:
        current = fetch_incident(workstation.store, incident_id)
        assert current is not None
        service.update(incident_id, fields, current, user="测试")

    update(dead=9)  # still 较大: nothing crossed
    assert _notes(workstation, incident_id) == []
    update(dead=12)
    [note] = _notes(workstation, incident_id)
    assert note.startswith("伤亡或损失变化：按定级标准应定为“重大”（死亡 12 人（≥ 10 人 为重大）")
    assert "国务院令493号" in note
    update(dead=13)  # already past that threshold: no second line
    update(teams_assigned="县消防救援大队")
    assert len(_notes(workstation, incident_id)) == 1
    update(economic_loss=12_000.0)  # 特别重大 by direct loss
    assert "应定为“特别重大”" in _notes(workstation, incident_id)[-1]
    stored = fetch_incident(workstation.store, incident_id)
    assert stored is not None and stored["grade"] == "较大"  # the officer grades, not the log


def test_no_line_without_rows_or_below_the_chosen_grade(workstation: Workstation) -> None:
    service = IncidentService(workstation.writer)
    landslide = _take(service, category="自然灾害", subtype="地质", grade="一般")
    fire = _take(service, category="自然灾害", subtype="森林火灾", grade="重大")
    for incident_id, fields in ((landslide, {"dead": 27}), (fire, {"area_burned": 150.0})):
        current = fetch_incident(workstation.store, incident_id)
        assert current is not None
        service.update(incident_id, fields, current, user="测试")
        assert _notes(workstation, incident_id) == []
