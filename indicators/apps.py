from django.apps import AppConfig
from django.db.models.signals import post_migrate


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "绩效指标"

    def ready(self):
        from indicators import db_constraints

        post_migrate.connect(db_constraints.install, sender=self, dispatch_uid="indicators_framework_triggers")
