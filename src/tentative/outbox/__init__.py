"""The transactional outbox: events written in the transaction of the change they tell of,
and the record of every try at delivering what they turn into.

Below every app that emits: it names the organisation, the booking and the webhook
endpoint by lazy model references and imports no app above it. What an event becomes
(emails, webhooks) is the notifications app's business; who delivers it when is the
worker's.
"""
