import importlib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

# Each app that has demo data exposes ``<app>.demo.seed(stdout)``; they run left to right
# along the dependency arrow so later apps find what earlier ones made.
DEMO_MODULES = ["portal.demo", "catalog.demo", "credit.demo", "commitments.demo", "verification.demo", "complaints.demo",
                "chengnuo.demo_history"]


class Command(BaseCommand):
    help = "创建演示数据（西安市各机关、每个角色一个演示账号、群众和企业）。可重复运行，不会重复创建。"

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="在 DEBUG 关闭时也运行（仅用于演示环境）")
        parser.add_argument("--quiet-logins", action="store_true", help="不打印演示账号")

    def handle(self, *args, force=False, quiet_logins=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG 已关闭：演示数据只用于演示环境。确需运行请加 --force。")
        logins = []
        for name in DEMO_MODULES:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise
                continue
            with transaction.atomic():
                logins += module.seed(self.stdout) or []
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。"))
        if not quiet_logins:
            self.stdout.write("\n演示账号（密码相同，仅供演示）：")
            for username, password, description in logins:
                self.stdout.write(f"  {username:<18} {password:<16} {description}")
