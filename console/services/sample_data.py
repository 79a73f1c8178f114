"""Loading the Suichang sample county (样例数据) on a workstation, through the write path.

The file's translation into mutations is the shared domain's (:mod:`console.domain.sample`):
the server's ``duty-server load-sample`` pushes exactly the same calls.
"""

from __future__ import annotations

import json
from datetime import datetime
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from console.domain import beijing, files
from console.domain.ids import reference_id
from console.domain.rows import MutationCall
from console.domain.sample import (
    PUBLIC_CASES_FILE,
    SAMPLE_FILE,
    SAMPLE_INCIDENTS_FILE,
    build_calls,
    build_case_calls,
    build_incident_calls,
)
from console.domain.sample_roster import roster_calls
from console.domain.sample_teams import team_state_calls
from console.resources import read_text, resource
from console.services.queries import Queries
from console.store.blobs import BlobCache
from console.store.changes import Changes
from console.store.writer import Writer


def sample_path() -> Traversable:
    return resource(*SAMPLE_FILE)


def read_sample(path: Path | None = None) -> dict[str, Any]:
    """The sample file's content (the bundled one unless ``path`` is given)."""
    text = path.read_text(encoding="utf-8") if path else read_text(*SAMPLE_FILE)
    data: dict[str, Any] = json.loads(text)
    return data


def load_sample(
    writer: Writer,
    *,
    user: str,
    path: Path | None = None,
    now: datetime | None = None,
    incidents: bool = True,
) -> Changes:
    """Load the sample county in ONE transaction (all or nothing); its outbox rows are
    local-only, never pushed to a county's server (console/sync/apply.py). The bundled
    county comes with its sample incidents, dated back from ``now``, and the real public
    cases of the case library (案例一个库), which name its townships."""
    county = read_sample(path)
    calls = build_calls(county)
    if path is None:
        public = json.loads(read_text(*PUBLIC_CASES_FILE))
        calls += build_case_calls(public)
        calls += _sample_attachment_calls(writer, public)
        # The duty staff and a month of their roster, for the month of the load.
        calls += roster_calls((now or beijing.now()).date())
        # Dated from the load: the certificates' expiry and the teams off standby.
        calls += team_state_calls(county, now or beijing.now())
    # Dated from the load: a second load (another minute) would differ, so it adds none.
    if path is None and incidents and not _sample_incidents_present(writer):
        data = json.loads(read_text(*SAMPLE_INCIDENTS_FILE))
        calls += build_incident_calls(data, county, now or beijing.now())
    return writer.apply(calls, user=user, local_only=True)


# The bundled attachments of the first public case: (file in resources/sample, its name,
# caption). Illustrations made for the sample, labelled as such, not the event's material.
SAMPLE_ATTACHMENTS = (
    ("case_sample_sketch.png", "滑坡示意图.png", "样例，非现场照片"),
    ("case_sample_note.docx", "附件说明.docx", "样例附件"),
)


def _sample_attachment_calls(writer: Writer, public: dict[str, Any]) -> list[MutationCall]:
    """The sample attachments, copied into this workstation's file cache (they never go to
    a county's server: sample records, local-only like the case they belong to)."""
    first = public["cases"][0]
    case_id = reference_id("case", first["title"], first.get("occurred_on") or "")
    cache = BlobCache(writer.store.path.parent)
    calls: list[MutationCall] = []
    for resource_name, name, caption in SAMPLE_ATTACHMENTS:
        data = resource("sample", resource_name).read_bytes()
        digest, size = cache.add_bytes(data)
        args = {
            "id": reference_id("case_attachment", case_id, name),
            "case_id": case_id,
            "name": name,
            "kind": files.kind_of(name),
            "size": size,
            "sha256": digest,
            "caption": caption,
            "is_sample": True,
        }
        calls.append(("case_attachment.attach", args))
    return calls


def _sample_incidents_present(writer: Writer) -> bool:
    from sqlalchemy import select

    from console.domain.schema import Incident

    with writer.store.engine.connect() as conn:
        return (
            conn.execute(select(Incident.id).where(Incident.is_sample).limit(1)).first() is not None
        )


def sample_loaded(queries: Queries) -> bool:
    """True when sample records are present, so the UI must show the 样例数据 label."""
    return queries.sample_present()


def remove_sample(writer: Writer) -> int:
    """清除样例数据: drop the sample county and its incidents from this workstation, keep
    the officer's own work, and never load the sample again here; returns how many sample
    mutations were dropped (0: there was none).

    The same path as joining a server (:func:`console.sync.apply.discard_sample`): the
    sample never left this workstation, so dropping its pending local-only mutations and
    re-running the officer's own on top is exact. The standalone default rules go with it
    and are loaded again at once (a workstation without a server still needs them). An
    officer's edit of a sample record has nothing left to apply to: it shows as a sync
    issue rather than vanishing."""
    from console.services.grading_rules import load_grading_if_never_set
    from console.services.guides import load_guides_if_never_set
    from console.services.report_rules import load_defaults_if_never_set
    from console.sync.apply import discard_sample

    dropped = discard_sample(writer.store)
    if dropped:
        load_defaults_if_never_set(writer)
        load_grading_if_never_set(writer)
        load_guides_if_never_set(writer)
    return dropped
