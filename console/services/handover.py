"""交接班 (issue 14): the handover of a shift generated from the workstation's data, edited
while pending, signed by the incoming officer, and the shifts that ended unsigned.

Qt-free. Reads from the store; writes through the writer (one shared mutation each, which
the server judges again). Generating reads the incidents with their reporting duties, the
orders' call boards and the active responses' checklists as of ``now`` and freezes them as
text (:func:`console.domain.handover.make_content`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, select

from console.domain import beijing, catalog, guides
from console.domain import handover as ho
from console.domain.fields import MutationRejected
from console.domain.ids import new_id
from console.domain.roles import SYSTEM_USER
from console.domain.schema import Handover, Incident, SyncedRecord, Team
from console.domain.shifts import Shift, next_shift
from console.domain.workflow import CLOSED
from console.services.deadlines import status_text
from console.services.guides import GuideService
from console.services.incident_source import IncidentSource
from console.services.orders import OrderService
from console.services.shift_service import ShiftService

TABLES = (
    "handovers",
    "incidents",
    "incident_reports",
    "orders",
    "order_events",
    "order_recipients",
    "responses",
    "response_events",
    "teams",
)
# A shift's handover is expected within this long after it ends; later, the shift is flagged
# (the handover itself happens at the change of shift, 08:30, and takes a few minutes).
GRACE = timedelta(minutes=30)
# How long into a shift the tab still opens on the shift before, while it is not signed for.
HANDOVER_WINDOW = timedelta(hours=2)
# How far back ended shifts are checked for a signed handover.
FLAG_WINDOW = timedelta(hours=24)
MAX_NAMES = 8


def _t(model: type[SyncedRecord]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def expected_incoming(shift: Shift) -> str | None:
    """The account on duty in the shift after ``shift``, from the duty roster.

    TODO(#14): the roster (排班) is being built in parallel; until it lands nobody is
    proposed and the outgoing officer types or picks the incoming account. This is the one
    place the roster lookup plugs in."""
    del shift
    return None


@dataclass(frozen=True)
class Flag:
    """A shift that ended without a signed handover."""

    shift: Shift
    pending: bool  # a handover was generated but nobody signed it

    def text(self) -> str:
        span = f"{beijing.display(self.shift.start)[5:]} 至 {beijing.display(self.shift.end)[5:]}"
        state = "交接单待签收" if self.pending else "未生成交接单"
        return f"班次 {span} 已结束，{state}，请带班领导督促完成交接"


def shift_label(shift: Shift) -> str:
    return f"{beijing.display(shift.start)} 至 {beijing.display(shift.end)[5:]}"


class HandoverService(ShiftService):
    """Reads from ``store``; writes through ``writer`` (None: read-only)."""

    def _apply(self, name: str, args: dict[str, Any], user: str) -> None:
        """One mutation; the work on a sample handover stays on this workstation with it."""
        row = self.get(str(args["id"])) if name != "handover.create" else None
        self._write(name, args, user, local=bool(row is not None and row["is_sample"]))

    def default_shift(self, now: datetime) -> Shift:
        """The shift the 交接班 tab opens on: the one ending now, or, during the first hours
        of a shift, the one before while it is not signed for (the incoming officer signs
        at 08:31 what was handed over at 08:20)."""
        current = self.shift_at(now)
        if now - current.start >= HANDOVER_WINDOW:
            return current
        previous = self.shift_at(current.start - timedelta(seconds=1))
        found = self.for_shift(previous)
        return current if found is not None and found["status"] == ho.SIGNED else previous

    def recent_shifts(self, now: datetime, count: int = 7) -> list[Shift]:
        """The current shift and the ``count - 1`` before it, newest first."""
        out = [self.shift_at(now)]
        while len(out) < count:
            out.append(self.shift_at(out[-1].start - timedelta(seconds=1)))
        return out

    # -- generating -------------------------------------------------------------------------
    def generate(self, shift: Shift, now: datetime) -> dict[str, list[str]]:
        """What the next shift must know, as of ``now``: section key -> lines."""
        source = IncidentSource(self.store)
        return {
            "incidents": self._open_incidents(source, now),
            "orders": self._unacknowledged(now),
            "checklists": self._open_checklists(now),
            "calls": self._calls(source, shift),
            "teams": self._team_changes(shift),
        }

    def sample_listed(self, shift: Shift) -> bool:
        """Whether a handover of ``shift`` lists sample (样例数据) incidents or teams."""
        i, t = _t(Incident), _t(Team)
        in_shift = (i.c.received_at >= beijing.canonical(shift.start)) & (
            i.c.received_at < beijing.canonical(shift.end)
        )
        incidents = select(i.c.id).where(
            i.c.is_sample, i.c.deleted.is_(False), (i.c.status != CLOSED) | in_shift
        )
        with self.store.engine.connect() as conn:
            if conn.execute(incidents.limit(1)).first() is not None:
                return True
            teams = select(t.c.id).where(t.c.is_sample, *self._changed_in(t, shift))
            return conn.execute(teams.limit(1)).first() is not None

    @staticmethod
    def _changed_in(t: Table, shift: Shift) -> list[Any]:
        """Team records last written during the shift (their HLC stamps: zero-padded ms)."""
        start_ms = int(shift.start.timestamp() * 1000)
        end_ms = int(shift.end.timestamp() * 1000)
        return [
            t.c.updated_at >= f"{start_ms:016d}",
            t.c.updated_at < f"{end_ms:016d}",
            t.c.updated_by != SYSTEM_USER,
        ]

    def _open_incidents(self, source: IncidentSource, now: datetime) -> list[str]:
        t = _t(Incident)
        stmt = (
            select(t)
            .where(t.c.deleted.is_(False), t.c.status != CLOSED)
            .order_by(t.c.received_at.desc())
        )
        with self.store.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(stmt).mappings()]
        out = []
        for row in rows:
            reporting = source.reporting(row, now)
            grade = f"{row['grade']}，" if row.get("grade") else ""
            received = beijing.display(row["received_at"])[5:]
            line = (
                f"{row['title']}（{grade}{row['status']}，接报 {received}）"
                f"：{status_text(reporting, now)}"
            )
            if reporting.next_due is not None:
                line += f"，截止 {beijing.display(reporting.next_due.due)[5:]}"
            out.append(line)
        return out

    def _unacknowledged(self, now: datetime) -> list[str]:
        service = OrderService(self.store)
        out = []
        for order in service.orders():
            if order["status"] != catalog.ORDER_OPEN:
                continue
            board = service.board(order["id"], now=now)
            silent = [r for r in board.rows if r.state.silent and not r.state.escalated_to]
            if not silent:
                continue
            names = "、".join(r.name for r in silent[:MAX_NAMES])
            more = f" 等 {len(silent)} 人" if len(silent) > MAX_NAMES else f" {len(silent)} 人"
            issued = beijing.display(order["issued_at"])[5:]
            out.append(f"{order['kind']}：{order['title']}（下达 {issued}）未叫应{more}：{names}")
        return out

    def _open_checklists(self, now: datetime) -> list[str]:
        service = GuideService(self.store)
        out = []
        for response in service.responses(active_only=True):
            view = service.view(response["id"], now)
            open_items = [s for s in view.items if not s.ticked]
            if not open_items and view.items:
                continue
            ticked, total, overdue = view.progress
            level = guides.LEVEL_NAMES.get(str(response["level"]), str(response["level"]))
            head = f"{response['hazard']}{level}应急响应"
            if view.source:
                head += f"（{view.source}）"
            late = f"，超时 {overdue} 项" if overdue else ""
            actions = "；".join(s.action for s in open_items[:MAX_NAMES])
            out.append(f"{head}：已完成 {ticked}/{total} 项{late}。未完成：{actions}")
        return out

    def _calls(self, source: IncidentSource, shift: Shift) -> list[str]:
        t = _t(Incident)
        stmt = (
            select(t)
            .where(
                t.c.deleted.is_(False),
                t.c.received_at >= beijing.canonical(shift.start),
                t.c.received_at < beijing.canonical(shift.end),
            )
            .order_by(t.c.received_at)
        )
        with self.store.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(stmt).mappings()]
        names = source.place_names() if rows else {}
        out = []
        for row in rows:
            place = names.get(row.get("township_id") or "", "")
            place += names.get(row.get("village_id") or "", "")
            where = f"，{place}" if place else ""
            out.append(
                f"{beijing.display(row['received_at'])[11:]} {row['category']}：{row['title']}"
                f"（{row['status']}{where}）"
            )
        return out

    def _team_changes(self, shift: Shift) -> list[str]:
        """Teams whose record changed during the shift (by whom, when). The team's status
        history comes with the teams tab; until then the last change is what is known."""
        t = _t(Team)
        stmt = select(t).where(*self._changed_in(t, shift))
        with self.store.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(stmt).mappings()]
        out = []
        for row in sorted(rows, key=lambda r: str(r["updated_at"])):
            when = beijing.hlc_text(row["updated_at"])[11:16]
            what = "已删除" if row["deleted"] else f"信息更新（{row['members']} 人）"
            out.append(f"{when} {row['name']}（{row['kind']}）{what}，{row['updated_by']}")
        return out

    # -- writing ----------------------------------------------------------------------------
    def create(
        self,
        shift: Shift,
        *,
        user: str,
        now: datetime | None = None,
        instructions: str = "",
        notes: str = "",
        incoming: str = "",
    ) -> str:
        at = now or beijing.now()
        args = {
            "id": new_id(),
            "shift_key": shift.key,
            "shift_start": beijing.canonical(shift.start),
            "shift_end": beijing.canonical(shift.end),
            "generated_at": beijing.canonical(at),
            "content": ho.make_content(self.generate(shift, at)),
            "instructions": instructions,
            "notes": notes,
            "incoming": incoming,
            "is_sample": self.sample_listed(shift),
        }
        self._apply("handover.create", args, user)
        return str(args["id"])

    def regenerate(self, handover_id: str, *, user: str, now: datetime | None = None) -> None:
        """The snapshot taken again (still pending): the data as it stands now."""
        row = self.get(handover_id)
        if row is None:
            raise MutationRejected("not_found", "交接单不存在")
        at = now or beijing.now()
        shift = self.shift_at(beijing.parse(row["shift_start"]))
        fields = {
            "generated_at": beijing.canonical(at),
            "content": ho.make_content(self.generate(shift, at)),
        }
        self._apply("handover.update", {"id": handover_id, "fields": fields}, user)

    def save_text(
        self, handover_id: str, *, user: str, instructions: str, notes: str, incoming: str
    ) -> None:
        fields = {"instructions": instructions, "notes": notes, "incoming": incoming.strip()}
        self._apply("handover.update", {"id": handover_id, "fields": fields}, user)

    def sign(
        self, handover_id: str, *, user: str, remarks: str = "", at: datetime | None = None
    ) -> None:
        args = {
            "id": handover_id,
            "at": beijing.canonical(at or beijing.now()),
            "remarks": remarks,
        }
        self._apply("handover.sign", args, user)

    # -- reading ----------------------------------------------------------------------------
    def get(self, handover_id: str) -> dict[str, Any] | None:
        t = _t(Handover)
        with self.store.engine.connect() as conn:
            row = conn.execute(select(t).where(t.c.id == handover_id)).mappings().first()
        return dict(row) if row is not None and not row["deleted"] else None

    def for_shift(self, shift: Shift) -> dict[str, Any] | None:
        """The shift's handover: the signed one, else the newest generated."""
        t = _t(Handover)
        stmt = select(t).where(t.c.shift_key == shift.key, t.c.deleted.is_(False))
        with self.store.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(stmt).mappings()]
        if not rows:
            return None
        rows.sort(key=lambda r: (r["status"] == ho.SIGNED, r["generated_at"], r["id"]))
        return rows[-1]

    def between(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Handovers generated or signed in [start, end), oldest first (the 值班日志)."""
        t = _t(Handover)
        lo, hi = beijing.canonical(start), beijing.canonical(end)
        stmt = select(t).where(
            t.c.deleted.is_(False),
            ((t.c.generated_at >= lo) & (t.c.generated_at < hi))
            | ((t.c.signed_at >= lo) & (t.c.signed_at < hi)),
        )
        with self.store.engine.connect() as conn:
            return [dict(r) for r in conn.execute(stmt).mappings()]

    def flags(self, now: datetime) -> list[Flag]:
        """Shifts that ended (more than :data:`GRACE` ago, within :data:`FLAG_WINDOW`)
        without a signed handover, newest first."""
        out = []
        shift = self.shift_at(now - GRACE)
        shift = self.shift_at(shift.start - timedelta(seconds=1))
        while shift.end > now - FLAG_WINDOW - GRACE:
            found = self.for_shift(shift)
            if found is None or found["status"] != ho.SIGNED:
                out.append(Flag(shift, found is not None))
            shift = self.shift_at(shift.start - timedelta(seconds=1))
        return out

    def accounts_seen(self) -> list[str]:
        """Accounts that handed over or signed here before: what 接班人 offers to pick."""
        t = _t(Handover)
        with self.store.engine.connect() as conn:
            rows = conn.execute(select(t.c.author, t.c.signed_by, t.c.incoming)).all()
        return sorted({name for row in rows for name in row if name and name != SYSTEM_USER})

    def incoming_for(self, shift: Shift) -> str:
        """Who the handover of ``shift`` names as incoming by default (the roster's)."""
        return expected_incoming(next_shift(shift, self.pattern)) or ""
