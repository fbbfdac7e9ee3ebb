"""Data-sharing connectors (数据共享核查): a small interface, a registry, and HTTP JSON clients.

Each connector asks one holding system about one ID number: ``POST {VERIFICATION_EXCHANGE_URL}/{path}`` with
the JSON body ``{"id_number": ...}``. The number travels in the body, never in the URL, so the access logs
of proxies and of the exchange do not collect ID numbers (docs/security.md).
Every attempt has a timeout; failed attempts (network errors, timeouts, 5xx) are retried a few
times; after a run of failures the connector's circuit opens and calls fail at once until the
cool-down ends, so one dead department system never stalls the verifiers' pages.
The answer — found, not found, or the failure — is stored as evidence by ``services.run_data_check``.
"""

import time
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from portal import exchange, identifiers
from portal.exchange import CircuitOpen, ConnectorError

from . import conf

__all__ = ["Answer", "CircuitBreaker", "CircuitOpen", "Connector", "ConnectorError", "HttpJsonConnector"]


@dataclass
class Answer:
    found: bool
    record: dict = field(default_factory=dict)
    elapsed_ms: int = 0


class CircuitBreaker(exchange.CircuitBreaker):
    """The kernel's breaker with this app's settings (VERIFICATION_BREAKER_*) and refusal."""

    open_message = _("接口暂时不可用（连续失败后熔断），请稍后再试或改用部门协查。")

    def __init__(self, threshold=None, cooldown=None):
        super().__init__(threshold, cooldown, default_threshold=conf.breaker_threshold,
                         default_cooldown=conf.breaker_cooldown)


class Connector:
    """The interface: a code name, a label, what it can confirm, and ``lookup(id_number)``."""

    name = ""
    label = ""
    path = ""
    facts: tuple = ()

    def __init__(self):
        self.breaker = CircuitBreaker()

    def lookup(self, id_number: str) -> Answer:
        raise NotImplementedError


class HttpJsonConnector(Connector):
    def url(self) -> str:
        return f"{conf.exchange_url()}/{self.path}"

    def lookup(self, id_number: str) -> Answer:
        if not conf.exchange_url().startswith(("http://", "https://")):
            raise ConnectorError(str(_("数据共享接口地址配置错误。")))
        started = time.monotonic()
        record = exchange.post_json(
            self.url(), {"id_number": id_number}, timeout=conf.exchange_timeout(), retries=conf.exchange_retries(),
            breaker=self.breaker, unreachable=_("连接数据共享接口失败：%(reason)s"),
            unreadable=_("数据共享接口返回的内容无法解析。"),
        )
        if record is None:
            return Answer(found=False, elapsed_ms=int((time.monotonic() - started) * 1000))
        # Kept as evidence with every resident ID number masked: the task already names the subject.
        return Answer(found=True, record=identifiers.redact_data(record),
                      elapsed_ms=int((time.monotonic() - started) * 1000))


class HouseholdConnector(HttpJsonConnector):
    name, path = "household", "household"
    label = _("户籍信息（公安）")
    facts = (_("户籍登记"), _("户籍地址"), _("家庭成员关系"))


class SocialInsuranceConnector(HttpJsonConnector):
    name, path = "social_insurance", "social-insurance"
    label = _("社会保险参保信息（人社）")
    facts = (_("参保状态"), _("缴费月数"), _("参保单位"))


class MarketEntityConnector(HttpJsonConnector):
    name, path = "market_entity", "market-entity"
    label = _("市场主体登记信息（市场监管）")
    facts = (_("登记状态"), _("住所"), _("法定代表人"))


class CivilAffairsConnector(HttpJsonConnector):
    name, path = "civil_affairs", "civil-affairs"
    label = _("婚姻登记和死亡信息（民政）")
    facts = (_("婚姻状况"), _("死亡登记"))


REGISTRY: dict[str, Connector] = {}


def register(connector: Connector) -> Connector:
    REGISTRY[connector.name] = connector
    return connector


for _cls in (HouseholdConnector, SocialInsuranceConnector, MarketEntityConnector, CivilAffairsConnector):
    register(_cls())


def get(name: str) -> Connector:
    try:
        return REGISTRY[name]
    except KeyError:
        raise ConnectorError(str(_("未知的数据来源。"))) from None


def choices() -> list[tuple[str, str]]:
    return [(c.name, c.label) for c in REGISTRY.values()]


def reset_breakers():
    for connector in REGISTRY.values():
        connector.breaker.reset()


FIELD_LABELS = {
    "id_number": _("证件号码"), "uscc": _("统一社会信用代码"), "name": _("姓名/名称"),
    "registered_address": _("登记地址"), "status": _("登记状态"), "insured": _("是否参保"), "employer": _("参保单位"),
    "months_paid": _("累计缴费月数"), "legal_representative": _("法定代表人"), "marital_status": _("婚姻状况"),
    "deceased": _("死亡登记"), "death_date": _("死亡日期"), "source": _("数据来源系统"),
}


def present(answer: dict) -> list[tuple[str, str]]:
    """An answer as (Chinese label, value) rows for the task page; a person's ID number is masked."""
    rows = []
    for key, value in (answer or {}).items():
        if key == "id_number":
            value = identifiers.mask(str(value))
        elif isinstance(value, bool):
            value = _("是") if value else _("否")
        rows.append((str(FIELD_LABELS.get(key, key)), str(value) if value != "" else "—"))
    return rows


def label_of(name: str) -> str:
    connector = REGISTRY.get(name)
    return str(connector.label) if connector else name
