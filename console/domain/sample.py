"""The Suichang sample county (样例数据) as mutation calls, for the workstation and the server.

Ids are derived from natural keys, so loading it twice, on two workstations or on the server,
yields the same records instead of duplicates. Reading the file is the caller's business
(:mod:`console.resources`); this module only translates its content.
"""

from __future__ import annotations

from typing import Any

from console.domain.ids import reference_id
from console.domain.rows import MutationCall

SAMPLE_FILE: tuple[str, ...] = ("sample", "suichang_sample.json")  # under console.resources
SAMPLE_LABEL = "样例数据"


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
        rid = reference_id("risk_point", r["township"], r["type"], r["name"])
        calls.append(("risk_point.upsert", {"id": rid, **args, "is_sample": True}))
    for m in data["teams"]:
        args = _pick(m, "name", "kind", "members", "leader", "phone", "equipment", "lon", "lat")
        args["township_id"] = town(m.get("township"))
        calls.append(
            ("team.upsert", {"id": reference_id("team", m["name"]), **args, "is_sample": True})
        )
    for st in data["stations"]:
        args = _pick(
            st, "code", "name", "kind", "lon", "lat", "warning_level_m", "guarantee_level_m"
        )
        args["township_id"] = town(st.get("township"))
        calls.append(
            (
                "station.upsert",
                {"id": reference_id("station", st["code"]), **args, "is_sample": True},
            )
        )
    return calls
