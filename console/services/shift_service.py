"""What the services of the shift (交接班, 值班日志) share: the store they read, the writer
they write through (None: read-only) and the county's shift pattern that cuts time."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self

from console.domain.fields import MutationRejected
from console.domain.shifts import DEFAULT_PATTERN, Shift, ShiftPattern, shift_at
from console.store.database import Store
from console.store.writer import Writer


class ShiftService:
    def __init__(
        self, store: Store, writer: Writer | None = None, pattern: ShiftPattern | None = None
    ) -> None:
        self.store = store
        self._writer = writer
        self._pattern = pattern
        self._county = DEFAULT_PATTERN  # the county's, as last read by reload_pattern()

    @classmethod
    def of(cls, writer: Writer, pattern: ShiftPattern | None = None) -> Self:
        return cls(writer.store, writer, pattern)

    @property
    def pattern(self) -> ShiftPattern:
        """The pattern given, else the county's (班制设置) as last read: no store read here,
        so the views may ask on the GUI thread."""
        return self._pattern if self._pattern is not None else self._county

    def reload_pattern(self) -> ShiftPattern:
        """Read the county's pattern again (a leader may change it while the console runs);
        call it off the GUI thread, before the reads that cut time with it."""
        from console.services.on_duty import county_pattern

        self._county = county_pattern(self.store)
        return self.pattern

    @property
    def writable(self) -> bool:
        return self._writer is not None

    def shift_at(self, moment: datetime) -> Shift:
        return shift_at(moment, self.pattern)

    def _write(self, name: str, args: dict[str, Any], user: str, *, local: bool = False) -> None:
        """One mutation through the writer; ``local``: it stays on this workstation."""
        if self._writer is None:
            raise MutationRejected("read_only", "本机为只读，不能修改")
        self._writer.apply([(name, args)], user=user, local_only=local)
