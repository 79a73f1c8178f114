"""通讯录 service over the sample county: search by pinyin, unit, role and place; who is
responsible for a place; a call logged onto an incident's timeline; the index is rebuilt
when the people change, not on every search."""

from __future__ import annotations

from datetime import datetime

import pytest
from pypinyin import Style, lazy_pinyin, pinyin
from sqlalchemy import select

from console.domain import beijing, catalog
from console.domain.ids import new_id
from console.domain.schema import Person, PersonRole, Township, Village
from console.services.contacts import ContactsService
from console.services.context import Workstation
from console.services.incident_source import IncidentSource
from console.services.incidents import IncidentService


def _service(workstation: Workstation) -> ContactsService:
    return ContactsService(workstation.store, IncidentService(workstation.writer))


def _village(workstation: Workstation, name: str) -> tuple[str, str]:
    """(village id, its township id)."""
    with workstation.store.engine.connect() as conn:
        row = conn.execute(
            select(Village.id, Village.township_id).where(Village.name == name)
        ).one()
    return row[0], row[1]


def _add_person(workstation: Workstation, name: str, mobile: str) -> None:
    person = {"id": new_id(), "name": name, "mobile": mobile}
    workstation.writer.apply([("person.upsert", person)], user="测试")


def test_pinyin_initials_and_full_pinyin_find_a_sample_person(workstation: Workstation) -> None:
    service = _service(workstation)
    person = next(c for c in service.search("") if c.roles and c.unit)
    initials = "".join(lazy_pinyin(person.name, style=Style.FIRST_LETTER))
    full = "".join(lazy_pinyin(person.name))
    by_initials = service.search(initials)
    assert person in by_initials
    assert all(initials in c.haystack for c in by_initials)
    assert by_initials[0].initials[0].startswith(initials) or by_initials[0].name.startswith(
        initials
    )
    assert person in service.search(full.upper())  # case does not matter
    # Initials narrow together with a second token (the unit).
    narrowed = service.search(f"{initials} {person.unit}")
    assert person in narrowed and all(
        c.unit == person.unit or person.unit in c.haystack for c in narrowed
    )
    assert service.search("zzzzqqqq") == []


def test_pinyin_of_a_new_person_without_reload(workstation: Workstation) -> None:
    service = _service(workstation)
    assert service.search("zwq") == []  # no sample person has these initials
    _add_person(workstation, "张伟强", "13900001234")
    found = service.search("zwq")
    assert [c.name for c in found] == ["张伟强"]
    assert [c.name for c in service.search("zhangweiqiang")] == ["张伟强"]
    assert found[0].mobile == "13900001234"


def test_the_index_is_reused_until_the_people_change(workstation: Workstation) -> None:
    service = _service(workstation)
    first = service.index()
    assert service.index() is first
    _add_person(workstation, "王测试", "")
    assert service.index() is not first


def test_search_by_unit_role_and_place(workstation: Workstation) -> None:
    service = _service(workstation)
    everyone = service.search("", limit=10_000)
    unit = next(c.unit for c in everyone if c.unit.endswith("村"))
    assert {c.unit for c in service.search(unit)} >= {unit}
    assert all(unit in c.haystack for c in service.search(unit))

    leaders = service.search("县领导包乡", limit=10_000)
    assert leaders and all(any(r.role == "县领导包乡" for r in c.roles) for c in leaders)

    village_id, _ = _village(workstation, "竹坪村")
    at_village = service.search("竹坪村", limit=10_000)
    assert at_village
    assert all(
        "竹坪村" in c.unit or any(r.place_id == village_id for r in c.roles) for c in at_village
    )
    group = {r.role for c in at_village for r in c.roles if r.place_id == village_id}
    assert set(catalog.VILLAGE_WORK_GROUP) <= group


