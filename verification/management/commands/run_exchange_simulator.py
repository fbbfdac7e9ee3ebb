from django.core.management.base import BaseCommand, CommandError

from verification.simulator import Simulator


class Command(BaseCommand):
    help = "运行数据共享交换模拟服务（含统一身份认证和市场主体登记接口；仅监听本机回环地址），供演示和测试使用。"

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8765, help="监听端口（默认 8765）")
        parser.add_argument("--host", default="127.0.0.1", help="监听地址（只允许回环地址）")
        parser.add_argument("--delay", type=float, default=0.0, help="每次应答前等待的秒数（演示超时）")

    def handle(self, *args, port, host, delay, **options):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise CommandError("模拟服务只允许监听本机回环地址。")
        server = Simulator(host, port, delay=delay)
        self.stdout.write(f"数据共享交换模拟服务已启动：{server.url}（Ctrl+C 停止）")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
