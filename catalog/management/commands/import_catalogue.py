from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog import importing, services
from catalog.models import Catalogue, CatalogueError
from portal import roles
from portal.models import Agency, User


class Command(BaseCommand):
    help = ("从 XLSX 或 CSV（UTF-8/GBK）导入一个机关的证明事项清单到其草稿版本。先列出各列和各种写法如何理解；"
            "有无法识别的写法或其他问题时不导入任何内容。")

    def add_arguments(self, parser):
        parser.add_argument("file", help="清单文件（.xlsx 或 .csv）")
        parser.add_argument("--agency", required=True, help="机关代码，如 610100-RSJ")
        parser.add_argument("--user", help="以哪位清单编制人员的名义导入（默认：该机关的第一位编制人员）")
        parser.add_argument("--change-kind", default=Catalogue.ChangeKind.AMENDED,
                            choices=[c for c in Catalogue.ChangeKind.values if c != "initial"],
                            help="需要新建版本时的调整类型（默认 amended）")
        parser.add_argument("--reason", default="按法律依据调整清单（批量导入）", help="需要新建版本时的调整理由")

    def handle(self, *args, file, agency, user=None, change_kind, reason, **options):
        try:
            agency_obj = Agency.objects.get(code=agency)
        except Agency.DoesNotExist:
            raise CommandError(f"未找到机关代码“{agency}”。") from None
        editors = User.objects.filter(agency=agency_obj, groups__name=roles.CATALOGUE_EDITOR, is_active=True)
        actor = editors.filter(username=user).first() if user else editors.order_by("pk").first()
        if actor is None:
            raise CommandError(f"{agency_obj.name}没有{'名为 ' + user + ' 的' if user else ''}清单编制人员，无法导入。")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}")
        if path.stat().st_size > importing.MAX_FILE_BYTES:
            raise CommandError(f"文件超过 {importing.MAX_FILE_BYTES // (1024 * 1024)} MB，未导入：{file}")
        parsed = importing.parse(path.read_bytes(), agency_obj, path.name)
        # The same preview the import page shows: how each column and wording was understood.
        for line in importing.describe(parsed):
            self.stdout.write(line)
        if not parsed.ok:
            for p in parsed.problems:
                where = f"第{p.row}行" if p.row else "文件"
                hint = f"（最接近：{'、'.join(p.suggestions)}）" if p.suggestions else ""
                self.stderr.write(f"{where} {p.column or ''}：{p.message}{hint}")
            raise CommandError(f"文件有 {len(parsed.problems)} 处问题，未导入任何内容。")
        catalogue = Catalogue.objects.filter(agency=agency_obj, state__in=Catalogue.OPEN_STATES).first()
        try:
            if catalogue is None:
                catalogue = services.start_version(actor=actor, change_kind=change_kind, change_reason=reason)
            result = services.import_matters(actor=actor, catalogue=catalogue, rows=parsed.rows, filename=path.name)
        except CatalogueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(
            f"已导入{agency_obj.name}第{catalogue.version}版清单草稿：新增 {result.created} 项，"
            f"更新 {result.updated} 项，删除 {result.removed} 项。"))
