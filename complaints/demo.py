"""Demo tickets in several states (idempotent: a ticket is found again by its title).

The lookup codes of demo tickets are printed once, when they are created.
"""

from portal.models import Agency, User

from . import services
from .models import Channel, Kind, Rating, ReplyTemplate, Ticket, Topic

TEMPLATES = [
    (Kind.CONSULTATION, "告知承诺制适用说明",
     "您好！该证明事项已纳入证明事项告知承诺制清单。办理时您可以选择签署告知承诺书代替提交证明，"
     "也可以按原方式提交证明。承诺不实的，将依法承担相应责任并记入信用记录。感谢您的咨询。"),
    (Kind.COMPLAINT, "投诉核实属实",
     "您好！经核实，您反映的情况属实。我单位已责令窗口立即整改，不再要求提供已告知承诺的证明，"
     "并对相关工作人员进行了批评教育。感谢您的监督。"),
    (Kind.REPORT, "举报已转核查",
     "您好！您举报的情况已转核查部门依法核查，核查结果将按规定处理。感谢您的监督。"),
]

# (title, kind, topic, channel, citizen mobile or None, agency code, target state, content)
TICKETS = [
    ("律师执业核准还要开无犯罪记录证明吗", Kind.CONSULTATION, Topic.POLICY, Channel.PORTAL, "13800000001",
     "610100-SFJ", "closed", "我申请律师执业核准，听说可以用告知承诺代替无犯罪记录证明，具体怎么办？"),
    ("窗口仍要求提供经济困难证明", Kind.COMPLAINT, Topic.PROOF_DEMAND, Channel.HOTLINE, None, "610100-SFJ",
     "in_progress", "来电人称申请法律援助时已签署告知承诺书，窗口仍要求提供街道开具的经济困难证明。"),
    ("公示的企业住所承诺疑似不实", Kind.REPORT, Topic.FALSE_COMMITMENT, Channel.PORTAL, None, None, "received",
     "公示栏里某公司承诺的住所地址，实地是居民住宅，疑似虚假承诺。"),
    ("教师资格认定思想品德鉴定怎么提交", Kind.CONSULTATION, Topic.POLICY, Channel.WINDOW, "13800000002",
     "610100-JYJ", "replied", "教师资格认定时思想品德鉴定可以承诺吗？"),
    ("社保待遇申领被要求开与死者关系证明", Kind.COMPLAINT, Topic.PROOF_DEMAND, Channel.PORTAL, "13800000003",
     "610100-RSJ", "assigned", "申领丧葬费时已选择告知承诺，仍被要求开具与死者关系证明。"),
]


def seed(stdout=None):
    agencies = {a.code: a for a in Agency.objects.all()}
    operator = User.objects.filter(username="operator").first()
    clerk = User.objects.filter(username="clerk").first()
    if operator is None or clerk is None:
        return []
    for kind, title, body in TEMPLATES:
        ReplyTemplate.objects.get_or_create(agency=None, title=title, defaults={"kind": kind, "body": body})
    for title, kind, topic, channel, mobile, code, target, content in TICKETS:
        if Ticket.objects.filter(title=title).exists():
            continue
        requester = User.objects.filter(username=mobile).first() if mobile else None
        agency = agencies.get(code) if code else None
        entered_by = {Channel.HOTLINE: operator, Channel.WINDOW: clerk}.get(channel)
        ticket, lookup = services.file_ticket(
            kind=kind, channel=channel, title=title, content=content, topic=topic, requester=requester,
            anonymous=requester is None and channel == Channel.PORTAL, entered_by=entered_by,
            contact_name=requester.display_name if requester else "", contact_phone=mobile or "",
            publish_consent=kind == Kind.CONSULTATION, route_to=agency if entered_by else None,
            about_agency=agency if not entered_by else None,
        )
        handler = User.objects.filter(agency=agency, groups__name__in=["window_clerk", "complaints_operator"]).first()
        if target != "received" and ticket.state == "assigned" and handler is None and agency is not None:
            handler = User.objects.filter(is_superuser=True).first()
        if target in ("in_progress", "replied", "closed") and handler is not None:
            services.sign_for(actor=handler, ticket_pk=ticket.pk)
        if target in ("replied", "closed") and handler is not None:
            services.reply(actor=handler, ticket_pk=ticket.pk, text=TEMPLATES[0][2], publish=True)
        if target == "closed":
            services.rate(ticket_pk=ticket.pk, rating=Rating.SATISFIED, actor=requester)
        if stdout is not None:
            stdout.write(f"  演示工单 {ticket.number}（查询码 {lookup}）：{title}")
    return []
