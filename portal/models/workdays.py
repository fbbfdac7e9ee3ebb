from django.db import models
from django.utils.translation import gettext_lazy as _


class Workday(models.Model):
    """工作日历: one row per date whose status is known (holidays, 调休 make-up working days).

    Seeded from the ``chinese-calendar`` package; administrators add next year's 调休 by hand
    when the State Council publishes it before the package does. Dates without a row follow
    the plain Monday–Friday rule.
    """

    date = models.DateField(_("日期"), primary_key=True)
    is_workday = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y年%m月%d日} {'工作日' if self.is_workday else '休息日'}"
