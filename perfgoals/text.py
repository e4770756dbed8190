"""Text that can be stored and printed: refused when it holds characters no table can keep.

PostgreSQL refuses NUL in a text column, an .xlsx file (XML) cannot hold the other C0 control
characters, and a lone surrogate cannot be encoded at all: such text would fail at the database or at
the next export. Tab and line breaks are fine. Every form and import path refuses these characters
with a message naming them, rather than dropping them silently (what a unit typed is kept as typed).
"""

import re

from django.core.exceptions import ValidationError

UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def unstorable_character(text):
    """The first character of ``text`` that cannot be stored, as U+XXXX, or None."""
    if not isinstance(text, str):
        return None
    found = UNSTORABLE.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def unstorable_message(text, what="内容"):
    """Why ``text`` cannot be saved, in Chinese, or None when it can."""
    character = unstorable_character(text)
    if character is None:
        return None
    return f"{what}含有无法保存的不可见字符（{character}，多由复制粘贴带入），请删除后再保存。"


def refuse_unstorable(value):
    """A form field validator."""
    message = unstorable_message(value)
    if message:
        raise ValidationError(message, code="unstorable")
