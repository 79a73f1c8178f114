"""The command line as a new user meets it (issue 8, section 6): relative data folders, read-only
commands that create nothing, ``incident new --json`` documented from the field declarations
and reading what Notepad writes, ``duty-server --data-dir`` on either side of the sub-command.
Every run is a real process."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from console.services.intake import FORM_FIELDS
from console.services.intake_json import fields_markdown, json_fields
from testkit.server import REPO, child_env, run_python

CALL = {"category": "自然灾害", "subtype": "地质", "township": "北界镇", "description": "山体滑坡"}


def console(
    cwd: Path, *args: str, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    return run_python("-m", "console", *args, cwd=cwd, stdin=stdin, env=child_env(**env))


def _listed(cwd: Path, data_dir: str) -> list[dict[str, object]]:
    """The officer's own incidents (a first standalone run also loads the sample's)."""
    done = console(cwd, "incident", "list", "--json", "--data-dir", data_dir)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert isinstance(rows, list)
    return [r for r in rows if not r["is_sample"]]


def _new(cwd: Path, data_dir: str, source: str, stdin: str | None = None) -> str:
    done = console(cwd, "incident", "new", "--json", source, "--data-dir", data_dir, stdin=stdin)
    assert done.returncode == 0, done.stderr
    return str(json.loads(done.stdout)["id"])


def test_relative_data_dir_works_every_time(tmp_path: Path) -> None:
    call = json.dumps(CALL, ensure_ascii=False)
    first = _new(tmp_path, "ws", "-", call)
    second = _new(tmp_path, "ws", "-", call)  # the second run used to crash in as_uri()
    assert {first, second} <= {str(r["id"]) for r in _listed(tmp_path, "ws")}
    assert (tmp_path / "ws" / "duty.db").is_file()
    by_env = console(tmp_path, "digest", DUTY_CONSOLE_DATA_DIR="ws")
    by_option = console(tmp_path, "digest", "--data-dir", "./ws/../ws")
    before = console(tmp_path, "--data-dir", "ws", "digest")  # before the sub-command too
    assert by_env.returncode == 0 and by_option.returncode == 0, by_env.stderr + by_option.stderr
    assert before.returncode == 0, before.stderr
    assert by_env.stdout == by_option.stdout == before.stdout and len(by_env.stdout.strip()) == 64


def test_read_only_commands_refuse_a_folder_without_a_store(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    for folder in ("missing", "empty"):
        for command in (["digest"], ["incident", "list", "--json"]):
            done = console(tmp_path, *command, "--data-dir", folder)
            assert done.returncode != 0, (command, done.stdout)
            assert "没有值班台数据库" in done.stderr and "未创建任何文件" in done.stderr
            assert "Traceback" not in done.stderr
    assert not (tmp_path / "missing").exists()
    assert list((tmp_path / "empty").iterdir()) == []


def test_help_and_readme_document_every_json_key(tmp_path: Path) -> None:
    shown = console(tmp_path, "incident", "new", "--help")
    assert shown.returncode == 0, shown.stderr
    described = {f.key: f for f in json_fields()}
    assert list(described) == list(FORM_FIELDS)
    for key, spec in FORM_FIELDS.items():
        line = next((ln for ln in shown.stdout.splitlines() if ln.split()[:1] == [key]), "")
        assert spec.label in line and described[key].limit in line, f"{key} not in --help"
        if described[key].type == "文本":  # free text: its limit is the declared length
            assert described[key].limit == f"最多 {spec.longest()} 字"
    category = next(ln for ln in shown.stdout.splitlines() if ln.split()[:1] == ["category"])
    assert "必填" in category
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert fields_markdown() in readme, "run python tools/readme_tables.py"


def test_unknown_keys_are_refused_with_the_valid_ones(tmp_path: Path) -> None:
    _new(tmp_path, "ws", "-", json.dumps(CALL, ensure_ascii=False))
    typo = {**CALL, "phone": "13905781234"}
    done = console(
        tmp_path, "incident", "new", "--json", "-", "--data-dir", "ws", stdin=json.dumps(typo)
    )
    assert done.returncode == 2
    assert "未知字段：phone" in done.stderr and "caller_phone（来电号码）" in done.stderr
    assert "未写入任何数据" in done.stderr
    assert len(_listed(tmp_path, "ws")) == 1


def _refused(cwd: Path, call: dict[str, object]) -> str:
    done = console(
        cwd,
        "incident",
        "new",
        "--json",
        "-",
        "--data-dir",
        "ws",
        stdin=json.dumps(call, ensure_ascii=False),
    )
    assert done.returncode == 2, done.stdout
    return done.stderr


def test_errors_name_the_key_and_its_label(tmp_path: Path) -> None:
    bad = _refused(tmp_path, {**CALL, "caller_phone": "abc", "dead": "三"})
    assert "caller_phone（来电号码）" in bad and "dead（死亡）" in bad
    nested = _refused(tmp_path, {**CALL, "injured": [1]})
    assert "injured（受伤）应为文本或数字" in nested


def test_notepad_files_utf8_bom_read_gbk_refused_with_advice(tmp_path: Path) -> None:
    text = json.dumps(CALL, ensure_ascii=False)
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (tmp_path / "unicode.json").write_bytes(text.encode("utf-16"))  # with its BOM
    (tmp_path / "gbk.json").write_bytes(text.encode("gbk"))
    bom_id = _new(tmp_path, "ws", "bom.json")
    utf16_id = _new(tmp_path, "ws", "unicode.json")
    rows = {str(r["id"]): r for r in _listed(tmp_path, "ws")}
    assert rows[bom_id]["title"] == rows[utf16_id]["title"] == "北界镇地质灾害"
    gbk = console(tmp_path, "incident", "new", "--json", "gbk.json", "--data-dir", "ws")
    assert gbk.returncode == 2
    assert "不是 UTF-8 编码" in gbk.stderr and "GBK" in gbk.stderr and "另存为" in gbk.stderr
    assert "Traceback" not in gbk.stderr and "codec" not in gbk.stderr
    assert len(rows) == 2 and len(_listed(tmp_path, "ws")) == 2


def test_server_data_dir_before_or_after_the_sub_command(tmp_path: Path) -> None:
    after = run_python("-m", "server.cli", "digest", "--data-dir", "after", cwd=tmp_path)
    before = run_python("-m", "server.cli", "--data-dir", "before", "digest", cwd=tmp_path)
    assert after.returncode == 0 and before.returncode == 0, after.stderr + before.stderr
    assert (tmp_path / "after" / "duty-server.db").is_file()
    assert (tmp_path / "before" / "duty-server.db").is_file()
    again = run_python("-m", "server.cli", "digest", "--data-dir", "after", cwd=tmp_path)
    assert again.returncode == 0 and again.stdout == after.stdout, again.stderr
