"""``manage.py daily_counts``: check the supervision's daily counts against their rows, or recount them (日计数核对).

The counts are kept by triggers (``portal.rollup``), so they drift only when rows change behind the triggers'
back: a ``TRUNCATE``, a restore of one table, triggers dropped by hand. Run the check after a restore; run
``--rebuild`` when it reports a difference.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from portal import rollup

SHOWN = 20  # differences printed per kind; the rest are counted


class Command(BaseCommand):
    help = "Check the daily counts against the rows they count (exit 1 on a difference), or recount them."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true",
                            help="recount every kind (or those of --kind) from its rows; writers wait meanwhile")
        parser.add_argument("--kind", action="append", default=[], metavar="KIND",
                            help="only this kind (application, commitment, task …); repeat for more")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, **options):
        connection = connections[options["database"]]
        specs = rollup.registered()
        unknown = set(options["kind"]) - {spec.kind for spec in specs}
        if unknown:
            raise CommandError(f"unknown kind(s): {', '.join(sorted(unknown))}; "
                               f"known: {', '.join(spec.kind for spec in specs)}")
        specs = [spec for spec in specs if not options["kind"] or spec.kind in options["kind"]]
        if options["rebuild"]:
            for spec in specs:
                rollup.rebuild(spec, connection)
                self.stdout.write(f"recounted {spec.kind} from {spec.table}")
            return
        wrong = 0
        for spec, found in rollup.check(connection, options["kind"]).items():
            wrong += len(found)
            for difference in found[:SHOWN]:
                self.stderr.write(f"DIFFERS {difference.kind} agency={difference.agency_id} day={difference.day} "
                                  f"bucket={difference.bucket!r}: kept {difference.kept}, rows {difference.counted}")
            if len(found) > SHOWN:
                self.stderr.write(f"… and {len(found) - SHOWN} more for {spec.kind}")
            if not found:
                self.stdout.write(f"{spec.kind}: counts match their rows")
        if wrong:
            raise CommandError(f"{wrong} daily count(s) differ from their rows; run daily_counts --rebuild")
