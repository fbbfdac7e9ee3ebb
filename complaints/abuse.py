"""Protection of the public forms: a per-client rate limit and an arithmetic challenge that needs no JavaScript.

Rate limit: counters in Django's cache, keyed by the client address (``REMOTE_ADDR``; put the real
client address there in the reverse proxy). With the default LocMemCache each process counts on
its own, so N gunicorn workers allow up to N× the limit; with a shared cache (Redis) the limit is
exact. The window is fixed (it starts with the first hit).

Challenge: a question like “七加五等于几？” whose answer travels signed (``TimestampSigner``) in a
hidden field with a random nonce; a nonce is accepted once (remembered in the cache until the token
expires) so a solved question cannot be replayed.
"""

import secrets

from django.core import signing
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext as _

FILE_LIMIT = (5, 3600)  # anonymous filings per client per hour
TRACK_LIMIT = (20, 600)  # tracking look-ups per client per 10 minutes
CHALLENGE_MAX_AGE = 1800
_SALT = "complaints.challenge"
_DIGITS = "零一二三四五六七八九十"


def client_key(request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def hit(request, scope: str, limit: tuple[int, int]) -> bool:
    """Count one attempt; ``False`` when the client is over the limit (the attempt is refused)."""
    allowed, window = limit
    key = f"complaints:rl:{scope}:{client_key(request)}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= allowed


def _number(n: int) -> str:
    """Chinese numerals on Chinese pages (harder for simple bots), digits in other languages."""
    if not (translation.get_language() or "zh").startswith("zh"):
        return str(n)
    if n <= 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + _DIGITS[n - 10]
    return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")


def new_challenge() -> tuple[str, str]:
    """(question in Chinese, signed token)."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    if secrets.randbelow(2) and a != b:
        a, b = max(a, b), min(a, b)
        question, answer = _("%(a)s减%(b)s等于几？") % {"a": _number(a), "b": _number(b)}, a - b
    else:
        question, answer = _("%(a)s加%(b)s等于几？") % {"a": _number(a), "b": _number(b)}, a + b
    token = signing.TimestampSigner(salt=_SALT).sign_object({"q": question, "a": answer, "n": secrets.token_hex(8)})
    return question, token


def check_challenge(token: str, answer) -> str | None:
    """``None`` when solved; otherwise the Chinese error to show beside the answer field."""
    try:
        data = signing.TimestampSigner(salt=_SALT).unsign_object(token or "", max_age=CHALLENGE_MAX_AGE)
    except signing.SignatureExpired:
        return _("验证问题已过期，请回答新的问题。")
    except signing.BadSignature:
        return _("验证问题无效，请回答新的问题。")
    try:
        given = int(str(answer).strip())
    except (TypeError, ValueError):
        return _("请用阿拉伯数字填写答案，例如 12。")
    if given != data.get("a"):
        return _("答案不正确，请重新计算。")
    if not cache.add(f"complaints:challenge:{data.get('n')}", 1, timeout=CHALLENGE_MAX_AGE):
        return _("该验证问题已经使用过，请回答新的问题。")
    return None
