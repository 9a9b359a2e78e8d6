"""Alembic environment: runs on the connection handed over by storage.db.Database.upgrade."""
from alembic import context

from storage.models import Base

target_metadata = Base.metadata
connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - always driven through Database.upgrade
    raise RuntimeError("run migrations through `pandeng db upgrade`")

context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
