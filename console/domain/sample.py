"""The Suichang sample county (样例数据) as mutation calls, for the workstation and the server.

Ids are derived from natural keys, so loading it twice, on two workstations or on the server,
yields the same records instead of duplicates. Reading the file is the caller's business
(:mod:`console.resources`); this module only translates its content.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from console.domain import beijing
from console.domain.catalog import ROLE_TARGETS
from console.domain.ids import reference_id
from console.domain.rows import MutationCall
from console.domain.sample_teams import team_calls

SAMPLE_FILE: tuple[str, ...] = ("sample", "suichang_sample.json")  # under console.resources
SAMPLE_LABEL = "样例数据"
SAMPLE_TAG = "〔样例〕"  # before the title of a sample record wherever it is listed


def sample_marked(args: Any) -> bool:
    """The mutation writes a sample record: its ``is_sample`` argument is true. The
    workstation keeps such mutations out of its pushes; a county's server refuses them."""
    return isinstance(args, dict) and bool(args.get("is_sample"))


def _pick(item: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: item[k] for k in keys if k in item and item[k] is not None}


def build_calls(data: dict[str, Any]) -> list[MutationCall]:
    """Translate the sample file into mutations (parents before children)."""
    if data.get("label") != SAMPLE_LABEL:
        raise ValueError("not a sample dataset: missing label 样例数据")
    calls: list[MutationCall] = []

    def town(name: str | None) -> str | None:
        return reference_id("township", name) if name else None

    def village(township: str | None, name: str | None) -> str | None:
        return reference_id("village", township, name) if township and name else None

    for t in data["townships"]:
        args = _pick(t, "name", "kind", "lon", "lat", "position_approximate")
        calls.append(("township.upsert", {"id": town(t["name"]), **args, "is_sample": True}))
    # Stations before the villages and risk points that may name theirs (0013).
    for st in data["stations"]:
        args = _pick(
            st,
            "code",
            "name",
            "kind",
            "lon",
            "lat",
            "warning_level_m",
            "guarantee_level_m",
            "flood_limit_level_m",
            "design_level_m",
            "check_level_m",
        )
        args["township_id"] = town(st.get("township"))
        calls.append(
            (
                "station.upsert",
                {"id": reference_id("station", st["code"]), **args, "is_sample": True},
            )
        )
    for v in data["villages"]:
        args = {"township_id": town(v["township"]), **_pick(v, "name", "lon", "lat")}
        calls.append(
            ("village.upsert", {"id": village(v["township"], v["name"]), **args, "is_sample": True})
        )
    shelter_ids: dict[str, str] = {}
    for s in data["shelters"]:
        sid = reference_id("shelter", s["township"], s["name"])
        shelter_ids[s["name"]] = sid
        args = _pick(s, "name", "kind", "capacity", "manager", "phone", "lon", "lat")
        args["township_id"] = town(s["township"])
        if s.get("village"):
            args["village_id"] = village(s["township"], s["village"])
        calls.append(("shelter.upsert", {"id": sid, **args, "is_sample": True}))
    for r in data["risk_points"]:
        args = _pick(
            r,
            "type",
            "name",
            "lon",
            "lat",
            "households",
            "persons",
            "responsible_person",
            "responsible_phone",
            "transfer_route",
            "note",
        )
        args["township_id"] = town(r["township"])
        if r.get("village"):
            args["village_id"] = village(r["township"], r["village"])
        if r.get("shelter"):
            args["shelter_id"] = shelter_ids[r["shelter"]]
        if r.get("station"):
            args["station_id"] = reference_id("station", r["station"])
        rid = reference_id("risk_point", r["township"], r["type"], r["name"])
        calls.append(("risk_point.upsert", {"id": rid, **args, "is_sample": True}))
    for m in data["teams"]:
        args = _pick(m, "name", "kind", "members", "leader", "phone", "equipment", "lon", "lat")
        args["township_id"] = town(m.get("township"))
        calls.append(
            ("team.upsert", {"id": reference_id("team", m["name"]), **args, "is_sample": True})
        )
    calls += _people_calls(data, town, village)
    calls += team_calls(data)
    for r in data.get("rain_thresholds", []):
        args = _pick(r, "level", "rain_1h_mm", "rain_3h_mm", "rain_6h_mm", "rain_24h_mm", "basis")
        calls.append(
            (
                "rain_threshold.upsert",
                {
                    "id": reference_id("rain_threshold", r["township"], r["village"], r["level"]),
                    "township_id": town(r["township"]),
                    "village_id": village(r["township"], r["village"]),
                    **args,
                    "is_sample": True,
                },
            )
        )
    for h in data.get("special_households", []):
        township, village_id = town(h["township"]), village(h["township"], h["village"])
        args = _pick(h, "head_name", "persons", "condition", "needs", "phone")
        # The registry's key (reference_tables): township + village + 户主, by name.
        record_id = reference_id("special_household", h["township"], h["village"], h["head_name"])
        calls.append(
            (
                "special_household.upsert",
                {
                    "id": record_id,
                    **args,
                    "township_id": township,
                    "village_id": village_id,
                    "helper_id": reference_id("person", h["helper"]),
                    "risk_point_id": reference_id("risk_point", *h["risk_point"]),
                    "is_sample": True,
                },
            )
        )
    calls += camera_calls(data)
    return calls


