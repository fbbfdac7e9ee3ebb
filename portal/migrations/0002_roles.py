"""Create one group per role, with the kernel permissions each needs."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = [
    "applicant", "window_clerk", "verifier", "inspector", "catalogue_editor",
    "justice_reviewer", "government_approver", "credit_officer", "complaints_operator", "supervisor",
]
STAFF_VIEW = ["view_agency", "view_subject"]
KERNEL_PERMISSIONS = {
    "window_clerk": STAFF_VIEW,
    "verifier": STAFF_VIEW,
    "inspector": STAFF_VIEW,
    "catalogue_editor": ["view_agency"],
    "justice_reviewer": ["view_agency", "view_auditevent"],
    "government_approver": ["view_agency", "view_auditevent"],
    "credit_officer": STAFF_VIEW,
    "complaints_operator": ["view_agency"],
    "supervisor": STAFF_VIEW + ["view_auditevent", "view_workday"],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; create the kernel's now.
    app_config = apps.get_app_config("portal")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name in ROLES:
        group, _ = Group.objects.get_or_create(name=name)
        codenames = KERNEL_PERMISSIONS.get(name, [])
        group.permissions.add(*Permission.objects.filter(content_type__app_label="portal", codename__in=codenames))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_roles, remove_roles)]
