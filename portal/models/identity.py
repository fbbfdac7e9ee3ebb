from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BindingCode(models.Model):
    """绑定码: a one-time code a window clerk hands over after checking an ID document in person.

    The citizen (or the enterprise's authorised agent) enters it in their account, with the ID number,
    to bind the account to the record. Only a keyed hash of the code is kept; it expires soon and is
    spent by its first use (``used_at``), so a code read over a shoulder is worth little.
    """

    class Basis(models.TextChoices):
        ID_CARD = "id_card", _("本人居民身份证")
        GUARDIAN = "guardian", _("监护人身份证件和户口簿")
        AGENT_LETTER = "agent_letter", _("企业授权委托书和经办人身份证件")
        LEGAL_REPRESENTATIVE = "legal_representative", _("营业执照和法定代表人身份证件")

    subject = models.ForeignKey("portal.Subject", verbose_name=_("申请主体"), on_delete=models.PROTECT,
                                related_name="binding_codes")
    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    basis = models.CharField(_("核验依据"), max_length=30, choices=Basis.choices)
    holder_name = models.CharField(_("领取人"), max_length=50, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发放人"), on_delete=models.PROTECT,
                                  related_name="binding_codes_issued")
    issued_at = models.DateTimeField(_("发放时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    used_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("使用账号"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="binding_codes_used")

    class Meta:
        verbose_name = _("绑定码")
        verbose_name_plural = _("绑定码")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(used_at__isnull=True) | models.Q(used_by__isnull=False), name="binding_code_used_by_someone"
            ),
        ]

    def __str__(self):
        return f"{self.subject.name} · {self.get_basis_display()}"
