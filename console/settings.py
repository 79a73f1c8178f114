"""The one settings registry: every setting declared once over ``QSettings``.

Each :class:`Setting` has a key, a type, a default and a Chinese description. Only values
that differ from the default are stored, so changing a default later reaches every user who
never touched it. A schema version key with upgrade functions renames or converts old keys;
nothing is ever pickled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from PySide6.QtCore import QByteArray, QSettings

T = TypeVar("T", str, int, bool, bytes)

ORGANIZATION = "Suichang Emergency Management"
APPLICATION = "duty-console"
SCHEMA_KEY = "meta/schema_version"
SCHEMA_VERSION = 2


@dataclass(frozen=True)
class Setting(Generic[T]):
    """A declared setting; ``choices`` limits a ``str`` setting to those values."""

    key: str
    type: type[T]
    default: T
    description: str
    choices: tuple[str, ...] = ()
    internal: bool = False  # saved automatically (geometry); not shown as editable


THEME: Setting[str] = Setting(
    "ui/theme", str, "dark", "界面主题（dark 深色 / light 浅色）", ("dark", "light")
)
OFFICER: Setting[str] = Setting("duty/officer", str, "", "本机值班员姓名（单机使用、未登录时显示）")
LAST_VIEW: Setting[str] = Setting("ui/last_view", str, "intake", "上次关闭时打开的页面")
WATCHDOG_MS: Setting[int] = Setting(
    "diagnostics/watchdog_ms", int, 200, "界面卡顿超过该毫秒数时写入日志"
)
READINGS_WINDOW_DAYS: Setting[int] = Setting(
    "sync/readings_window_days",
    int,
    30,
    "本机保留的站点读数天数（更早的雨量、水位读数自动删除）",
)
LAGGARD_MINUTES: Setting[int] = Setting(
    "control/laggard_minutes",
    int,
    30,
    "管控一张表：转移行动进行中，村超过该分钟数没有报告即标为“超时未报”（本机设置）",
)
GEOMETRY: Setting[bytes] = Setting(
    "window/geometry", bytes, b"", "主窗口位置和大小（关闭时自动保存）", internal=True
)
WINDOW_STATE: Setting[bytes] = Setting(
    "window/state", bytes, b"", "主窗口停靠区状态（关闭时自动保存）", internal=True
)
MAP_BASE_LAYER: Setting[str] = Setting(
    "map/base_layer",
    str,
    "",
    "识别一张图底图：本机瓦片文件夹（{z}/{x}/{y}.png）或 .mbtiles 文件，空为不用底图",
)
WALL_PRESET: Setting[str] = Setting(
    "wall/preset",
    str,
    "",
    "大屏模式预设：上屏的显示器（按名称）、每块屏的画面布局、内容和轮播间隔",
    internal=True,
)

# 视频监控: this workstation's grid (a JSON {"grid", "cells"}), its named layouts and tours.
VIDEO_LAYOUT: Setting[str] = Setting(
    "video/layout", str, "", "视频监控：当前画面布局（关闭时自动保存）", internal=True
)
VIDEO_SAVED_LAYOUTS: Setting[str] = Setting(
    "video/saved_layouts", str, "", "视频监控：已保存的布局", internal=True
)
VIDEO_TOUR_SECONDS: Setting[int] = Setting(
    "video/tour_seconds", int, 20, "视频监控：轮巡每组画面停留秒数"
)

REGISTRY: tuple[Setting[Any], ...] = (
    THEME,
    OFFICER,
    LAST_VIEW,
    WATCHDOG_MS,
    MAP_BASE_LAYER,
    READINGS_WINDOW_DAYS,
    LAGGARD_MINUTES,
    GEOMETRY,
    WINDOW_STATE,
    VIDEO_LAYOUT,
    VIDEO_SAVED_LAYOUTS,
    VIDEO_TOUR_SECONDS,
    WALL_PRESET,
)
BY_KEY: dict[str, Setting[Any]] = {s.key: s for s in REGISTRY}

# version -> function upgrading a store at (version - 1) to version.
Upgrade = Callable[[QSettings], None]


def _drop_sms_gateway(store: QSettings) -> None:
    """2: the SMS gateway moved to the server (server.sms_api); its address and token must
    not stay behind in a workstation's settings file."""
    store.remove("sms")


