"""The video grid's layouts (no Qt): 1/4/9/16 equal cells and two custom ones (a large cell
and a ring of small ones), each a list of (row, column, row span, column span) on an n x n
grid; and the saved form of a layout: JSON of the grid's name and each cell's camera id."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

Cell = tuple[int, int, int, int]


def _equal(n: int) -> list[Cell]:
    return [(r, c, 1, 1) for r in range(n) for c in range(n)]


def _one_big(n: int) -> list[Cell]:
    """A (n-1) x (n-1) cell top left, the rest of the last column and row small."""
    big = n - 1
    cells: list[Cell] = [(0, 0, big, big)]
    cells += [(r, big, 1, 1) for r in range(big)]
    cells += [(big, c, 1, 1) for c in range(n)]
    return cells


GRIDS: dict[str, tuple[str, int, list[Cell]]] = {
    "1": ("单画面", 1, _equal(1)),
    "4": ("四画面", 2, _equal(2)),
    "9": ("九画面", 3, _equal(3)),
    "16": ("十六画面", 4, _equal(4)),
    "1+5": ("一大五小", 3, _one_big(3)),
    "1+7": ("一大七小", 4, _one_big(4)),
}
DEFAULT_GRID = "4"


@dataclass
class VideoLayout:
    grid: str = DEFAULT_GRID
    cells: list[str] = field(default_factory=list)  # camera id per cell, "" for empty

    def __post_init__(self) -> None:
        if self.grid not in GRIDS:
            self.grid = DEFAULT_GRID
        size = len(GRIDS[self.grid][2])
        self.cells = (list(self.cells) + [""] * size)[:size]

    def to_json(self) -> str:
        return json.dumps({"grid": self.grid, "cells": self.cells}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> VideoLayout:
        """A damaged or foreign value gives the default layout, never an error."""
        try:
            data: Any = json.loads(text) if text else {}
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        cells = data.get("cells")
        ids = [c if isinstance(c, str) else "" for c in cells] if isinstance(cells, list) else []
        grid = data.get("grid")
        return cls(grid if isinstance(grid, str) else DEFAULT_GRID, ids)


def saved_layouts(text: str) -> dict[str, VideoLayout]:
    try:
        data: Any = json.loads(text) if text else {}
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        str(name): VideoLayout.from_json(json.dumps(value))
        for name, value in data.items()
        if isinstance(value, dict)
    }


def dump_layouts(layouts: dict[str, VideoLayout]) -> str:
    return json.dumps(
        {name: json.loads(layout.to_json()) for name, layout in layouts.items()},
        ensure_ascii=False,
    )
