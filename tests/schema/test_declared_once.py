"""A field's label and limit reach the form, the intake check, the command line and the
report from its one declaration on the model."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from console.commands_incident import FIELD_LABELS
from console.domain.schema import ENTITY_FIELDS, Incident
from console.services import intake
from console.services.drafts import DraftStore
from console.services.report_text import _casualties
from console.views.pages.intake_form import LINE_FIELDS, IntakeForm

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
