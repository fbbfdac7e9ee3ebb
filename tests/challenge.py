"""Answering the anonymous report's challenge in tests. A regex cannot read the answer off the page
or the token any more (complaints/abuse.py); the tests hold the server's key, as the server does,
and find which number the token's keyed hash accepts."""

import re

from complaints import abuse


def answer(token: str) -> str:
    return next(str(n) for n in range(-20, 200) if abuse.is_answer(token, n))


def solve(html: str) -> tuple[str, str]:
    """(token, answer) for the challenge on a rendered page."""
    token = re.search(r'name="challenge_token" value="([^"]+)"', html).group(1)
    return token, answer(token)
