"""duty-server over TLS (--certfile/--keyfile): a workstation trusting the centre's
certificate signs in and syncs; one that does not trust it is refused, not downgraded."""

from __future__ import annotations

from pathlib import Path

import pytest
from sync_testkit import PASSWORDS, incident_call, self_signed_certificate, server_database

from console.services.accounts import Accounts, LoginError
from console.services.context import open_workstation
from console.sync.engine import SyncEngine
from testkit.server import ServerProcess


def test_sync_over_tls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cert, key = self_signed_certificate(tmp_path)
    server = ServerProcess(
        server_database(tmp_path / "server"), certfile=cert, keyfile=key, ca_bundle=cert
    ).start()
    password = PASSWORDS["zhang"][1]
    ws = open_workstation(tmp_path / "ws")
    ws.writer.apply([incident_call("加密连接登记")], user="zhang")  # work of its own to push
    try:
        with pytest.raises(LoginError, match="证书不受本机信任"):  # refused, not downgraded
            Accounts(ws.store).login(server.url, "zhang", password)
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))  # the centre's CA, as deployed
        session = Accounts(ws.store).login(server.url, "zhang", password)
        assert not session.offline
        report = SyncEngine(ws.store, session.client()).sync_once()
        assert report.pushed > 0 and ws.queries.sync_counters().pending == 0
    finally:
        ws.close()
        server.stop()
