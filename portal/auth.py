"""Log in with a username or the registered mobile number, behind the login protection
(portal/login_guard.py: per-account delays and lock, per-password spraying cap)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from portal import login_guard

# Set on the request when the guard refused an attempt; the login form shows it instead of
# "wrong password" (portal/forms_auth.py).
REFUSAL_ATTRIBUTE = "login_refusal"


class UsernameOrMobileBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        User = get_user_model()
        username = username.strip()
        user = User.objects.filter(Q(username=username) | (Q(mobile=username) & ~Q(mobile=""))).first()
        refused = login_guard.refusal(user, username, password)
        if refused is not None:
            reason, message = refused
            if request is not None:
                setattr(request, REFUSAL_ATTRIBUTE, message)
            login_guard.record_refusal(request, user, reason)
            return None
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            login_guard.record_failure(request, None, username, password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            login_guard.record_success(user)
            return user
        login_guard.record_failure(request, user, username, password)
        return None
