"""This app's configuration: environment variables, overridable in Django settings (tests do), read with
``portal.conf.setting``."""

from portal.conf import setting


def push_url() -> str:
    """CREDIT_PUSH_URL: the national credit platform's receiving endpoint; empty = not configured."""
    return setting("CREDIT_PUSH_URL").strip()


def push_token() -> str:
    """CREDIT_PUSH_TOKEN: optional bearer token sent with each push."""
    return setting("CREDIT_PUSH_TOKEN").strip()


def push_timeout() -> float:
    """CREDIT_PUSH_TIMEOUT: seconds to wait for the endpoint (default 10)."""
    return float(setting("CREDIT_PUSH_TIMEOUT", "10") or 10)


def repair_workdays() -> int:
    """CREDIT_REPAIR_WORKDAYS: working days an officer has to decide a repair request (default 10)."""
    return int(setting("CREDIT_REPAIR_WORKDAYS", "10") or 10)


def objection_workdays() -> int:
    """CREDIT_OBJECTION_WORKDAYS: working days an officer has to answer an objection (default 10)."""
    return int(setting("CREDIT_OBJECTION_WORKDAYS", "10") or 10)


PUSH_MAX_RETRIES = 5


def push_backoff(attempts: int) -> int:
    """Seconds before the next try after ``attempts`` failures: 30 s, 60 s, 2 min … capped at 1 h."""
    return min(30 * 2 ** max(attempts - 1, 0), 3600)


def platform_url() -> str:
    """CREDIT_PLATFORM_URL: the national credit-sharing platform's query base (联合惩戒名单); empty = not connected."""
    return setting("CREDIT_PLATFORM_URL").strip().rstrip("/")


def platform_timeout() -> float:
    """CREDIT_PLATFORM_TIMEOUT: seconds per query attempt (default 3)."""
    return float(setting("CREDIT_PLATFORM_TIMEOUT", "3") or 3)


def platform_retries() -> int:
    """CREDIT_PLATFORM_RETRIES: extra attempts after a failed one (default 1)."""
    return int(setting("CREDIT_PLATFORM_RETRIES", "1") or 1)


def platform_max_age() -> int:
    """CREDIT_PLATFORM_MAX_AGE: seconds a successful answer is reused for the same subject (default 300)."""
    return int(setting("CREDIT_PLATFORM_MAX_AGE", "300") or 300)


def platform_breaker_threshold() -> int:
    return int(setting("CREDIT_PLATFORM_BREAKER_THRESHOLD", "3") or 3)


def platform_breaker_cooldown() -> float:
    return float(setting("CREDIT_PLATFORM_BREAKER_COOLDOWN", "30") or 30)
