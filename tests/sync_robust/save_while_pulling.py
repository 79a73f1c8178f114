"""Child process of test_pull_yield.py: an officer saves calls while the sync runs.

Usage: python save_while_pulling.py DATA_DIR SERVER_URL USER [TAG]  (password in DUTY_PASSWORD)

A thread saves a call (incident.create + its 来电 timeline entry, one write-path
transaction) every few milliseconds and prints "saved ID" once each save has returned;
meanwhile ``sync_once`` runs. With ``DUTY_FAULT_KILL_AT=pull_yield[:N]`` the process kills
itself right after a pull page stepped aside for one of those saves: between the page's
sub-transactions. Prints "synced" if it was not killed.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

from robust_kit import incident_create

from console.domain.ids import new_id
from console.services.context import open_workstation
from console.sync.client import SyncClient
from console.sync.engine import SyncEngine


def main() -> None:
    data_dir, url, user = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    tag = sys.argv[4] if len(sys.argv) > 4 else "A"  # titles stay unique across runs
    ws = open_workstation(data_dir, autoload=False)  # signed in: the county comes by pull
    stop = threading.Event()

    def officer() -> None:
        n = 0
        while not stop.is_set():
            name, args = incident_create(f"{tag}-接报-{n}")
            call = {
                "id": new_id(),
                "incident_id": args["id"],
                "kind": "来电",
                "body": f"来电 {n}",
                "at": "2026-11-28T10:00:00+08:00",
            }
            ws.writer.apply([(name, args), ("timeline.append", call)], user=user)
            print(f"saved {args['id']}", flush=True)
            n += 1
            time.sleep(0.003)

    saver = threading.Thread(target=officer, name="officer", daemon=True)
    client = SyncClient(url)
    client.login(user, os.environ["DUTY_PASSWORD"])
    saver.start()
    SyncEngine(ws.store, client).sync_once()
    stop.set()
    saver.join()
    client.close()
    ws.close()
    print("synced", flush=True)


if __name__ == "__main__":
    main()
