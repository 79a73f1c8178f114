"""A decoded video frame as an RGB image of the size it is shown at, converted with OpenCV.

Why not ``QVideoFrame.paint``/``toImage``: without a GPU (no RHI backend, as on this
project's machines and on many duty-room PCs) Qt converts YUV to RGB with scalar C loops,
then scales the result in a second pass: about 1.4 ms per 360p frame, the largest share of
the console's CPU with nine cells at 25 fps. Here the planes are scaled first (OpenCV's
SIMD resize, a quarter of the bytes an RGBA scale touches, as swscale does; halved by area
averaging first where the cell is under half the frame) and converted
at the cell's size by OpenCV's SIMD converter: about 0.2 ms.

The colours are Qt's own CPU conversion: BT.601 with video range, the matrix Qt applies to
every YUV frame when it converts on the CPU, whatever the frame's colour space says (checked
in ``tests/views/test_video_frame.py`` against ``QVideoFrame.toImage``). The 8-bit layouts
FFmpeg's software decoders give take this path: 4:2:0 (I420, YV12, NV12, NV21, H.264 and
H.265 cameras) and 4:2:2 planar (MJPEG cameras; the chroma is halved vertically on the way).
Frames that are rotated, mirrored, on a GPU or in any other layout get None from
:meth:`FrameConverter.image`, and the cell lets Qt paint them.
"""

from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QtVideo, QVideoFrame, QVideoFrameFormat

_PF = QVideoFrameFormat.PixelFormat


class _Layout(NamedTuple):
    code: int  # OpenCV's conversion of the 4:2:0 buffer built from the planes
    chroma_rows: int  # source chroma rows per two luma rows (2: 4:2:2, 1: 4:2:0)
    interleaved: bool  # U and V in one plane (NV12/NV21)


# Chroma planes are copied in Qt's plane order; the code says which is U and which is V.
_LAYOUTS = {
    _PF.Format_YUV420P: _Layout(cv2.COLOR_YUV2BGRA_I420, 1, False),  # Y, U, V
    _PF.Format_YV12: _Layout(cv2.COLOR_YUV2BGRA_YV12, 1, False),  # Y, V, U
    _PF.Format_NV12: _Layout(cv2.COLOR_YUV2BGRA_NV12, 1, True),  # Y, UVUV
    _PF.Format_NV21: _Layout(cv2.COLOR_YUV2BGRA_NV21, 1, True),  # Y, VUVU
    _PF.Format_YUV422P: _Layout(cv2.COLOR_YUV2BGRA_I420, 2, False),  # Y, U, V
}

# One thread: a cell's frame is small, and nine cells already keep the cores busy; the
# pool's hand-offs cost more than they save here (and the bench counts all threads).
cv2.setNumThreads(1)


def convertible(frame: QVideoFrame) -> bool:
    """Whether :class:`FrameConverter` takes this frame (else let Qt paint it)."""
    if not frame.isValid() or frame.pixelFormat() not in _LAYOUTS:
        return False
    if frame.handleType() != QVideoFrame.HandleType.NoHandle:  # on a GPU: Qt's job
        return False
    if frame.rotation() != QtVideo.Rotation.None_ or frame.mirrored():
        return False
    return frame.width() >= 2 and frame.height() >= 2 and frame.width() % 2 == 0


