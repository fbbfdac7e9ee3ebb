"""Complaints fixtures: a published catalogue matter, tickets built through the services, helpers."""

import pytest
from django.core.cache import cache

from catalog import services as catalog_services
from complaints import services
from complaints.models import Channel, Kind, Topic
from portal import roles
from tests.catalog.conftest import add_matter
from tests.factories import StaffFactory


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def matter(editor, reviewer, approver):
    """A published matter whose requesting agency (索要单位) is ``agency``."""
    catalogue = catalog_services.start_version(actor=editor)
    m = add_matter(catalogue)
    catalog_services.submit(actor=editor, catalogue=catalogue)
    catalog_services.pass_review(actor=reviewer, catalogue=catalogue)
    catalog_services.approve(actor=approver, catalogue=catalogue)
    catalog_services.publish(actor=approver, catalogue=catalogue)
    return m


@pytest.fixture
def other_operator(other_agency):
    """A complaints liaison of the other agency (handler role there, dispatcher city-wide)."""
    return StaffFactory(full_name="周敏", agency=other_agency, roles=[roles.COMPLAINTS_OPERATOR])


@pytest.fixture
def complaint(citizen, agency):
    """A portal complaint by ``citizen`` about ``agency`` (routed there at filing)."""
    ticket, _code = services.file_ticket(
        kind=Kind.COMPLAINT, channel=Channel.PORTAL, requester=citizen, title="窗口仍要求提供证明",
        content="已签署告知承诺书，窗口仍要求我提供无犯罪记录证明。", topic=Topic.PROOF_DEMAND,
        about_agency=agency, contact_name="张伟", contact_phone="13700000001",
    )
    return ticket


@pytest.fixture
def other_complaint(other_citizen, other_agency):
    ticket, _code = services.file_ticket(
        kind=Kind.COMPLAINT, channel=Channel.PORTAL, requester=other_citizen, title="市场监管窗口推诿",
        content="办理公司登记时被多次要求补充材料。", about_agency=other_agency, contact_phone="13700000002",
    )
    return ticket


@pytest.fixture
def anonymous_report():
    ticket, code = services.file_ticket(
        kind=Kind.REPORT, channel=Channel.PORTAL, anonymous=True, title="公示的住所承诺疑似不实",
        content="公示的经营场所实为居民住宅。", topic=Topic.FALSE_COMMITMENT, commitment_ref="CN-2026-000001",
    )
    ticket.code = code
    return ticket


def reload(ticket):
    ticket.refresh_from_db()
    return ticket


def walk(ticket, handler, state):
    """Move a routed ticket on to ``in_progress`` or ``replied`` through the services."""
    if state in ("in_progress", "replied"):
        services.sign_for(actor=handler, ticket_pk=ticket.pk)
    if state == "replied":
        services.reply(actor=handler, ticket_pk=ticket.pk, text="经核实，已责令窗口整改。")
    return reload(ticket)
