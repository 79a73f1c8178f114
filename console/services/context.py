"""Opening a workstation: the store, its writer and queries, with first-run sample data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from console.domain.roles import SYSTEM_USER
from console.domain.schema import Township
from console.services.grading_rules import load_grading_if_never_set
from console.services.guides import load_guides_if_never_set
from console.services.queries import Queries
from console.services.report_rules import load_defaults_if_never_set
from console.services.sample_data import load_sample
from console.store.database import Store, open_store
from console.store.paths import DATABASE_FILE
from console.store.writer import Writer
from console.sync.apply import ever_connected


@dataclass
class Workstation:
    """What every screen and command needs, passed in explicitly (no globals)."""

    store: Store
    writer: Writer
    queries: Queries
    first_run: bool

    def close(self) -> None:
        self.store.close()


def open_workstation(
    data_dir: Path, *, demo: bool = False, autoload: bool = True, sample_incidents: bool = True
) -> Workstation:
    """Open the store; on first run (or with ``demo``) load the sample county.

    ``autoload=False`` defers the first-run decision to the caller (the console asks the
    officer to sign in first: a workstation joining a server gets the county by pulling, and
    must not push sample data or default rules into a server that has its own); the caller
    then calls :func:`load_standalone_defaults` when the officer works standalone.
    """
    first_run = not (data_dir / DATABASE_FILE).exists()
    store = open_store(data_dir)
    workstation = Workstation(
        store=store, writer=Writer(store), queries=Queries(store), first_run=first_run
    )
    if demo and not workstation.queries.sample_present():
        # ``sample_incidents=False``: the county alone, for tests that date their own calls.
        load_sample(workstation.writer, user=SYSTEM_USER, incidents=sample_incidents)
    if autoload:
        load_standalone_defaults(workstation, sample_incidents=sample_incidents)
    return workstation


def never_written(workstation: Workstation) -> bool:
    """Nothing ever written here, no county, never connected to a server: a first
    standalone start (also one that crashed between creating the file and loading the
    sample). A workstation that ever pulled from or joined a server never gets the sample,
    even when that server holds no county yet."""
    queries = workstation.queries
    if queries.sync_counters().next_mutation_id != 1 or queries.count(Township) != 0:
        return False
    with workstation.store.engine.connect() as conn:
        return not ever_connected(conn)


def load_standalone_defaults(workstation: Workstation, *, sample_incidents: bool = True) -> None:
    """First run without a server: the sample county (with its sample incidents unless
    told otherwise), and the default reporting and grading rules whenever their table never
    held any."""
    if never_written(workstation):
        load_sample(workstation.writer, user=SYSTEM_USER, incidents=sample_incidents)
    load_defaults_if_never_set(workstation.writer)
    load_grading_if_never_set(workstation.writer)
    load_guides_if_never_set(workstation.writer)
