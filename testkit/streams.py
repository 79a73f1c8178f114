"""Real video streams on loopback for tests and benches: the committed clip as a file, over
HTTP (byte ranges), as MJPEG (multipart) and HLS over HTTP, and over RTSP (gst-rtsp-server).

:class:`StreamServer` runs one server as a child process on a fixed port, so a test can kill
it and start it again on the same address (what a camera dropping off the network and coming
back looks like to the console).
"""

from __future__ import annotations

import select
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from testkit.server import REPO, child_env, free_port

CLIP = REPO / "console" / "resources" / "video" / "sample_clip.mp4"
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's, with python3-gi (GStreamer bindings)
READY_TIMEOUT_S = 30.0


@dataclass
class StreamServer:
    """``kind``: "http", "mjpeg" (``folder`` served) or "rtsp" (``folder`` = the clip);
    ``setup_log`` (RTSP): the file the server appends each SETUP's Transport header to."""

    kind: str
    folder: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[str] | None = None
    setup_log: Path | None = None

    def transports(self) -> list[str]:
        """The Transport headers of the SETUPs received so far (RTSP with ``setup_log``)."""
        if self.setup_log is None or not self.setup_log.exists():
            return []
        return self.setup_log.read_text(encoding="utf-8").splitlines()

    @property
    def url(self) -> str:
        if self.kind == "rtsp":
            return f"rtsp://127.0.0.1:{self.port}/cam"
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> StreamServer:
        if self.kind == "rtsp":
            cmd = [SYSTEM_PYTHON, str(REPO / "testkit" / "rtsp_serve.py"), str(self.folder)]
        else:
            cmd = [sys.executable, "-m", "testkit.stream_serve", self.kind, str(self.folder)]
        cmd.append(str(self.port))
        if self.kind == "rtsp" and self.setup_log is not None:
            cmd.append(str(self.setup_log))
        env = child_env()
        if self.kind == "rtsp":  # the system Python must not see the venv's packages
            env.pop("PYTHONPATH", None)
        self.proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            cwd=REPO,
        )
        assert self.proc.stdout is not None
        # "ready" once it listens (a first GStreamer start scans its plugins: seconds).
        readable, _, _ = select.select([self.proc.stdout], [], [], READY_TIMEOUT_S)
        line = self.proc.stdout.readline() if readable else ""
        if line.strip() != "ready":
            self.stop()
            raise RuntimeError(f"{self.kind} stream server did not start: {line!r}")
        return self

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        proc.kill()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


def ffmpeg() -> str:
    path = shutil.which("ffmpeg")
    if path is None:
        raise RuntimeError("ffmpeg is missing: quickstart.sh installs it (APT_PACKAGES)")
    return path


def _cut(out: Path, *args: str) -> Path:
    """Run ffmpeg on the clip with ``args`` writing into ``out`` (made first)."""
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run([ffmpeg(), "-v", "error", "-i", str(CLIP), *args], check=True, timeout=60)
    return out


def hls_folder(out: Path) -> Path:
    """The clip cut into HLS segments (no re-encoding) in ``out``: ``index.m3u8``."""
    hls = ("-c", "copy", "-f", "hls", "-hls_time", "2", "-hls_list_size", "0")
    return _cut(out, *hls, str(out / "index.m3u8"))


def jpeg_frames(out: Path, count: int = 25) -> Path:
    """``count`` 640x360 JPEG frames of the clip in ``out`` (for the MJPEG server)."""
    return _cut(out, "-frames:v", str(count), "-q:v", "5", str(out / "f%03d.jpg"))
