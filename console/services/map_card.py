"""The card the map shows for a clicked place: persons at risk, who is responsible (with
phones), the shelter and transfer route, the latest readings and the threshold state.

Qt-free. The threshold state comes from the :class:`~console.domain.situation.Situation`
the map was given (the engine's output), readings from a
:class:`~console.services.readings_source.ReadingsSource` when there is one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from console.domain import beijing
from console.domain.situation import RAIN_WINDOWS, Situation, StationState
from console.services.contacts import PLACE_KINDS, ContactsService
from console.services.map_data import KIND_LABELS, MapFeature, MapSnapshot
from console.services.readings_source import ReadingKind, ReadingsSource

NO_SITUATION = "暂无雨水情研判结果"
# A place without a responsibility role: the old free-text columns (ReferenceTable.legacy)
# as (label, name column, phone column), shown as what was registered before.
_LEGACY_PEOPLE: dict[str, tuple[str, str, str]] = {
    "risk_point": ("责任人（原登记）", "responsible_person", "responsible_phone"),
    "shelter": ("管理员（原登记）", "manager", "phone"),
}


@dataclass(frozen=True)
class CardPerson:
    role: str
    name: str
    mobile: str
    unit: str = ""


@dataclass(frozen=True)
class PlaceCard:
    kind: str
    id: str
    title: str
    subtitle: str  # type · township/village
    facts: tuple[tuple[str, str], ...]  # (label, value): persons, shelter, route...
    people: tuple[CardPerson, ...]
    warning: str  # warning colour of the place ("" = none)
    state: tuple[str, ...]  # threshold state lines (Chinese)
    readings: tuple[str, ...]  # latest readings lines
    contacts_place: tuple[str, str] | None  # (kind, id) the 通讯录 opens on
    sample: bool = False

    @property
    def phones(self) -> str:
        """Every responsible person's mobile, one per line (复制电话)."""
        return "\n".join(f"{p.role} {p.name} {p.mobile}" for p in self.people if p.mobile)


def _at(ts: int) -> str:
    """Epoch seconds as Beijing time."""
    return beijing.display(beijing.from_epoch_ms(ts * 1000))


