"""A real SMTP server (aiosmtpd) and a real HTTP receiver, both on free local ports.

No mocks: the worker talks SMTP and HTTP to these exactly as it would in production.
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    # aiosmtpd's Controller cannot take port 0 (it connects to itself to check it is up).
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Inbox:
    """What the SMTP server received, and how it should answer the next messages."""

    received: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    refuse: list[str] = field(default_factory=list)  # replies for the next DATA commands
    lock: threading.Lock = field(default_factory=threading.Lock)
    reached: dict[int, threading.Event] = field(default_factory=dict)

    # Hold the DATA command after this many messages until `gate` is set: a client stuck
    # mid-delivery, which a test can then kill.
    hold_at: int | None = None
    held: threading.Event = field(default_factory=threading.Event)
    gate: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        if self.hold_at is not None and len(self.received) >= self.hold_at:
            self.held.set()
            self.gate.wait(timeout=120)  # blocks the server's loop: nothing else is served
        with self.lock:
            if self.refuse:
                return self.refuse.pop(0)
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            # Django folds a long non-ASCII subject before its first encoded word; the
            # unfolded value starts with that space, which mail readers drop. So do we.
            message.replace_header("Subject", str(message["Subject"]).strip())
            self.received.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            for count, event in self.reached.items():
                if len(self.received) >= count:
                    event.set()
        return "250 OK"

    def when(self, count: int) -> threading.Event:
        with self.lock:
            event = self.reached.setdefault(count, threading.Event())
            if len(self.received) >= count:
                event.set()
            return event

    def by_subject(self, text: str) -> list[EmailMessage]:
        return [m for m in self.received if text in str(m["Subject"])]


@pytest.fixture
def smtp(settings):  # type: ignore[no-untyped-def]
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    inbox.port = port  # type: ignore[attr-defined]
    yield inbox
    controller.stop()


@dataclass
class Receiver:
    """A webhook receiver: records each request, answers with the next planned status."""

    url: str = ""
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)

    def json(self, index: int) -> dict:  # type: ignore[type-arg]
        return json.loads(self.requests[index][1])


@pytest.fixture
def receiver(settings):  # type: ignore[no-untyped-def]
    """A webhook receiver on 127.0.0.1, which only an install allowing private addresses
    may send to (notifications/egress.py)."""
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.requests.append(({k: v for k, v in self.headers.items()}, body))
            status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"thanks" if status < 300 else b"not now")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
