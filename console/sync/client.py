"""HTTP client of the sync server (requests). Every call has a timeout; errors are typed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import requests

CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 60.0


class SyncHttpError(Exception):
    """The server answered with an error status."""

    def __init__(self, status: int, payload: dict[str, Any]) -> None:
        detail = payload.get("detail", "")
        super().__init__(f"HTTP {status}: {detail}")
        self.status = status
        self.payload = payload


class Unreachable(Exception):
    """No answer: network down, server stopped, timeout. The workstation is offline."""


@dataclass(frozen=True)
class Login:
    token: str
    username: str
    role: str


class SyncClient:
    def __init__(self, base_url: str, token: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._http = requests.Session()

    def close(self) -> None:
        self._http.close()

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def _call(self, method: str, path: str, **kw: Any) -> dict[str, Any]:
        try:
            resp = self._http.request(
                method,
                self.base_url + path,
                headers=self._headers(),
                timeout=(CONNECT_TIMEOUT_S, READ_TIMEOUT_S),
                **kw,
            )
        except requests.RequestException as exc:
            raise Unreachable(str(exc)) from exc
        try:
            payload = resp.json()
        except ValueError:
            payload = {"detail": resp.text[:200]}
        if resp.status_code >= 400:
            raise SyncHttpError(resp.status_code, payload)
        assert isinstance(payload, dict)
        return payload

    def login(self, username: str, password: str) -> Login:
        body = self._call("POST", "/auth/login", json={"username": username, "password": password})
        self.token = body["token"]
        return Login(body["token"], body["username"], body["role"])

    def push(self, client_id: str, mutations: list[dict[str, Any]]) -> dict[str, Any]:
        return self._call(
            "POST", "/sync/push", json={"client_id": client_id, "mutations": mutations}
        )

    def pull(self, client_id: str, cursor: str | None, limit: int = 5000) -> dict[str, Any]:
        params: dict[str, Any] = {"client_id": client_id, "limit": limit}
        if cursor:
            params["cursor"] = cursor
        return self._call("GET", "/sync/pull", params=params)

    def events(self, read_timeout_s: float = 40.0) -> Iterator[dict[str, Any]]:
        """Yield each server-sent event as {"event": ..., "version": ...}.

        The read timeout exceeds the 15 s heartbeat, so a silently dead link is noticed.
        """
        try:
            resp = self._http.get(
                self.base_url + "/sync/events",
                headers=self._headers(),
                stream=True,
                timeout=(CONNECT_TIMEOUT_S, read_timeout_s),
            )
        except requests.RequestException as exc:
            raise Unreachable(str(exc)) from exc
        if resp.status_code >= 400:
            raise SyncHttpError(resp.status_code, {"detail": resp.text[:200]})
        event = "message"
        try:
            for chunk in resp.iter_lines():
                raw = chunk.decode("utf-8") if isinstance(chunk, bytes) else str(chunk)
                if raw.startswith("event:"):
                    event = raw[6:].strip()
                elif raw.startswith("data:"):
                    data = json.loads(raw[5:].strip() or "{}")
                    yield {"event": event, **data}
                    event = "message"
        except requests.RequestException as exc:
            raise Unreachable(str(exc)) from exc
        finally:
            resp.close()
