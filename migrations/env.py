"""Alembic environment: runs our migrations against the URL set by mapserver.db.alembic_config."""
from alembic import context
from sqlalchemy import create_engine, pool, text

from mapserver.db import include_object
from mapserver.models import Base

target_metadata = Base.metadata


def run_migrations_online() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    connectable = create_engine(url, poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, include_object=include_object)
        with context.begin_transaction():
            # Two upgrades at once (compose's app and worker both run one) take turns: the second
            # waits here, then finds the schema current. The lock ends with the transaction.
            connection.execute(text("SELECT pg_advisory_xact_lock(hashtext('glaswaende-migrations'))"))
            context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(url=context.config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