# 视频监控: sample cameras at the sample townships, all playing the bundled clip
# (services.cameras.SAMPLE_CLIP): (name suffix, department, protocol, groups, tags, offset).
_SAMPLE_CAMERAS: tuple[tuple[str, str, str, str, str, float], ...] = (
    ("集镇路口", "公安雪亮", "RTSP", "城镇路口、防汛重点", "路口", 0.002),
    ("河道水位", "水利", "HLS", "防汛重点、河道", "河道、水位尺", -0.004),
    ("护林监控", "林业", "HTTP-FLV", "森林防火", "护林点", 0.01),
)


def camera_calls(data: dict[str, Any]) -> list[MutationCall]:
    """The sample cameras: three at each of the first six placed townships, and a drone and
    a body camera at the first (generated here: the county file has no cameras)."""

    def town(name: str) -> str:
        return reference_id("township", name)

    calls: list[MutationCall] = []
    towns = [t for t in data["townships"] if t.get("lon") is not None][:6]
    for i, t in enumerate(towns):
        for suffix, department, protocol, groups, tags, offset in _SAMPLE_CAMERAS:
            name = f"{t['name']}{suffix}"
            calls.append(
                (
                    "camera.upsert",
                    {
                        "id": reference_id("camera", name),
                        "name": name,
                        "department": department,
                        "protocol": protocol,
                        "township_id": town(t["name"]),
                        "lon": round(t["lon"] + offset, 6),
                        "lat": round(t["lat"] - offset / 2, 6),
                        "groups": groups,
                        "tags": tags,
                        "note": "样例：播放内置演示视频",
                        "is_sample": True,
                    },
                )
            )
        if i == 0:  # one drone and one body camera, at the county seat
            for name, dept in (
                ("无人机巡查一号", "无人机"),
                ("执法记录仪一号", "执法记录仪/布控球"),
            ):
                calls.append(
                    (
                        "camera.upsert",
                        {
                            "id": reference_id("camera", name),
                            "name": name,
                            "department": dept,
                            "protocol": "RTSP",
                            "township_id": town(t["name"]),
                            "lon": t["lon"],
                            "lat": t["lat"],
                            "groups": "移动视频",
                            "tags": "单兵",
                            "note": "样例：播放内置演示视频",
                            "is_sample": True,
                        },
                    )
                )
    return calls


