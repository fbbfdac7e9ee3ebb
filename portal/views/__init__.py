from .accounts import register, register_enterprise, register_person
from .errors import bad_request, csrf_failure, page_not_found, permission_denied, server_error
from .identity import desk_binding_code, identity_callback, identity_code, identity_start, identity_status

__all__ = [
    "bad_request", "csrf_failure", "desk_binding_code", "identity_callback",
    "identity_code", "identity_start", "identity_status", "page_not_found", "permission_denied", "register",
    "register_enterprise", "register_person", "server_error",
]
