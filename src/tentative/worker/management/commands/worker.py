"""`tentative worker`: deliver the outbox and run the sweeps. Run as many as you like."""

from __future__ import annotations

import logging
import signal
import threading
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tentative.worker.loop import Config, run


class Command(BaseCommand):
    help = "Deliver emails and webhooks from the outbox and run the deadline sweeps."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=50, help="messages per claim")
        parser.add_argument("--lease", type=float, default=300, help="lease in seconds")
        parser.add_argument("--timeout", type=float, default=10, help="SMTP/HTTP timeout (s)")
        parser.add_argument("--poll", type=float, default=1, help="idle wait in seconds")
        parser.add_argument("--sweep-every", type=float, default=30, help="seconds")
        parser.add_argument(
            "--until-done", action="store_true", help="exit when nothing is left to deliver"
        )
        parser.add_argument(
            "--parent-pid", type=int, help="exit when this process is no longer our parent"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["lease"] < 4 * options["timeout"]:
            self.stderr.write("--lease must be at least 4 × --timeout")
            raise SystemExit(2)
        logging.getLogger("tentative").setLevel(logging.INFO)
        config = Config(
            batch=options["batch"],
            lease=timedelta(seconds=options["lease"]),
            timeout=options["timeout"],
            idle_poll=options["poll"],
            sweep_every=timedelta(seconds=options["sweep_every"]),
        )
        stop = threading.Event()

        def stop_on_signal(signum: int, frame: object) -> None:
            stop.set()  # finish the message in hand, hand back the rest, exit

        signal.signal(signal.SIGTERM, stop_on_signal)
        signal.signal(signal.SIGINT, stop_on_signal)
        self.stdout.write(f"worker {config.name} running (Ctrl-C to stop)")
        run(config, stop=stop, until_done=options["until_done"], parent_pid=options["parent_pid"])
