"""§三 two lead agencies: the 市行政审批服务局's role (window service standards, one-time notices, follow-up)."""

from django.db import migrations

ROLE = "service_standards_officer"


def create_role(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=ROLE)
    group.permissions.add(*Permission.objects.filter(content_type__app_label="portal", codename="view_agency"))


def remove_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=ROLE).delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0008_deadline_notices_in_the_message_centre")]
    operations = [migrations.RunPython(create_role, remove_role)]
