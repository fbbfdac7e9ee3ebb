from .accounts import register, register_enterprise, register_person
from .errors import bad_request, csrf_failure, page_not_found, permission_denied, server_error
from .home import care_mode, healthz, home, workspace

__all__ = [
    "bad_request", "care_mode", "csrf_failure", "healthz", "home", "page_not_found", "permission_denied", "register",
    "register_enterprise", "register_person", "server_error", "workspace",
]
