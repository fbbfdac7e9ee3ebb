"""Panels (附加栏目): what apps to the right of commitments show on its pages, and what commitments shows on catalog's.

1. Case-page panels (办件页附加栏目): what later apps show on an application's page. Apps to the right of
   commitments (verification) may not be imported here, so they register a function at start-up
   (``AppConfig.ready``) that returns the HTML of their panel for one application and one audience
   ("citizen" on the applicant's case page, "staff" on the window desk page), or "" for none.
   Display only: no business flow runs through here.
2. The citizen's own answer on the public matter page: may I commit for this matter? (registered in
   ``CommitmentsConfig.ready`` on ``catalog.hooks.MATTER_PAGE_PANELS``): the same ``credit.eligibility``
   answer the start, sign and desk pages show (``templates/credit/_bars.html``), and the matter's 负面清单
   subject conditions applied to the citizen (``commitments.negative_list``).
"""

from collections.abc import Callable

from django.template.loader import render_to_string

from portal import identity, roles

from . import negative_list, selectors

_PANELS: list[Callable] = []


def register(panel: Callable) -> Callable:
    if panel not in _PANELS:
        _PANELS.append(panel)
    return panel


def render(application, audience: str, request) -> list[str]:
    """The panels' HTML for this page, in registration order (empty ones left out)."""
    return [html for html in (panel(application, audience, request) for panel in _PANELS) if html]



def matter_eligibility_panel(request, matter_pk) -> str:
    user = request.user
    if not (identity.is_bound(user) and roles.has_role(user, roles.APPLICANT)):
        return ""
    matter = selectors.notification_matter(matter_pk)
    if not matter.commitment_allowed:
        return ""  # the page already says the matter needs its proof, for everyone
    subject = user.subject
    findings = negative_list.evaluate(subject, matter)
    return render_to_string(
        "commitments/_matter_panel.html",
        {
            "eligibility": selectors.eligibility_for(subject),
            "negative_met": negative_list.conditions_met(findings),
            "questions": negative_list.questions(findings),
            "matter": matter,
            "subject": subject,
        },
        request=request,
    )
