"""A field's label and limit reach the form, the intake check, the command line, the
report, the table headers, the incident detail and the report dialog from its one
declaration on the model."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from console.commands_incident import FIELD_LABELS
from console.domain.schema import ENTITY_FIELDS, Incident
from console.models.incident_table_model import IncidentTableModel
from console.models.incident_timeline_table_model import IncidentTimelineTableModel
from console.models.report_rule_table_model import ReportRuleTableModel
from console.models.team_table_model import TeamTableModel
from console.services import intake
from console.services.context import Workstation
from console.services.drafts import DraftStore
from console.services.incident_source import IncidentSource
from console.services.incidents import IncidentService
from console.services.report_text import _casualties
from console.views.pages.incident_detail import IncidentDetail
from console.views.pages.intake_form import LINE_FIELDS, IntakeForm
from console.views.pages.report_dialog import ReportDialog

INCIDENT = ENTITY_FIELDS["incidents"]
NOW = datetime.fromisoformat("2026-11-28T15:00:00+08:00")
NO_PLACES = intake.Places({}, {})


def test_incident_fields_are_the_columns_declarations() -> None:
    columns = Incident.__table__.columns
    assert INCIDENT["caller_name"] is columns["caller_name"].info["field"]
    assert columns["caller_name"].type.length == INCIDENT["caller_name"].max_len == 40
    assert "status" not in INCIDENT  # only incident.set_status changes it


@pytest.mark.parametrize("key", ["caller_name", "caller_unit", "address", "notified"])
def test_the_form_and_the_intake_check_use_the_declared_limit(
    key: str, qtbot: QtBot, tmp_path: Path
) -> None:
    spec = INCIDENT[key]
    assert spec.max_len is not None
    assert LINE_FIELDS[key][0] == spec.label and LINE_FIELDS[key][2] == spec.max_len
    form = IntakeForm(NO_PLACES, "值班员", DraftStore(tmp_path / "drafts"))
    qtbot.addWidget(form)
    assert form.fields[key].maxLength() == spec.max_len
    too_long = {"category": "自然灾害", key: "长" * (spec.max_len + 1)}
    with pytest.raises(intake.FormErrors) as refused:
        intake.validate_call(too_long, now=NOW, places=NO_PLACES, recorder="值班员")
    assert refused.value.errors[key] == (
        f"{spec.label}最多 {spec.max_len} 字（现有 {spec.max_len + 1} 字）"
    )
    fits = {"category": "自然灾害", key: "长" * spec.max_len}
    assert intake.validate_call(fits, now=NOW, places=NO_PLACES, recorder="值班员")[key]


def test_command_line_and_report_use_the_declared_labels() -> None:
    assert FIELD_LABELS["caller_phone"] == INCIDENT["caller_phone"].label
    assert FIELD_LABELS["affected"] == INCIDENT["affected"].label
    assert _casualties({"dead": 1, "trapped": 2}) == (
        f"{INCIDENT['dead'].label}1人、{INCIDENT['trapped'].label}2人。"
    )


def test_count_messages_name_the_count_once() -> None:
    form = {"category": "自然灾害", "affected": "很多", "dead": "-1"}
    with pytest.raises(intake.FormErrors) as refused:
        intake.validate_call(form, now=NOW, places=NO_PLACES, recorder="值班员")
    assert refused.value.errors["affected"] == "受影响人数应为 0 或正整数"
    assert refused.value.errors["dead"] == "死亡人数应为 0 或正整数"


def _headers(model: QAbstractItemModel) -> list[str]:
    horizontal = Qt.Orientation.Horizontal
    return [str(model.headerData(c, horizontal)) for c in range(model.columnCount())]


def test_table_headers_are_the_declared_labels(workstation: Workstation) -> None:
    """Each column showing one declared field is headed by that field's label."""
    incidents = IncidentTableModel(IncidentSource(workstation.store))
    assert _headers(incidents)[:3] == [INCIDENT[k].label for k in ("received_at", "title", "grade")]
    assert _headers(incidents)[4] == INCIDENT["township_id"].label
    teams = ENTITY_FIELDS["teams"]
    headers = _headers(TeamTableModel())
    assert headers[:3] == [teams[k].label for k in ("name", "kind", "township_id")]
    assert headers[-2:] == [teams[k].label for k in ("leader", "phone")]
    assert headers[3] == "队伍状态"  # the status column's system field label
    rules = ENTITY_FIELDS["report_rules"]
    assert _headers(ReportRuleTableModel()) == [
        rules[k].label
        for k in (
            "enabled",
            "category",
            "subtype",
            "grade",
            "stage",
            "channel",
            "schedule",
            "source",
            "basis",
        )
    ]
    entries = ENTITY_FIELDS["incident_timeline"]
    timeline = _headers(IncidentTimelineTableModel())
    assert [timeline[0], timeline[1], timeline[3]] == [
        entries[k].label for k in ("at", "kind", "body")
    ]


def test_detail_and_report_dialog_take_labels_and_lengths_from_the_declarations(
    qtbot: QtBot, workstation: Workstation, tmp_path: Path
) -> None:
    source = IncidentSource(workstation.store)
    service = IncidentService(workstation.writer)
    incident_id = service.take_call(
        {
            "received_at": "2026-11-28 14:50",
            "category": "自然灾害",
            "township": "北界镇",
            "description": "山体滑坡",
            "trapped": "2",
            "affected": "30",
            "notified": "镇政府",
        },
        user="值班员",
        now=NOW,
    )
    detail = IncidentDetail(source, service, lambda: "值班员", lambda: NOW)
    qtbot.addWidget(detail)
    detail.show_incident(incident_id)  # no task runner: read here
    teams = INCIDENT["teams_assigned"]  # the row's label; dispatches fill it (issue 14)
    assert detail.entry.maxLength() == ENTITY_FIELDS["incident_timeline"]["body"].max_len
    labels = {w.text() for w in detail.findChildren(QLabel)}
    assert teams.label in labels
    text = detail.fields.text()
    for key in ("received_at", "category", "grade", "recorder", "notified", "description"):
        assert f"{INCIDENT[key].label}：" in text, key
    assert f"{INCIDENT['trapped'].label}2" in text and f"{INCIDENT['affected'].label}30" in text

    dialog = ReportDialog(incident_id, source, service, "值班员", tmp_path, lambda: NOW)
    qtbot.addWidget(dialog)
    reports = ENTITY_FIELDS["incident_reports"]
    assert dialog.recipient.maxLength() == reports["recipient"].max_len
    labels = {w.text() for w in dialog.findChildren(QLabel)}
    assert {reports[k].label for k in ("stage", "channel", "recipient")} <= labels
    assert "山体滑坡" in dialog.body.toPlainText()  # composed (no runner: at once)
