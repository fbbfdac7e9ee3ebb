"""``refused(code)``: assert that a service refuses, by the refusal's stable code, not its wording."""

from contextlib import contextmanager

import pytest

from portal.errors import Refused


@contextmanager
def refused(code: str, error: type[Refused] = Refused, match: str | None = None):
    """Expect ``error`` with ``code``; ``match`` only where the message carries data (names, dates)."""
    with pytest.raises(error, match=match) as info:
        yield info
    assert info.value.code == code, (
        f"refused with {info.value.code!r} ({info.value.message}), expected {code!r}"
    )
