"""Untrusted text from URLs and search boxes, made safe to hand to a query.

Form fields are cleaned by Django (``CharField`` refuses NUL); these helpers are for the values a
view reads straight from ``request.GET`` or from the URL. PostgreSQL refuses NUL in text outright
(SQLite does not), and ``"²".isdigit()`` is true although ``int("²")`` fails — so a hostile
query string would otherwise be a server error on one database or both.
"""

# C0 control characters and DEL: nothing a person searches for.
_CONTROL = dict.fromkeys([*range(32), 127])


def text(value, limit: int = 50) -> str:
    """``value`` without control characters, stripped and cut to ``limit`` characters."""
    return str(value or "").translate(_CONTROL).strip()[:limit]


def query(request, name: str = "q", limit: int = 50) -> str:
    """A search box (GET parameter ``name``) as ``text``."""
    return text(request.GET.get(name), limit)


def pk(value) -> int | None:
    """A primary key given as text: ASCII digits only (at most 18), else ``None``."""
    value = str(value or "")
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def number(value) -> str:
    """A document number from a URL, or ``""`` (which matches nothing) if it carries control characters."""
    value = str(value or "")
    return value if value == value.translate(_CONTROL) else ""
