"""Real-name identity proofing (实名认证) and binding an account to a person or enterprise record.

A new account is bound to nothing and sees no personal records. It binds in one of three ways:

* **online, person** — the citizen proves who they are at the identity provider (the national unified
  identity authentication platform, 国家政务服务平台统一身份认证: face check against the ID photo); the
  platform sends the browser back with a one-time code, which the portal redeems over the back channel
  for the proofed name and ID number. The account is bound to the record with that number, created
  with the proofed name if the portal has none.
* **online, enterprise** — the legal representative proves their own identity the same way; the portal
  asks the market-registration record (市场主体登记, the exchange's business registry) for the USCC and
  binds only if the registered legal representative is the proofed person.
* **at the counter** — a window clerk checks the ID card (or, for an enterprise, the authorised agent's
  letter with the agent's ID card) and hands a one-time binding code (绑定码), which the citizen enters
  with the ID number. Codes are short-lived, single-use, stored as a keyed hash, and throttled.

Nothing here renames an existing record: a proofed or counter-checked name only names a record the
portal creates. Every failure a stranger could provoke gets one answer, whatever the portal knows.
"""

import os
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.shortcuts import render
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import audit, exchange, identifiers, roles
from portal.models import BindingCode, Subject, User


class IdentityError(Exception):
    def __init__(self, message, field=None):
        super().__init__(message)
        self.message, self.field = str(message), field


# --- configuration (environment variables, overridable in Django settings) ---------------------------------
def _value(name: str, default: str = "") -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, "")
    return str(value or default)


def provider_url() -> str:
    """IDENTITY_PROVIDER_URL: the identity platform (default: the exchange, i.e. the local simulator)."""
    fallback = _value("VERIFICATION_EXCHANGE_URL", "http://127.0.0.1:8765")
    return _value("IDENTITY_PROVIDER_URL", fallback).rstrip("/")


def client_id() -> str:
    """IDENTITY_PROVIDER_CLIENT_ID: this portal's registration at the platform."""
    return _value("IDENTITY_PROVIDER_CLIENT_ID", "chengnuo")


def timeout() -> float:
    """IDENTITY_PROVIDER_TIMEOUT: seconds per back-channel attempt (default 3)."""
    return float(_value("IDENTITY_PROVIDER_TIMEOUT", "3"))


def retries() -> int:
    """IDENTITY_PROVIDER_RETRIES: extra attempts after a failed one (default 1)."""
    return int(_value("IDENTITY_PROVIDER_RETRIES", "1"))


def breaker_threshold() -> int:
    return int(_value("IDENTITY_BREAKER_THRESHOLD", "3"))


def breaker_cooldown() -> float:
    return float(_value("IDENTITY_BREAKER_COOLDOWN", "30"))


def binding_code_minutes() -> int:
    """IDENTITY_BINDING_CODE_MINUTES: how long a counter binding code stays valid (default 30)."""
    return int(_value("IDENTITY_BINDING_CODE_MINUTES", "30"))


# Limits: (attempts, seconds). Per client address, per account and for the whole portal.
START_LIMITS = {"per_address": (20, 3600), "per_account": (10, 3600), "overall": (2000, 3600)}
CODE_LIMITS = {"per_address": (10, 900), "per_account": (5, 900), "overall": (300, 900)}
ISSUE_LIMITS = {"per_address": (120, 3600), "per_account": (60, 3600), "overall": (2000, 3600)}
STATE_MAX_AGE = 600  # seconds between leaving for the platform and coming back


# --- the provider ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProofedIdentity:
    name: str
    id_number: str
    level: str = ""


class IdentityProvider:
    """The interface: send the browser to proof, redeem the code it brings back, read the business registry."""

    label = ""

    def authorize_url(self, *, state: str, redirect_uri: str) -> str:
        raise NotImplementedError

    def redeem(self, code: str) -> ProofedIdentity | None:
        """The identity proofed for ``code``; ``None`` if the code is unknown, spent or expired."""
        raise NotImplementedError

    def business_record(self, uscc: str) -> dict | None:
        """``{"name", "legal_representative", "legal_representative_id_number", "status"}`` or ``None``."""
        raise NotImplementedError


