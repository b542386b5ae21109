"""The background worker: a loop, leases on outbox messages, and periodic jobs.

It knows how to run work, not what the work is: each app contributes its own in a
`jobs.py` (periodic jobs, a pass of the loop, a courier per kind of outbox message), found
at start-up like Django's admin modules. So the worker sits below every app and imports
none of them. The design (leases, crash recovery, schedules) is written down in `loop.py`.
"""
