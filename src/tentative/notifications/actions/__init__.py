"""What staff may do to notifications, one module per verb."""

from tentative.notifications.actions.resend import resend

__all__ = ["resend"]
