"""Tentative: bookings that are not yet firm."""
