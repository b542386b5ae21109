"""What the benchmarks share: a throw-away PostgreSQL database, migrated, dropped after."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = "postgres://%2Fvar%2Frun%2Fpostgresql/postgres"


@contextmanager
def throwaway_database(server: str, *, keep: bool = False) -> Iterator[str]:
    """Create `bench_tentative_<pid>` on `server` (another prefix from
    TENTATIVE_BENCH_DATABASE_PREFIX), point Django at it, migrate; yield its URL."""
    prefix = os.environ.get("TENTATIVE_BENCH_DATABASE_PREFIX", "bench_tentative")
    database = f"{prefix}_{os.getpid()}"
    base, _, _ = server.rpartition("/")
    url = f"{base}/{database}"
    _admin(server, f'CREATE DATABASE "{database}"')
    os.environ["TENTATIVE_DATABASE_URL"] = url
    os.environ.setdefault("TENTATIVE_DATA_DIR", str(ROOT / "var" / "bench"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "tentative.settings"
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        yield url
    finally:
        from django.db import connections

        connections.close_all()
        if not keep:
            _admin(server, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _admin(server: str, sql: str) -> None:
    import dj_database_url
    import psycopg

    c = dj_database_url.parse(server)
    with psycopg.connect(
        dbname=c["NAME"],
        user=c["USER"] or None,
        host=c["HOST"] or None,
        port=c["PORT"] or None,
        autocommit=True,
    ) as conn:
        conn.execute(sql)
