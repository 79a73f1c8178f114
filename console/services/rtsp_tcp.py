"""RTSP over TCP for Qt Multimedia's FFmpeg backend, which has no way to ask for it.

Qt (6.11) opens a source with a few options of its own (timeout, protocol whitelist,
low-latency flags) and passes none from the application, so FFmpeg's ``rtsp_transport``
stays at its default: UDP first, TCP only when the server answers the UDP SETUP with
``461 Unsupported Transport``. FFmpeg's old ``rtsp://host/path?tcp`` URL option is gone
(``FF_API_RTSP_URL_OPTIONS``). Through a gateway, a firewall or NAT, UDP is what breaks:
the SETUP succeeds and no packet ever arrives.

:class:`RtspTcpRelay` listens on loopback, one port per camera host. The player is given
``rtsp://[user:pass@]127.0.0.1:<port>/<the same path>``; the relay forwards every byte to
the real host and back, except a SETUP asking for UDP, which it answers itself with 461.
FFmpeg then sets up the same stream over TCP (interleaved on the RTSP connection), which
the relay forwards like the rest. The server never sees a UDP request. Nothing is stored:
credentials travel inside the player's requests as before. ``rtsps://`` is left alone
(FFmpeg already runs it over TCP, and TLS cannot be relayed byte-transparently here).
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
from urllib.parse import urlsplit, urlunsplit

CONNECT_TIMEOUT_S = 10.0
RECV_BYTES = 65536
HEADER_MAX = 64 * 1024  # one RTSP request's head: more is not RTSP
_LENGTH = re.compile(rb"^content-length:\s*(\d+)\s*$", re.IGNORECASE | re.MULTILINE)
_CSEQ = re.compile(rb"^cseq:\s*(\d+)\s*$", re.IGNORECASE | re.MULTILINE)
_TRANSPORT = re.compile(rb"^transport:\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)


def asks_for_udp(request: bytes) -> bool:
    """A SETUP whose Transport names no TCP alternative (``RTP/AVP`` is UDP)."""
    if not request.startswith(b"SETUP "):
        return False
    found = _TRANSPORT.search(request.split(b"\r\n\r\n", 1)[0])
    if found is None:
        return False
    specs = [spec.split(b";", 1)[0].strip().upper() for spec in found.group(1).split(b",")]
    return not any(spec.endswith(b"/TCP") for spec in specs)


def unsupported_transport(request: bytes) -> bytes:
    cseq = _CSEQ.search(request)
    number = cseq.group(1).decode() if cseq else "0"
    return f"RTSP/1.0 461 Unsupported Transport\r\nCSeq: {number}\r\n\r\n".encode()


class _Reader:
    """The client's side of one connection, read one message at a time."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buf = b""

    def _fill(self) -> bool:
        data = self._sock.recv(RECV_BYTES)
        self._buf += data
        return bool(data)

    def _take(self, n: int) -> bytes | None:
        while len(self._buf) < n:
            if not self._fill():
                return None
        out, self._buf = self._buf[:n], self._buf[n:]
        return out

    def message(self) -> bytes | None:
        """An interleaved frame (``$``, channel, length, data) or a request (head and body);
        None at the end of the connection or on what is not RTSP."""
        while not self._buf:
            if not self._fill():
                return None
        if self._buf[:1] == b"$":
            head = self._take(4)
            if head is None:
                return None
            body = self._take(int.from_bytes(head[2:4], "big"))
            return None if body is None else head + body
        while (end := self._buf.find(b"\r\n\r\n")) < 0:
            if len(self._buf) > HEADER_MAX or not self._fill():
                return None
        head = self._take(end + 4)
        assert head is not None
        length = _LENGTH.search(head)
        body = self._take(int(length.group(1))) if length else b""
        return None if body is None else head + body


class _Listener:
    """One loopback port relaying to one camera host."""

    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = int(self.sock.getsockname()[1])
        self.udp_refused = 0  # SETUPs asking for UDP answered with 461 (tests read it)
        threading.Thread(target=self._accept, name="rtsp-tcp-accept", daemon=True).start()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _addr = self.sock.accept()
            except OSError:
                return
            threading.Thread(
                target=self._serve, args=(client,), name="rtsp-tcp-relay", daemon=True
            ).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.upstream, timeout=CONNECT_TIMEOUT_S)
        except OSError:
            client.close()
            return
        upstream.settimeout(None)
        for s in (client, upstream):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        send_lock = threading.Lock()  # the 461 and the server's bytes share the client
        threading.Thread(target=self._pump, args=(upstream, client, send_lock), daemon=True).start()
        reader = _Reader(client)
        try:
            while (message := reader.message()) is not None:
                if asks_for_udp(message):
                    self.udp_refused += 1
                    with send_lock:
                        client.sendall(unsupported_transport(message))
                else:
                    upstream.sendall(message)
        except OSError:
            pass
        finally:
            _close(client, upstream)

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket, lock: threading.Lock) -> None:
        try:
            while data := src.recv(RECV_BYTES):
                with lock:
                    dst.sendall(data)
        except OSError:
            pass
        finally:
            _close(src, dst)


def _close(*socks: socket.socket) -> None:
    for s in socks:
        with contextlib.suppress(OSError):
            s.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            s.close()


class RtspTcpRelay:
    """``local_url(url)``: what to give the player for ``url`` (RTSP over TCP)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: dict[tuple[str, int], _Listener] = {}

    def local_url(self, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme.lower() != "rtsp" or not parts.hostname:
            return url
        listener = self.listener(parts.hostname, parts.port or 554)
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = (f"{userinfo}@" if userinfo else "") + f"127.0.0.1:{listener.port}"
        return urlunsplit(parts._replace(netloc=netloc))

    def listener(self, host: str, port: int) -> _Listener:
        with self._lock:
            found = self._listeners.get((host, port))
            if found is None:
                found = self._listeners[(host, port)] = _Listener(host, port)
            return found

    def close(self) -> None:
        with self._lock:
            listeners, self._listeners = list(self._listeners.values()), {}
        for listener in listeners:
            listener.close()


_shared: RtspTcpRelay | None = None
_shared_lock = threading.Lock()


def shared_relay() -> RtspTcpRelay:
    """The process's relay (the video cells share it)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = RtspTcpRelay()
        return _shared