class NationalPlatformProvider(IdentityProvider):
    """国家政务服务平台统一身份认证 (served locally by ``manage.py run_exchange_simulator``).

    ``GET {url}/identity/authorize?client_id&state&redirect_uri`` in the browser; back channel
    ``POST {url}/identity/token {"code"}`` and ``POST {url}/business-registry {"uscc"}`` (JSON bodies:
    no personal number in any URL)."""

    label = gettext_lazy("国家政务服务平台统一身份认证")

    def __init__(self):
        self.breaker = exchange.CircuitBreaker(default_threshold=breaker_threshold, default_cooldown=breaker_cooldown)
        self.breaker.open_message = gettext_lazy("身份认证平台暂时不可用，请稍后再试，或到政务服务窗口领取绑定码。")

    def authorize_url(self, *, state, redirect_uri):
        query = urlencode({"client_id": client_id(), "state": state, "redirect_uri": redirect_uri})
        return f"{provider_url()}/identity/authorize?{query}"

    def _post(self, path, payload):
        return exchange.post_json(
            f"{provider_url()}/{path}", payload, timeout=timeout(), retries=retries(), breaker=self.breaker,
            unreachable=gettext_lazy("连接身份认证平台失败：%(reason)s"),
            unreadable=gettext_lazy("身份认证平台返回的内容无法解析。"),
        )

    def redeem(self, code):
        answer = self._post("identity/token", {"code": code, "client_id": client_id()})
        if not answer or not answer.get("id_number") or not answer.get("name"):
            return None
        return ProofedIdentity(name=str(answer["name"]).strip(), id_number=identifiers.normalise(answer["id_number"]),
                               level=str(answer.get("level", "")))

    def business_record(self, uscc):
        return self._post("business-registry", {"uscc": uscc})


_providers: dict[str, IdentityProvider] = {}


def provider() -> IdentityProvider:
    """IDENTITY_PROVIDER_CLASS (dotted path; default the national platform), one instance per class."""
    path = _value("IDENTITY_PROVIDER_CLASS", "portal.identity.NationalPlatformProvider")
    if path not in _providers:
        _providers[path] = import_string(path)()
    return _providers[path]


def reset_breakers():
    for item in _providers.values():
        breaker = getattr(item, "breaker", None)
        if breaker is not None:
            breaker.reset()


# --- who may see personal records --------------------------------------------------------------------------
def is_bound(user) -> bool:
    return getattr(user, "bound_subject_id", None) is not None


def bound_applicant_required(view):
    """View decorator for an applicant's personal pages: an unbound account gets the page that says how to verify."""

    @wraps(view)
    @roles.role_required(roles.APPLICANT)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_superuser and not is_bound(request.user):
            return render(request, "registration/identity_required.html", {"provider_label": provider().label},
                          status=403)
        return view(request, *args, **kwargs)

    return wrapped


# --- online proofing ---------------------------------------------------------------------------------------
SESSION_KEY = "identity_proofing"
ENTERPRISE_REFUSED = gettext_lazy(
    "未能确认您是该企业登记的法定代表人。请核对统一社会信用代码；经办人可持授权委托书到政务服务窗口领取绑定码。"
)


def start_online(request, *, uscc: str = "", redirect_uri: str) -> str:
    """Remember what this proofing is for (in the session, with a random state) and return the platform's URL."""
    _refuse_if_bound(request.user)
    state = secrets.token_urlsafe(24)
    request.session[SESSION_KEY] = {"state": state, "uscc": uscc, "at": time.time()}
    return provider().authorize_url(state=state, redirect_uri=redirect_uri)


def complete_online(request, *, code: str, state: str) -> User:
    """The browser is back from the platform: redeem the code and bind (person, or enterprise by its legal representative)."""
    pending = request.session.pop(SESSION_KEY, None) or {}
    if not (state and constant_time_compare(str(pending.get("state", "")), state)) or \
            time.time() - float(pending.get("at", 0)) > STATE_MAX_AGE:
        raise IdentityError(_("认证已超时或不是从本站发起的，请重新进行实名认证。"))
    try:
        proofed = provider().redeem(code[:200])
    except exchange.ConnectorError as exc:
        raise IdentityError(_("身份认证平台暂时无法确认您的身份：%(reason)s") % {"reason": exc}) from None
    if proofed is None:
        raise IdentityError(_("身份认证未通过或认证结果已失效，请重新认证。"))
    if pending.get("uscc"):
        return _bind_enterprise(request.user, proofed, pending["uscc"], request=request)
    return _bind(request.user, Subject.Kind.PERSON, proofed.name, proofed.id_number, method="online",
                 request=request, summary=str(provider().label))


def _bind_enterprise(user, proofed: ProofedIdentity, uscc: str, *, request) -> User:
    try:
        entry = provider().business_record(uscc)
    except exchange.ConnectorError as exc:
        raise IdentityError(_("暂时无法查询市场主体登记信息：%(reason)s") % {"reason": exc}) from None
    registered = identifiers.normalise((entry or {}).get("legal_representative_id_number", ""))
    if not entry or entry.get("status") == "注销" or not registered or \
            not constant_time_compare(registered, proofed.id_number):
        audit.record("identity.enterprise_refused", obj=user, actor=user, summary=identifiers.mask(uscc), request=request)
        raise IdentityError(ENTERPRISE_REFUSED)
    return _bind(user, Subject.Kind.ORGANISATION, str(entry.get("name", "")).strip(), uscc,
                 method="legal_representative", request=request,
                 legal_representative=str(entry.get("legal_representative", "")).strip(),
                 summary=_("法定代表人实名认证"))


