"""Refusals (拒绝办理): the one error base every app's services raise.

A service that will not do what it was asked raises ``Refused`` (or an app's subclass) with the
reason in Chinese. ``field`` names the form field the reason belongs beside (``None``: at the top
of the form); ``code`` is a stable English token for programs and tests, so they need not match on
wording that translators and editors may change.
"""


class Refused(Exception):
    """A refused action: ``message`` (Chinese, shown as it is), ``field`` and a stable ``code``."""

    default_code = "refused"

    def __init__(self, message, field=None, code=None):
        super().__init__(str(message))
        self.message = str(message)
        self.field = field
        self.code = code or self.default_code

    def __repr__(self):
        return f"{type(self).__name__}({self.message!r}, field={self.field!r}, code={self.code!r})"


def show_refusal(form, exc: Refused) -> None:
    """Put a refusal on the form: beside ``exc.field`` when the form has it, else above the fields."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
