"""One module per verb: the only code that changes an organisation's settings."""

from tentative.accounts.actions.set_deadline_policy import MAX_GRACE, set_deadline_policy

__all__ = ["MAX_GRACE", "set_deadline_policy"]