def _people_calls(
    data: dict[str, Any],
    town: Callable[[str | None], str | None],
    village: Callable[[str | None, str | None], str | None],
) -> list[MutationCall]:
    """Units, people and their roles. A unit is keyed by its name, a person by their mobile
    number (unique in the sample), a role by person, role and object (ids)."""
    calls: list[MutationCall] = []
    for u in data.get("units", []):
        args = _pick(u, "name", "kind", "phone", "note")
        args["township_id"] = town(u.get("township"))
        args["village_id"] = village(u.get("township"), u.get("village"))
        calls.append(
            ("unit.upsert", {"id": reference_id("unit", u["name"]), **args, "is_sample": True})
        )
    for p in data.get("people", []):
        args = _pick(
            p, "name", "post", "mobile", "landline", "zzd_id", "expert_field", "expert_title"
        )
        args["unit_id"] = reference_id("unit", p["unit"])
        calls.append(
            (
                "person.upsert",
                {"id": reference_id("person", p["mobile"]), **args, "is_sample": True},
            )
        )
    for r in data.get("person_roles", []):
        # A village is named by its township and name; only the object itself is stored.
        target: dict[str, str | None] = {}
        if r.get("village"):
            target["village_id"] = village(r["township"], r["village"])
        elif r.get("township"):
            target["township_id"] = town(r["township"])
        if r.get("risk_point"):
            target["risk_point_id"] = reference_id("risk_point", *r["risk_point"])
        if r.get("shelter"):
            target["shelter_id"] = reference_id("shelter", *r["shelter"])
        if r.get("station"):
            target["station_id"] = reference_id("station", r["station"])
        # The registry's key (reference_tables): person, role and every object column by
        # id, "" where empty, so an imported or typed role is this record.
        person = reference_id("person", r["person"])
        key = [target.get(t) or "" for t in ROLE_TARGETS]
        calls.append(
            (
                "person_role.upsert",
                {
                    "id": reference_id("person_role", person, r["role"], *key),
                    "person_id": person,
                    "role": r["role"],
                    **target,
                    **_pick(r, "valid_from", "valid_to", "note"),
                    "is_sample": True,
                },
            )
        )
    return calls


SAMPLE_INCIDENTS_FILE: tuple[str, ...] = ("sample", "suichang_sample_incidents.json")
SAMPLE_RECORDER = "样例值班员"
_CASUALTY_KEYS = (
    "dead",
    "missing",
    "injured",
    "seriously_injured",
    "trapped",
    "affected",
    "evacuated",
    "economic_loss",
    "area_burned",
)


