"""This app's configuration: environment variables, overridable in Django settings (tests do), read with
``portal.conf.setting``."""

from portal.conf import setting


def exchange_url() -> str:
    """VERIFICATION_EXCHANGE_URL: the data-sharing exchange (default: the local simulator)."""
    return setting("VERIFICATION_EXCHANGE_URL", "http://127.0.0.1:8765").rstrip("/")


def exchange_timeout() -> float:
    """VERIFICATION_EXCHANGE_TIMEOUT: seconds per HTTP attempt (default 3)."""
    return float(setting("VERIFICATION_EXCHANGE_TIMEOUT", "3"))


def exchange_retries() -> int:
    """VERIFICATION_EXCHANGE_RETRIES: extra attempts after a failed one (default 2)."""
    return int(setting("VERIFICATION_EXCHANGE_RETRIES", "2"))


def breaker_threshold() -> int:
    """VERIFICATION_BREAKER_THRESHOLD: consecutive failures that open a connector's circuit (default 3)."""
    return int(setting("VERIFICATION_BREAKER_THRESHOLD", "3"))


def breaker_cooldown() -> float:
    """VERIFICATION_BREAKER_COOLDOWN: seconds an open circuit refuses calls before one trial (default 30)."""
    return float(setting("VERIFICATION_BREAKER_COOLDOWN", "30"))


def assistance_workdays() -> int:
    """VERIFICATION_ASSISTANCE_WORKDAYS: working days the asked agency has to reply (default 3)."""
    return int(setting("VERIFICATION_ASSISTANCE_WORKDAYS", "3"))


DEFAULT_VERIFICATION_WORKDAYS = 10
RECTIFICATION_WORKDAYS = 15
