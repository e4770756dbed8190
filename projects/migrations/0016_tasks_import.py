# Batch import as a background task (issue 20): per-file results, the import kind.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0014_desk'),
    ]

    operations = [
        migrations.AddField(
            model_name='taskprogress',
            name='results',
            field=models.JSONField(blank=True, default=list, help_text='批量导入：每个文件的结果', verbose_name='逐项结果'),
        ),
        migrations.AlterField(
            model_name='taskprogress',
            name='kind',
            field=models.CharField(choices=[('export', '导出绩效目标表'), ('recheck', '重新检查'), ('import', '批量导入')], max_length=20, verbose_name='类型'),
        ),
    ]