def build_incident_calls(
    data: dict[str, Any], county: dict[str, Any], now: datetime
) -> list[MutationCall]:
    """The sample incidents as mutation calls, their times counted back from ``now`` (so a
    newcomer's list shows live countdowns, overdue reports and finished ones); nothing is
    dated after ``now``. ``county`` is the sample county (for the villages' positions)."""
    if data.get("label") != SAMPLE_LABEL:
        raise ValueError("not a sample dataset: missing label 样例数据")
    positions = {
        (v["township"], v["name"]): (v.get("lon"), v.get("lat")) for v in county["villages"]
    }
    start = now.replace(second=0, microsecond=0)
    calls: list[MutationCall] = []
    for item in data["incidents"]:
        key = item["key"]
        received = start - timedelta(hours=float(item["ago_hours"]))
        received = received.replace(second=0, microsecond=0)
        incident_id = reference_id("sample_incident", key)
        serial = iter(range(1, 1000))

        def at(minutes: float, received: datetime = received) -> str | None:
            moment = received + timedelta(minutes=minutes)
            return beijing.canonical(moment) if moment <= start else None

        town, name = item["township"], item.get("village") or ""
        lon, lat = positions.get((town, name), (None, None))
        args: dict[str, Any] = {
            "id": incident_id,
            "received_at": beijing.canonical(received),
            "category": item["category"],
            "subtype": item.get("subtype") or "",
            "sub_hazard": item.get("sub_hazard") or "",
            "grade": item.get("grade"),
            "title": item["title"],
            "description": item.get("description") or "",
            "township_id": reference_id("township", town),
            "village_id": reference_id("village", town, name) if name else None,
            "address": item.get("address") or "",
            "lon": lon,
            "lat": lat,
            "caller_name": item.get("caller_name") or "",
            "caller_unit": item.get("caller_unit") or "",
            "caller_phone": item.get("caller_phone") or "",
            "recorder": SAMPLE_RECORDER,
            "is_sample": True,
            **{k: v for k, v in item.get("casualties", {}).items() if k in _CASUALTY_KEYS},
        }
        calls.append(("incident.create", args))
        log: list[tuple[float, MutationCall]] = [
            (
                0,
                (
                    "timeline.append",
                    {
                        "id": reference_id("sample_timeline", key, str(next(serial))),
                        "incident_id": incident_id,
                        "kind": "来电",
                        "body": f"{args['caller_unit']} {args['caller_name']}来电："
                        + args["description"],
                        "at": args["received_at"],
                    },
                ),
            )
        ]
        for action in item.get("actions", []):
            log.append(
                (
                    float(action["after_minutes"]),
                    (
                        "timeline.append",
                        {
                            "id": reference_id("sample_timeline", key, str(next(serial))),
                            "incident_id": incident_id,
                            "kind": action["kind"],
                            "body": action["body"],
                            "at": at(float(action["after_minutes"])),
                        },
                    ),
                )
            )
        for n, report in enumerate(item.get("reports", []), 1):
            minutes = float(report["after_minutes"])
            log.append(
                (
                    minutes,
                    (
                        "report.record_sent",
                        {
                            "id": reference_id("sample_report", key, str(n)),
                            "incident_id": incident_id,
                            "stage": report["stage"],
                            "channel": report["channel"],
                            "sent_at": at(minutes),
                            "recipient": "丽水市应急管理局值班室（样例）",
                            "body": f"{report['stage']}（样例报告）：{args['title']}",
                            "timeline_id": reference_id("sample_timeline", key, f"r{n}"),
                        },
                    ),
                )
            )
        steps = {
            "核实": ["核实"],
            "处置中": ["核实", "处置中"],
            "已结案": ["核实", "处置中", "已结案"],
        }
        for status in steps.get(item["status"], []):
            minutes = {"核实": 15.0, "处置中": 35.0}.get(
                status, float(item.get("closed_after_hours") or 1) * 60
            )
            log.append(
                (
                    minutes,
                    (
                        "incident.set_status",
                        {
                            "id": incident_id,
                            "status": status,
                            "reason": "",
                            "timeline_id": reference_id("sample_timeline", key, f"s-{status}"),
                            "at": at(minutes),
                        },
                    ),
                )
            )
        # In time order, and nothing after now: a status not reached yet stays ahead.
        for _minutes, (name_, call_args) in sorted(log, key=lambda p: p[0]):
            if (call_args.get("at") or call_args.get("sent_at")) is None:
                break  # this and what follows lie ahead
            calls.append((name_, call_args))
    return calls


PUBLIC_CASES_FILE: tuple[str, ...] = ("sample", "public_cases.json")
PUBLIC_CASES_LABEL = "公开案例"
_CASE_KEYS = (
    "title",
    "occurred_on",
    "hazard",
    "place",
    "rain_pattern",
    "rain_24h_mm",
    "rain_summary",
    "course",
    "response",
    "dead",
    "missing",
    "injured",
    "evacuated",
    "economic_loss",
    "losses",
    "what_worked",
    "lessons",
    "source",
)


def build_case_calls(
    data: dict[str, Any], township_ids: Mapping[str, str] | None = None
) -> list[MutationCall]:
    """The bundled real public cases (案例一个库), published, with their sources. Ids from
    (title, day): loading twice converges.

    Without ``township_ids`` they come with the sample county: marked as sample records
    (they name its townships by the sample's ids), so they stay on the workstation. With
    it (乡镇名称 -> the county's own township id) they are the county's records like any
    other and sync: real cases, each field only what the cited reports state."""
    if data.get("label") != PUBLIC_CASES_LABEL:
        raise ValueError("not the public cases file: missing label 公开案例")
    sample = township_ids is None
    calls: list[MutationCall] = []
    for c in data["cases"]:
        args = _pick(c, *_CASE_KEYS)
        if not str(c.get("source", "")).strip():
            raise ValueError(f"public case without a source: {c.get('title')}")
        township = c.get("township")
        if township_ids is None:
            args["township_id"] = reference_id("township", township) if township else None
        else:
            args["township_id"] = township_ids.get(township) if township else None
        case_id = reference_id("case", c["title"], c.get("occurred_on") or "")
        calls.append(
            ("case.create", {"id": case_id, **args, "published": True, "is_sample": sample})
        )
    return calls
