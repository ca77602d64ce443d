"""Creates the database cache's table (CACHES in config/settings/base.py).

The log-in limits keep their counters in the cache; with the default database
cache, its table must exist before the first log-in. As a migration, `migrate`
creates it on every new database and on every deploy, so no separate step can be
forgotten. With CACHE_URL set to Redis there is no database cache, and nothing
is created.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # The command creates the table of each database cache routed to this
    # database, and skips one that exists already.
    call_command(
        "createcachetable", database=schema_editor.connection.alias, verbosity=0
    )


class Migration(migrations.Migration):
    dependencies = []

    operations = [
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
    ]
