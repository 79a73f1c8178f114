"""Base-layer tiles for tests and benches: PNG tiles drawn with Qt, and an MBTiles file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QImage

from console.services.map_tiles import mercator, tile_range


def png_tile(color: QColor | str, size: int = 256) -> bytes:
    """One plain tile as PNG bytes (needs a QGuiApplication)."""
    image = QImage(size, size, QImage.Format.Format_RGB32)
    image.fill(QColor(color))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # WORKAROUND: PySide6 6.12 refuses the bytes format its stubs ask for; it takes a str.
    image.save(buffer, "PNG")  # type: ignore[call-overload]
    return bytes(data.data())


def tiles_over(
    z: int, west: float, south: float, east: float, north: float
) -> list[tuple[int, int, int]]:
    """The XYZ tiles (z, x, y) of zoom ``z`` that cover a lon/lat box."""
    w, s = mercator(west, south)
    e, n = mercator(east, north)
    cols, rows = tile_range(z, w, s, e, n)
    return [(z, x, y) for x in cols for y in rows]


def write_mbtiles(path: Path, tiles: dict[tuple[int, int, int], bytes], name: str = "") -> Path:
    """An MBTiles file holding ``tiles`` (keys in XYZ numbering, stored as TMS rows)."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    conn.execute(
        "CREATE TABLE tiles (zoom_level INT, tile_column INT, tile_row INT, tile_data BLOB)"
    )
    conn.executemany(
        "INSERT INTO metadata VALUES (?, ?)", [("name", name or path.stem), ("format", "png")]
    )
    conn.executemany(
        "INSERT INTO tiles VALUES (?, ?, ?, ?)",
        [(z, x, (1 << z) - 1 - y, data) for (z, x, y), data in tiles.items()],
    )
    conn.commit()
    conn.close()
    return path
