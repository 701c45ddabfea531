"""Excel column letters and cell addresses: the one implementation every stage uses."""

from __future__ import annotations


def col_letter(index: int) -> str:
    """0-based column index -> letters: 0 -> 'A', 26 -> 'AA'."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def col_index(letters: str) -> int:
    """Letters -> 0-based column index: 'A' -> 0, 'AA' -> 26."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1
