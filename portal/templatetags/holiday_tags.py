"""``{% holiday_schedule_warning %}``: the banner that next year's holiday schedule is missing."""

from django import template

from portal import holidays, roles

register = template.Library()


def sees_calendar_warning(user) -> bool:
    """Supervisors and administrators are warned; they can get the schedule entered."""
    return bool(getattr(user, "is_authenticated", False)
                and (user.is_superuser or user.has_perm("portal.add_holidayschedule") or roles.has_role(user, roles.SUPERVISOR)))


@register.inclusion_tag("components/holiday_warning.html", takes_context=True)
def holiday_schedule_warning(context):
    user = getattr(context.get("request"), "user", None)
    if not sees_calendar_warning(user):
        return {"missing": []}
    missing = holidays.missing_schedule_years()
    return {
        "missing": missing,
        "provisional": holidays.open_provisional_count() if missing else 0,
        "may_enter": user.is_superuser or user.has_perm("portal.add_holidayschedule"),
    }
