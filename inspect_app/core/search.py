"""Text search without Vietnamese diacritics: one normalisation for what is stored and for what is asked, so that
"nam sach" finds "Nam Sách" and "dong" finds "Đông".

Stored normalised text is searched with LIKE '%...%': on PostgreSQL a pg_trgm GIN index answers it, on SQLite a
scan of one short column does."""

import re
import unicodedata

from sqlalchemy import ColumnElement

# Đ/đ is a letter of its own, not D with a mark: Unicode does not decompose it.
_LETTERS = str.maketrans({"đ": "d", "Đ": "d"})
_SPACES = re.compile(r"\s+")


def normalised(text: str | None) -> str:
    """`text` lower-cased, without diacritics (Đ becomes d), with runs of spaces made one."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.translate(_LETTERS))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SPACES.sub(" ", bare).strip().lower()


def searchable(*parts: str | None) -> str:
    """What to store for a thing found by any of its `parts` (a reference, a title ...)."""
    return " ".join(filter(None, (normalised(part) for part in parts)))


def contains(column: ColumnElement, asked: str) -> ColumnElement:
    """A WHERE clause: the normalised `column` contains the phrase `asked`, with its diacritics or without."""
    # The pattern is made here, not in SQL: PostgreSQL then sees a constant it can look up in the trigram index.
    escaped = normalised(asked).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"%{escaped}%", escape="\\")


def matches(text: str | None, asked: str) -> bool:
    """The same test in Python, for the few things searched in memory (unit names, task names)."""
    return normalised(asked) in normalised(text)
