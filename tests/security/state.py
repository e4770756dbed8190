"""What the database holds, as plain data, to prove that a refused request or a failed write changed
nothing: every row of every model of ours (field history included), compared before and after."""

from django.apps import apps

OUR_APPS = ("projects", "indicators")
# Written by requests whatever their outcome (a login, an export): not data a refusal could damage.
NOT_DATA = {"projects.auditevent"}


def our_models():
    return [
        model
        for app in OUR_APPS
        for model in apps.get_app_config(app).get_models()
        if model._meta.label_lower not in NOT_DATA
    ]


def database_state():
    """{model label: every row as a tuple of its column values, by primary key}. The databases the
    tests build are small (two seed documents and a few tables), so this costs a query per model."""
    return {model._meta.label_lower: list(model.objects.order_by("pk").values_list()) for model in our_models()}


def differences(before, after):
    """Which models changed and how (rows added, removed, changed), for a readable assertion."""
    changed = {}
    for label, rows in after.items():
        old = before.get(label, [])
        if old != rows:
            old_keys = {row[0]: row for row in old}
            new_keys = {row[0]: row for row in rows}
            changed[label] = {
                "added": sorted(set(new_keys) - set(old_keys)),
                "removed": sorted(set(old_keys) - set(new_keys)),
                "changed": sorted(key for key in set(old_keys) & set(new_keys) if old_keys[key] != new_keys[key]),
            }
    return changed
