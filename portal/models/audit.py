from django.conf import settings
from django.db import models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import audit_chain


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("审计记录只可追加，不可修改")

    def delete(self):
        raise PermissionError("审计记录只可追加，不可删除")

    def bulk_create(self, *args, **kwargs):
        raise PermissionError("审计记录须逐条追加，以便链接到上一条")

    def for_object(self, obj):
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


class AuditEvent(models.Model):
    """审计记录: one append-only line per action, hash-chained to the line before it in its chain (one of
    ``AUDIT_CHAINS`` stripes, portal/audit_chain.py).

    On PostgreSQL the database refuses UPDATE, DELETE and TRUNCATE, and any insert that does not
    continue its chain or is not dated by the database clock (migrations 0006, 0011). The trail as a
    whole reads in time order (``at``, then chain and seq): ``seq`` counts within one chain only.
    """

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    agency = models.ForeignKey(
        "portal.Agency", verbose_name=_("机关"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("操作"), max_length=64)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    from_state = models.CharField(_("原状态"), max_length=32, blank=True)
    to_state = models.CharField(_("新状态"), max_length=32, blank=True)
    summary = models.CharField(_("说明"), max_length=300, blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    chain = models.PositiveSmallIntegerField(_("链"), default=0, editable=False)
    seq = models.BigIntegerField(_("序号"), editable=False)
    prev_hash = models.CharField(_("上一条的校验值"), max_length=64, blank=True, default="", editable=False)
    hash = models.CharField(_("校验值"), max_length=64, default="", editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["at", "chain", "seq"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"], name="audit_object_idx")]
        # Also the index by which each seal reads its chain's last row, and the insert trigger checks it.
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq_unique")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("审计记录只可追加，不可修改")
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        # No savepoint of its own (two round trips fewer while the chain lock is held): a failed append
        # fails the caller's transaction, which is what every caller wants anyway (both land or neither).
        with transaction.atomic(using=using, savepoint=False):
            audit_chain.seal(self, using)
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计记录只可追加，不可删除")
