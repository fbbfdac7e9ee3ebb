from django.db import models
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField

from portal import identifiers


class SubjectQuerySet(models.QuerySet):
    def by_identifier(self, kind: str, number: str):
        """Exact lookup by ID number through the keyed-hash index (the number itself is encrypted)."""
        return self.filter(kind=kind, id_hash=identifiers.keyed_hash(identifiers.normalise(number)))


class Subject(models.Model):
    """申请人 / 承诺人: a natural person (居民身份证号, 港澳台居民居住证 or 外国人永久居留身份证 number)
    or an organisation (统一社会信用代码); ``id_type`` records which document the number is from.

    The ID number is stored encrypted; ``id_hash`` (HMAC) finds it again, ``id_masked`` shows it.
    """

    class Kind(models.TextChoices):
        PERSON = "person", _("自然人")
        ORGANISATION = "organisation", _("法人和其他组织")

    class IdType(models.TextChoices):
        """证件类型, read from the number itself (``identifiers.personal_id_kind``)."""

        RESIDENT_ID = identifiers.RESIDENT_ID, _("居民身份证")
        HMT_RESIDENCE_PERMIT = identifiers.HMT_RESIDENCE_PERMIT, _("港澳台居民居住证")
        FOREIGN_PERMANENT_RESIDENCE = identifiers.FOREIGN_PERMANENT_RESIDENCE, _("外国人永久居留身份证")
        USCC = identifiers.USCC, _("统一社会信用代码")

    kind = models.CharField(_("主体类型"), max_length=20, choices=Kind.choices)
    id_type = models.CharField(_("证件类型"), max_length=30, choices=IdType.choices, default=IdType.RESIDENT_ID,
                               editable=False)
    name = models.CharField(_("名称"), max_length=100)
    id_number = EncryptedCharField(_("证件号码"), max_length=18)
    id_hash = models.CharField(max_length=64, editable=False)
    id_masked = models.CharField(_("证件号码"), max_length=18, editable=False)
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = SubjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("申请主体")
        verbose_name_plural = _("申请主体")
        constraints = [
            models.UniqueConstraint(fields=["kind", "id_hash"], name="subject_unique_identifier"),
        ]

    def __str__(self):
        return f"{self.name}（{self.id_masked}）"

    def save(self, *args, **kwargs):
        number = identifiers.normalise(self.id_number)
        self.id_number = number
        self.id_hash = identifiers.keyed_hash(number)
        self.id_masked = identifiers.mask(number)
        self.id_type = identifiers.USCC if self.kind == self.Kind.ORGANISATION else identifiers.personal_id_kind(number)
        super().save(*args, **kwargs)

    def clean(self):
        if self.kind == self.Kind.PERSON:
            self.id_number = identifiers.validate_resident_id(self.id_number)
        else:
            self.id_number = identifiers.validate_uscc(self.id_number)
