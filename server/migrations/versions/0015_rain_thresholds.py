"""Threshold engine configuration, forecasts and warnings (issue #11): critical rainfall per
village, the rainstorm-signal table, response triggers, area rainfall forecasts, issued
warnings; villages and risk points gain an optional rain station.

See :func:`console.domain.migration_ops.add_rain_config`.

Revision ID: 0015_rain_thresholds
Revises: 0014_readings
"""

from collections.abc import Sequence

from console.domain.migration_ops import add_rain_config, drop_rain_config

revision: str = "0015_rain_thresholds"
down_revision: str | None = "0014_readings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_rain_config()


def downgrade() -> None:
    drop_rain_config()
