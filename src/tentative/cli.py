"""The `tentative` console script: one entry point for serving, the worker and maintenance.

Subcommands map to Django management commands (`tentative migrate` = `manage.py migrate`),
plus `serve`, which runs the app under gunicorn, the production server.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tentative.settings")
    if argv[:1] == ["serve"]:
        serve(argv[1:])
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tentative", *argv])


def serve(args: list[str]) -> None:
    """gunicorn with few sync workers and persistent connections (docs/deployment.md)."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    _start_worker()
    bind = os.environ.get("TENTATIVE_BIND", "127.0.0.1:8000")
    workers = os.environ.get("TENTATIVE_WORKERS", str((os.cpu_count() or 1) + 1))
    os.execvp(  # noqa: S606 - replaces this process with the server, no shell
        sys.executable,
        [
            sys.executable,
            "-m",
            "gunicorn",
            "tentative.wsgi",
            "--bind",
            bind,
            "--workers",
            workers,
            "--access-logfile",
            "-",
            *args,
        ],
    )


def _start_worker() -> None:
    """On the embedded setup, one background worker beside the server, so the demo's emails
    and deadlines happen (TENTATIVE_SERVE_WORKER=0 turns it off; =1 forces it on). On
    PostgreSQL, run `tentative worker` yourself, as many as you like (docs/deployment.md).

    The worker is started before this process becomes gunicorn (same pid) and exits when
    that parent is gone.
    """
    default = "0" if os.environ.get("TENTATIVE_DATABASE_URL") else "1"
    if os.environ.get("TENTATIVE_SERVE_WORKER", default) != "1":
        return
    import subprocess

    subprocess.Popen(
        [sys.executable, "-m", "tentative.cli", "worker", "--parent-pid", str(os.getpid())]
    )


if __name__ == "__main__":
    main()
