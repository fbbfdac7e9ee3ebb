"""Private files in an S3-compatible object store, configured only through environment variables.

A real S3 protocol server (moto's, on a loopback port) stands in for MinIO, Ceph or OSS; boto3 looks
into the bucket from outside. The flows are the real ones: a Celery worker renders a signed letter
into the bucket, uploads land there, the views stream the bytes back after their access checks, and
nothing is written under MEDIA_ROOT.
"""

import runpy
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from moto.server import ThreadedMotoServer

import chengnuo
from commitments import services as commitments
from commitments.models import Commitment, ProofDocument
from complaints import services as complaints
from complaints.models import Channel, Kind, TicketAttachment
from credit import services as credit
from credit.models import DishonestyRecord, Severity
from tests.conftest import wait_for
from tests.factories import PASSWORD, answer_negative_list_no
from tests.verification.factories import publish_catalogue, service_of

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
KEYS = {"AWS_S3_ACCESS_KEY_ID": "chengnuo-test", "AWS_S3_SECRET_ACCESS_KEY": "chengnuo-test-secret"}
PUBLIC = "http://acs.amazonaws.com/groups/global/AllUsers"


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def settings_from_environment(monkeypatch, variables, name="STORAGES"):
    """A setting exactly as chengnuo/settings.py builds it from these environment variables."""
    for variable in ("STORAGE_BACKEND", "AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL",
                     "AWS_S3_SERVER_SIDE_ENCRYPTION", "CACHE_URL"):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in variables.items():
        monkeypatch.setenv(variable, value)
    return runpy.run_path(str(Path(chengnuo.__file__).with_name("settings.py")))[name]


@pytest.fixture
def bucket(s3_endpoint, settings, tmp_path, monkeypatch):
    """A fresh private bucket, and the portal's default storage pointing at it (set by environment only)."""
    name = f"chengnuo-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="cn-northwest-1",
                          aws_access_key_id=KEYS["AWS_S3_ACCESS_KEY_ID"],
                          aws_secret_access_key=KEYS["AWS_S3_SECRET_ACCESS_KEY"])
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "cn-northwest-1"})
    configured = settings_from_environment(monkeypatch, {
        "AWS_STORAGE_BUCKET_NAME": name, "AWS_S3_ENDPOINT_URL": s3_endpoint, "AWS_S3_REGION_NAME": "cn-northwest-1",
        "AWS_S3_SERVER_SIDE_ENCRYPTION": "AES256", **KEYS,
    })
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {**settings.STORAGES, "default": configured["default"]}  # setting_changed resets storages
    client.name = name
    yield client
    assert not any(p.is_file() for p in (tmp_path / "media").rglob("*")), "a private file was written to local disk"


def objects(client, prefix):
    listing = client.list_objects_v2(Bucket=client.name, Prefix=prefix)
    return [o["Key"] for o in listing.get("Contents", [])]


def stored_bytes(client, key):
    return client.get_object(Bucket=client.name, Key=key)["Body"].read()


def assert_private_and_encrypted(client, key):
    head = client.head_object(Bucket=client.name, Key=key)
    assert head["ServerSideEncryption"] == "AES256"
    grants = client.get_object_acl(Bucket=client.name, Key=key)["Grants"]
    assert all(g["Grantee"].get("URI") != PUBLIC for g in grants), grants
    with pytest.raises(urllib.error.HTTPError) as unsigned:  # what a leaked object address would give
        urllib.request.urlopen(f"{client.meta.endpoint_url}/{client.name}/{key}", timeout=5)  # noqa: S310
    assert unsigned.value.code == 403


def objection_attachment(citizen, agency):
    """The PDF the citizen attaches to an objection against a credit record."""
    record = credit.enter_record(
        subject=citizen.subject, kind=DishonestyRecord.Kind.FALSE_COMMITMENT, severity=Severity.SERIOUS,
        decision_number="西人社罚〔2026〕7号", decision_date=timezone.localdate(), deciding_agency=agency,
        facts="承诺已缴纳社保，经核查不实。", commitment_ref="CN-2026-00007")
    objection = credit.raise_objection(record=record, applicant=citizen, reasons="事实有误",
                                       uploads=[SimpleUploadedFile("说明.pdf", PDF, content_type="application/pdf")])
    return objection.attachments.get()


@pytest.fixture
def service(agency, justice_bureau, city_government):
    catalogue = publish_catalogue(agency, justice_bureau, city_government, matters={
        "无犯罪记录证明": (["data_sharing"], 10), "执业场所使用证明": (["on_site"], 15)})
    return service_of(catalogue)


