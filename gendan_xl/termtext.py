"""Text from a ledger (cell values, sheet and file names) made safe for a terminal.

Two dangers: rich reads ``[...]`` as markup (a cell holding ``[/red]`` raises
MarkupError), and control characters (ESC sequences, carriage returns, bidi
overrides) would act on the terminal instead of being shown. ``visible`` turns
every control character into a visible escape such as ``\\x1b``; ``markup_safe``
does that and escapes rich markup, for text that goes through a rich console.
"""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, C1 controls, and the Unicode
# direction overrides and isolates (they reorder what the terminal shows).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _show(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: object) -> str:
    """``text`` with every control character shown as an escape (``ESC`` -> ``\\x1b``)."""
    s = "" if text is None else str(text)
    return _CONTROL.sub(_show, s)


def markup_safe(text: object) -> str:
    """``text`` for a rich console: control characters visible and markup escaped."""
    from rich.markup import escape

    s = visible(text)
    body = s.rstrip("\\")
    trailing = len(s) - len(body)
    if not trailing:
        return escape(s)
    # Backslashes right before a tag are halved by rich, and whether a tag follows
    # depends on the caller: double them before an empty tag pair of our own, so
    # they print as written whatever comes next.
    return escape(body) + "\\" * (2 * trailing) + "[dim][/dim]"
