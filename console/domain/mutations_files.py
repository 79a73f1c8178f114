"""The mutations of case attachments (案例一个库, issue 13): a file is attached to a case
(any officer) and detached from it (the duty leader).

Only the record syncs here; the file itself travels through the server's file store
(server/files_api.py), addressed by the record's ``sha256``. Registered into
:data:`console.domain.mutations.REGISTRY` when that module is imported.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from console.domain import files
from console.domain.fields import MutationRejected, check_fields
from console.domain.mutations import (
    DELETE_MUTATION,
    MutationContext,
    _check_refs,
    _create_once,
    _live,
    _record_id,
    _register,
    _tombstone,
)
from console.domain.rows import RowChange
from console.domain.schema import ENTITY_FIELDS

_FIELDS = ENTITY_FIELDS["case_attachments"]
DELETE_MUTATION["case_attachments"] = "case_attachment.detach"


@_register("case_attachment.attach", "添加案例附件")
def attachment_attach(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    """A file attached to a live case: its name, kind (图片 / 文档), size and SHA-256 (64
    lowercase hex digits: the key the file is fetched by, so nothing else is taken)."""
    record_id = _record_id(args)
    fields = {k: v for k, v in args.items() if k != "id"}
    values = check_fields(_FIELDS, fields, creating=True)
    if not files.is_digest(values["sha256"]):
        raise MutationRejected("bad_value", "“文件摘要”应为 64 位小写十六进制 SHA-256")
    name = str(values["name"])
    if "/" in name or "\\" in name or name in (".", ".."):
        raise MutationRejected("bad_value", "“文件名”不能包含路径")
    _check_refs(conn, _FIELDS, values)
    case = _live(conn, "cases", str(values["case_id"]), "案例不存在")
    if bool(case["is_sample"]) != bool(values.get("is_sample", False)):
        # A sample case's file stays with it on the workstation; a real case's never is.
        raise MutationRejected("bad_value", "附件的“样例数据”标记必须与所属案例一致")
    return _create_once(conn, ctx, "case_attachments", record_id, values, {"author": ctx.user})


@_register("case_attachment.detach", "移除案例附件")
def attachment_detach(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    return _tombstone(conn, "case_attachments", args, ctx)