def _mm(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def station_lines(state: StationState) -> list[str]:
    lines = []
    if state.rain:
        sums = "，".join(f"{h}小时 {_mm(v)} 毫米" for h, v in sorted(state.rain.items()))
        lines.append(f"{state.name}雨量：{sums}")
    if state.level_m is not None:
        when = f"（{_at(state.level_at)}）" if state.level_at else ""
        lines.append(f"{state.name}水位 {state.level_m:.2f} 米{when}")
    if state.over:
        lines.append(f"已超{'、'.join(state.over)}")
    if state.signal:
        lines.append(f"雨量已达{state.signal}色暴雨信号")
    if state.simulated:
        lines.append("（含模拟数据）")
    return lines


class MapCards:
    """Builds cards; holds the services the card reads (contacts for responsible people)."""

    def __init__(self, contacts: ContactsService) -> None:
        self._contacts = contacts

    def card(
        self,
        snapshot: MapSnapshot,
        feature: MapFeature,
        situation: Situation | None = None,
        readings: ReadingsSource | None = None,
    ) -> PlaceCard:
        row = snapshot.record(feature.kind, feature.id)
        facts = self._facts(snapshot, feature, row)
        people = self._people(feature, row)
        warning, state = self._state(feature, situation)
        lines = self._readings(feature, situation, readings)
        contacts_place: tuple[str, str] | None = None
        if feature.kind in PLACE_KINDS:
            contacts_place = (feature.kind, feature.id)
        elif row.get("village_id"):
            contacts_place = ("village", row["village_id"])
        elif feature.township_id:
            contacts_place = ("township", feature.township_id)
        subtitle = " · ".join(
            p for p in (feature.subtype or KIND_LABELS.get(feature.kind, ""), feature.where) if p
        )
        return PlaceCard(
            kind=feature.kind,
            id=feature.id,
            title=feature.name,
            subtitle=subtitle,
            facts=tuple(facts),
            people=tuple(people),
            warning=warning,
            state=tuple(state),
            readings=tuple(lines),
            contacts_place=contacts_place,
            sample=bool(row.get("is_sample")),
        )

    # -- parts ------------------------------------------------------------------------
    def _facts(
        self, snapshot: MapSnapshot, feature: MapFeature, row: dict[str, Any]
    ) -> list[tuple[str, str]]:
        facts: list[tuple[str, str]] = []
        if feature.persons or feature.households:
            facts.append(("影响人口", f"{feature.persons or 0} 人，{feature.households or 0} 户"))
        if feature.kind == "risk_point":
            shelter = snapshot.record("shelter", row.get("shelter_id") or "")
            if shelter:
                capacity = f"（可容纳 {shelter['capacity']} 人）" if shelter.get("capacity") else ""
                facts.append(("避灾安置场所", f"{shelter['name']}{capacity}"))
            else:
                facts.append(("避灾安置场所", "未登记"))
            facts.append(("转移路线", row.get("transfer_route") or "未登记"))
            if row.get("warning_signal"):
                facts.append(("预警信号", row["warning_signal"]))
            rains = [
                f"{label} {_mm(row[key])} 毫米"
                for key, label in (
                    ("prepare_rain_1h_mm", "准备转移1小时"),
                    ("prepare_rain_3h_mm", "准备转移3小时"),
                    ("evacuate_rain_1h_mm", "立即转移1小时"),
                    ("evacuate_rain_3h_mm", "立即转移3小时"),
                )
                if row.get(key) is not None
            ]
            if rains:
                facts.append(("临界雨量", "，".join(rains)))
        elif feature.kind == "shelter":
            if row.get("capacity"):
                facts.append(("容纳人数", f"{row['capacity']} 人"))
            if row.get("facilities"):
                facts.append(("主要设施", row["facilities"]))
        elif feature.kind == "team":
            status = row.get("status") or "待命"
            since = f"（{beijing.display(row['status_at'])} 起）" if row.get("status_at") else ""
            facts.append(("状态", status + since))
            facts.append(("人数", f"{row.get('members') or 0} 人"))
            if row.get("equipment"):
                facts.append(("主要装备", row["equipment"]))
        elif feature.kind == "station":
            facts.append(("站码", row.get("code") or ""))
            for key, label in (
                ("warning_level_m", "警戒水位"),
                ("guarantee_level_m", "保证水位"),
                ("flood_limit_level_m", "汛限水位"),
            ):
                if row.get(key) is not None:
                    facts.append((label, f"{row[key]:.2f} 米"))
        elif feature.kind == "incident":
            facts.append(("接报时间", beijing.display(row["received_at"])))
            facts.append(("状态", row.get("status") or ""))
            if row.get("address"):
                facts.append(("地址", row["address"]))
        return facts

    def _people(self, feature: MapFeature, row: dict[str, Any]) -> list[CardPerson]:
        if feature.kind == "team":
            if row.get("leader") or row.get("phone"):
                return [CardPerson("负责人", row.get("leader") or "", row.get("phone") or "")]
            return []
        kind, place_id = feature.kind, feature.id
        if kind not in PLACE_KINDS:  # an incident: its village's (or township's) people
            if row.get("village_id"):
                kind, place_id = "village", row["village_id"]
            elif feature.township_id:
                kind, place_id = "township", feature.township_id
            else:
                return []
        people = [
            CardPerson(r.role, r.contact.name, r.contact.mobile or r.contact.landline, r.place)
            for r in self._contacts.responsible(kind, place_id)
        ]
        legacy = _LEGACY_PEOPLE.get(feature.kind)
        if not people and legacy is not None:
            # No role recorded yet: the free text an old record or workbook carries, read-only.
            label, name_col, phone_col = legacy
            if row.get(name_col) or row.get(phone_col):
                people.append(CardPerson(label, row.get(name_col) or "", row.get(phone_col) or ""))
        return people

    def _state(self, feature: MapFeature, situation: Situation | None) -> tuple[str, list[str]]:
        if situation is None:
            return "", [NO_SITUATION]
        when = _at(situation.at)
        prefix = "模拟 · " if situation.simulated else ""
        if feature.kind == "township":
            town = next((t for t in situation.townships if t.township_id == feature.id), None)
            if town is None:
                return "", [f"{prefix}{when} 研判：无预警"]
            lines = [f"{prefix}{when} 研判：{town.proposed_warning or '无'}色预警建议"]
            if town.observed:
                sums = "，".join(
                    f"{h}小时 {_mm(town.observed[h])} 毫米"
                    for h in RAIN_WINDOWS
                    if h in town.observed
                )
                lines.append(f"面雨量：{sums}")
            if town.note:
                lines.append(town.note)
            return town.proposed_warning, lines
        if feature.kind in ("village", "risk_point"):
            found = next(
                (
                    e
                    for e in situation.endangered
                    if e.kind == feature.kind and e.place_id == feature.id
                ),
                None,
            )
            if found is None:
                return "", [f"{prefix}{when} 研判：未达临界雨量"]
            lines = [f"{prefix}{when} 研判：已达{found.level}色", found.reason]
            if found.expected_level and found.expected_in_h is not None:
                lines.append(f"预计约 {found.expected_in_h:g} 小时后达{found.expected_level}色")
            return found.level, [line for line in lines if line]
        if feature.kind == "station":
            state = next((s for s in situation.stations if s.station_id == feature.id), None)
            if state is None:
                return "", [f"{prefix}{when} 研判：无数据"]
            return state.signal, [f"{prefix}{when} 研判", *station_lines(state)]
        return "", []

    def _readings(
        self, feature: MapFeature, situation: Situation | None, readings: ReadingsSource | None
    ) -> list[str]:
        station_id = ""
        if feature.kind == "station":
            station_id = feature.id
        elif situation is not None:
            found = next((e for e in situation.endangered if e.place_id == feature.id), None)
            station_id = (found.station_id or "") if found else ""
        if not station_id:
            return []
        lines: list[str] = []
        if situation is not None and feature.kind != "station":
            state = next((s for s in situation.stations if s.station_id == station_id), None)
            if state is not None:
                lines.extend(station_lines(state))
        if readings is not None:
            kinds: tuple[tuple[ReadingKind, str, str], ...] = (
                ("rain", "最新雨量", "毫米"),
                ("level", "最新水位", "米"),
            )
            for kind, label, unit in kinds:
                latest = readings.latest(kind).get(station_id)
                if latest is not None:
                    ts, value = latest
                    lines.append(f"{label} {_mm(value)} {unit}（{_at(ts)}）")
        return lines
