"""Stream servers on loopback for the video tests and the bench, each run as its own process
(``python -m testkit.stream_serve KIND ...``) so a test can kill it and start it again.

- ``http DIR PORT``: the files of DIR over HTTP/1.1 with byte ranges (mp4 playback seeks;
  HLS playlists and segments are plain files).
- ``mjpeg DIR PORT``: ``multipart/x-mixed-replace`` of the ``*.jpg`` frames in DIR, in name
  order, looped forever at 25 frames a second (a live camera: it never ends by itself).

The RTSP server is :mod:`testkit.rtsp_serve` (GStreamer through Debian's python3-gi, so it
runs under the system Python, not the venv).
"""

from __future__ import annotations

import sys
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

BOUNDARY = "dutyframe"
FPS = 25


class RangeHandler(SimpleHTTPRequestHandler):
    """Files with ``Range: bytes=a-b`` answered as 206 (FFmpeg's HTTP reader seeks)."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: the tests read their own output

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if not path.is_file():
            self.send_error(404)
            return None
        size = path.stat().st_size
        start, end = 0, size - 1
        spec = self.headers.get("Range", "")
        ranged = spec.startswith("bytes=")
        if ranged:
            first, _, last = spec[6:].split(",")[0].partition("-")
            start = int(first) if first else max(0, size - int(last or 0))
            end = min(int(last), size - 1) if first and last else size - 1
            if start >= size:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
        handle = path.open("rb")
        handle.seek(start)
        self.send_response(206 if ranged else 200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(end - start + 1))
        if ranged:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        self._remaining = end - start + 1
        return handle

    def copyfile(self, source, outputfile):  # type: ignore[no-untyped-def]
        remaining = getattr(self, "_remaining", None)
        while remaining is None or remaining > 0:
            chunk = source.read(65536 if remaining is None else min(65536, remaining))
            if not chunk:
                break
            outputfile.write(chunk)
            if remaining is not None:
                remaining -= len(chunk)


class MjpegHandler(RangeHandler):
    frames: ClassVar[list[bytes]] = []

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", f"multipart/x-mixed-replace; boundary={BOUNDARY}")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        index = 0
        try:
            while True:
                frame = self.frames[index % len(self.frames)]
                head = (
                    f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\n"
                    f"Content-Length: {len(frame)}\r\n\r\n"
                ).encode()
                self.wfile.write(head + frame + b"\r\n")
                self.wfile.flush()
                index += 1
                time.sleep(1 / FPS)
        except (BrokenPipeError, ConnectionResetError):
            return


def serve(kind: str, folder: Path, port: int) -> None:
    if kind == "mjpeg":
        MjpegHandler.frames = [p.read_bytes() for p in sorted(folder.glob("*.jpg"))]
        handler: type[RangeHandler] = MjpegHandler
    else:
        handler = RangeHandler
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(handler, directory=str(folder)))
    server.daemon_threads = True
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    serve(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]))
