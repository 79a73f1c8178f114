"""The guide (应急指南事项) as Word: exported with one table per hazard and level in the
workbook's columns, imported back through the same preview and write path as a workbook:
an unchanged document changes nothing, edits update and add, importing twice changes nothing,
a bad cell refuses its row naming the table, row and column as the workbook import does, a
drill document is refused by the real store; and through the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import select

from console.cli import main
from console.domain import drill
from console.domain.guides import default_guide_calls
from console.domain.schema import GuideItem
from console.services.guides import GuideService
from console.services.io import exporter, importer
from console.services.io.layout import LAYOUTS, ImportFileError
from console.services.io.xlsx import write_xlsx
from console.store.writer import Writer

LAY = LAYOUTS["guide_items"]
HEADERS = ("灾种", "响应等级", "责任主体", "序号", "工作事项", "时限（分钟）", "草稿")


@pytest.fixture
def guide(writer: Writer) -> Writer:
    writer.apply(default_guide_calls(), user="测试")  # the draft 山洪 and 地质灾害 guides
    return writer


def _items(writer: Writer) -> dict[tuple[str, str, str, int], dict[str, object]]:
    t = GuideItem.__table__
    with writer.store.engine.connect() as conn:
        rows = conn.execute(select(t).where(t.c.deleted.is_(False))).mappings().all()
    return {(r["hazard"], r["level"], r["role"], r["seq"]): dict(r) for r in rows}


def _docx(path: Path, tables: list[list[tuple[str, ...]]]) -> Path:
    doc = Document()
    for rows in tables:
        doc.add_paragraph("山洪Ⅳ级响应")  # paragraphs between the tables are not read
        grid = doc.add_table(rows=0, cols=len(rows[0]))
        for values in rows:
            for cell, value in zip(grid.add_row().cells, values, strict=True):
                cell.text = value
    doc.save(str(path))
    return path


def test_a_guide_exported_as_word_imports_back_and_edits_apply_once(
    guide: Writer, tmp_path: Path
) -> None:
    before = _items(guide)
    path = tmp_path / "应急指南.docx"
    assert exporter.export_table(guide.store, "guide_items", path) == len(before)
    doc = Document(str(path))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "【草稿，待县里确认】" in text and "山洪Ⅳ级响应" in text and "地质灾害Ⅰ级响应" in text
    # One table per hazard and level, in the workbook's columns with Chinese headers.
    assert LAY.headers == HEADERS
    assert all(tuple(c.text for c in t.rows[0].cells) == HEADERS for t in doc.tables)
    groups = {(k[0], k[1]) for k in before}
    assert len(doc.tables) == len(groups) == 8
    first = doc.tables[0]
    assert [c.text for c in first.rows[1].cells][:4] == ["山洪", "IV", "带班领导", "1"]
    assert sum(len(t.rows) - 1 for t in doc.tables) == len(before)

    unchanged = importer.preview(guide.store, "guide_items", path)
    assert unchanged.count(importer.UNCHANGED) == len(before) and not unchanged.calls

    # The county edits the document: an action and a time limit change, a row is added.
    cells = first.rows[1].cells
    cells[4].text = "到岗带班，主持会商研判，签发研判单并报县领导"
    doc.tables[1].rows[2].cells[5].text = "45"
    added = first.add_row().cells
    for cell, value in zip(
        added, ("山洪", "IV", "队伍", "9", "抢险队伍集结待命", "60", "否"), strict=True
    ):
        cell.text = value
    doc.save(str(path))
    edited = importer.preview(guide.store, "guide_items", path)
    assert (edited.count(importer.UPDATED), edited.count(importer.NEW)) == (2, 1)
    assert not edited.refused
    details = [r.detail for r in edited.rows if r.outcome == importer.UPDATED]
    assert any("时限（分钟）" in d and "→ 45" in d for d in details), details
    importer.apply(guide, edited, user="测试")
    after = _items(guide)
    assert after[("山洪", "IV", "队伍", 9)]["action"] == "抢险队伍集结待命"
    assert str(after[("山洪", "IV", "带班领导", 1)]["action"]).endswith("并报县领导")
    assert len(after) == len(before) + 1

    # Importing the same document again changes nothing.
    again = importer.preview(guide.store, "guide_items", path)
    assert again.count(importer.UNCHANGED) == len(after) and not again.calls
    assert not importer.apply(guide, again, user="测试").rows
    assert _items(guide) == after

    # One hazard's document (the guide page's 导出本灾种指南) is the same layout.
    one = GuideService(guide.store).export_guide("地质灾害", tmp_path / "地质灾害.docx")
    assert all(t.rows[1].cells[0].text == "地质灾害" for t in Document(str(one)).tables)
    assert not importer.preview(guide.store, "guide_items", one).calls


def test_bad_cells_are_refused_by_table_row_and_column_as_in_a_workbook(
    guide: Writer, tmp_path: Path
) -> None:
    rows = [
        ("山洪", "V", "带班领导", "1", "到岗", "30", "否"),  # no level V
        ("山洪", "IV", "值班员", "2", "值守", "半小时", "否"),  # not a number
        ("山洪", "IV", "", "3", "通知", "10", "否"),  # no role: part of the key
        ("山洪", "IV", "乡镇", "4", "", "10", "也许"),  # no action, not 是/否
        ("山洪", "IV", "部门", "5", "会商", "15", "否"),  # good
    ]
    word = importer.preview(
        guide.store, "guide_items", _docx(tmp_path / "g.docx", [[HEADERS, *rows]])
    )
    book = tmp_path / "g.xlsx"
    write_xlsx(book, "应急指南事项", HEADERS, rows)
    sheet = importer.preview(guide.store, "guide_items", book)
    refused = [r.detail for r in word.refused]
    assert len(refused) == 4 and word.count(importer.NEW) == 1
    assert "表 1 第 2 行 B 列（响应等级）" in refused[0]
    assert "表 1 第 3 行 F 列（时限（分钟））：应为整数，收到的是“半小时”" in refused[1]
    assert "表 1 第 4 行 C 列（责任主体）" in refused[2]
    assert "E 列（工作事项）" in refused[3] and "G 列（草稿）" in refused[3]
    # The same cells refused for the same reasons as in the workbook.
    assert refused == [r.detail.replace("第 ", "表 1 第 ") for r in sheet.refused]
    before = _items(guide)
    with pytest.raises(importer.ImportRefused):
        importer.apply(guide, word, user="测试")
    assert _items(guide) == before

    # A second table with other headers, and a file that is no document, refuse the file.
    odd = _docx(tmp_path / "odd.docx", [[HEADERS, rows[4]], [("灾种", "备注"), ("山洪", "x")]])
    with pytest.raises(ImportFileError, match="表 2 的表头"):
        importer.preview(guide.store, "guide_items", odd)
    junk = tmp_path / "junk.docx"
    junk.write_bytes(b"not a zip")
    with pytest.raises(ImportFileError, match=r"不是有效的 \.docx"):
        importer.preview(guide.store, "guide_items", junk)
    with pytest.raises(ImportFileError, match="不能导出为 Word"):
        exporter.export_table(guide.store, "villages", tmp_path / "v.docx")


def test_a_drill_document_is_refused_by_the_real_store(guide: Writer, tmp_path: Path) -> None:
    path = tmp_path / "演练指南.docx"
    drill.activate(True)
    try:
        exporter.export_table(guide.store, "guide_items", path)
        assert not importer.preview(guide.store, "guide_items", path).refused
    finally:
        drill.activate(False)
    with pytest.raises(ImportFileError, match="演练模式导出的文件"):
        importer.preview(guide.store, "guide_items", path)


def test_the_cli_exports_and_imports_the_guide_as_word(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = ["--data-dir", str(tmp_path / "ws")]
    source = _docx(
        tmp_path / "g.docx", [[HEADERS, ("山洪", "IV", "值班员", "1", "接报", "10", "否")]]
    )
    assert main(["import", str(source), "--table", "guide_items", *data]) == 0
    assert "新增 1 行" in capsys.readouterr().out
    out = tmp_path / "out.docx"
    assert main(["export", "--table", "应急指南事项", "--out", str(out), *data]) == 0
    assert "已导出 1 条记录" in capsys.readouterr().out
    assert main(["import", str(out), "--table", "guide_items", *data]) == 0
    assert "无变化 1 行" in capsys.readouterr().out
