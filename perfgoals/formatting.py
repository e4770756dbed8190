"""Number formatting shared by pages, exports and the interchange format."""


def decimal_text(value):
    """The shortest exact text of a decimal: 66.000000 → "66", 1.200000 → "1.2", None → None."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", ""} else text
