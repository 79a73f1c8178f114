"""Regenerate the README's table of the default 信息报送 rules.

The table is made from ``console.domain.reporting.DEFAULT_RULES`` (what a server seeds and a
standalone workstation loads); this script puts it between the README's ``report-rules``
markers. ``tests/services/test_deadline_rules.py`` fails while the README's copy differs, so
a changed default is documented by running::

    python tools/readme_report_rules.py
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
START = "<!-- report-rules:start (tools/readme_report_rules.py) -->"
END = "<!-- report-rules:end -->"


def render(readme: str) -> str:
    """``readme`` with the generated table between the markers."""
    from console.domain.reporting import rules_markdown

    head, start, rest = readme.partition(START)
    _old, end, tail = rest.partition(END)
    if not start or not end:
        raise SystemExit(f"markers not found in {README}: {START} ... {END}")
    return f"{head}{START}\n{rules_markdown()}\n{END}{tail}"


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
