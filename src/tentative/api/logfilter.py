"""Django logs every 4xx response as a warning. On the API a 409 (sold out, busy) or a 422
(invalid input) is an answer like any other, and a sold-out date gives thousands a second;
writing each one cost the request path measurably (bench/hot_holds.py). Other 4xx (401, 403,
404, 429) and every 5xx still log."""

from __future__ import annotations

import logging

ANSWERS = frozenset({409, 422})


class SkipBusinessAnswers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return getattr(record, "status_code", None) not in ANSWERS
