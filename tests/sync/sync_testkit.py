"""Helpers of the workstation sync tests: a real duty-server process on loopback (SQLite).

A module with its own name (not conftest) so tests can import it unambiguously."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

PASSWORDS = {"zhang": ("officer", "zhang-pass-1"), "li": ("leader", "li-pass-12")}


@dataclass
class ServerProc:
    url: str
    data_dir: Path
    port: int
    proc: subprocess.Popen[bytes] | None = None
    extra_args: tuple[str, ...] = ()
    ca_bundle: str | None = None  # for a TLS server: the certificate to trust

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "server.cli", "--data-dir", str(self.data_dir), *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def start(self) -> None:
        log = open(self.data_dir / "server.log", "ab")  # noqa: SIM115 - lives with the process
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "server.cli",
                "--data-dir",
                str(self.data_dir),
                "--port",
                str(self.port),
                *self.extra_args,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                answer = requests.get(
                    self.url + "/health", timeout=0.5, verify=self.ca_bundle or True
                )
                if answer.status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("server did not start: " + (self.data_dir / "server.log").read_text())

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
