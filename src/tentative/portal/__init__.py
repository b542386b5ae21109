"""The customer's personal space: sign-in by emailed link, what awaits them, their bookings,
tickets and receipts, their personal data (issue 12)."""
