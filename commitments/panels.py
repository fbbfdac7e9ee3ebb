"""Case-page panels (办件页附加栏目): what later apps show on an application's page.

Apps to the right of commitments (verification) may not be imported here, so they register a function
at start-up (``AppConfig.ready``) that returns the HTML of their panel for one application and one
audience ("citizen" on the applicant's case page, "staff" on the window desk page), or "" for none.
Display only: no business flow runs through here.
"""

from collections.abc import Callable

_PANELS: list[Callable] = []


def register(panel: Callable) -> Callable:
    if panel not in _PANELS:
        _PANELS.append(panel)
    return panel


def render(application, audience: str, request) -> list[str]:
    """The panels' HTML for this page, in registration order (empty ones left out)."""
    return [html for html in (panel(application, audience, request) for panel in _PANELS) if html]
