"""Province-scale work in the background (issue 20), on Django's tasks API (``@task``, ``.enqueue()``;
the django-tasks backport on Django 5.2, django.tasks from Django 6).

- models: TaskProgress, what the owner's progress page shows (survives reloads and restarts);
- runner: claiming a progress record (never twice), reporting progress, failing cleanly;
- export: the official-layout export of a list selection, streamed to a file under var/tasks;
- recheck: the recheck of a region's tables after a rule change;
- views: the progress page, its JSON status, the download.
"""
