"""Two PostgreSQL roles (数据库角色分离): the owner runs migrations, the app role only reads and writes rows.

The web processes and the workers connect as the app role (``DATABASE_URL``). It owns no table, so it
cannot ALTER one, disable a trigger or TRUNCATE; it is not a superuser, so it cannot set
``session_replication_role``; and on the audit trail it may only SELECT and INSERT. ``manage.py
migrate`` connects as the owner when ``DATABASE_OWNER_URL`` is set and then calls ``grant_app_role``
(docs/operations.md, "Database roles").
"""

AUDIT_TABLE = "portal_auditevent"
MIGRATIONS_TABLE = "django_migrations"


def grant_app_role(connection, role: str) -> None:
    """Give ``role`` row access to every table of the current schema, and no more than SELECT and
    INSERT on the audit trail. Idempotent; run by the owner after each migrate."""
    if connection.vendor != "postgresql":
        return
    role_name = connection.ops.quote_name(role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = connection.ops.quote_name(cursor.fetchone()[0])
        for statement in (
            f"GRANT USAGE ON SCHEMA {schema} TO {role_name}",
            f"REVOKE CREATE ON SCHEMA {schema} FROM {role_name}",
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role_name}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role_name}",
            f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {role_name}",
            f"REVOKE UPDATE, DELETE, TRUNCATE ON {AUDIT_TABLE} FROM {role_name}",
            f"REVOKE INSERT, UPDATE, DELETE ON {MIGRATIONS_TABLE} FROM {role_name}",
        ):
            cursor.execute(statement)
        # An error of the app role must not copy its row into the server log ("Failing row contains
        # (…)" is the DETAIL of a constraint error; the statement follows at log_min_error_statement).
        # Both settings are the superuser's: set here when the owner is one, else by the DBA
        # (docs/operations.md).
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            cursor.execute(f"ALTER ROLE {role_name} SET log_error_verbosity = 'terse'")
            cursor.execute(f"ALTER ROLE {role_name} SET log_min_error_statement = 'panic'")


def role_report(connection) -> dict:
    """What the connected role may do to the audit trail (shown by ``verify_audit``)."""
    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT current_user,
                   pg_get_userbyid(c.relowner),
                   pg_has_role(current_user, c.relowner, 'USAGE'),
                   (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),
                   has_table_privilege(c.oid, 'UPDATE'),
                   has_table_privilege(c.oid, 'DELETE'),
                   has_table_privilege(c.oid, 'TRUNCATE')
            FROM pg_class c WHERE c.oid = %s::regclass
            """,
            [AUDIT_TABLE],
        )
        user, owner, owner_rights, superuser, update, delete, truncate = cursor.fetchone()
    return {"role": user, "owner": owner, "acts_as_owner": bool(owner_rights or superuser),
            "may_update": update, "may_delete": delete, "may_truncate": truncate}
