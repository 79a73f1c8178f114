"""识别一张图's data: every place the map draws, as plain features, read in one go.

Qt-free. :meth:`MapDataService.snapshot` reads the reference tables and the open incidents
into a :class:`MapSnapshot` (features per layer, searchable by name or pinyin initials,
nearest-place look-up for the call form's picker); :mod:`console.services.map_card` turns a
feature into the card the map shows when it is clicked.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, select

from console.domain import catalog
from console.domain.areas import Polygon, polygons
from console.domain.schema import (
    Camera,
    Incident,
    RiskPoint,
    Shelter,
    Station,
    SyncedRecord,
    Team,
    Township,
    Village,
)
from console.services.contacts import pinyin_keys
from console.store.database import Store

# Layer keys, in legend order. A risk point's layer is RISK_LAYER_PREFIX + its type.
RISK_LAYER_PREFIX = "risk:"
VILLAGES = "villages"
SHELTERS = "shelters"
TEAMS = "teams"
STATIONS = "stations"
INCIDENTS = "incidents"
CAMERAS = "cameras"  # located 视频监控 cameras; a card's 加入视频画面 plays one
TOWNSHIP_NAMES = "townships"

LAYER_LABELS: dict[str, str] = {
    **{RISK_LAYER_PREFIX + kind: kind for kind in catalog.RISK_POINT_TYPES},
    VILLAGES: "村（社区）",
    SHELTERS: "避灾安置场所",
    TEAMS: "救援队伍",
    STATIONS: "水文雨量站",
    INCIDENTS: "未结案事件",
    CAMERAS: "视频监控",
    TOWNSHIP_NAMES: "乡镇名称",
}
KIND_LABELS: dict[str, str] = {
    "township": "乡镇（街道）",
    "village": "村（社区）",
    "risk_point": "风险点",
    "shelter": "避灾安置场所",
    "team": "救援队伍",
    "station": "站点",
    "incident": "事件",
    "camera": "视频监控",
}
# What a search looks in, best kind first when two names tie.
SEARCH_KINDS: tuple[str, ...] = ("township", "village", "risk_point", "shelter", "station")
SEARCH_LIMIT = 20
CLOSED = catalog.INCIDENT_STATUSES[-1]
# The tables the snapshot is read from: a change to any of them reads it again.
TABLES: tuple[str, ...] = (
    "townships",
    "villages",
    "risk_points",
    "shelters",
    "teams",
    "stations",
    "incidents",
    "person_roles",
    "people",
    "cameras",
)


def risk_layer(kind: str) -> str:
    return RISK_LAYER_PREFIX + (kind or catalog.OTHER)


@dataclass(frozen=True)
class MapFeature:
    """One point on the map."""

    kind: str  # a KIND_LABELS key
    id: str
    name: str
    layer: str  # a LAYER_LABELS key (or risk_layer of an unknown type)
    lon: float
    lat: float
    township_id: str = ""
    township: str = ""  # names, for tips and the card
    village: str = ""
    subtype: str = ""  # risk type, station kind, team kind, incident category
    persons: int | None = None
    households: int | None = None
    status: str = ""  # a team's: 待命 / 出动 / 休整 / 不可用 (the layer is coloured by it)

    @property
    def key(self) -> tuple[str, str]:
        return self.kind, self.id

    @property
    def where(self) -> str:
        return "".join(p for p in (self.township, self.village) if p)

    def tip(self) -> str:
        """The hover tip: name, type, township/village, persons at risk."""
        lines = [self.name, self.subtype or KIND_LABELS.get(self.kind, "")]
        if self.status:
            lines.append(f"状态：{self.status}")
        if self.where and self.kind != "township":
            lines.append(self.where)
        if self.persons:
            people = f"影响 {self.persons} 人"
            if self.households:
                people += f"（{self.households} 户）"
            lines.append(people)
        return "\n".join(line for line in lines if line)


@dataclass(frozen=True)
class MapArea:
    """A stored area (范围) of a township, village or risk point: outlined under the points
    of its layer (the layer's toggle hides both)."""

    kind: str
    id: str
    layer: str  # the layer key of the place's points
    polygons: list[Polygon]


@dataclass
class MapSnapshot:
    """What the map draws at one moment; the source rows stay beside the features."""

    features: list[MapFeature]
    records: dict[tuple[str, str], dict[str, Any]]
    sample: bool = False
    areas: list[MapArea] = field(default_factory=list)
    _haystacks: list[tuple[MapFeature, str, tuple[str, ...]]] | None = field(
        default=None, repr=False
    )

    def layer(self, key: str) -> list[MapFeature]:
        return [f for f in self.features if f.layer == key]

    def layers(self) -> list[str]:
        return list(dict.fromkeys(f.layer for f in self.features))

    def feature(self, kind: str, place_id: str) -> MapFeature | None:
        return next((f for f in self.features if f.kind == kind and f.id == place_id), None)

    def record(self, kind: str, place_id: str) -> dict[str, Any]:
        return self.records.get((kind, place_id), {})

    def search_index(self) -> list[tuple[MapFeature, str, tuple[str, ...]]]:
        """(feature, lower-case name, pinyin readings) of every searchable place; built once
        (the service builds it on the task runner, not on a keystroke)."""
        if self._haystacks is None:
            self._haystacks = []
            for f in self.features:
                if f.kind in SEARCH_KINDS:
                    initials, full = pinyin_keys(f.name)
                    self._haystacks.append((f, f.name.lower(), initials + full))
        return self._haystacks

    def search(self, text: str, limit: int = SEARCH_LIMIT) -> list[MapFeature]:
        """Places whose name contains ``text`` or whose pinyin initials (or full pinyin)
        begin with it: names that begin with it first, townships before villages before
        risk points, shelters and stations."""
        needle = text.strip().lower()
        if not needle:
            return []
        hits: list[tuple[int, int, str, MapFeature]] = []
        for f, name, readings in self.search_index():
            if name.startswith(needle) or any(r.startswith(needle) for r in readings):
                rank = 0
            elif needle in name:
                rank = 1
            else:
                continue
            hits.append((rank, SEARCH_KINDS.index(f.kind), f.name, f))
        hits.sort(key=lambda h: h[:3])
        return [h[3] for h in hits[:limit]]

    def nearest(
        self, lon: float, lat: float, kinds: Iterable[str] = ("village",)
    ) -> MapFeature | None:
        """The nearest feature of one of ``kinds`` (equirectangular distance: county scale)."""
        wanted = set(kinds)
        k = math.cos(math.radians(lat))
        best: tuple[float, MapFeature] | None = None
        for f in self.features:
            if f.kind in wanted:
                d = ((f.lon - lon) * k) ** 2 + (f.lat - lat) ** 2
                if best is None or d < best[0]:
                    best = (d, f)
        return best[1] if best else None


def table_of(model: type[SyncedRecord]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def live_rows(conn: Any, model: type[SyncedRecord], *where: Any) -> list[dict[str, Any]]:
    """The live (not deleted) rows of ``model`` matching ``where``, as plain dicts."""
    t = table_of(model)
    stmt = select(t).where(t.c.deleted.is_(False), *where)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def _count(value: Any) -> int | None:
    return int(value) if value else None


class MapDataService:
    def __init__(self, store: Store) -> None:
        self._store = store

    @property
    def store(self) -> Store:
        return self._store

    def snapshot(self) -> MapSnapshot:
        """Every located place and open incident, with the names of its township/village."""
        with self._store.engine.connect() as conn:
            townships = live_rows(conn, Township)
            villages = live_rows(conn, Village)
            rows: dict[str, list[dict[str, Any]]] = {
                "risk_point": live_rows(conn, RiskPoint),
                "shelter": live_rows(conn, Shelter),
                "team": live_rows(conn, Team),
                "station": live_rows(conn, Station),
                "incident": live_rows(conn, Incident, table_of(Incident).c.status != CLOSED),
                "camera": live_rows(conn, Camera),
            }
        town_names = {t["id"]: t["name"] for t in townships}
        village_rows = {v["id"]: v for v in villages}
        features: list[MapFeature] = []
        records: dict[tuple[str, str], dict[str, Any]] = {}

        areas: list[MapArea] = []

        def add(kind: str, row: dict[str, Any], layer: str, subtype: str, **extra: Any) -> None:
            records[(kind, row["id"])] = row
            shapes = polygons(row.get("area"))
            if shapes:
                areas.append(MapArea(kind, row["id"], layer, shapes))
            if row.get("lon") is None or row.get("lat") is None:
                return
            village = village_rows.get(row.get("village_id") or "")
            township_id = row.get("township_id") or (village or {}).get("township_id") or ""
            features.append(
                MapFeature(
                    kind=kind,
                    id=row["id"],
                    name=str(row.get("name") or row.get("title") or ""),
                    layer=layer,
                    lon=float(row["lon"]),
                    lat=float(row["lat"]),
                    township_id=township_id,
                    township=town_names.get(township_id, ""),
                    village=str((village or {}).get("name") or ""),
                    subtype=subtype,
                    **extra,
                )
            )

        for t in townships:
            add("township", {**t, "township_id": t["id"]}, TOWNSHIP_NAMES, t.get("kind") or "")
        for v in villages:
            add(
                "village",
                {**v, "village_id": v["id"]},
                VILLAGES,
                "村（社区）",
                persons=_count(v.get("population")),
                households=_count(v.get("households")),
            )
        for r in rows["risk_point"]:
            add(
                "risk_point",
                r,
                risk_layer(r.get("type") or ""),
                r.get("type") or "",
                persons=_count(r.get("persons")),
                households=_count(r.get("households")),
            )
        for r in rows["shelter"]:
            add("shelter", r, SHELTERS, r.get("kind") or "避灾安置场所")
        for r in rows["team"]:
            add("team", r, TEAMS, r.get("kind") or "救援队伍", status=r.get("status") or "待命")
        for r in rows["station"]:
            add("station", r, STATIONS, r.get("kind") or "站点")
        for r in rows["incident"]:
            add("incident", r, INCIDENTS, f"{r.get('category') or '事件'} · {r.get('status')}")
        for r in rows["camera"]:
            add("camera", r, CAMERAS, f"{r.get('department') or ''}摄像机")
        sample = any(t.get("is_sample") for t in townships)
        snapshot = MapSnapshot(features, records, sample, areas)
        snapshot.search_index()  # every name's pinyin, here rather than on the first keystroke
        return snapshot
