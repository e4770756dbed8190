"""Signals the base package sends for the apps to act on, so it never imports them.

``list_exported``: a list page (perfgoals.lists) was downloaded; sent with ``request`` and the
``detail`` of what was exported. projects.audit writes it to the audit log.
"""

from django.dispatch import Signal

list_exported = Signal()