def test_environment_selects_the_store(monkeypatch):
    local = settings_from_environment(monkeypatch, {})
    assert local["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    s3 = settings_from_environment(monkeypatch, {"AWS_STORAGE_BUCKET_NAME": "chengnuo-private"})["default"]
    assert s3["BACKEND"] == "storages.backends.s3.S3Storage"
    options = s3["OPTIONS"]
    assert options["bucket_name"] == "chengnuo-private"
    assert options["default_acl"] is None and options["querystring_auth"] and options["querystring_expire"] <= 300
    assert options["file_overwrite"] is False and options["object_parameters"] == {}
    forced_local = settings_from_environment(monkeypatch, {"STORAGE_BACKEND": "filesystem",
                                                           "AWS_STORAGE_BUCKET_NAME": "chengnuo-private"})
    assert forced_local["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"


@pytest.mark.parametrize("variables", [{"STORAGE_BACKEND": "s3"}, {"STORAGE_BACKEND": "nfs"}])
def test_a_store_without_a_bucket_or_of_an_unknown_kind_refuses_to_start(monkeypatch, variables):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        settings_from_environment(monkeypatch, variables)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_signed_letter_is_rendered_into_the_bucket_and_streamed_to_its_signer(
        celery_worker, bucket, client, citizen, other_citizen, service):
    application, _ = commitments.start_online(user=citizen, service_id=service.pk, token=uuid.uuid4())
    req = application.requirements.get(matter__name="无犯罪记录证明")
    client.force_login(citizen)
    response = client.post(reverse("commitments:sign", args=[application.pk, req.pk]), {
        "state": "draft", "full_name": citizen.full_name, "password": PASSWORD,
        **{f"statement_{i}": "on" for i in range(6)}, **answer_negative_list_no(req.matter)})
    assert response.status_code == 302

    signed = wait_for(lambda: Commitment.objects.exclude(letter_file="").filter(application=application).first(),
                      timeout=60)
    assert signed is not None, "the worker did not store the letter"
    key = signed.letter_file.name
    assert objects(bucket, "commitments/letters/") == [key]
    in_bucket = stored_bytes(bucket, key)
    assert in_bucket.startswith(b"%PDF-")
    assert_private_and_encrypted(bucket, key)

    download = client.get(reverse("commitments:letter_pdf", args=[signed.letter_number]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download.content == in_bucket
    client.force_login(other_citizen)
    assert client.get(reverse("commitments:letter_pdf", args=[signed.letter_number])).status_code == 404


@pytest.mark.django_db
def test_a_proof_upload_lands_in_the_bucket_and_downloads_stream_it_back(bucket, client, citizen, service):
    application, _ = commitments.start_online(user=citizen, service_id=service.pk, token=uuid.uuid4())
    req = application.requirements.get(matter__name="执业场所使用证明")
    client.force_login(citizen)
    response = client.post(reverse("commitments:upload", args=[application.pk, req.pk]), {
        "state": "draft", "file": SimpleUploadedFile("场所证明.pdf", PDF, content_type="application/pdf")})
    assert response.status_code == 302

    proof = ProofDocument.objects.get(requirement=req)
    assert objects(bucket, "commitments/proofs/") == [proof.file.name]
    assert stored_bytes(bucket, proof.file.name) == PDF
    assert_private_and_encrypted(bucket, proof.file.name)
    download = client.get(reverse("commitments:proof", args=[proof.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


@pytest.mark.django_db
def test_the_same_upload_twice_keeps_two_objects(bucket, citizen, service):
    application, _ = commitments.start_online(user=citizen, service_id=service.pk, token=uuid.uuid4())
    req = application.requirements.get(matter__name="执业场所使用证明")
    for content in (PDF, PDF + b"%second"):
        commitments.upload_proof(user=citizen, application_pk=application.pk, requirement_pk=req.pk,
                                 upload=SimpleUploadedFile("同名.pdf", content))
    names = sorted(ProofDocument.objects.values_list("file", flat=True))
    assert len(set(names)) == 2 and sorted(objects(bucket, "commitments/proofs/")) == names


@pytest.mark.django_db
def test_complaint_and_credit_attachments_live_in_the_bucket(bucket, client, citizen, agency):
    ticket, _code = complaints.file_ticket(
        kind=Kind.COMPLAINT, channel=Channel.PORTAL, requester=citizen, title="窗口仍要求提供证明",
        content="已签署告知承诺书，窗口仍要求我提供证明。", about_agency=agency, contact_phone="13700000001",
        uploads=[SimpleUploadedFile("现场照片.png", PNG)])
    att = objection_attachment(citizen, agency)
    item = TicketAttachment.objects.get(ticket=ticket)
    assert stored_bytes(bucket, item.file.name) == PNG
    assert stored_bytes(bucket, att.file.name) == PDF
    client.force_login(citizen)
    for url, content in ((reverse("complaints:attachment", args=[item.pk]), PNG),
                         (reverse("credit:attachment", args=[att.pk]), PDF)):
        response = client.get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content) == content, url


@pytest.mark.django_db
def test_an_object_missing_from_the_bucket_is_not_found_not_a_server_error(bucket, client, citizen, agency):
    att = objection_attachment(citizen, agency)
    bucket.delete_object(Bucket=bucket.name, Key=att.file.name)
    client.force_login(citizen)
    assert client.get(reverse("credit:attachment", args=[att.pk])).status_code == 404


@pytest.mark.django_db
def test_the_admin_never_links_to_an_object_in_the_bucket(bucket, admin_client, citizen, agency, service):
    application, _ = commitments.start_online(user=citizen, service_id=service.pk, token=uuid.uuid4())
    req = application.requirements.get(matter__name="执业场所使用证明")
    proof = commitments.upload_proof(user=citizen, application_pk=application.pk, requirement_pk=req.pk,
                                     upload=SimpleUploadedFile("场所证明.pdf", PDF))
    signed = commitments.sign_online(user=citizen, application_pk=application.pk,
                                     requirement_pk=application.requirements.get(matter__name="无犯罪记录证明").pk,
                                     full_name=citizen.full_name, password=PASSWORD, confirmations=[True] * 5)
    commitments.letter_pdf(signed.pk)
    att = objection_attachment(citizen, agency)
    assert len(objects(bucket, "")) == 3
    for url in (reverse("admin:commitments_proofdocument_change", args=[proof.pk]),
                reverse("admin:commitments_commitment_change", args=[signed.pk]),
                reverse("admin:credit_attachment_change", args=[att.pk])):
        response = admin_client.get(url)
        page = response.content.decode()
        assert response.status_code == 200 and bucket.meta.endpoint_url not in page and "Signature" not in page, url
