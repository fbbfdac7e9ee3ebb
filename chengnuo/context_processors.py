from django.conf import settings
from django.utils.functional import SimpleLazyObject

from portal import notifications, roles

from . import navigation


def portal(request):
    """What every page needs: the user's roles, the care-mode switch and the site name."""
    user = getattr(request, "user", None)
    names = roles.role_names(user) if user is not None else set()
    return {
        "user_roles": names,
        "is_staff_member": bool(names & set(roles.STAFF_ROLES)),
        "care_mode": request.COOKIES.get("care_mode") == "1",
        "nav_public": navigation.public_links(),
        "debug": settings.DEBUG,
        # The bell's count: one indexed query, and only on pages whose header shows the bell.
        "unread_messages": SimpleLazyObject(lambda: notifications.unread_count(user)),
    }
