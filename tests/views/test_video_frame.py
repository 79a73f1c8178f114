"""视频监控: the cell's own YUV -> RGB conversion (OpenCV) against Qt's: the same colours as
``QVideoFrame.toImage`` for real decoded frames of the committed clip and for every layout
it takes (planes in each order, padded strides), and None for what it must leave to Qt."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from PySide6.QtCore import QRect, QSize, Qt, QUrl
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QMediaPlayer, QtVideo, QVideoFrame, QVideoFrameFormat, QVideoSink
from pytestqt.qtbot import QtBot

from console.views.pages.video_cell import _around
from console.views.pages.video_frame import FrameConverter, convertible
from testkit.qt_logs import VIDEO_WARNINGS
from testkit.streams import CLIP

pytestmark = pytest.mark.qt_log_ignore(*VIDEO_WARNINGS)

PF = QVideoFrameFormat.PixelFormat


def _rgb(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), -1)
    return rows[:, : image.width() * 4].reshape(image.height(), image.width(), 4)[..., :3]


def _diff(a: QImage, b: QImage) -> np.ndarray:
    assert (a.width(), a.height()) == (b.width(), b.height())
    return np.abs(_rgb(a).astype(int) - _rgb(b).astype(int))


@pytest.fixture(scope="module")
def clip_frames() -> Iterator[list[QVideoFrame]]:
    """Real frames of the clip, decoded by Qt Multimedia's FFmpeg backend."""
    frames: list[QVideoFrame] = []
    player, sink = QMediaPlayer(), QVideoSink()
    player.setVideoSink(sink)
    sink.videoFrameChanged.connect(lambda f: frames.append(QVideoFrame(f)))
    player.setSource(QUrl(CLIP.as_uri()))
    player.play()
    yield frames
    player.stop()


def _decoded(qtbot: QtBot, frames: list[QVideoFrame], count: int = 30) -> list[QVideoFrame]:
    qtbot.waitUntil(lambda: len(frames) >= count, timeout=15_000)
    return [f for f in frames[:count] if f.isValid()][5::6]


def test_real_frames_have_qts_colours(qtbot: QtBot, clip_frames: list[QVideoFrame]) -> None:
    converter = FrameConverter()
    for frame in _decoded(qtbot, clip_frames):
        assert frame.pixelFormat() == PF.Format_YUV420P and convertible(frame)
        image = converter.image(frame, 640, 360)
        assert image is not None
        diff = _diff(image, frame.toImage())
        # Same matrix, same chroma siting: off by rounding only.
        assert diff.mean() < 0.5
        assert np.percentile(diff, 99.9) <= 2


# A 3x3 cell (bilinear only), a 4x4 cell (halved, then bilinear), a quarter (halved twice).
@pytest.mark.parametrize("size", [(424, 238), (212, 118), (160, 90)])
def test_real_frames_scaled_like_qts_smooth_scaling(
    qtbot: QtBot, clip_frames: list[QVideoFrame], size: tuple[int, int]
) -> None:
    converter = FrameConverter()
    width, height = size
    for frame in _decoded(qtbot, clip_frames):
        image = converter.image(frame, width, height)
        assert image is not None and (image.width(), image.height()) == size
        smooth = Qt.TransformationMode.SmoothTransformation
        qt = frame.toImage().scaled(width, height, Qt.AspectRatioMode.IgnoreAspectRatio, smooth)
        diff = _diff(image, qt)
        # The clip's hard colour-bar edges land a sub-pixel apart (more of them, the smaller
        # the picture); everywhere else equal.
        assert np.percentile(diff, 50) <= 1
        assert np.percentile(diff, 90) <= 12
        assert diff.mean() < 6


