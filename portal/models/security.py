from django.db import models
from django.utils.translation import gettext_lazy as _


class LoginThrottle(models.Model):
    """登录防护计数: recent failed logins of one account, or of one password across all accounts.

    ``key`` is a keyed hash (portal/login_guard.py): of the account's primary key, of a name that
    matches no account, or of a password tried — the password itself is never stored.
    """

    class Scope(models.TextChoices):
        ACCOUNT = "account", _("账号")
        PASSWORD = "password", _("密码")

    scope = models.CharField(_("范围"), max_length=10, choices=Scope.choices)
    key = models.CharField(_("键（带密钥散列）"), max_length=64)
    failures = models.PositiveIntegerField(_("失败次数"), default=0)
    window_start = models.DateTimeField(_("计数起点"))
    next_attempt_at = models.DateTimeField(_("下次可尝试时间"), null=True, blank=True)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)

    class Meta:
        verbose_name = _("登录防护计数")
        verbose_name_plural = _("登录防护计数")
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="login_throttle_unique_key")]

    def __str__(self):
        return f"{self.get_scope_display()} {self.key[:8]}… {self.failures}"
