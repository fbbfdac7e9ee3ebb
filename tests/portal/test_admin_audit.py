"""Every change made in the admin site — policy tables above all — is in the audit trail."""

import pytest
from django.urls import reverse

from complaints.models import DeadlinePolicy
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_an_admin_change_of_a_deadline_policy_is_audited_with_the_values_it_left(admin_client, admin_user):
    policy = DeadlinePolicy.objects.order_by("kind").first()
    url = reverse("admin:complaints_deadlinepolicy_change", args=[policy.pk])
    response = admin_client.post(url, {"kind": policy.kind, "sign_days": 1, "reply_days": 14, "rating_days": 5})
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(action="admin.changed")
    assert event.actor == admin_user
    assert (event.object_type, event.object_id) == ("complaints.deadlinepolicy", str(policy.pk))
    assert event.data["values"]["reply_days"] == 14


def test_the_blacklist_policy_cannot_be_changed_in_the_admin_without_the_identity_check(admin_client):
    from credit.models import SeverityPolicy

    policy = SeverityPolicy.objects.get(severity="serious")
    url = reverse("admin:credit_severitypolicy_change", args=[policy.pk])
    admin_client.post(url, {"severity": "serious", "min_publicity_months": 6, "default_publicity_months": 12,
                            "max_publicity_months": 36, "min_months_before_repair": 12, "repair_cooldown_months": 12})
    assert SeverityPolicy.objects.get(pk=policy.pk).blacklists  # read-only there; the officer page asks 确认身份


def test_giving_an_account_a_role_in_the_admin_is_audited_without_its_password(admin_client, citizen):
    from django.contrib.auth.models import Group

    group = Group.objects.order_by("name").first()
    url = reverse("admin:portal_user_change", args=[citizen.pk])
    admin_client.post(url, {"username": citizen.username, "full_name": citizen.full_name, "mobile": citizen.mobile,
                            "email": "", "is_active": "on", "groups": [group.pk],
                            "last_login_0": "", "last_login_1": "", "date_joined_0": "2026-01-01",
                            "date_joined_1": "08:00:00"})
    event = AuditEvent.objects.get(action="admin.changed", object_id=str(citizen.pk))
    assert event.data["values"]["groups"] == [group.name]
    assert "password" not in event.data["values"]
