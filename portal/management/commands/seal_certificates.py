"""电子印章 key store: create the demo CA and agency certificates, or check what is installed.

    manage.py seal_certificates            demo mode: create what is missing (CA, time-stamper, CRL,
                                           one certificate per active agency); then list every agency
    manage.py seal_certificates --ca-only  only the CA, time-stamper and CRL (no database needed)
    manage.py seal_certificates --check    list problems (missing, expired, expiring); exit 1 if any

Real certificates are installed as files (docs/operations.md); this command never overwrites one.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from portal import seals


class Command(BaseCommand):
    help = "Create the demo seal CA and agency certificates (SEAL_DEMO_CA), or check the key store."

    def add_arguments(self, parser):
        parser.add_argument("--ca-only", action="store_true", help="only the demo CA, time-stamper and CRL")
        parser.add_argument("--check", action="store_true", help="report problems; exit status 1 if any")

    def handle(self, *args, ca_only=False, check=False, **options):
        from portal.models import Agency

        try:
            if check:
                problems = seals.problems(Agency.objects.filter(is_active=True))
                for problem in problems:
                    self.stdout.write(self.style.WARNING(problem))
                if problems:
                    raise CommandError(f"{len(problems)} 个电子印章问题")
                self.stdout.write(self.style.SUCCESS("电子印章：正常"))
                return
            if not seals.demo_mode():
                if ca_only:  # make install on a production host: real certificates are installed by hand
                    self.stdout.write("SEAL_DEMO_CA is off: no demo CA created.")
                    return
                raise CommandError("SEAL_DEMO_CA is off: install the agencies' real certificates (docs/operations.md).")
            for path in seals.ensure_demo():
                self.stdout.write(f"created {path}")
            if ca_only:
                return
            issued = 0
            for agency in Agency.objects.filter(is_active=True):
                if seals.keystore_path(agency) is None:
                    seals.issue_demo_certificate(agency)
                    issued += 1
            self.stdout.write(f"demo seal certificates issued: {issued} (key store {seals.keystore_dir()})")
        except seals.SealError as exc:
            raise CommandError(exc.message) from None
        except DatabaseError:
            raise CommandError("no database tables yet: run migrate first, or use --ca-only") from None
