"""``manage.py verify_audit``: walk each of the audit trail's hash chains and report any gap or edit (审计链校验)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from portal import audit_chain
from portal.db_roles import role_report
from portal.models import AuditEvent


class Command(BaseCommand):
    help = "Verify the audit trail's hash chains; exit 1 on any gap, edit or reordering."

    def add_arguments(self, parser):
        parser.add_argument("--anchor", action="extend", type=audit_chain.parse_anchors, default=[],
                            metavar="CHAIN:SEQ:HASH",
                            help="a chain's head printed by an earlier run (or the hourly log) and kept outside the "
                                 "database; several separated by spaces, or repeat --anchor; SEQ:HASH (from before "
                                 "striping) is chain 0")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, **options):
        using = options["database"]
        count, findings, heads = audit_chain.verify(AuditEvent.objects.using(using), anchors=options["anchor"])
        roles = role_report(connections[using])
        if roles and (roles["may_update"] or roles["may_delete"] or roles["may_truncate"]):
            self.stderr.write(
                f"Note: role {roles['role']!r} may change the audit table (owner {roles['owner']!r}); "
                "the web processes should connect as the app role (docs/operations.md)."
            )
        for finding in findings:
            self.stderr.write(f"TAMPERED {finding}")
        if findings:
            raise CommandError(f"audit chain broken: {len(findings)} finding(s) in {count} rows")
        self.stdout.write(f"audit chain intact: {count} rows in {len(heads)} chain(s)")
        # One line per chain: CHAIN:SEQ:HASH, to keep outside the database and pass back as --anchor.
        for chain, seq, hash_ in heads:
            self.stdout.write(f"head {chain}:{seq}:{hash_}")
