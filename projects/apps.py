from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "绩效目标表"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from perfgoals.signals import list_exported
        from projects import audit
        from projects.admin_chinese import name_apps_in_chinese
        from projects import tallies
        from projects import checks  # noqa: F401  (registers the deploy checks)
        from projects.monitoring import workflow  # noqa: F401  (serves monitoring reports through the gate)
        from projects.evaluation import workflow  # noqa: F401  (serves self-evaluations through the gate)

        name_apps_in_chinese()  # the admin's names of apps without Chinese ones (axes, the task queue)
        # The audit log of logins is exactly what these signals are for.
        user_logged_in.connect(audit.on_login, dispatch_uid="audit_login")
        user_logged_out.connect(audit.on_logout, dispatch_uid="audit_logout")
        user_login_failed.connect(audit.on_login_failed, dispatch_uid="audit_login_failed")
        list_exported.connect(audit.on_list_exported, dispatch_uid="audit_list_exported")
        # The unit-year tallies follow every write of a table, its findings and its review records.
        tallies.connect()
