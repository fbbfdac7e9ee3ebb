"""Role-aware navigation. Each app adds its entries here as it lands; missing routes are skipped."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from portal import roles, scope

# (label, url name, roles that see it; empty = everyone)
PUBLIC_LINKS = [
    (_("首页"), "home", ()),
    (_("证明事项清单"), "catalog:index", ()),
    (_("承诺公示"), "commitments:publicity", ()),
    (_("失信名单"), "credit:blacklist", ()),
    (_("咨询投诉"), "complaints:new", ()),
    (_("信息公开"), "transparency", ()),
]

WORKSPACE_LINKS = {
    roles.APPLICANT: [
        (_("我的办件"), "commitments:my_applications"),
        (_("我的信用"), "credit:me"),
        (_("我的咨询投诉"), "complaints:mine"),
        (_("实名认证"), "identity"),
    ],
    roles.WINDOW_CLERK: [
        (_("窗口受理"), "commitments:desk"), (_("咨询投诉待办"), "complaints:inbox"), (_("信用查询"), "credit:lookup"),
        (_("发放绑定码"), "desk_binding_code"),
    ],
    roles.VERIFIER: [(_("核查队列"), "verification:queue"), (_("信用查询"), "credit:lookup")],
    roles.INSPECTOR: [(_("现场检查"), "verification:inspections")],
    roles.CATALOGUE_EDITOR: [(_("清单编制"), "catalog:manage")],
    roles.JUSTICE_REVIEWER: [(_("清单审核"), "catalog:review"), (_("立法修改建议候选"), "verification:legislative")],
    roles.GOVERNMENT_APPROVER: [(_("清单审批"), "catalog:approve")],
    roles.CREDIT_OFFICER: [(_("信用管理"), "credit:officer")],
    roles.COMPLAINTS_OPERATOR: [(_("工单受理"), "complaints:operator"), (_("咨询投诉待办"), "complaints:inbox")],
    roles.SUPERVISOR: [(_("监督统计"), "supervision"), (_("咨询投诉办理情况"), "complaints:figures")],
    roles.SERVICE_STANDARDS_OFFICER: [(_("窗口服务标准与投诉跟踪"), "complaints:standards")],
}

# Links a role sees only when it holds the duty: (label, url name, predicate on the user).
DUTY_LINKS = {
    # 区县清单汇总: only 市司法局's reviewers, to whom the districts report their lists.
    roles.JUSTICE_REVIEWER: [(_("区县清单汇总"), "catalog:aggregation", scope.aggregates_catalogues)],
}


def url_or_none(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def public_links():
    return [(label, url) for label, name, _roles in PUBLIC_LINKS if (url := url_or_none(name))]


def workspace_links(user):
    """Start-page links for each of the user's roles, in role order, only for routes that exist."""
    names = roles.role_names(user)
    sections = []
    for role_name, role in roles.ROLES.items():
        if role_name in names:
            links = [(label, url) for label, name in WORKSPACE_LINKS.get(role_name, []) if (url := url_or_none(name))]
            links += [(label, url) for label, name, holds in DUTY_LINKS.get(role_name, [])
                      if holds(user) and (url := url_or_none(name))]
            sections.append((role, links))
    return sections