def test_who_is_responsible_for_a_village(workstation: Workstation) -> None:
    service = _service(workstation)
    village_id, township_id = _village(workstation, "竹坪村")
    answer = service.responsible("village", village_id)
    roles = [r.role for r in answer]
    # The township's leaders first, then the village's five work-group roles.
    assert roles[:2] == ["县领导包乡", "乡镇第一责任人"]
    assert set(catalog.VILLAGE_WORK_GROUP) | {"村级灾害信息员"} <= set(roles[2:])
    assert len([r for r in roles if r in catalog.VILLAGE_WORK_GROUP]) == 4
    assert all(r.contact.mobile for r in answer)
    # Role importance: never a less important role before a more important one.
    ranks = [catalog.PERSON_ROLES.index(r) for r in roles]
    assert ranks == sorted(ranks)
    with workstation.store.engine.connect() as conn:
        township = conn.execute(select(Township.name).where(Township.id == township_id)).one()[0]
    assert answer[0].place == township and answer[2].place == f"{township}竹坪村"


def test_who_is_responsible_for_a_township_and_a_risk_point(workstation: Workstation) -> None:
    service = _service(workstation)
    index = service.index()
    township_id = next(i for i, n, _t in index.places["township"] if n == "金竹镇")
    roles = [r.role for r in service.responsible("township", township_id)]
    assert roles[:2] == ["县领导包乡", "乡镇第一责任人"]
    assert not set(roles) & set(catalog.VILLAGE_WORK_GROUP)  # its villages' groups are theirs
    for kind in ("risk_point", "shelter", "station"):
        place_id = index.places[kind][0][0]
        answer = service.responsible(kind, place_id)
        assert answer, kind
        assert all(catalog.ROLE_OBJECTS[r.role] and r.contact.name for r in answer)


def test_an_ended_role_is_not_responsible(workstation: Workstation) -> None:
    service = _service(workstation)
    village_id, _ = _village(workstation, "竹坪村")
    assert service.responsible("village", village_id)
    with workstation.store.engine.connect() as conn:
        roles = [dict(r) for r in conn.execute(select(PersonRole.__table__)).mappings()]
    workstation.writer.apply(  # every role ended in 2000
        [
            ("person_role.upsert", {**_stated(r), "valid_from": None, "valid_to": "2000-01-01"})
            for r in roles
        ],
        user="测试",
    )
    assert service.responsible("village", village_id) == []


def _stated(row: dict[str, object]) -> dict[str, object]:
    system = {"version", "updated_at", "updated_by", "deleted"}
    return {k: v for k, v in row.items() if k not in system}


def test_a_call_lands_on_the_incident_timeline(workstation: Workstation) -> None:
    incidents = IncidentService(workstation.writer)
    service = ContactsService(workstation.store, incidents)
    incident_id = incidents.take_call(
        {
            "category": "自然灾害",
            "subtype": "水旱",
            "township": "金竹镇",
            "caller_name": "村民",
        },
        user="测试",
    )
    assert incident_id in [i["id"] for i in service.open_incidents()]
    village_id, _ = _village(workstation, "竹坪村")
    person = service.responsible("village", village_id)[0].contact
    at = datetime(2026, 11, 30, 9, 15, tzinfo=beijing.now().tzinfo)
    service.log_call(incident_id, person, person.mobile, "占线", user="测试", at=at)
    entries = [
        e
        for e in IncidentSource(workstation.store).timeline(incident_id)
        if e["kind"] == catalog.CALL_KIND
    ]
    assert len(entries) == 1
    assert person.name in entries[0]["body"] and person.mobile in entries[0]["body"]
    assert "占线" in entries[0]["body"]
    assert entries[0]["at"].startswith("2026-11-30")
    with pytest.raises(ValueError):
        service.log_call(incident_id, person, person.mobile, "挂了", user="测试")
    with workstation.store.engine.connect() as conn:
        assert conn.execute(select(Person.id)).first() is not None


def test_a_polyphonic_surname_is_found_by_every_reading(workstation: Workstation) -> None:
    service = _service(workstation)
    _add_person(workstation, "曾广", "13900005678")
    # pypinyin's usual reading of 曾 is ceng; as a surname it is zeng. Both find the person.
    usual = "".join(lazy_pinyin("曾广", style=Style.FIRST_LETTER))
    readings = {r for c in pinyin("曾", style=Style.FIRST_LETTER, heteronym=True) for r in c}
    assert len(readings) > 1
    for first in readings:
        assert "曾广" in [c.name for c in service.search(first + "g")], first
    assert "曾广" in [c.name for c in service.search("zengguang")]
    found = next(c for c in service.search("曾广"))
    assert found.initials[0] == usual  # the usual reading first
