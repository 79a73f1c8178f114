"""One cell of the video grid: a camera's stream played by Qt Multimedia (FFmpeg backend)
into a QVideoSink, painted by the cell, with its state said in Chinese. Frames are repainted
once per screen refresh by the frame pacer and converted with OpenCV at the size shown
(``video_frame``; docs/video.md says why).

States: 空闲 (no camera), 连接中 (source set, no frame yet), 播放中 (frames arriving),
离线，N 秒后重连 (the stream failed, ended or stalled; it reconnects by itself after a
back-off of 1, 2, 4, 8, 16, then 30 s, reset once frames flow again). A new QMediaPlayer is
made for every attempt: a player that failed keeps state FFmpeg does not always clear.

RTSP plays over TCP (interleaved) with FFmpeg's low-latency flags: Qt's FFmpeg backend
passes no ``rtsp_transport`` option, so the player is given the loopback address of
:class:`services.rtsp_tcp.RtspTcpRelay`, which turns FFmpeg's UDP SETUP away and relays the
TCP session; the player gets ``QPlaybackOptions.LowLatencyStreaming`` (``fflags nobuffer``,
``flags low_delay``).
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from PySide6.QtCore import QEvent, QMimeData, QRect, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QFont,
    QFontMetrics,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPixmap,
)
from PySide6.QtMultimedia import QMediaPlayer, QPlaybackOptions, QVideoFrame, QVideoSink
from PySide6.QtWidgets import QSizePolicy, QWidget

from console.services.rtsp_tcp import shared_relay
from console.views.pages.ffmpeg_quiet import quiet_ffmpeg
from console.views.pages.frame_pacer import shared_pacer
from console.views.pages.video_frame import FrameConverter

CAMERA_MIME = "application/x-duty-camera"  # the dragged camera's id, UTF-8
IDLE, CONNECTING, PLAYING, OFFLINE = "空闲", "连接中", "播放中", "离线"
BACKOFF_S = (1, 2, 4, 8, 16, 30)
CONNECT_TIMEOUT_S = 20.0  # no first frame by then: offline (RTSP to a dead host hangs)
STALL_S = 8.0  # no frame for this long while playing: offline
RTSP_SCHEMES = ("rtsp", "rtsps")
BACKGROUND, TEXT, EDGE = QColor("#0b0f14"), QColor("#e6edf3"), QColor("#30363d")
BAND = QColor(0, 0, 0, 150)


def camera_mime(camera_id: str) -> QMimeData:
    data = QMimeData()
    data.setData(CAMERA_MIME, camera_id.encode())
    return data


def is_rtsp(url: str) -> bool:
    return urlsplit(url).scheme.lower() in RTSP_SCHEMES


class VideoCell(QWidget):
    """A cell; ``play(url, title)`` starts it, ``stop()`` empties it."""

    state_changed = Signal(str)  # the state text as shown
    double_clicked = Signal()
    camera_dropped = Signal(str)  # a camera's id dropped on the cell

    def __init__(self, index: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.index = index
        self.setObjectName("VideoCell")
        self.setAcceptDrops(True)
        # The cell fills every pixel itself: Qt need not paint the grid behind it first.
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setMinimumSize(80, 60)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.url = ""
        self.title = ""
        self.camera_id = ""
        self.loop = False
        self.caption_px = 0  # 0: the desk's font; the wall sets its own minimum
        self.rtsp_over_tcp = True  # False: FFmpeg's default (UDP first); tests compare
        self.frames = 0
        self.state = IDLE
        self.retry_in = 0
        self._attempt = 0
        self._last_frame_at = 0.0
        self._started_at = 0.0
        self._frame = QVideoFrame()
        self._serial = 0  # frames received by this cell, across sources
        self._converter = FrameConverter()
        self.painted_by = ""  # who converted the last frame shown: "opencv" or "qt"
        self._shown: tuple[tuple[int, int, int], QImage | None] | None = None
        self._band_cache: tuple[tuple[object, ...], QPixmap] | None = None
        self._player: QMediaPlayer | None = None
        self._sink: QVideoSink | None = None
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._on_tick)

    # -- what the grid calls -------------------------------------------------------------
    def play(self, url: str, title: str, *, camera_id: str = "", loop: bool = False) -> None:
        """Play ``url`` (credentials, if any, stay in memory only); ``loop``: a recording
        (file or HTTP mp4) starts again at its end instead of counting as a dropped stream."""
        self.url, self.title, self.camera_id, self.loop = url, title, camera_id, loop
        self._attempt = 0
        self._connect()

    def stop(self) -> None:
        self._drop_player()
        self._tick.stop()
        self.url = self.title = self.camera_id = ""
        self._frame = QVideoFrame()
        self._shown = None
        self._set_state(IDLE)
        self.update()

    def state_text(self) -> str:
        if self.state == OFFLINE:
            return f"离线，{self.retry_in} 秒后重连"
        return self.state

    def snapshot(self) -> QImage:
        """The frame on show (a null image when none)."""
        return self._frame.toImage() if self._frame.isValid() else QImage()

    # -- the player -----------------------------------------------------------------------
    def _connect(self) -> None:
        self._drop_player()
        self.frames = 0
        self._started_at = time.monotonic()
        player = QMediaPlayer(self)
        quiet_ffmpeg()  # after the backend's first player: it sets FFmpeg's level itself
        sink = QVideoSink(self)
        player.setVideoSink(sink)
        sink.videoFrameChanged.connect(self._on_frame)
        player.errorOccurred.connect(self._on_error)
        player.mediaStatusChanged.connect(self._on_status)
        if self.loop:
            player.setLoops(QMediaPlayer.Loops.Infinite)
        if is_rtsp(self.url):  # a live camera: the smallest delay FFmpeg can give
            options = QPlaybackOptions()
            options.setPlaybackIntent(QPlaybackOptions.PlaybackIntent.LowLatencyStreaming)
            player.setPlaybackOptions(options)
        self._player, self._sink = player, sink
        self._set_state(CONNECTING)
        self._tick.start()
        player.setSource(QUrl(self._source()))
        player.play()

    def _source(self) -> str:
        """What the player opens: an RTSP address through the TCP relay."""
        if self.rtsp_over_tcp and urlsplit(self.url).scheme.lower() == "rtsp":
            return shared_relay().local_url(self.url)
        return self.url

    def _drop_player(self) -> None:
        player, sink = self._player, self._sink
        self._player = self._sink = None
        if player is not None:
            player.errorOccurred.disconnect(self._on_error)
            player.mediaStatusChanged.disconnect(self._on_status)
            player.stop()
            player.deleteLater()
        if sink is not None:
            sink.videoFrameChanged.disconnect(self._on_frame)
            sink.deleteLater()

    def _on_frame(self, frame: QVideoFrame) -> None:
        if not frame.isValid():
            return
        self._frame = frame
        self._serial += 1
        self.frames += 1
        self._last_frame_at = time.monotonic()
        if self.state != PLAYING:
            self._attempt = 0  # flowing again: the next failure waits the shortest time
            self._set_state(PLAYING)
        shared_pacer().request(self)

    def _on_error(self, _error: QMediaPlayer.Error, _text: str) -> None:
        self._go_offline()

    def _on_status(self, status: QMediaPlayer.MediaStatus) -> None:
        ended = status == QMediaPlayer.MediaStatus.EndOfMedia and not self.loop
        if ended or status == QMediaPlayer.MediaStatus.InvalidMedia:
            self._go_offline()

    def _go_offline(self) -> None:
        if not self.url or self.state == OFFLINE:
            return
        self._drop_player()
        self.retry_in = BACKOFF_S[min(self._attempt, len(BACKOFF_S) - 1)]
        self._attempt += 1
        self._set_state(OFFLINE)
        self._tick.start()

    def _on_tick(self) -> None:
        now = time.monotonic()
        if self.state == OFFLINE:
            self.retry_in -= 1
            if self.retry_in <= 0:
                self._connect()
            else:
                self.state_changed.emit(self.state_text())
                self.update()
        elif self._silent_too_long(now):
            self._go_offline()

    def _silent_too_long(self, now: float) -> bool:
        """No first frame within the connect time, or frames stopped while playing (a
        stream that stalls without an error: RTSP over a cut network)."""
        if self.state == CONNECTING:
            return now - self._started_at > CONNECT_TIMEOUT_S
        return self.state == PLAYING and now - self._last_frame_at > STALL_S

    def _set_state(self, state: str) -> None:
        self.state = state
        self.state_changed.emit(self.state_text())
        self.update()

    # -- painting and the mouse -----------------------------------------------------------
    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = self.rect()
        picture = None
        if self._frame.isValid() and self.state == PLAYING:
            size = self._frame.size()
            target = _fit(size.width(), size.height(), rect)
            picture = self._converted(target.width(), target.height())
            self.painted_by = "qt" if picture is None else "opencv"
            if picture is None:  # a layout OpenCV is not given (see video_frame): Qt's paint
                painter.fillRect(rect, BACKGROUND)
                self._frame.paint(painter, target.toRectF(), QVideoFrame.PaintOptions())
            else:  # only the letterbox around the picture: it covers the rest
                placed = QRect(target.topLeft(), picture.size())
                for part in _around(rect, placed):
                    painter.fillRect(part, BACKGROUND)
                painter.drawImage(placed.topLeft(), picture)
        else:
            painter.fillRect(rect, BACKGROUND)
        band = self._band(rect.width()) if self.title else None
        band_h = round(band.height() / band.devicePixelRatio()) if band else 0
        if self.state != PLAYING:  # the state text above the caption, not under it
            painter.setPen(TEXT)
            painter.setFont(self._caption_font())
            text = self.state_text() if self.url else "拖入摄像机"
            painter.drawText(rect.adjusted(0, 0, 0, -band_h), Qt.AlignmentFlag.AlignCenter, text)
        if band is not None:  # the caption, laid out once per title/state/width
            painter.drawPixmap(rect.left(), rect.bottom() - band_h, band)
        painter.setPen(EDGE)
        painter.drawRect(rect.adjusted(0, 0, -1, -1))
        painter.end()

    def _caption_font(self) -> QFont:
        font = QFont(self.font())
        if self.caption_px:
            font.setPixelSize(self.caption_px)
        return font

    def _band(self, width: int) -> QPixmap:
        """The caption band (title · state over a dark strip) as a pixmap, so the 25
        repaints a second of a playing cell do not lay out the same text again."""
        ratio = self.devicePixelRatioF()
        # The font is not in the key (building it every paint cost more than the band):
        # a font change drops the cache instead (changeEvent).
        key = (self.title, self.state_text(), width, self.caption_px, ratio)
        if self._band_cache is not None and self._band_cache[0] == key:
            return self._band_cache[1]
        font = self._caption_font()
        metrics = QFontMetrics(font)
        band_h = metrics.height() + 6 if self.caption_px else 22
        pixmap = QPixmap(round(width * ratio), round(band_h * ratio))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(BAND)
        painter = QPainter(pixmap)
        painter.setPen(TEXT)
        painter.setFont(font)
        text_rect = QRect(8, 0, width - 16, band_h)
        state = f"  ·  {self.state_text()}"
        room = text_rect.width() - metrics.horizontalAdvance(state)
        title = metrics.elidedText(self.title, Qt.TextElideMode.ElideRight, max(room, 0))
        align = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
        painter.drawText(text_rect, align, title + state)
        painter.end()
        self._band_cache = (key, pixmap)
        return pixmap

    def _converted(self, width: int, height: int) -> QImage | None:
        """The frame on show at ``width`` x ``height``, converted once however often the
        cell repaints (the state ticks, a tooltip, the grid resizing)."""
        key = (self._serial, width, height)
        if self._shown is None or self._shown[0] != key:
            self._shown = (key, self._converter.image(self._frame, width, height))
        return self._shown[1]

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:  # the theme's or the wall's new size
            self._band_cache = None
        super().changeEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.double_clicked.emit()
        event.accept()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(CAMERA_MIME):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        camera_id = bytes(event.mimeData().data(CAMERA_MIME).data()).decode()
        if camera_id:
            self.camera_dropped.emit(camera_id)
            event.acceptProposedAction()


def _around(outer: QRect, inner: QRect) -> list[QRect]:
    """The bands of ``outer`` that ``inner`` (inside it) leaves uncovered."""
    parts = [
        QRect(outer.left(), outer.top(), outer.width(), inner.top() - outer.top()),
        QRect(outer.left(), inner.bottom() + 1, outer.width(), outer.bottom() - inner.bottom()),
        QRect(outer.left(), inner.top(), inner.left() - outer.left(), inner.height()),
        QRect(inner.right() + 1, inner.top(), outer.right() - inner.right(), inner.height()),
    ]
    return [part for part in parts if part.width() > 0 and part.height() > 0]


def _fit(width: int, height: int, rect: QRect) -> QRect:
    """``width`` x ``height`` scaled into ``rect``, centred, aspect kept."""
    if width <= 0 or height <= 0:
        return rect
    scale = min(rect.width() / width, rect.height() / height)
    w, h = int(width * scale), int(height * scale)
    return QRect(rect.left() + (rect.width() - w) // 2, rect.top() + (rect.height() - h) // 2, w, h)
