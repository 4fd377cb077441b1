"""Text search in the database: "contains", case-insensitively, with the search text taken
literally (``%`` and ``_`` are not wildcards).

It must never let the search text act as a pattern.
"""

from __future__ import annotations


def contains(column, text: str):
    """``column`` contains ``text``, ignoring case (``ILIKE`` with its wildcards escaped)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")
