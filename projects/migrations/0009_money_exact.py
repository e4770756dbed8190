"""Amounts hold at most 15 digits (9 whole, 6 decimals): what SQLite keeps exactly as well as PostgreSQL
(projects.models.MONEY). An amount beyond that cannot be narrowed without changing it, so the
migration stops first and names every table that holds one, for someone to correct by hand."""

from decimal import Decimal

from django.db import migrations, models
from django.db.models.functions import Cast

MAX_MONEY = Decimal("999999999.999999")
FUNDS = (("funds_total", "年度资金总额"), ("funds_fiscal", "财政拨款"), ("funds_other", "其他资金"))


def refuse_amounts_that_do_not_fit(apps, schema_editor):
    too_large = []
    for model_name, what in (("ProjectTable", "项目绩效目标表"), ("HistoricalProjectTable", "修改记录中的项目绩效目标表")):
        model = apps.get_model("projects", model_name)
        for field, label in FUNDS:
            over = model.objects.filter(models.Q(**{f"{field}__gt": MAX_MONEY}) | models.Q(**{f"{field}__lt": -MAX_MONEY}))
            # As text: a decimal read back into a narrower field would fail to convert.
            amounts = over.annotate(amount=Cast(field, models.CharField())).values_list("id", "name", "amount")
            for pk, name, amount in amounts[:20]:
                too_large.append(f"{what}“{name or '未命名项目'}”（id {pk}）的{label} {amount}")
    if too_large:
        raise RuntimeError(
            "以下金额超过 9 位整数（万元），缩小金额字段会改变它们，迁移已停止、未做任何修改。请先在系统中核对改正：\n"
            + "\n".join(too_large)
        )


def field(label):
    return models.DecimalField(blank=True, decimal_places=6, max_digits=15, null=True, verbose_name=label)


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0008_document_revision'),
    ]

    operations = [
        migrations.RunPython(refuse_amounts_that_do_not_fit, migrations.RunPython.noop),
        migrations.AlterField(model_name='historicalprojecttable', name='funds_fiscal', field=field('其中：财政拨款（万元）')),
        migrations.AlterField(model_name='historicalprojecttable', name='funds_other', field=field('其他资金（万元）')),
        migrations.AlterField(model_name='historicalprojecttable', name='funds_total', field=field('年度资金总额（万元）')),
        migrations.AlterField(model_name='projecttable', name='funds_fiscal', field=field('其中：财政拨款（万元）')),
        migrations.AlterField(model_name='projecttable', name='funds_other', field=field('其他资金（万元）')),
        migrations.AlterField(model_name='projecttable', name='funds_total', field=field('年度资金总额（万元）')),
    ]