class FrameConverter:
    """Converts one cell's frames; reuses its buffers while the size stays the same (a
    fresh 400 KB array per frame costs page faults at 225 frames a second).

    The image returned points into the converter's buffer: it is valid until the next
    call, which is what a cell needs (it paints the latest frame and keeps no older one).
    """

    def __init__(self) -> None:
        self._size = (0, 0)
        self._yuv = np.empty(0, np.uint8)
        self._bgra = np.empty((0, 0, 4), np.uint8)
        self._image = QImage()

    def image(self, frame: QVideoFrame, width: int, height: int) -> QImage | None:
        """``frame`` scaled to about ``width`` x ``height`` (each rounded down to even, as
        4:2:0 needs) and converted; None when it cannot be."""
        width, height = width & ~1, height & ~1
        if width < 2 or height < 2 or not convertible(frame):
            return None
        if (width, height) != self._size:
            self._allocate(width, height)
        layout = _LAYOUTS[frame.pixelFormat()]
        if not self._scale_planes(frame, layout, width, height):
            return None
        yuv = self._yuv.reshape(height * 3 // 2, width)
        cv2.cvtColor(yuv, layout.code, dst=self._bgra)
        return self._image

    def _allocate(self, width: int, height: int) -> None:
        self._size = (width, height)
        self._yuv = np.empty(width * height * 3 // 2, np.uint8)
        self._bgra = np.empty((height, width, 4), np.uint8)
        # Little-endian BGRA bytes are Qt's 0xAARRGGBB words: Format_RGB32, alpha 255.
        self._image = QImage(self._bgra.data, width, height, width * 4, QImage.Format.Format_RGB32)

    def _scale_planes(self, frame: QVideoFrame, layout: _Layout, width: int, height: int) -> bool:
        """The planes scaled straight into the 4:2:0 buffer OpenCV converts: Y at
        ``width`` x ``height``, then the chroma at half that, each plane's bytes following
        the last (OpenCV reads them so, not row by row)."""
        # A mapped frame must be unmapped, and its decoder buffer is reused once the frame
        # dies: every plane is copied out (resized or copied) before the unmap.
        if not frame.map(QVideoFrame.MapMode.ReadOnly):
            return False
        try:
            w, h = frame.width(), frame.height()
            chroma_h = (h + 1) // 2 if layout.chroma_rows == 1 else h
            channels = 2 if layout.interleaved else 1
            planes = [(w, h, 1)] + [(w // 2, chroma_h, channels)] * (2 // channels)
            offset = 0
            for index, (plane_w, plane_h, depth) in enumerate(planes):
                source = _plane(frame, index, plane_w * depth, plane_h)
                size = (width, height) if index == 0 else (width // 2, height // 2)
                count = size[0] * size[1] * depth
                target = self._yuv[offset : offset + count]
                offset += count
                if depth == 2:
                    source = source.reshape(plane_h, plane_w, 2)
                    target = target.reshape(size[1], size[0], 2)
                else:
                    target = target.reshape(size[1], size[0])
                if size == (plane_w, plane_h):
                    target[...] = source
                else:
                    _scale(source, size, target)
            return True
        except ValueError:  # a buffer that does not hold what its format says: Qt paints it
            return False
        finally:
            frame.unmap()


def _scale(source: np.ndarray, size: tuple[int, int], target: np.ndarray) -> None:
    """``source`` resized into ``target``: halved by area averaging while the size is still
    half or less of what is left (OpenCV's fast whole-factor path; its area resize by any
    other factor costs ten times as much), then bilinear for the rest (no aliasing: what is
    left shrinks by less than half)."""
    height, width = source.shape[:2]
    while size[0] * 2 <= width and size[1] * 2 <= height:
        width, height = width // 2, height // 2
        source = cv2.resize(source, (width, height), interpolation=cv2.INTER_AREA)
    if (width, height) == size:
        target[...] = source
    else:
        cv2.resize(source, size, dst=target, interpolation=cv2.INTER_LINEAR)


def _plane(frame: QVideoFrame, index: int, width: int, height: int) -> np.ndarray:
    """A view of one plane, ``height`` rows of ``width`` bytes (the stride's padding cut)."""
    stride = frame.bytesPerLine(index)
    buffer = np.frombuffer(frame.bits(index), np.uint8)
    if stride < width or buffer.size < stride * (height - 1) + width:
        raise ValueError("plane smaller than its frame")
    # The last row need not be padded to the stride: a strided view, not a reshape.
    return np.ndarray((height, width), np.uint8, buffer, 0, (stride, 1))
