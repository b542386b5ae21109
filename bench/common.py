"""What the benchmarks share: a throw-away PostgreSQL database, migrated, dropped after."""

from __future__ import annotations

import os
import re
import selectors
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
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


def organisation(slug: str = "bench"):  # type: ignore[no-untyped-def]
    """An organisation in Paris and its owner's membership (user `<slug>-owner`)."""
    from django.contrib.auth import get_user_model

    from tentative.accounts.models import Organisation, StaffMembership

    org = Organisation.objects.create(name=slug.title(), slug=slug, time_zone="Europe/Paris")
    user = get_user_model().objects.create_user(f"{slug}-owner", password="bench")
    member = StaffMembership.objects.create(user=user, organisation=org, role="owner")
    return org, member


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


@contextmanager
def gunicorn(url: str, workers: int) -> Iterator[int]:
    """Serve the app on `url`'s database with `workers` sync workers on 127.0.0.1; yield
    the port once it accepts connections."""
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "tentative.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        env={**os.environ, "TENTATIVE_DATABASE_URL": url},
    )
    try:
        _wait_until_up(port)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def status_and_code(response: bytes) -> str:
    """'201', or the status and the error's code: '409 sold_out', '409 capacity_busy'."""
    status_line = response.split(b"\r\n", 1)[0].split()
    status = status_line[1].decode() if len(status_line) > 1 else "no answer"
    code = re.search(rb'"code": ?"([a-z_]+)"', response) if status != "201" else None
    return f"{status} {code[1].decode()}" if code else status


def fire(
    port: int,
    requests: Iterator[bytes],
    clients: int,
    outcome: Callable[[bytes], str] = status_and_code,
) -> list[tuple[float, float, str]]:
    """Send each request (whole HTTP/1.1 bytes, built when it is sent), `clients` in flight
    at all times, each on a fresh connection, from one thread multiplexing non-blocking
    sockets; return (sent, answered, outcome) per request, in seconds from the start.

    The load generator shares the server's two cores, so it has to be cheap: this loop
    spends about 0.1 ms of CPU per request where asyncio's streams spent about 0.5 ms,
    which the server then did not get (that showed as a third less throughput).
    """
    results: list[tuple[float, float, str]] = []  # (sent, answered, outcome)
    selector = selectors.DefaultSelector()

    def start() -> None:
        request = next(requests, None)
        if request is None:
            return
        sock = socket.socket()
        sock.setblocking(False)
        sock.connect_ex(("127.0.0.1", port))
        selector.register(sock, selectors.EVENT_WRITE, [time.perf_counter(), request, b""])

    started = time.perf_counter()
    for _ in range(clients):
        start()
    while selector.get_map():
        for key, events in selector.select():
            sock, state = key.fileobj, key.data
            if events & selectors.EVENT_WRITE:
                sock.send(state[1])  # a few hundred bytes: one send on a fresh socket
                selector.modify(sock, selectors.EVENT_READ, state)
                continue
            chunk = sock.recv(65536)
            if chunk:
                state[2] += chunk
                continue
            selector.unregister(sock)
            sock.close()
            results.append((state[0] - started, time.perf_counter() - started, outcome(state[2])))
            start()
    return results


def pct(seconds: list[float], p: float) -> float:
    """The p-th percentile of `seconds`, in milliseconds."""
    ms = sorted(seconds)
    return 1000 * ms[min(len(ms) - 1, int(p / 100 * len(ms)))] if ms else 0.0
