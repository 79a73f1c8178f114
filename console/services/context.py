"""Opening a workstation: the store, its writer and queries, with first-run sample data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from console.domain.schema import Township
from console.services.queries import Queries
from console.services.report_rules import load_defaults_if_never_set
from console.services.sample_data import load_sample
from console.store.database import Store, open_store
from console.store.paths import DATABASE_FILE
from console.store.writer import Writer

SYSTEM_USER = "系统"


@dataclass
class Workstation:
    """What every screen and command needs, passed in explicitly (no globals)."""

    store: Store
    writer: Writer
    queries: Queries
    first_run: bool

    def close(self) -> None:
        self.store.close()


def open_workstation(data_dir: Path, *, demo: bool = False) -> Workstation:
    """Open the store; on first run (or with ``demo``) load the sample county."""
    first_run = not (data_dir / DATABASE_FILE).exists()
    store = open_store(data_dir)
    writer = Writer(store)
    queries = Queries(store)
    # "Never written anything and holds no county" rather than "file was new": survives a
    # first start that crashed between creating the file and loading the sample.
    untouched = queries.sync_counters().next_mutation_id == 1 and queries.count(Township) == 0
    # --demo on a store that already holds the sample adds nothing: reloading would queue
    # hundreds of no-op mutations and bring back records an officer deleted on purpose.
    if untouched or (demo and not queries.sample_present()):
        load_sample(writer, user=SYSTEM_USER)
    load_defaults_if_never_set(writer)
    return Workstation(store=store, writer=writer, queries=queries, first_run=first_run)
