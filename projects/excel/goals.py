"""Goal texts: one cell on the printed forms, an ordered list of items in the data.

平罗 writes ``目标 1: …; 目标 2: …`` (inline or one per line), 定州 ``1.…`` one per line; others use
``1、`` or ``（1）``. The numbering is printing, not data (FORMAT.md), so it is taken off here.
"""

import re

from projects.excel.text import join_lines

_INLINE = re.compile(r"目标\s*(\d+)\s*[:：]\s*")
_LINE = re.compile(r"^\s*(?:目标\s*(\d+)\s*[:：]|(\d+)\s*[.．、]|[（(](\d+)[)）]|(\d+)\s*[)）])\s*")
_TRAILING_SEPARATOR = re.compile(r"[;；]\s*$")


def split_goals(text, exact=False):
    """The goal items of a cell. ``exact`` is for cells this app wrote: one item is printed without
    numbering and items hold no line breaks, so only numbered multi-line cells are split and no
    text is changed; anything else keeps every character."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return []
    lines = [line for line in text.split("\n") if line.strip()]
    numbered = _numbered_lines(lines)
    if numbered:
        return numbered if exact else [join_lines(item) for item in numbered]
    if exact:
        return [text]  # our layouts never number items inline: “目标 1：…；目标 2：…” is one goal as written
    inline = _inline_items(join_lines(text))
    if inline:
        return inline
    single = join_lines(text)
    match = _LINE.match(single)
    if match and (match.group(2) or match.group(3) or match.group(4)) == "1" and not single[match.end():][:1].isdigit():
        return [single[match.end():].strip()]
    return [single]


def _numbered_lines(lines):
    """Items of a cell written one per line and numbered 1, 2, 3…; lines without the next number
    continue the item above (a long goal broken over lines). None unless there are at least two."""
    items, expected = [], 1
    for line in lines:
        match = _LINE.match(line)
        number = next((group for group in match.groups() if group), None) if match else None
        if number is not None and int(number) == expected:
            items.append(line[match.end():].strip())
            expected += 1
        elif items:
            items[-1] += "\n" + line
        else:
            return None
    return items if len(items) >= 2 else None


def _inline_items(text):
    """Items of a one-line cell numbered 目标 1: … 目标 2: …, separators (;) dropped."""
    matches = list(_INLINE.finditer(text))
    if len(matches) < 2 or matches[0].start() != 0 or [int(m.group(1)) for m in matches] != list(range(1, len(matches) + 1)):
        return None
    items = []
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        items.append(_TRAILING_SEPARATOR.sub("", text[match.end():end].rstrip()).strip())
    return items
