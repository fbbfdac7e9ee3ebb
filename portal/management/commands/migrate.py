"""``migrate`` as the owner: with ``DATABASE_OWNER_URL`` set, the migrations run with the owner's
credentials (same database as ``DATABASE_URL``) and the app role then gets its grants
(portal/db_roles.py). Without it, Django's own ``migrate`` runs unchanged."""

from django.conf import settings
from django.core.management.commands import migrate
from django.db import DEFAULT_DB_ALIAS, connections

from portal.db_roles import grant_app_role

CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT")


class Command(migrate.Command):
    help = migrate.Command.help + " With DATABASE_OWNER_URL set: as the owner, then grants the app role."

    def handle(self, *args, **options):
        owner = getattr(settings, "DATABASE_OWNER", None)
        connection = connections[options["database"]]
        if not owner or options["database"] != DEFAULT_DB_ALIAS or connection.vendor != "postgresql":
            return super().handle(*args, **options)
        app = {key: connection.settings_dict.get(key) for key in CREDENTIALS}
        connection.close()
        # Only the credentials change: the database name stays (it is test_… under the test runner).
        connection.settings_dict.update({key: owner.get(key) for key in CREDENTIALS})
        try:
            super().handle(*args, **options)
            grant_app_role(connection, app["USER"])
            if options["verbosity"] >= 1:
                self.stdout.write(f"Granted row access to the app role {app['USER']!r} (audit trail: SELECT, INSERT).")
        finally:
            connection.close()
            connection.settings_dict.update(app)
