"""HTTP client of the sync server (requests). Every call has a timeout; errors are typed."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from console import faults
from console.domain import drill
from console.domain.drill import DRILL_HEADER

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
    """No answer: network down, server stopped, timeout. The workstation is offline.

    ``kind`` says why, for the officer's message (console/sync/messages.py): "refused"
    (nothing listens there), "timeout", "name" (the host name is unknown), "tls", "other".
    """

    def __init__(self, message: str, kind: str = "other") -> None:
        super().__init__(message)
        self.kind = kind


class Untrusted(Unreachable):
    """TLS failed: the server's certificate is not trusted (or not the server's)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "tls")


def _unreachable(exc: requests.RequestException) -> Unreachable:
    if isinstance(exc, requests.exceptions.SSLError):
        return Untrusted(str(exc))
    if isinstance(exc, requests.exceptions.Timeout):
        return Unreachable(str(exc), "timeout")
    text = repr(exc)
    if "NameResolutionError" in text or "Name or service not known" in text:
        return Unreachable(str(exc), "name")
    if "ConnectionRefused" in text or "Connection refused" in text:
        return Unreachable(str(exc), "refused")
    return Unreachable(str(exc))


def _key_header(client_key: str) -> dict[str, str]:
    """The workstation's client key: with it the server lets whichever account is signed in
    here push and pull as this workstation (a shift handover), and nobody without it."""
    return {"X-Duty-Client-Key": client_key} if client_key else {}


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
        if drill.active():  # 演练: only a drill server answers (server.drill.DrillGuard)
            self._http.headers[DRILL_HEADER] = "1"
        faults.instrument(self._http)  # a no-op unless a crash test armed a wire point

    def close(self) -> None:
        self._http.close()

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def _call(
        self, method: str, path: str, headers: dict[str, str] | None = None, **kw: Any
    ) -> dict[str, Any]:
        # One quiet retry when a kept-alive connection was closed by the server just as we
        # reused it. Safe for every call here: pull and login change nothing, and a push is
        # idempotent by protocol (a replayed mutation id is answered, not applied again).
        for attempt in (1, 2):
            try:
                resp = self._http.request(
                    method,
                    self.base_url + path,
                    headers={**self._headers(), **(headers or {})},
                    timeout=(CONNECT_TIMEOUT_S, READ_TIMEOUT_S),
                    **kw,
                )
                break
            except requests.ConnectionError as exc:
                if attempt == 2 or "RemoteDisconnected" not in repr(exc):
                    raise _unreachable(exc) from exc
            except requests.RequestException as exc:
                raise _unreachable(exc) from exc
        try:
            payload = resp.json()
        except ValueError:
            if resp.status_code < 400:
                # A success without its JSON body: the link dropped in the middle of the
                # headers (http.client takes EOF there as their end) or of a body sent
                # without a length. The answer is lost, exactly as if no reply had come.
                raise Unreachable(f"incomplete reply (HTTP {resp.status_code})") from None
            payload = {"detail": resp.text[:200]}
        if resp.status_code >= 400:
            raise SyncHttpError(resp.status_code, payload)
        assert isinstance(payload, dict)
        return payload

    def login(self, username: str, password: str) -> Login:
        body = self._call("POST", "/auth/login", json={"username": username, "password": password})
        self.token = body["token"]
        return Login(body["token"], body["username"], body["role"])

    def push(
        self,
        client_id: str,
        mutations: list[dict[str, Any]],
        cursor: str | None = None,
        client_key: str = "",
    ) -> dict[str, Any]:
        """``cursor``: this workstation's pull cursor; with a gap it tells the server that it
        lost acknowledged work (restored without a new epoch). A header: a server that does
        not know it ignores it.

        ``client_key``: the workstation's key (:func:`_key_header`)."""
        body = {"client_id": client_id, "mutations": mutations}
        headers = _key_header(client_key)
        if cursor:
            headers["X-Duty-Cursor"] = cursor
        return self._call("POST", "/sync/push", headers=headers, json=body)

    def ack_links(
        self, order_id: str, recipient_ids: list[str], ttl_minutes: int = 24 * 60
    ) -> dict[str, Any]:
        """指挥一平台: one acknowledgement link per recipient of an order (server.ack_links);
        ``{"expires_at": ..., "links": [{"recipient_id", "path", "url"}]}``."""
        return self._call(
            "POST",
            f"/orders/{order_id}/ack-links",
            json={"recipient_ids": recipient_ids, "ttl_minutes": ttl_minutes},
        )

    def send_order_sms(
        self, order_id: str, recipient_ids: list[str], ttl_minutes: int = 24 * 60
    ) -> dict[str, Any]:
        """指挥一平台: the server texts the order with each recipient's own link
        (server.sms_api); ``{"sent": [...], "skipped": [...], "failed": [{...}]}``."""
        return self._call(
            "POST",
            f"/orders/{order_id}/sms",
            json={"recipient_ids": recipient_ids, "ttl_minutes": ttl_minutes},
        )

    def camera_play(self, camera_id: str) -> str:
        """视频监控: the camera's playable address, credentials included (server.camera_api);
        kept in memory by the caller, never written."""
        return str(self._call("POST", f"/cameras/{camera_id}/play").get("url", ""))

    def camera_stream(self, camera_id: str) -> dict[str, Any]:
        """Administrators: ``{"url", "username", "has_credentials"}`` (never the password)."""
        return self._call("GET", f"/cameras/{camera_id}/stream")

    def set_camera_stream(self, camera_id: str, url: str, username: str, password: str) -> None:
        """Administrators: set the address; credentials in ``url`` are split off by the
        server; an empty ``password`` with the same user keeps the stored one."""
        body = {"url": url, "username": username, "password": password}
        self._call("PUT", f"/cameras/{camera_id}/stream", json=body)

    def pull(
        self,
        client_id: str,
        cursor: str | None,
        limit: int = 5000,
        acked: int | None = None,
        client_key: str = "",
    ) -> dict[str, Any]:
        """``acked``: the last mutation id this workstation holds as acknowledged; more than
        the server holds is the sign of a restored server (it then starts a new epoch)."""
        params: dict[str, Any] = {"client_id": client_id, "limit": limit}
        if cursor:
            params["cursor"] = cursor
        if acked is not None:
            params["acked"] = acked
        return self._call("GET", "/sync/pull", headers=_key_header(client_key), params=params)

    # -- the file store (server/files_api.py) --------------------------------------------
    def files_missing(self, digests: list[str]) -> list[str]:
        """Which of ``digests`` (at most 1000) the server lacks."""
        body = self._call("POST", "/files/check", json={"sha256": digests})
        return [str(d) for d in body.get("missing", [])]

    def upload_file(self, digest: str, path: Path) -> dict[str, Any]:
        """PUT the file's bytes under its digest (the server checks it), streamed from disk
        with its length."""
        size = path.stat().st_size
        with path.open("rb") as body:
            return self._call(
                "PUT",
                f"/files/{digest}",
                headers={
                    "Content-Type": "application/octet-stream",
                    "Content-Length": str(size),
                },
                data=body,
            )

    def download_file(self, digest: str, write: Callable[[bytes], object]) -> None:
        """Stream the file stored under ``digest`` into ``write``; SyncHttpError 404 when
        the server has none."""
        try:
            resp = self._http.get(
                f"{self.base_url}/files/{digest}",
                headers=self._headers(),
                stream=True,
                timeout=(CONNECT_TIMEOUT_S, READ_TIMEOUT_S),
            )
        except requests.RequestException as exc:
            raise _unreachable(exc) from exc
        try:
            if resp.status_code >= 400:
                try:
                    payload = resp.json()
                except ValueError:
                    payload = {"detail": resp.text[:200]}
                raise SyncHttpError(resp.status_code, payload)
            for chunk in resp.iter_content(1 << 16):
                write(chunk)
        except requests.RequestException as exc:
            raise _unreachable(exc) from exc
        finally:
            resp.close()

    def readings_pull(self, after: int, since: int, limit: int) -> dict[str, Any]:
        """One columnar page of the readings channel (gzip when large; requests inflates)."""
        params = {"after": after, "since": since, "limit": limit}
        return self._call("GET", "/readings/pull", params=params)

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
            raise _unreachable(exc) from exc
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
            raise _unreachable(exc) from exc
        finally:
            resp.close()
