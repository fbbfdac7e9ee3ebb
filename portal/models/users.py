from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who logs in: a citizen, an enterprise's contact, or staff of an agency.

    Citizens and enterprises are tied to the ``Subject`` they act for; staff to the
    ``Agency`` they work in. Roles are Django groups (see ``portal.roles``).
    """

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    mobile = models.CharField(_("手机号码"), max_length=11, blank=True)
    agency = models.ForeignKey(
        "portal.Agency", verbose_name=_("所属机关"), null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    subject = models.ForeignKey(
        "portal.Subject", verbose_name=_("申请主体"), null=True, blank=True, on_delete=models.PROTECT, related_name="accounts"
    )
    # 实名认证: an account acts for ``subject`` only once bound through proofing (portal.identity);
    # a subject set without ``identity_verified_at`` (accounts from before proofing) counts as unbound.
    identity_verified_at = models.DateTimeField(_("实名认证时间"), null=True, blank=True)
    identity_method = models.CharField(_("实名认证方式"), max_length=30, blank=True, choices=[
        ("online", _("国家政务服务平台统一身份认证")),
        ("legal_representative", _("法定代表人实名认证并比对市场主体登记")),
        ("counter", _("窗口核验证件后发放绑定码")),
    ])

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.UniqueConstraint(
                fields=["mobile"], condition=~models.Q(mobile=""), name="user_mobile_unique_when_set"
            ),
        ]

    def __str__(self):
        return self.full_name or self.username

    def get_full_name(self):
        return self.full_name or super().get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return self.get_full_name()

    @property
    def bound_subject_id(self) -> int | None:
        """The subject this account may act for: set only after real-name proofing (实名认证)."""
        return self.subject_id if self.identity_verified_at is not None else None
