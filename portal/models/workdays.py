from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Workday(models.Model):
    """工作日历: one row per date whose status is known (holidays, 调休 make-up working days).

    Seeded from the ``chinese-calendar`` package; administrators enter next year's schedule
    (``HolidaySchedule``) when the State Council publishes it before the package does. Dates
    without a row follow the statutory holidays and then the plain Monday–Friday rule.
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


class HolidaySchedule(models.Model):
    """国务院节假日安排: the State Council's published schedule of one year has been entered.

    Without a row for a year the portal still keeps every statutory holiday of the
    全国年节及纪念日放假办法 (``portal.workdays.statutory_holidays``) but does not know the year's
    调休 days, so a deadline counted across that year is provisional (暂定) until the row exists.
    """

    class Source(models.TextChoices):
        PACKAGE = "package", _("chinese-calendar 程序包")
        NOTICE = "notice", _("国务院办公厅通知正文")
        CSV = "csv", _("CSV 文件")
        ADMIN = "admin", _("管理后台逐日录入")

    year = models.PositiveSmallIntegerField(_("年份"), primary_key=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    document = models.CharField(_("通知文号或标题"), max_length=120, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("录入人"))
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("年度节假日安排")
        verbose_name_plural = _("年度节假日安排")
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year}年节假日安排"


class ProvisionalDeadline(models.Model):
    """暂定期限: a deadline counted across a year whose holiday schedule was not yet published.

    Kept so the beat task can count it again when the schedule arrives: which object and date
    field, from which start over how many working days, the date it was given, and who is told
    if it moves. ``settled_at`` is set once, by a conditional update, whichever beat gets there.
    """

    model = models.CharField(max_length=100)  # app_label.model_name of the object holding the date
    object_id = models.CharField(max_length=40)
    field = models.CharField(max_length=40)
    start = models.DateField()
    workdays = models.PositiveSmallIntegerField()
    due = models.DateField()
    people = models.JSONField(default=list, blank=True)  # user ids to tell when the date moves
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    settled_due = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("暂定期限")
        verbose_name_plural = _("暂定期限")
        constraints = [models.UniqueConstraint(fields=["model", "object_id", "field"], name="provisional_deadline_once")]
        indexes = [models.Index(fields=["settled_at", "due"], name="provisional_open_idx")]

    def __str__(self):
        return f"{self.model}#{self.object_id}.{self.field} {self.due}"
