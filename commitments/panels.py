"""The citizen's own answer on the public matter page: may I commit for this matter? (registered in
``CommitmentsConfig.ready`` on ``catalog.hooks.MATTER_PAGE_PANELS``).

The same ``credit.eligibility`` answer the start, sign and desk pages show (``templates/credit/_bars.html``),
and the matter's 负面清单 subject conditions applied to the citizen (``commitments.negative_list``).
"""

from django.template.loader import render_to_string

from portal import identity, roles

from . import negative_list, selectors


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
