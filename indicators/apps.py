from django.apps import AppConfig
from django.core.signals import request_finished, request_started
from django.db.models.signals import post_delete, post_migrate, post_save, pre_migrate


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "绩效指标"

    def ready(self):
        from indicators import db_constraints, frameworks
        from indicators.models import Framework, Level1, Level2

        pre_migrate.connect(db_constraints.uninstall, sender=self, dispatch_uid="indicators_framework_triggers_off")
        post_migrate.connect(db_constraints.install, sender=self, dispatch_uid="indicators_framework_triggers")
        # One framework snapshot per request (indicators.frameworks), dropped when a framework changes.
        request_started.connect(frameworks.begin_request, dispatch_uid="indicators_framework_scope_begin")
        request_finished.connect(frameworks.end_request, dispatch_uid="indicators_framework_scope_end")
        for model in (Framework, Level1, Level2):
            post_save.connect(frameworks.forget_snapshot, sender=model, dispatch_uid=f"indicators_forget_{model.__name__}")
            post_delete.connect(frameworks.forget_snapshot, sender=model, dispatch_uid=f"indicators_forget_d_{model.__name__}")
