"""应急一指南 on one standalone workstation: the draft guides are there at first start (once),
a response started from an incident shows the level's checklist, ticks and notes land,
overdue items are flagged, raising shows level III's items, and the .docx says it all."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from docx import Document

from console.domain import beijing, guides
from console.domain.ids import new_id
from console.services.context import open_workstation
from console.services.guide_export import export_docx
from console.services.guides import DRAFT_MARK, GuideService, load_guides_if_never_set

T0 = datetime(2026, 7, 1, 6, 0, tzinfo=beijing.BEIJING)


def test_a_response_from_an_incident_ticked_noted_raised_and_exported(tmp_path: Path) -> None:
    w = open_workstation(tmp_path / "ws", sample_incidents=False)
    try:
        service = GuideService.of(w.writer)
        drafts = guides.default_guide_calls()
        assert len(service.items()) == len(drafts)
        assert load_guides_if_never_set(w.writer) is None  # once
        assert service.hazards()[:2] == ["山洪", "地质灾害"]
        assert service.triggers("IV")  # the default triggers while the table is empty

        incident = new_id()
        w.writer.apply(
            [
                (
                    "incident.create",
                    {
                        "id": incident,
                        "received_at": beijing.canonical(T0),
                        "category": "自然灾害",
                        "title": "湖山乡山洪",
                    },
                )
            ],
            user="王带班",
        )
        response = service.activate(
            "山洪", "IV", user="王带班", incident_id=incident, reason="3小时雨量 60 毫米", at=T0
        )
        view = service.view(response, now=T0)
        iv = [a for _, a in drafts if a["hazard"] == "山洪" and a["level"] == "IV"]
        assert len(view.items) == len(iv)
        assert view.items[0].role == "带班领导" and view.marks == (DRAFT_MARK,)
        first, second = view.items[0], view.items[1]
        service.tick(response, first.item_id, user="张三", at=T0 + timedelta(minutes=10))
        service.note(response, second.item_id, "湖山乡电话占线", user="李四", at=T0)
        late = service.view(response, now=T0 + timedelta(minutes=31))
        assert late.items[0].ticked and late.items[0].ticked_by == "张三"
        assert late.items[1].overdue and late.items[1].notes[0].text == "湖山乡电话占线"
        assert late.progress == (1, len(iv), sum(1 for a in iv[1:] if a["limit_minutes"] <= 31))

        service.change_level(
            response, "III", "雨势加大", user="王带班", at=T0 + timedelta(minutes=40)
        )
        raised = service.view(response, now=T0 + timedelta(minutes=41))
        iii = [a for _, a in drafts if a["hazard"] == "山洪" and a["level"] == "III"]
        assert raised.response["level"] == "III" and len(raised.items) == len(iii)
        assert not any(s.overdue for s in raised.items)  # the clock restarted at the raise

        path = export_docx(raised, tmp_path / "清单.docx", T0 + timedelta(minutes=41))
        text = "\n".join(p.text for p in Document(str(path)).paragraphs)
        assert "山洪Ⅲ级应急响应工作清单" in text and "【指南为草稿，待县里确认】" in text
        assert "来源：事件：湖山乡山洪" in text
        assert "张三 完成：" + first.action in text
        assert "王带班 升级 Ⅳ级 → Ⅲ级（雨势加大）" in text
        [table] = Document(str(path)).tables
        assert len(table.rows) == 1 + len(iii)
        assert table.rows[1].cells[2].text == raised.items[0].action
    finally:
        w.close()


def test_six_duties_and_the_card_of_a_sample_village(tmp_path: Path) -> None:
    from console.services.guide_export import card_html

    w = open_workstation(tmp_path / "ws", sample_incidents=False)
    try:
        villages = GuideService(w.store).six_checks()
        assert villages and all(v.is_sample for v in villages)
        first = villages[0]
        assert [d.name for d in first.duties] == [n for n, _, _ in guides.SIX_DUTIES]
        assert first.points and first.duties[4].text == first.points[0]["transfer_route"]
        card = card_html(first)
        assert f"{first.township}{first.village}山洪灾害防御明白卡" in card
        assert "【样例数据】" in card and str(first.points[0]["shelter"]) in card
        assert "预警信号" in card and "（未填写）" in card  # the sample has no signals
        assert first.duties[0].text.split(" ")[0] in card
    finally:
        w.close()
