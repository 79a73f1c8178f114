"""Drill mode's store (演练): ``--drill`` works on ``<data dir>/drill/`` and leaves no trace
in the real store, and the real store's work none in the drill's. Through the real entry
point (console.cli.main) on real SQLite files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from console.cli import main
from console.domain import drill
from console.services.reference_data import ReferenceData
from console.store.database import open_store
from console.store.writer import Writer


def _digest(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    assert main(["digest", *args]) == 0
    return capsys.readouterr().out.strip()


def _incident(tmp_path: Path, capsys: pytest.CaptureFixture[str], title: str, *args: str) -> None:
    path = tmp_path / f"{title}.json"
    path.write_text(json.dumps({"category": "自然灾害", "title": title}), encoding="utf-8")
    assert main(["incident", "new", "--json", str(path), *args]) == 0
    capsys.readouterr()


def _titles(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    capsys.readouterr()
    assert main(["incident", "list", "--json", *args]) == 0
    titles = (r["title"] for r in json.loads(capsys.readouterr().out))
    return sorted(t for t in titles if "真实" in t or "演练" in t)  # not the sample county's


def _edit_reference(folder: Path, name: str) -> None:
    with closing(open_store(folder)) as store:
        ReferenceData(Writer(store)).save("townships", {"name": name, "kind": "镇"}, user="t")


def test_drill_writes_leave_the_real_store_unchanged_and_vice_versa(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "ws"
    where = ["--data-dir", str(data)]
    _incident(tmp_path, capsys, "真实事件", *where)
    _edit_reference(data, "真实镇")
    real_before = _digest(capsys, *where)
    assert not drill.active()

    # A drill session: its incident and reference edit land in <data dir>/drill only.
    # None yet: a read is refused and makes no folder.
    assert main(["incident", "list", "--json", "--drill", *where]) == 2
    assert not (data / "drill").exists()
    _incident(tmp_path, capsys, "演练事件", "--drill", *where)
    assert drill.active()
    assert (data / "drill" / "duty.db").is_file()
    assert drill.is_drill_dir(data / "drill")
    _edit_reference(data / "drill", "演练镇")
    drill_before = _digest(capsys, "--drill", *where)
    assert drill_before != real_before
    assert _digest(capsys, *where) == real_before
    assert not drill.active()
    assert _titles(capsys, *where) == ["真实事件"]
    # --drill before the sub-command, as with --data-dir.
    capsys.readouterr()
    assert main([*where, "--drill", "incident", "list", "--json"]) == 0
    assert "演练事件" in capsys.readouterr().out
    assert _titles(capsys, "--drill", *where) == ["演练事件"]

    # And the real store's new work leaves the drill store unchanged.
    _incident(tmp_path, capsys, "又一真实事件", *where)
    assert _digest(capsys, *where) != real_before
    assert _digest(capsys, "--drill", *where) == drill_before
    assert _titles(capsys, "--drill", *where) == ["演练事件"]


def test_a_drill_folder_opened_by_its_path_is_still_a_drill(tmp_path: Path) -> None:
    folder = drill.select(tmp_path / "ws", True)
    assert folder == tmp_path / "ws" / "drill"
    drill.activate(False)
    assert drill.select(folder, False) == folder
    assert drill.active() and drill.mark() == "演练"
    assert drill.select(folder, True) == folder  # never drill/drill
    assert drill.select(tmp_path / "ws", False) == tmp_path / "ws"
    assert not drill.active() and drill.mark() is None


def test_a_drill_reads_the_countys_templates_unless_it_has_its_own(tmp_path: Path) -> None:
    real = tmp_path / "ws"
    folder = drill.drill_dir(real)
    own = real / "assessment_tasks.json"
    own.write_text("[]", encoding="utf-8")
    assert drill.config_file(folder, "assessment_tasks.json") == own
    assert drill.config_file(real, "order_templates.json") == real / "order_templates.json"
    (folder / "assessment_tasks.json").write_text("[]", encoding="utf-8")
    assert drill.config_file(folder, "assessment_tasks.json") == folder / "assessment_tasks.json"


def test_the_console_with_drill_opens_and_marks_the_drill_store_only(tmp_path: Path) -> None:
    """The real program: ``duty-console --drill --screenshot``; the picture's top row is the
    演练 bar, and the real data folder holds nothing but the drill folder."""
    from PySide6.QtGui import QColor, QImage

    data, out = tmp_path / "ws", tmp_path / "intake.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "share"))
    args = ["--drill", "--screenshot", str(out), "--view", "intake", "--demo"]
    result = subprocess.run(
        [sys.executable, "-m", "console", *args, "--data-dir", str(data), "--size", "1280x800"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in data.iterdir()) == ["drill"]
    assert {"DRILL", "duty.db", "logs"} <= {p.name for p in (data / "drill").iterdir()}
    image = QImage(str(out))
    assert image.pixelColor(3, 3) == QColor("#c2410c")  # the 演练 bar, across the top
