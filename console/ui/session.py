"""Who is on duty at this workstation, until the login issue brings real accounts."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from console.settings import OFFICER, Settings

NO_OFFICER = "未登录值班员"


class DutySession(QObject):
    """The officer's name: ``--officer`` wins for this run, else the saved setting."""

    officer_changed = Signal(str)

    def __init__(
        self, settings: Settings, override: str | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._override = (override or "").strip() or None

    @property
    def officer(self) -> str:
        return self._override or self._settings.get(OFFICER).strip() or NO_OFFICER

    def sign_in(self, username: str) -> None:
        """The account signed in on this run names the officer (not saved as a setting)."""
        self._override = username.strip() or None
        self.officer_changed.emit(self.officer)

    def set_officer(self, name: str) -> None:
        """Save the name (empty = not set); a ``--officer`` override ends here."""
        self._settings.set(OFFICER, name.strip())
        self._override = None
        self.officer_changed.emit(self.officer)
