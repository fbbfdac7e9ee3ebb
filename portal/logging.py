"""Logging that never writes a resident ID number (defence in depth: the code logs none on purpose).

``RedactIdNumbers`` masks every 18-character resident ID number in a record's message, its
traceback and its stack before any handler writes it. ``settings.LOGGING`` puts it on every
handler (the console and Django's ``django.server`` request lines), and the Celery signals below
add it to the handlers a worker installs for itself (the settings import this module, so the
signals are connected before a worker sets up its logging).
"""

import logging

from celery.signals import after_setup_logger, after_setup_task_logger


class RedactIdNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        from portal.identifiers import redact

        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def redact_handlers(logger: logging.Logger, **_signal_kwargs) -> None:
    """Put the filter on every handler of ``logger`` (Celery's ``after_setup_*logger`` signals call this)."""
    for handler in logger.handlers:
        if not any(isinstance(f, RedactIdNumbers) for f in handler.filters):
            handler.addFilter(RedactIdNumbers())


after_setup_logger.connect(redact_handlers)
after_setup_task_logger.connect(redact_handlers)
