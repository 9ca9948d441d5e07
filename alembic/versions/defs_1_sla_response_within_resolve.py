"""incident SLAs: default response limits inside the resolve limits

Revision ID: defs_1
Revises: 0004
Create Date: 2026-12-07 04:20:00

The first seeded SLA table allowed 10 minutes to respond where resolution was due within 5 (simple) or 3
(negative comments). Rows that still hold exactly those first defaults get the new response limits
(lib.core.schema.default_sla_rows); a row an admin has changed is left as it is. The values are frozen
here, as a migration must not follow later edits of the application's defaults.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "defs_1"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (category or None for every category, severity, resolve, meeting, old respond, new respond)
ROWS = (
    (None, "simple", 5, None, 10, 2),
    (None, "complex", 10, None, 10, 5),
    (None, "major", 10, 30, 10, 5),
    ("负面评论/舆情", "simple", 3, None, 10, 2),
    ("负面评论/舆情", "complex", 3, None, 10, 3),
    ("负面评论/舆情", "major", 3, 30, 10, 3),
    ("价格异常", "simple", 30, None, 10, 2),
    ("价格异常", "complex", 30, None, 10, 5),
    ("价格异常", "major", 30, 30, 10, 5),
)

slas = sa.table(
    "incident_slas",
    sa.column("category_id", sa.Integer),
    sa.column("severity", sa.String),
    sa.column("respond_minutes", sa.Float),
    sa.column("resolve_minutes", sa.Float),
    sa.column("meeting_minutes", sa.Float),
)
categories = sa.table("incident_categories", sa.column("id", sa.Integer), sa.column("name", sa.String))


def _set_respond(conn: sa.Connection, frm: str, to: str) -> None:
    """Set the response limit of every row that still holds its seeded values (respond `frm`)."""
    ids = dict(conn.execute(sa.select(categories.c.name, categories.c.id)).all())
    for category, severity, resolve, meeting, old, new in ROWS:
        if category is not None and category not in ids:
            continue  # the category was renamed or removed: its row is no longer the seed's
        respond = {"old": old, "new": new}
        conds = [
            slas.c.severity == severity,
            slas.c.resolve_minutes == resolve,
            slas.c.respond_minutes == respond[frm],
            slas.c.meeting_minutes.is_(None) if meeting is None else slas.c.meeting_minutes == meeting,
            slas.c.category_id.is_(None) if category is None else slas.c.category_id == ids[category],
        ]
        conn.execute(sa.update(slas).where(*conds).values(respond_minutes=respond[to]))


def upgrade() -> None:
    _set_respond(op.get_bind(), "old", "new")


def downgrade() -> None:
    _set_respond(op.get_bind(), "new", "old")
