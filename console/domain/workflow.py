"""The incident status workflow 接报 -> 核实 -> 处置中 -> 已结案, checked on both sides.

Moving forward may skip steps (a call verified on the phone goes straight to 处置中); closing
straight from 接报/核实 (误报, handled by the caller) and reopening a closed incident both need
a reason, which lands on the timeline.
"""

from __future__ import annotations

RECEIVED, VERIFYING, HANDLING, CLOSED = "接报", "核实", "处置中", "已结案"

TRANSITIONS: dict[str, frozenset[str]] = {
    RECEIVED: frozenset({VERIFYING, HANDLING, CLOSED}),
    VERIFYING: frozenset({HANDLING, CLOSED}),
    HANDLING: frozenset({CLOSED}),
    CLOSED: frozenset({HANDLING}),
}

NEEDS_REASON: frozenset[tuple[str, str]] = frozenset(
    {(RECEIVED, CLOSED), (VERIFYING, CLOSED), (CLOSED, HANDLING)}
)


def allowed_next(status: str) -> frozenset[str]:
    return TRANSITIONS.get(status, frozenset())


def check_transition(current: str, target: str, reason: str) -> str | None:
    """None when allowed, else the Chinese reason for refusing."""
    if target == current:
        return f"事件已处于“{current}”状态"
    if target not in allowed_next(current):
        return f"不能从“{current}”直接变为“{target}”"
    if (current, target) in NEEDS_REASON and not reason.strip():
        verb = "重新打开已结案事件" if current == CLOSED else "未经处置直接结案"
        return f"{verb}需要填写原因"
    return None
