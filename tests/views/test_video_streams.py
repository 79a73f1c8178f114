"""视频监控: a cell plays REAL streams on loopback (no mocks): the committed clip as a file,
over HTTP with byte ranges, as MJPEG, as HLS and over RTSP; frames are counted through the
cell's QVideoSink. A stream server killed and started again: the cell says 离线，N 秒后重连
and comes back by itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QPlaybackOptions
from pytestqt.qtbot import QtBot

from console.services.rtsp_tcp import shared_relay
from console.views.pages.video_cell import BACKGROUND, CONNECTING, OFFLINE, PLAYING, VideoCell
from testkit.qt_logs import VIDEO_WARNINGS
from testkit.streams import CLIP, StreamServer, hls_folder, jpeg_frames

pytestmark = pytest.mark.qt_log_ignore(*VIDEO_WARNINGS)

WAIT_MS = 15_000  # generous: the suite runs these beside other parallel tests
FRAMES = 10


@pytest.fixture
def cell(qtbot: QtBot) -> Iterator[VideoCell]:
    widget = VideoCell(0)
    qtbot.addWidget(widget)
    widget.resize(320, 180)
    widget.show()
    yield widget
    widget.stop()


def _plays(qtbot: QtBot, cell: VideoCell, url: str, *, loop: bool = False) -> None:
    states: list[str] = []
    cell.state_changed.connect(states.append)
    cell.play(url, "测试摄像机", loop=loop)
    assert cell.state == CONNECTING
    qtbot.waitUntil(lambda: cell.frames >= FRAMES, timeout=WAIT_MS)
    assert cell.state == PLAYING and "播放中" in states
    image = cell.snapshot()
    assert (image.width(), image.height()) == (640, 360)
    _shows_the_picture(qtbot, cell)


def _shows_the_picture(qtbot: QtBot, cell: VideoCell) -> None:
    """The frames are painted, not only counted: most of the cell above its caption band
    is picture, not the empty cell's background."""

    def covered() -> float:
        shot = cell.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
        rows = np.frombuffer(shot.constBits(), np.uint32).reshape(shot.height(), -1)
        above_band = rows[: int(shot.height() * 0.7), : shot.width()]
        return float((above_band != BACKGROUND.rgb()).mean())

    qtbot.waitUntil(lambda: covered() > 0.8, timeout=WAIT_MS)
    assert cell.painted_by == "opencv"  # every stream here decodes to 4:2:0 (video_frame)


def test_file(qtbot: QtBot, cell: VideoCell) -> None:
    _plays(qtbot, cell, CLIP.as_uri(), loop=True)


def test_http_mp4_with_ranges(qtbot: QtBot, cell: VideoCell) -> None:
    server = StreamServer("http", CLIP.parent).start()
    try:
        _plays(qtbot, cell, server.url + CLIP.name, loop=True)
    finally:
        server.stop()


def test_hls(qtbot: QtBot, cell: VideoCell, tmp_path: Path) -> None:
    server = StreamServer("http", hls_folder(tmp_path / "hls")).start()
    try:
        _plays(qtbot, cell, server.url + "index.m3u8")
    finally:
        server.stop()


def test_rtsp_plays_over_tcp(qtbot: QtBot, cell: VideoCell, tmp_path: Path) -> None:
    """The camera's address as the administrator entered it: every SETUP the server gets
    asks for TCP (interleaved), as the server's log shows; FFmpeg's UDP try is turned away
    on loopback by the relay."""
    server = StreamServer("rtsp", CLIP, setup_log=tmp_path / "setups.log").start()
    try:
        _plays(qtbot, cell, server.url)
        assert cell.url == server.url  # the cell keeps the address as given
        setups = server.transports()
        assert setups and all(t.startswith("RTP/AVP/TCP;") for t in setups), setups
        assert shared_relay().listener("127.0.0.1", server.port).udp_refused >= 1
        assert cell._player is not None
        intent = cell._player.playbackOptions().playbackIntent()
        assert intent == QPlaybackOptions.PlaybackIntent.LowLatencyStreaming
    finally:
        server.stop()


def test_without_the_relay_ffmpeg_asks_for_udp(
    qtbot: QtBot, cell: VideoCell, tmp_path: Path
) -> None:
    """The log tells the transports apart: FFmpeg left to itself sets up over UDP."""
    server = StreamServer("rtsp", CLIP, setup_log=tmp_path / "setups.log").start()
    try:
        cell.rtsp_over_tcp = False
        _plays(qtbot, cell, server.url)
        setups = server.transports()
        assert setups and not any("TCP" in t for t in setups), setups
    finally:
        server.stop()


def test_a_dead_rtsp_host_behind_the_relay_goes_offline(qtbot: QtBot, cell: VideoCell) -> None:
    dead = StreamServer("rtsp", CLIP)  # never started: its port refuses
    cell.play(dead.url, "断线摄像机")
    qtbot.waitUntil(lambda: cell.state == OFFLINE, timeout=WAIT_MS)
    assert cell.frames == 0


@pytest.mark.timeout(60)
def test_mjpeg_killed_and_restored_reconnects(
    qtbot: QtBot, cell: VideoCell, tmp_path: Path
) -> None:
    server = StreamServer("mjpeg", jpeg_frames(tmp_path / "frames")).start()
    try:
        _plays(qtbot, cell, server.url)
        server.stop()  # the camera drops off the network
        qtbot.waitUntil(lambda: cell.state == OFFLINE, timeout=WAIT_MS)
        assert cell.state_text().startswith("离线，") and cell.state_text().endswith("秒后重连")
        server.start()  # and comes back on the same address
        qtbot.waitUntil(lambda: cell.state == PLAYING and cell.frames >= FRAMES, timeout=40_000)
    finally:
        server.stop()


def test_unreachable_backs_off(qtbot: QtBot, cell: VideoCell) -> None:
    """Nothing listens: offline after each try, the wait growing 1 s, 2 s, ..."""
    dead = StreamServer("http", CLIP.parent)  # never started: its port refuses
    waits: list[int] = []
    cell.state_changed.connect(
        lambda _t: waits.append(cell.retry_in) if cell.state == OFFLINE else None
    )
    cell.play(dead.url + "x.mp4", "断线摄像机")
    qtbot.waitUntil(lambda: 2 in waits, timeout=WAIT_MS)
    assert waits[0] == 1 and cell.frames == 0
