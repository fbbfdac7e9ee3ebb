"""Protection of the public forms: a per-client rate limit and an arithmetic challenge that needs no JavaScript.

Rate limit: counters in Django's cache, keyed by the client address (``REMOTE_ADDR``; put the real
client address there in the reverse proxy). With the default LocMemCache each process counts on
its own, so N gunicorn workers allow up to N× the limit; with a shared cache (Redis) the limit is
exact. The window is fixed (it starts with the first hit).

Challenge: a short question in words, drawn from several forms (“在九、二十三、五、十七这几个数中，
最大的是几？”, a word problem …), answered with a number. The hidden field carries a signed token
with a random nonce and a keyed hash of the answer — never the answer itself — and each nonce takes
one answer, right or wrong (remembered in the cache until the token expires), so a question can be
neither replayed nor brute-forced. Plain text: screen readers read it; no image, no script, no
outside service.
"""

import secrets

from django.core import signing
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext as _

FILE_LIMIT = (5, 3600)  # anonymous filings per client per hour
FILE_LIMIT_ALL = (200, 3600)  # anonymous filings from all addresses together per hour (rotating addresses)
TRACK_LIMIT = (20, 600)  # tracking look-ups per client per 10 minutes
TRACK_LIMIT_ALL = (2000, 600)  # tracking look-ups from all addresses together per 10 minutes
CHALLENGE_MAX_AGE = 1800
_SALT = "complaints.challenge"
_DIGITS = "零一二三四五六七八九十"


def client_key(request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def hit(request, scope: str, limit: tuple[int, int], who: str | None = None) -> bool:
    """Count one attempt; ``False`` when the client is over the limit (the attempt is refused).

    ``who`` names what is counted instead of the client address: ``"all"`` for everyone together,
    ``"account:<pk>"`` for one signed-in account.
    """
    allowed, window = limit
    key = f"complaints:rl:{scope}:{who or client_key(request)}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= allowed


def _number(n: int) -> str:
    """Chinese numerals on Chinese pages, digits in other languages."""
    if not (translation.get_language() or "zh").startswith("zh"):
        return str(n)
    if n <= 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + _DIGITS[n - 10]
    return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")


def _rand(low: int, high: int) -> int:
    return low + secrets.randbelow(high - low + 1)


def _question() -> tuple[str, int]:
    """One question from several forms, numbers in words, with distractors: answering it takes
    reading the sentence, not matching one pattern. Every answer is a whole number."""
    n = _number
    form = secrets.randbelow(6)
    if form == 0:
        a, b = _rand(5, 9), _rand(1, 4)
        return _("篮子里有%(a)s个苹果，拿走%(b)s个，还剩几个？") % {"a": n(a), "b": n(b)}, a - b
    if form == 1:
        a, b, c = _rand(2, 9), _rand(2, 9), _rand(1, 4)
        return _("%(a)s加上%(b)s，再减去%(c)s，得多少？") % {"a": n(a), "b": n(b), "c": n(c)}, a + b - c
    if form in (2, 3):
        values = []
        while len(values) < 4:
            v = _rand(1, 30)
            if v not in values:
                values.append(v)
        listed = "、".join(n(v) for v in values)
        if form == 2:
            return _("在%(list)s这几个数中，最大的是几？") % {"list": listed}, max(values)
        return _("在%(list)s这几个数中，最小的是几？") % {"list": listed}, min(values)
    if form == 4:
        a = _rand(2, 9)
        return _("%(a)s的两倍是多少？") % {"a": n(a)}, a * 2
    a, b = _rand(1, 5), _rand(1, 5)
    return _("小明有%(a)s支笔，小红的笔比小明多%(b)s支，小红有几支笔？") % {"a": n(a), "b": n(b)}, a + b


def _answer_mac(nonce: str, answer: int) -> str:
    """The token carries this, not the answer: without the server's key no one can test answers offline."""
    return signing.salted_hmac(_SALT, f"{nonce}:{answer}").hexdigest()


def new_challenge() -> tuple[str, str]:
    """(question in Chinese, signed token holding a nonce and a keyed hash of the answer)."""
    question, answer = _question()
    nonce = secrets.token_hex(8)
    token = signing.TimestampSigner(salt=_SALT).sign_object({"n": nonce, "h": _answer_mac(nonce, answer)})
    return question, token


def is_answer(token: str, answer) -> bool:
    """Whether ``answer`` solves the token's question (no use of the nonce; for checks and tests)."""
    try:
        data = signing.TimestampSigner(salt=_SALT).unsign_object(token or "", max_age=CHALLENGE_MAX_AGE)
        return secrets.compare_digest(_answer_mac(data["n"], int(answer)), data["h"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return False


def check_challenge(token: str, answer) -> str | None:
    """``None`` when solved; otherwise the Chinese error to show beside the answer field.

    Each question takes one answer, right or wrong: trying every number on one token gets nowhere.
    """
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
    if not isinstance(data, dict) or not cache.add(f"complaints:challenge:{data.get('n')}", 1,
                                                   timeout=CHALLENGE_MAX_AGE):
        return _("该验证问题已经使用过，请回答新的问题。")
    if not secrets.compare_digest(_answer_mac(str(data.get("n")), given), str(data.get("h"))):
        return _("答案不正确，请回答新的问题。")
    return None
