from django.core.management.base import BaseCommand, CommandError

from portal.sms_simulator import SmsSimulator


class Command(BaseCommand):
    help = "运行短信网关模拟服务（仅监听本机回环地址），供开发和测试使用；发出的短信打印在终端。"

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8766, help="监听端口（默认 8766）")
        parser.add_argument("--host", default="127.0.0.1", help="监听地址（只允许回环地址）")
        parser.add_argument("--token", default="", help="要求的令牌（与 SMS_GATEWAY_TOKEN 相同；默认不要求）")

    def handle(self, *args, port, host, token, **options):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise CommandError("模拟服务只允许监听本机回环地址。")
        server = SmsSimulator(host, port, token=token)
        server.sent = _Printing(self.stdout)
        self.stdout.write(f"短信网关模拟服务已启动：{server.url}（设置 SMS_GATEWAY_URL={server.url}；Ctrl+C 停止）")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()


class _Printing(list):
    """Shows each SMS on the terminal as it is "sent" (the mobile number masked)."""

    def __init__(self, out):
        super().__init__()
        self.out = out

    def append(self, sms):
        super().append(sms)
        mobile = sms["mobile"]
        self.out.write(f"短信 {sms['id']} → {mobile[:3]}****{mobile[-4:]}（{sms['segments']} 条）：{sms['text']}")