UPGRADES: dict[int, Upgrade] = {2: _drop_sms_gateway}


def readings_window_days(settings: Settings) -> int:
    """The readings window in days, held to 1..366 (a hand-edited value cannot empty the
    table or keep years of readings)."""
    return max(1, min(366, settings.get(READINGS_WINDOW_DAYS)))


LAGGARD_RANGE = (5, 24 * 60)  # minutes: a hand-edited value cannot flag every village at once


def laggard_minutes(settings: Settings) -> int:
    """How long a village of an open evacuation may stay silent before it is flagged
    超时未报, held to :data:`LAGGARD_RANGE`."""
    low, high = LAGGARD_RANGE
    return max(low, min(high, settings.get(LAGGARD_MINUTES)))


def _convert(setting: Setting[Any], raw: object) -> Any:
    """Turn what QSettings hands back (often a string from an INI file) into the type."""
    kind = setting.type
    if kind is bool:
        if isinstance(raw, str):
            return raw.strip().lower() in ("true", "1", "yes", "on")
        return bool(raw)
    if kind is int:
        return int(cast(Any, raw))
    if kind is bytes:
        if isinstance(raw, QByteArray):
            return raw.data()
        if isinstance(raw, bytes | bytearray):
            return bytes(raw)
        raise TypeError(f"not bytes: {type(raw).__name__}")
    value = str(raw)
    if setting.choices and value not in setting.choices:
        raise ValueError(f"{value!r} not in {setting.choices}")
    return value


class Settings:
    """Typed access to the registry over one ``QSettings`` (passed in, never global)."""

    def __init__(self, store: QSettings, upgrades: dict[int, Upgrade] | None = None) -> None:
        self._store = store
        self._upgrades = UPGRADES if upgrades is None else upgrades
        self.upgrade()

    @property
    def qsettings(self) -> QSettings:
        return self._store

    def schema_version(self) -> int:
        raw = self._store.value(SCHEMA_KEY)
        if raw is None:
            return 0
        try:
            return int(cast(Any, raw))
        except (TypeError, ValueError):
            return 0

    def upgrade(self) -> None:
        """Run upgrade functions from the stored schema version up to :data:`SCHEMA_VERSION`."""
        current = self.schema_version()
        if current >= SCHEMA_VERSION and current != 0:
            return
        for version in range(current + 1, SCHEMA_VERSION + 1):
            step = self._upgrades.get(version)
            if step is not None:
                step(self._store)
        if self._store.allKeys() or current:
            self._store.setValue(SCHEMA_KEY, SCHEMA_VERSION)

    def get(self, setting: Setting[T]) -> T:
        raw = self._store.value(setting.key)
        if raw is None:
            return setting.default
        try:
            return cast(T, _convert(setting, raw))
        except (TypeError, ValueError):
            return setting.default  # a hand-edited or stale value must not break start-up

    def set(self, setting: Setting[T], value: T) -> None:
        if not isinstance(value, setting.type):
            raise TypeError(f"{setting.key} expects {setting.type.__name__}")
        if setting.choices and value not in setting.choices:
            raise ValueError(f"{setting.key}: {value!r} not in {setting.choices}")
        if value == setting.default:
            self._store.remove(setting.key)
        else:
            stored: object = QByteArray(value) if isinstance(value, bytes) else value
            self._store.setValue(setting.key, stored)
            self._store.setValue(SCHEMA_KEY, SCHEMA_VERSION)

    def reset(self, setting: Setting[Any]) -> None:
        self._store.remove(setting.key)

    def is_default(self, setting: Setting[Any]) -> bool:
        return not self._store.contains(setting.key)

    def display_value(self, setting: Setting[Any]) -> str:
        """Human text of the current value for the settings table."""
        value = self.get(setting)
        if setting.type is bytes:
            return f"已保存（{len(value)} 字节）" if value else "（未保存）"
        if setting.type is bool:
            return "是" if value else "否"
        if value == "":
            return "（空）"
        return str(value)

    def sync(self) -> None:
        self._store.sync()
