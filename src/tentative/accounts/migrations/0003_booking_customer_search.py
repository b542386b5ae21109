"""The staff bookings search finds a customer by any part of their name or email, ignoring
case (`bookings.selectors.search`: `UPPER(name) LIKE UPPER('%…%')`). A B-tree cannot serve a
pattern that starts with `%`; on PostgreSQL a trigram GIN index on the same expression
can, so the search stays an index scan with 50,000 customers. SQLite has no such index:
there the organisation's customers are scanned (a small organisation's database)."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS customer_name_trgm ON accounts_customer "
    "USING gin (UPPER(name::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS customer_email_trgm ON accounts_customer "
    "USING gin (UPPER(email::text) gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS customer_name_trgm",
    "DROP INDEX IF EXISTS customer_email_trgm",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_catalogue_login_failures")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
