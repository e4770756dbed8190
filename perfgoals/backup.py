"""Backup and restore of the whole database, for SQLite and PostgreSQL.

SQLite: the online backup API copies a consistent snapshot while the app runs. PostgreSQL: pg_dump's
custom format, restored with pg_restore. A restore goes only into an empty database, so a mistyped
target can never overwrite live data.
"""

import os
import sqlite3
import subprocess
from pathlib import Path

import dj_database_url

# What a restore is checked against: the tables people would miss first.
KEY_TABLES = {
    "projects_projecttable": "项目绩效目标表",
    "indicators_indicator": "三级指标",
    "projects_reviewrecord": "审核记录",
    "projects_historicalprojecttable": "项目表修改记录",
    "indicators_historicalindicator": "指标修改记录",
    "projects_auditevent": "审计日志",
}


# Left out of every backup: live session keys (one read from a backup logs in to the live server as its
# user). A restored server starts with everybody logged out, which is what a restore should do anyway.
EXCLUDED_DATA = ("django_session",)


class BackupError(Exception):
    """备份或恢复失败的原因（中文）。"""


def _pg_environment(settings_dict):
    environment = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        environment["PGPASSWORD"] = settings_dict["PASSWORD"]
    return environment


def _pg_arguments(settings_dict):
    arguments = ["--dbname", settings_dict["NAME"]]
    if settings_dict.get("HOST"):
        arguments += ["--host", settings_dict["HOST"]]
    if settings_dict.get("PORT"):
        arguments += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        arguments += ["--username", settings_dict["USER"]]
    return arguments


def _run(command, environment):
    try:
        result = subprocess.run(command, env=environment, capture_output=True, text=True)
    except FileNotFoundError as error:
        raise BackupError(f"找不到 {command[0]}：请安装 PostgreSQL 客户端（postgresql-client）。") from error
    if result.returncode != 0:
        raise BackupError(f"{command[0]} 失败：{result.stderr.strip()}")


def _private_file(path):
    """Create ``path`` empty, readable and writable by this service's user only (0600), before anything
    is written to it: a backup holds every password hash and every table."""
    if path.exists():
        path.unlink()
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    os.chmod(path, 0o600)  # whatever the umask


def backup(connection, path):
    """Write a backup of ``connection``'s database to ``path``, readable by this service's user only,
    without the sessions (EXCLUDED_DATA)."""
    path = Path(path)
    _private_file(path)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
            for table in EXCLUDED_DATA:
                target.execute(f'DELETE FROM "{table}"')
            target.commit()
            target.execute("VACUUM")  # the deleted rows' pages are not left readable in the file
        finally:
            target.close()
    elif connection.vendor == "postgresql":
        settings_dict = connection.settings_dict
        excluded = [f"--exclude-table-data={table}" for table in EXCLUDED_DATA]
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", *excluded, "--file", str(path), *_pg_arguments(settings_dict)],
            _pg_environment(settings_dict),
        )
        os.chmod(path, 0o600)
    else:
        raise BackupError(f"不支持 {connection.vendor} 数据库的备份。")
    return path.stat().st_size


def target_settings(database_url):
    """Connection settings of the database a backup is restored into."""
    settings_dict = dj_database_url.parse(database_url)
    engine = settings_dict["ENGINE"]
    vendor = "sqlite" if "sqlite" in engine else "postgresql" if "postgresql" in engine else engine
    return vendor, settings_dict


def _sqlite_tables(path):
    if not Path(path).exists():
        return []
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]


def restore(path, database_url):
    """Restore the backup at ``path`` into the empty database at ``database_url``."""
    path = Path(path)
    if not path.exists():
        raise BackupError(f"备份文件 {path} 不存在。")
    vendor, settings_dict = target_settings(database_url)
    if vendor == "sqlite":
        target = settings_dict["NAME"]
        if _sqlite_tables(target):
            raise BackupError(f"目标数据库 {target} 不是空的：恢复只能写入空数据库，以免覆盖现有数据。")
        with sqlite3.connect(path) as source, sqlite3.connect(target) as destination:
            source.backup(destination)
    elif vendor == "postgresql":
        environment = _pg_environment(settings_dict)
        probe = subprocess.run(
            ["psql", "-tAc", "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", *_pg_arguments(settings_dict)],
            env=environment,
            capture_output=True,
            text=True,
        )
        if probe.returncode != 0:
            raise BackupError(f"无法连接目标数据库：{probe.stderr.strip()}")
        if probe.stdout.strip() not in {"", "0"}:
            raise BackupError(f"目标数据库 {settings_dict['NAME']} 不是空的：恢复只能写入空数据库，以免覆盖现有数据。")
        _run(
            ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", *_pg_arguments(settings_dict), str(path)],
            environment,
        )
    else:
        raise BackupError(f"不支持恢复到 {vendor} 数据库。")
    return counts(database_url)


def counts(database_url):
    """Row counts of the key tables in the database at ``database_url``."""
    vendor, settings_dict = target_settings(database_url)
    result = {}
    if vendor == "sqlite":
        with sqlite3.connect(settings_dict["NAME"]) as db:
            for table in KEY_TABLES:
                result[table] = db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        return result
    import psycopg2

    with psycopg2.connect(
        dbname=settings_dict["NAME"],
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
    ) as db, db.cursor() as cursor:
        for table in KEY_TABLES:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            result[table] = cursor.fetchone()[0]
    db.close()
    return result
