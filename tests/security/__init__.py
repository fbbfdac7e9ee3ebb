"""Security checks that run in ``make test``: the authorisation matrix."""
