"""The demo's catch-all email backend: mail is kept in the database, not sent.

Selected when no SMTP server is configured on the embedded (SQLite) setup, so that
`tentative serve` shows every email it would have sent at /staff/notifications/mail/.
Settings (environment):

    TENTATIVE_EMAIL_BACKEND=smtp      always send over SMTP (TENTATIVE_EMAIL_HOST, _PORT…)
    TENTATIVE_EMAIL_BACKEND=catchall  always keep mail in the database (this backend)
    (unset)                           SMTP if TENTATIVE_EMAIL_HOST is set or the database is
                                      PostgreSQL (production), else the catch-all (the demo)
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

from tentative.notifications.models import CaughtMail


class CatchAllBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = 0
        for email in email_messages:
            message = email.message()
            CaughtMail.objects.create(
                message_id=str(message.get("Message-ID", "")),
                to=", ".join(email.recipients()),
                subject=str(message.get("Subject", ""))[:500],
                raw=message.as_string(),
            )
            sent += 1
        return sent