def _synthetic(fmt: QVideoFrameFormat.PixelFormat, width: int, height: int) -> QVideoFrame:
    """A frame whose chroma differs left/right and top/bottom, in pairs of rows (so halving
    4:2:2's chroma rows loses nothing); luma a diagonal ramp."""
    frame = QVideoFrame(QVideoFrameFormat(QSize(width, height), fmt))
    assert frame.map(QVideoFrame.MapMode.WriteOnly)
    try:
        y = (np.add.outer(np.arange(height), np.arange(width)) * 3 % 220 + 16).astype(np.uint8)
        _write(frame, 0, y)
        chroma_h = height if fmt == PF.Format_YUV422P else height // 2
        rows = np.arange(chroma_h) // (2 if fmt == PF.Format_YUV422P else 1)
        top = rows < (height // 4)
        cols = np.arange(width // 2) < width // 4
        u = np.where(np.logical_xor.outer(top, cols), 60, 200).astype(np.uint8)
        v = np.where(np.logical_and.outer(top, ~cols), 220, 90).astype(np.uint8)
        if fmt in (PF.Format_NV12, PF.Format_NV21):
            first, second = (u, v) if fmt == PF.Format_NV12 else (v, u)
            _write(frame, 1, np.stack([first, second], axis=2).reshape(chroma_h, width))
        else:
            first, second = (v, u) if fmt == PF.Format_YV12 else (u, v)
            _write(frame, 1, first)
            _write(frame, 2, second)
    finally:
        frame.unmap()
    return frame


def _write(frame: QVideoFrame, plane: int, values: np.ndarray) -> None:
    stride = frame.bytesPerLine(plane)
    buffer = np.frombuffer(frame.bits(plane), np.uint8)
    rows, width = values.shape
    buffer[: stride * rows].reshape(rows, stride)[:, :width] = values


@pytest.mark.parametrize(
    "fmt",
    [PF.Format_YUV420P, PF.Format_YV12, PF.Format_NV12, PF.Format_NV21, PF.Format_YUV422P],
)
def test_every_layout_converts_like_qt(qtbot: QtBot, fmt: QVideoFrameFormat.PixelFormat) -> None:
    frame = _synthetic(fmt, 98, 60)  # 98 wide: Qt pads the rows (a stride over the width)
    assert frame.map(QVideoFrame.MapMode.ReadOnly)
    assert frame.bytesPerLine(0) > 98
    frame.unmap()
    image = FrameConverter().image(frame, 98, 60)
    assert image is not None
    diff = _diff(image, frame.toImage())
    assert diff.max() <= 2, f"{fmt.name}: planes read in the wrong order or stride"


def test_what_it_leaves_to_qt(qtbot: QtBot) -> None:
    converter = FrameConverter()
    rgb = QVideoFrame(QVideoFrameFormat(QSize(64, 36), PF.Format_ARGB8888))
    assert converter.image(rgb, 64, 36) is None
    odd_width = QVideoFrame(QVideoFrameFormat(QSize(63, 36), PF.Format_YUV420P))
    assert converter.image(odd_width, 62, 36) is None
    # (a QVideoFrame copy shares its state: each case gets a frame of its own)
    rotated = _synthetic(PF.Format_YUV420P, 64, 36)
    rotated.setRotation(QtVideo.Rotation.Clockwise90)
    assert converter.image(rotated, 64, 36) is None
    mirrored = _synthetic(PF.Format_YUV420P, 64, 36)
    mirrored.setMirrored(True)
    assert converter.image(mirrored, 64, 36) is None
    assert converter.image(QVideoFrame(), 64, 36) is None
    upright = _synthetic(PF.Format_YUV420P, 64, 36)
    assert converter.image(upright, 1, 36) is None  # rounds to 0 wide: nothing to draw
    assert converter.image(upright, 64, 36) is not None


def test_buffers_reused_until_the_size_changes(qtbot: QtBot) -> None:
    converter = FrameConverter()
    dark = _synthetic(PF.Format_YUV420P, 64, 36)
    first = converter.image(dark, 33, 21)  # rounded down to even
    assert first is not None and (first.width(), first.height()) == (32, 20)
    key = first.cacheKey()
    before = _rgb(first).copy()
    light = QVideoFrame(QVideoFrameFormat(QSize(64, 36), PF.Format_YUV420P))
    assert light.map(QVideoFrame.MapMode.WriteOnly)
    for plane, value in ((0, 235), (1, 128), (2, 128)):
        np.frombuffer(light.bits(plane), np.uint8)[:] = value
    light.unmap()
    second = converter.image(light, 32, 20)
    assert second is not None and second.cacheKey() == key  # the same buffer, new pixels
    assert not np.array_equal(_rgb(second), before)
    assert (_rgb(second) == 255).all()  # Y 235 in video range is white
    third = converter.image(light, 64, 36)
    assert third is not None and (third.width(), third.height()) == (64, 36)


@pytest.mark.parametrize(
    "inner",
    [QRect(0, 13, 424, 238), QRect(20, 0, 280, 180), QRect(0, 0, 424, 264), QRect(5, 7, 9, 11)],
)
def test_the_letterbox_fills_exactly_what_the_picture_leaves(inner: QRect) -> None:
    outer = QRect(0, 0, 424, 264) if inner.width() > 300 else QRect(0, 0, 320, 180)
    covered = np.zeros((outer.height(), outer.width()), int)
    for part in [inner, *_around(outer, inner)]:
        covered[part.top() : part.bottom() + 1, part.left() : part.right() + 1] += 1
    assert (covered == 1).all()  # every pixel painted once: no gap, no overlap
