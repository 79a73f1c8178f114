"""Opening the workstation's store in the background while Qt starts.

Importing SQLAlchemy and opening the store is the largest part of start-up; Qt's own start
(fonts, platform, style) mostly runs in C++ without the GIL, so the two overlap.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from console.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from console.cli import GuiOptions
    from console.services.context import Workstation

OPEN_DEADLINE_MS = 600_000  # an upgrade of a big store may take minutes; never forever


class Opening:
    """Opens the workstation on the task runner; the result lands on the GUI thread
    (``then`` is called once it has)."""

    def __init__(self, options: GuiOptions, tasks: TaskRunner) -> None:
        self.workstation: Workstation | None = None
        self.error: BaseException | None = None
        self.done = False
        self.then: Callable[[], None] | None = None
        self.tasks = tasks
        interactive = not (options.screenshot is not None or options.quit_after_shown)
        # Interactive: sign-in decides whether this first run loads the sample county.
        tasks.run(
            _open,
            options.data_dir,
            options.demo,
            not interactive,
            on_done=self._opened,
            on_error=self._failed,
        )

    def _opened(self, workstation: Workstation) -> None:
        self.workstation = workstation
        self._land()

    def _failed(self, error: BaseException) -> None:
        self.error = error
        self._land()

    def _land(self) -> None:
        self.done = True
        then, self.then = self.then, None
        if then is not None:
            then()

    def result(self) -> Workstation:
        """The workstation (waits for it when it has not landed: screenshots only)."""
        if not self.done:
            self.tasks.wait_idle(OPEN_DEADLINE_MS)
        if self.error is not None:
            raise self.error
        if self.workstation is None:
            raise RuntimeError("the store did not open in time")
        return self.workstation


def _open(data_dir: Path, demo: bool, autoload: bool) -> Workstation:
    from console.services.context import open_workstation

    return open_workstation(data_dir, demo=demo, autoload=autoload)
