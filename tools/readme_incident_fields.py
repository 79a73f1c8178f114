"""Regenerate the README's table of ``duty-console incident new --json`` fields.

The table is made from the form's field declarations (``console/services/intake_json.py``),
the same text ``duty-console incident new --help`` prints; this script puts it between the
README's ``incident-json-fields`` markers. ``tests/test_cli_new_user.py`` fails while the
README's copy differs, so a new or changed field is documented by running::

    python tools/readme_incident_fields.py
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
START = "<!-- incident-json-fields:start (tools/readme_incident_fields.py) -->"
END = "<!-- incident-json-fields:end -->"


def render(readme: str) -> str:
    """``readme`` with the generated table between the markers."""
    from console.services.intake_json import fields_markdown

    head, start, rest = readme.partition(START)
    _old, end, tail = rest.partition(END)
    if not start or not end:
        raise SystemExit(f"markers not found in {README}: {START} ... {END}")
    return f"{head}{START}\n{fields_markdown()}\n{END}{tail}"


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
