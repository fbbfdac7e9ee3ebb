"""``manage.py verify_audit``: walk the audit trail's hash chain and report any gap or edit (审计链校验)."""

import re

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from portal import audit_chain
from portal.db_roles import role_report
from portal.models import AuditEvent


def anchor(value: str) -> tuple[int, str]:
    match = re.fullmatch(r"(\d+):([0-9a-f]{64})", value.strip())
    if not match:
        raise ValueError("an anchor is SEQ:HASH, as printed by an earlier run")
    return int(match.group(1)), match.group(2)


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exit 1 on any gap, edit or reordering."

    def add_arguments(self, parser):
        parser.add_argument("--anchor", action="append", type=anchor, default=[], metavar="SEQ:HASH",
                            help="a (seq, hash) printed by an earlier run and kept outside the database")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, **options):
        using = options["database"]
        count, findings, last = audit_chain.verify(AuditEvent.objects.using(using), anchors=options["anchor"])
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
        head = f"{last[0]}:{last[1]}" if last else "(empty)"
        self.stdout.write(f"audit chain intact: {count} rows; head {head}")
