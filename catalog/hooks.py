"""Panels other apps add to the public matter page (事项页的个人信息栏).

The matter page is public and kept (cached) for everyone; what a logged-in, bound citizen should see about
*themselves* — may I commit for this matter? — depends on credit and on the applicant's own cases, which
catalog may not import (it sits to their left). So an app to the right appends a callable here in its
``AppConfig.ready``; each is ``panel(request, matter_pk) -> str`` (HTML rendered by a template, or "").
"""

from django.utils.safestring import mark_safe

MATTER_PAGE_PANELS: list = []
MARKER = "<!-- personal -->"  # in templates/catalog/_matter_content.html, where the panels go


def matter_page_panels(request, matter_pk) -> str:
    if not getattr(request.user, "is_authenticated", False):
        return ""
    # Each part comes from render_to_string (auto-escaped), so joining them is safe.
    return mark_safe("".join(panel(request, matter_pk) for panel in MATTER_PAGE_PANELS))  # noqa: S308
