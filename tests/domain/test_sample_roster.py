"""The sample roster covers the shift on duty at load time, even just after midnight on the
1st (the shift began the evening before, last month)."""

from __future__ import annotations

from datetime import date

from console.domain.sample_roster import roster_calls


def _planned(today: date) -> set[str]:
    return {
        args["shift_key"] for name, args in roster_calls(today) if name == "roster_entry.upsert"
    }


def test_loaded_on_the_first_the_last_shift_of_last_month_is_planned() -> None:
    planned = _planned(date(2026, 12, 1))
    assert "2026-11-30#0" in planned  # on duty until 08:30 on the 1st
    assert "2026-12-01#0" in planned and "2027-01-31#0" in planned


def test_loaded_mid_month_this_month_and_the_next() -> None:
    planned = _planned(date(2026, 11, 15))
    assert min(planned) == "2026-11-01#0" and max(planned) == "2026-12-31#0"
