"""Regenerate the README's generated tables, each between its pair of markers.

- ``incident-json-fields``: the keys of ``duty-console incident new --json``, the same text
  ``--help`` prints (``console/services/intake_json.py``);
- ``import-layouts``: the column layouts of ``duty-console import/export``
  (``console/services/io/layout.py``);
- ``report-rules``: the default 信息报送 rules with their sources
  (``console/domain/reporting.py``).

Tests fail while the README's copy of a table differs (tests/test_cli_new_user.py,
tests/io/test_io_cli.py, tests/services/test_deadline_rules.py), so a changed field, layout
or default is documented by running::

    python tools/readme_tables.py
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"


def _incident_fields() -> str:
    from console.services.intake_json import fields_markdown

    return fields_markdown()


def _import_layouts() -> str:
    from console.services.io.layout import layout_markdown

    return layout_markdown()


def _report_rules() -> str:
    from console.domain.reporting import rules_markdown

    return rules_markdown()


TABLES: dict[str, Callable[[], str]] = {
    "incident-json-fields": _incident_fields,
    "import-layouts": _import_layouts,
    "report-rules": _report_rules,
}


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:start (tools/readme_tables.py) -->", f"<!-- {name}:end -->"


def render(readme: str) -> str:
    """``readme`` with every generated table between its markers."""
    for name, table in TABLES.items():
        start, end = markers(name)
        head, found_start, rest = readme.partition(start)
        _old, found_end, tail = rest.partition(end)
        if not found_start or not found_end:
            raise SystemExit(f"markers not found in {README}: {start} ... {end}")
        readme = f"{head}{start}\n{table()}\n{end}{tail}"
    return readme


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
