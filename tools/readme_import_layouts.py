"""Regenerate the README's column layouts of ``duty-console import/export``.

The tables come from the layouts (``console/services/io/layout.py``), themselves made from
the field declarations; this script puts them between the README's ``import-layouts``
markers. ``tests/io/test_io_cli.py`` fails while the README's copy differs::

    python tools/readme_import_layouts.py
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
START = "<!-- import-layouts:start (tools/readme_import_layouts.py) -->"
END = "<!-- import-layouts:end -->"


def render(readme: str) -> str:
    """``readme`` with the generated tables between the markers."""
    from console.services.io.layout import layout_markdown

    head, start, rest = readme.partition(START)
    _old, end, tail = rest.partition(END)
    if not start or not end:
        raise SystemExit(f"markers not found in {README}: {START} ... {END}")
    return f"{head}{START}\n{layout_markdown()}\n{END}{tail}"


def main() -> int:
    sys.path.insert(0, str(REPO))
    text = README.read_text(encoding="utf-8")
    new = render(text)
    if new != text:
        README.write_text(new, encoding="utf-8")
        print(f"updated {README}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
