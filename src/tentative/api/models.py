"""Stored first responses of mutating API calls, by Idempotency-Key (DESIGN §2.2 #5)."""

from django.db import models


class IdempotencyKey(models.Model):
    scope = models.CharField(max_length=64)  # whose key: one API token's namespace
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="one_use_per_key")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"
