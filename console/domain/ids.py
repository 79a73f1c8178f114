"""Record identifiers: time-ordered UUIDv7 for new records, UUIDv5 for reference data.

Reference data (townships, villages, risk points...) loaded on several workstations must end
up as ONE record on the server, so its id is derived from the record's natural key.
"""

from __future__ import annotations

import os
import time
import uuid

# Fixed namespace for natural-key ids; never change it or every reference id changes.
REFERENCE_NAMESPACE = uuid.UUID("6f1d3a52-61b8-4f0e-9d5e-3c2b1a0d3311")


def new_id() -> str:
    """A UUIDv7 (RFC 9562): 48-bit Unix ms timestamp, then random bits; sorts by creation."""
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version
    value |= ((rand >> 68) & 0xFFF) << 64  # 12 bits rand_a
    value |= 0b10 << 62  # variant
    value |= rand & ((1 << 62) - 1)
    return str(uuid.UUID(int=value))


def reference_id(kind: str, *natural_key: str) -> str:
    """Deterministic id of a reference record: ``reference_id("village", "北界镇", "苏村")``."""
    key = "\x1f".join((kind, *natural_key))
    return str(uuid.uuid5(REFERENCE_NAMESPACE, key))


def is_uuid(value: object) -> bool:
    """A UUID in canonical text form (lowercase, hyphenated, nothing around it).

    Ids are compared as text everywhere (keys, references, the server), so "0193A0..." or
    "0193a0... " must not pass as another spelling of an existing id.
    """
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False
