"""The settings registry: typed values, only non-defaults stored, schema upgrades."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from console.settings import (
    BY_KEY,
    GEOMETRY,
    OFFICER,
    REGISTRY,
    SCHEMA_KEY,
    SCHEMA_VERSION,
    THEME,
    WATCHDOG_MS,
    Settings,
)


def _ini(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)


def test_every_setting_declared_once_with_chinese_description() -> None:
    assert len(BY_KEY) == len(REGISTRY)
    for setting in REGISTRY:
        assert setting.description and any("\u4e00" <= ch <= "\u9fff" for ch in setting.description)
        assert isinstance(setting.default, setting.type)


def test_only_non_defaults_are_stored(tmp_path: Path) -> None:
    store = _ini(tmp_path)
    settings = Settings(store)
    assert store.allKeys() == []
    assert settings.get(THEME) == "dark"
    settings.set(THEME, "dark")
    assert store.allKeys() == []
    settings.set(THEME, "light")
    settings.set(WATCHDOG_MS, 350)
    settings.set(OFFICER, "李某某")
    settings.sync()
    assert sorted(store.allKeys()) == sorted([THEME.key, WATCHDOG_MS.key, OFFICER.key, SCHEMA_KEY])
    reread = Settings(_ini(tmp_path))  # values come back typed from the INI text
    assert reread.get(THEME) == "light"
    assert reread.get(WATCHDOG_MS) == 350
    assert reread.get(OFFICER) == "李某某"
    reread.set(THEME, "dark")
    assert THEME.key not in reread.qsettings.allKeys()


def test_bytes_round_trip_and_bad_values(tmp_path: Path) -> None:
    settings = Settings(_ini(tmp_path))
    settings.set(GEOMETRY, b"\x01\x02\xff")
    settings.sync()
    assert Settings(_ini(tmp_path)).get(GEOMETRY) == b"\x01\x02\xff"
    with pytest.raises(ValueError):
        settings.set(THEME, "purple")
    with pytest.raises(TypeError):
        settings.set(WATCHDOG_MS, "200")  # type: ignore[arg-type]
    settings.qsettings.setValue(WATCHDOG_MS.key, "not a number")
    settings.qsettings.setValue(THEME.key, "purple")
    assert settings.get(WATCHDOG_MS) == 200  # a hand-edited value falls back to the default
    assert settings.get(THEME) == "dark"


def test_upgrade_hook_runs_once(tmp_path: Path) -> None:
    store = _ini(tmp_path)
    store.setValue("theme", "light")  # a key from before the registry
    ran: list[int] = []

    def rename_theme(old: QSettings) -> None:
        ran.append(1)
        old.setValue(THEME.key, old.value("theme"))
        old.remove("theme")

    settings = Settings(store, upgrades={1: rename_theme})
    assert ran == [1]
    assert settings.get(THEME) == "light"
    assert settings.schema_version() == SCHEMA_VERSION
    Settings(store, upgrades={1: rename_theme})
    assert ran == [1]


def test_the_readings_window_is_held_to_a_sane_range(tmp_path: Path) -> None:
    from console.settings import READINGS_WINDOW_DAYS, readings_window_days

    settings = Settings(_ini(tmp_path))
    assert readings_window_days(settings) == 30
    settings.set(READINGS_WINDOW_DAYS, 7)
    assert readings_window_days(settings) == 7
    settings.set(READINGS_WINDOW_DAYS, 0)
    assert readings_window_days(settings) == 1
    settings.set(READINGS_WINDOW_DAYS, 100_000)
    assert readings_window_days(settings) == 366


def test_an_old_sms_gateway_token_is_removed_from_the_settings_file(tmp_path: Path) -> None:
    store = _ini(tmp_path)
    store.setValue(SCHEMA_KEY, 1)
    store.setValue("sms/gateway_token", "gw-secret")
    store.setValue("sms/gateway_url", "https://sms.example/send")
    store.setValue(THEME.key, "light")
    store.sync()
    settings = Settings(store)
    settings.qsettings.sync()
    assert settings.get(THEME) == "light"
    assert not [k for k in store.allKeys() if k.startswith("sms")]
    assert "gw-secret" not in Path(store.fileName()).read_text(encoding="utf-8")


def test_the_laggard_minutes_are_held_to_a_sane_range(tmp_path: Path) -> None:
    from console.settings import LAGGARD_MINUTES, laggard_minutes

    settings = Settings(_ini(tmp_path))
    assert laggard_minutes(settings) == 30
    settings.set(LAGGARD_MINUTES, 45)
    assert laggard_minutes(settings) == 45
    settings.set(LAGGARD_MINUTES, 0)  # hand-edited: not every village flagged at once
    assert laggard_minutes(settings) == 5
    settings.set(LAGGARD_MINUTES, 10**9)
    assert laggard_minutes(settings) == 24 * 60
