"""大屏模式: which panels each wall screen shows, and where they go when a screen is lost.

Qt-free and pure, so the rules are tested without a display. A :class:`WallPreset` says,
per chosen screen (by name, with the geometry it had as a fallback), a layout and a list of
panel names; more panels than the layout has cells are shown as pages that rotate every
``rotate_s`` seconds. :func:`place` turns a preset and the screens present now into what each
present screen shows: a chosen screen that is missing has its panels moved onto the present
chosen screen with the fewest panels (that screen grows to a 2- or 4-cell layout, or rotates
them in once more than four); when the screen comes back, placing again sends them home.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

SINGLE, PAIR, QUAD = "single", "pair", "quad"
LAYOUT_CELLS: dict[str, int] = {SINGLE: 1, PAIR: 2, QUAD: 4}
LAYOUT_TITLES: dict[str, str] = {SINGLE: "单画面", PAIR: "左右两画面", QUAD: "四画面（2×2）"}
DEFAULT_ROTATE_S = 20  # a host screen rotating panels it took over, when its own is 0
MIN_ROTATE_S, MAX_ROTATE_S = 5, 3600
EMPTY = ""  # a cell with nothing in it (the last page of a rotation)


@dataclass(frozen=True)
class ScreenInfo:
    """A monitor as the system reports it (QScreen.name() and geometry())."""

    name: str
    x: int = 0
    y: int = 0
    width: int = 1920
    height: int = 1080

    @property
    def geometry(self) -> tuple[int, int, int, int]:
        return (self.x, self.y, self.width, self.height)


@dataclass(frozen=True)
class ScreenPlan:
    """What one chosen screen shows: a layout, panel names in order, seconds per page."""

    screen: str
    layout: str = SINGLE
    panels: tuple[str, ...] = ()
    rotate_s: int = 0  # 0: no rotation (only the first page when there are more panels)
    geometry: tuple[int, int, int, int] | None = None  # where it was when chosen


@dataclass(frozen=True)
class WallPreset:
    screens: tuple[ScreenPlan, ...] = ()

    def plan(self, screen: str) -> ScreenPlan | None:
        return next((p for p in self.screens if p.screen == screen), None)


@dataclass(frozen=True)
class Placement:
    """What one present screen shows now."""

    screen: str
    layout: str
    pages: tuple[tuple[str, ...], ...]  # each page one panel name per cell
    rotate_s: int
    guests: tuple[str, ...] = field(default=())  # chosen screens whose panels it hosts

    @property
    def panels(self) -> tuple[str, ...]:
        return tuple(p for page in self.pages for p in page if p != EMPTY)


def cells(layout: str) -> int:
    return LAYOUT_CELLS.get(layout, 1)


def fitting_layout(count: int) -> str:
    """The smallest layout showing ``count`` panels at once (a quad beyond four)."""
    if count <= 1:
        return SINGLE
    return PAIR if count == 2 else QUAD


def paginate(panels: Sequence[str], layout: str) -> tuple[tuple[str, ...], ...]:
    """``panels`` in pages of the layout's cells; the last page padded with EMPTY."""
    n = cells(layout)
    items = list(panels) or [EMPTY]
    pages = []
    for start in range(0, len(items), n):
        page = items[start : start + n]
        pages.append(tuple(page + [EMPTY] * (n - len(page))))
    return tuple(pages)


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(n for n in names if n != EMPTY))


def match_screens(preset: WallPreset, present: Sequence[ScreenInfo]) -> dict[str, ScreenInfo]:
    """Chosen screen name -> the present screen showing it: the one of that name, else an
    unclaimed one with the geometry it had (a renamed output), else none (missing)."""
    by_name = {s.name: s for s in present}
    out: dict[str, ScreenInfo] = {}
    claimed: set[str] = set()
    for plan in preset.screens:
        if plan.screen in by_name:
            out[plan.screen] = by_name[plan.screen]
            claimed.add(plan.screen)
    chosen = {p.screen for p in preset.screens}
    for plan in preset.screens:
        if plan.screen in out or plan.geometry is None:
            continue
        same = next(
            (
                s
                for s in present
                if s.geometry == plan.geometry and s.name not in claimed and s.name not in chosen
            ),
            None,
        )
        if same is not None:
            out[plan.screen] = same
            claimed.add(same.name)
    return out


