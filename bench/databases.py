"""A PostgreSQL database of a benchmark's own, created for one run and dropped after it."""

import os
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit


def is_postgresql(database_url):
    return bool(database_url) and database_url.startswith(("postgres://", "postgresql://"))


@contextmanager
def postgresql_database(database_url, label):
    """The URL of a database perfgoals_bench_<label>_<pid> created on the server of ``database_url``
    (whose role may create databases: bench/postgres.sh) and dropped, with its connections, at the end.
    The database named in ``database_url`` is not touched."""
    import psycopg2

    name = f"perfgoals_bench_{label}_{os.getpid()}"
    admin = psycopg2.connect(database_url)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        try:
            yield urlunsplit(urlsplit(database_url)._replace(path=f"/{name}"))
        finally:
            from django.conf import settings

            if settings.configured:
                from django.db import connections

                connections.close_all()
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()
