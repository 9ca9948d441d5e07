"""Migrations: empty -> head on each database, models and migrations agree, reference data present."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from lib.core.models import Base, Incident, IncidentSla, Target
from lib.core.schema import alembic_config, upgrade


def test_models_and_migrations_agree(engine):
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_every_model_table_exists_and_upgrade_is_idempotent(engine):
    upgrade(engine)  # a second run at start-up changes nothing
    tables = set(sa.inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    with engine.connect() as conn:
        stamped = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    assert stamped == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_reference_data_matches_spec(engine):
    with engine.connect() as conn:
        gmv = conn.execute(sa.select(Target.kind, Target.value).where(Target.metric == "gmv")).one()
        duration = conn.execute(
            sa.select(Target.kind, Target.value, Target.value_high).where(Target.metric == "duration_hours")
        ).one()
        slas = conn.execute(
            sa.select(IncidentSla.severity, IncidentSla.resolve_minutes).where(
                IncidentSla.category_id.is_(None)
            )
        ).all()
        assert conn.execute(sa.select(sa.func.count()).select_from(Incident)).scalar() == 0
    assert tuple(gmv) == ("at_least", 100_000)
    assert tuple(duration) == ("between", 2, 4)
    assert dict(slas) == {"simple": 5, "complex": 10, "major": 10}