def place(preset: WallPreset, present: Sequence[ScreenInfo]) -> dict[str, Placement]:
    """Present screen name -> what it shows. Missing chosen screens' panels move to the
    present chosen screen with the fewest panels (the first in the preset on a tie); with no
    chosen screen present, to the first present screen. No screens at all: nothing."""
    if not present or not preset.screens:
        return {}
    matched = match_screens(preset, present)
    hosts = [p for p in preset.screens if p.screen in matched]
    missing = [p for p in preset.screens if p.screen not in matched]
    own: dict[str, list[str]] = {p.screen: _unique(p.panels) for p in hosts}
    guests: dict[str, list[str]] = {p.screen: [] for p in hosts}
    moved: dict[str, list[str]] = {p.screen: [] for p in hosts}
    if not hosts:  # every chosen screen gone: the first screen left takes the wall
        first = present[0]
        stand_in = ScreenPlan(first.name, SINGLE, (), missing[0].rotate_s)
        hosts, own, guests, moved = [stand_in], {first.name: []}, {first.name: []}, {first.name: []}
        matched = {first.name: first}
    for lost in missing:
        host = min(hosts, key=lambda h: len(own[h.screen]) + len(moved[h.screen]))
        moved[host.screen] = _unique([*moved[host.screen], *lost.panels])
        guests[host.screen].append(lost.screen)
    out: dict[str, Placement] = {}
    for plan in hosts:
        panels = _unique([*own[plan.screen], *moved[plan.screen]])
        rotate = plan.rotate_s
        layout = plan.layout if plan.layout in LAYOUT_CELLS else SINGLE
        if moved[plan.screen]:
            need = fitting_layout(len(panels))
            if cells(need) > cells(layout):
                layout = need
            if len(panels) > cells(layout) and rotate <= 0:
                rotate = DEFAULT_ROTATE_S
        pages = paginate(panels, layout)
        if rotate <= 0:
            pages = pages[:1]  # no rotation: the first page only
        out[matched[plan.screen].name] = Placement(
            matched[plan.screen].name,
            layout,
            pages,
            rotate if len(pages) > 1 else 0,
            tuple(guests[plan.screen]),
        )
    return out


def default_preset(present: Sequence[ScreenInfo], panels: Sequence[str]) -> WallPreset:
    """A first wall: the first screen shows the first panel, each next screen the next."""
    if not panels:
        return WallPreset()
    plans = [
        ScreenPlan(s.name, SINGLE, (panels[i % len(panels)],), 0, s.geometry)
        for i, s in enumerate(present)
    ]
    return WallPreset(tuple(plans))


# -- saving (settings hold the preset as JSON text) ---------------------------------------


def preset_to_json(preset: WallPreset) -> str:
    return json.dumps(
        {
            "screens": [
                {
                    "screen": p.screen,
                    "layout": p.layout,
                    "panels": list(p.panels),
                    "rotate_s": p.rotate_s,
                    "geometry": list(p.geometry) if p.geometry is not None else None,
                }
                for p in preset.screens
            ]
        },
        ensure_ascii=False,
    )


def _plan_from(raw: object) -> ScreenPlan | None:
    if not isinstance(raw, dict):
        return None
    screen, layout = raw.get("screen"), raw.get("layout", SINGLE)
    panels, rotate = raw.get("panels", []), raw.get("rotate_s", 0)
    geometry = raw.get("geometry")
    if not isinstance(screen, str) or not screen or layout not in LAYOUT_CELLS:
        return None
    if not isinstance(panels, list) or not all(isinstance(p, str) for p in panels):
        return None
    if not isinstance(rotate, int) or isinstance(rotate, bool):
        return None
    rotate = 0 if rotate <= 0 else max(MIN_ROTATE_S, min(MAX_ROTATE_S, rotate))
    geo: tuple[int, int, int, int] | None = None
    if (
        isinstance(geometry, list)
        and len(geometry) == 4
        and all(isinstance(v, int) and not isinstance(v, bool) for v in geometry)
    ):
        geo = (geometry[0], geometry[1], geometry[2], geometry[3])
    return ScreenPlan(screen, layout, tuple(panels[:64]), rotate, geo)


def preset_from_json(text: str) -> WallPreset:
    """The saved preset; a damaged or hand-edited one drops what it cannot read (never
    raises: the wall must start)."""
    try:
        raw = json.loads(text) if text.strip() else {}
    except ValueError:
        return WallPreset()
    screens = raw.get("screens", []) if isinstance(raw, dict) else []
    plans: list[ScreenPlan] = []
    for item in screens if isinstance(screens, list) else []:
        plan = _plan_from(item)
        if plan is not None and all(p.screen != plan.screen for p in plans):
            plans.append(plan)
    return WallPreset(tuple(plans))
