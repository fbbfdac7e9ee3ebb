from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from portal import two_factor
from portal.models import User


class Command(BaseCommand):
    help = "打印演示账号当前的6位动态验证码（仅 DEBUG 开启的演示环境）。"

    def add_arguments(self, parser):
        parser.add_argument("login", help="用户名或手机号码，例如 approver、credit、admin")

    def handle(self, *args, login, **options):
        if not settings.DEBUG:
            raise CommandError("DEBUG 已关闭：此命令只用于演示环境。")
        user = User.objects.filter(Q(username=login) | (Q(mobile=login) & ~Q(mobile=""))).first()
        if user is None:
            raise CommandError(f"没有账号 {login}。")
        device = two_factor.confirmed_device(user)
        if device is None:
            raise CommandError(f"账号 {login} 没有绑定验证器应用（无需或尚未绑定）。")
        try:
            code = two_factor.next_code(device)
        except two_factor.Refused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(code)
