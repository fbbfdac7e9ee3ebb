from django.db import models
from django.utils.translation import gettext_lazy as _


class DailyCount(models.Model):
    """统计汇总: how many rows of one kind an agency has per local day and bucket (``portal.rollup``).

    Written only by database triggers that the apps' migrations create on their tables (the application's
    submission day, the commitment's signing day and state, the verification task's due day and outcome), in
    the same transaction as the write, so the supervision figures sum at most days × agencies rows instead of
    reading every application, commitment and task of the period. ``n`` may fall to 0; such rows are harmless.
    """

    kind = models.CharField(_("类别"), max_length=16)
    agency = models.ForeignKey("portal.Agency", verbose_name=_("机关"), on_delete=models.CASCADE,
                               related_name="+")
    day = models.DateField(_("日期"))
    bucket = models.CharField(_("分组"), max_length=24, blank=True)
    n = models.IntegerField(_("数量"), default=0)

    class Meta:
        verbose_name = _("统计汇总")
        verbose_name_plural = _("统计汇总")
        constraints = [
            # The triggers' upsert target (ON CONFLICT); also the index the figures read by.
            models.UniqueConstraint(fields=["kind", "agency", "day", "bucket"], name="dailycount_key"),
        ]

    def __str__(self):
        return f"{self.kind} {self.agency_id} {self.day} {self.bucket}: {self.n}"
