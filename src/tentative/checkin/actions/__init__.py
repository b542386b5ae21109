"""One module per verb: the only code that writes check-ins and scans."""

from tentative.checkin.actions.check_in import MAX_NONCE, ScanResult, check_in

__all__ = ["MAX_NONCE", "ScanResult", "check_in"]