# --- the counter path --------------------------------------------------------------------------------------
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed from a slip
CODE_LENGTH = 8  # 32**8 ≈ 10**12, against at most a few hundred guesses per quarter hour overall
CODE_REFUSED = gettext_lazy("绑定码无效、已使用或已过期，或与证件号码不符。请核对后重试，或到窗口重新领取。")


def _code_hash(code: str) -> str:
    return identifiers.keyed_hash("binding-code:" + identifiers.normalise(code))


def issue_binding_code(*, clerk, kind: str, name: str, id_number: str, basis: str, holder_name: str = "",
                       request=None) -> tuple[str, BindingCode]:
    """A window clerk has checked the document in hand: a one-time code for this record (created if new).

    Returns the code in clear — shown once on the clerk's screen and never stored — and its row."""
    number = identifiers.normalise(id_number)
    with transaction.atomic():
        subject = Subject.objects.by_identifier(kind, number).select_for_update().first()
        if subject is None:
            subject = Subject(kind=kind, name=name, id_number=number)
            subject.clean()
            subject.save()
            audit.record("identity.subject_registered_at_counter", obj=subject, actor=clerk,
                         summary=subject.id_masked, request=request)
        elif subject.name != name:
            # The record keeps its name: a counter form never renames it (an error is corrected by its own procedure).
            raise IdentityError(_("证件上的名称与系统登记的名称不一致，请核对证件；登记信息有误的，按更正程序办理。"),
                                field="name")
        now = timezone.now()
        # A new code replaces any earlier unspent one for this record.
        BindingCode.objects.filter(subject=subject, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        for _attempt in range(5):
            code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
            if not BindingCode.objects.filter(code_hash=_code_hash(code)).exists():
                break
        row = BindingCode.objects.create(
            subject=subject, code_hash=_code_hash(code), basis=basis, holder_name=holder_name.strip()[:50],
            issued_by=clerk, expires_at=now + timedelta(minutes=binding_code_minutes()),
        )
        audit.record("identity.binding_code_issued", obj=subject, actor=clerk, request=request,
                     summary=_("%(basis)s · %(holder)s") % {"basis": row.get_basis_display(), "holder": row.holder_name or "—"})
    return code, row


def redeem_binding_code(*, user, id_number: str, code: str, request=None) -> User:
    """The citizen enters the code and the ID number it was issued for: the account is bound, the code spent."""
    _refuse_if_bound(user)
    number = identifiers.normalise(id_number)
    with transaction.atomic():
        row = BindingCode.objects.select_for_update().select_related("subject").filter(code_hash=_code_hash(code)).first()
        now = timezone.now()
        valid = row is not None and row.used_at is None and row.expires_at > now and \
            constant_time_compare(row.subject.id_hash, identifiers.keyed_hash(number))
        # Conditional update: of two tabs racing with one code, one spends it.
        if valid and BindingCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now, used_by=user) == 1:
            return _bind(user, row.subject.kind, row.subject.name, number, method="counter", request=request,
                         summary=_("窗口绑定码（%(basis)s）") % {"basis": row.get_basis_display()})
    audit.record("identity.binding_code_refused", obj=user, actor=user, request=request)
    raise IdentityError(CODE_REFUSED, field="code")


# --- binding -----------------------------------------------------------------------------------------------
def _refuse_if_bound(user):
    if is_bound(user):
        raise IdentityError(_("本账号已完成实名认证。如需改为其他主体，请到政务服务窗口办理。"))


@transaction.atomic
def _bind(user, kind, name, number, *, method, request, summary, legal_representative="") -> User:
    account = User.objects.select_for_update().get(pk=user.pk)
    _refuse_if_bound(account)
    subject = Subject.objects.by_identifier(kind, number).first()
    if subject is None:
        subject = Subject(kind=kind, name=name, id_number=number, legal_representative=legal_representative)
        subject.clean()
        subject.save()
    account.subject = subject
    account.identity_verified_at = timezone.now()
    account.identity_method = method
    if kind == Subject.Kind.PERSON and name:
        account.full_name = name  # the account shows the proofed name; the record keeps its own
    account.save(update_fields=["subject", "identity_verified_at", "identity_method", "full_name"])
    audit.record("identity.bound", obj=account, actor=account, summary=f"{summary} · {subject.id_masked}",
                 data={"method": method, "subject": subject.pk}, request=request)
    user.subject, user.identity_verified_at, user.identity_method = subject, account.identity_verified_at, method
    user.full_name = account.full_name
    return account
