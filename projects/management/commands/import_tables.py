from django.core.management.base import BaseCommand, CommandError

from projects import interchange


class Command(BaseCommand):
    help = "导入 JSON 交换格式的绩效目标表：全部成功才写入，有任何问题则一条也不写。"

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["json"], default="json", help="文件格式")
        parser.add_argument("file", help="要导入的文件")

    def handle(self, *args, **options):
        path = options["file"]
        try:
            with open(path, encoding="utf-8") as handle:
                document = interchange.load(handle)
            result = interchange.import_document(document)
        except OSError as error:
            raise CommandError(f"无法读取 {path}：{error.strerror}") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{path} 不是 UTF-8 编码的文本文件。") from error
        except interchange.InterchangeError as error:
            raise CommandError(f"{path} 未导入，数据库未做任何修改：\n" + "\n".join(error.problems)) from error
        if options["verbosity"]:
            self.stdout.write(
                f"已导入 {path}：新建 {result.created} 张，更新 {result.updated} 张，未变 {result.unchanged} 张，共 {result.indicators} 条三级指标。"
            )
