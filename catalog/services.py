"""Every write to the catalogue: one transaction, the transition or the change, one audit event.

Services raise ``CatalogueError`` with a Chinese message when an action is refused; the state
is then unchanged (the transaction rolls back).
"""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from portal import audit, roles, transitions
from portal.models import Agency

from . import negative_list
from .models import (
    LOW_BASIS_LEVELS,
    TRANSITION_LABELS,
    AdministrativeService,
    Catalogue,
    CatalogueComment,
    CatalogueError,
    CertificationMatter,
    NegativeListEntry,
    PendingImport,
    RiskPoint,
)

__all__ = [
    "CatalogueError", "add_service", "aggregate", "approve", "confirm_import", "delete_matter", "import_matters",
    "pass_review", "publish", "record_basis_reason", "reopen", "report", "return_for_changes", "return_report",
    "save_matter", "stage_import", "start_version", "submit",
]

S = Catalogue.State
# The timestamp each transition sets (pairs, since bandit B105 takes a "pass_review" dict key for a password).
STAMPS = dict([("submit", "submitted_at"), ("pass_review", "reviewed_at"), ("approve", "approved_at"),
               ("publish", "published_at"), ("report", "reported_at"), ("aggregate", "filed_at")])
# Steps of the district route's reporting (报送汇总), refused on the city route with one message.
REPORTING_STEPS = ("report", "aggregate", "return_report")



# --- versions ------------------------------------------------------------------------------------


def start_version(*, actor, change_kind=Catalogue.ChangeKind.INITIAL, change_reason="", law_reference="",
                  agency: Agency | None = None, request=None) -> Catalogue:
    """Open a new draft version of the actor's agency's catalogue, copying the current matters."""
    agency = agency or getattr(actor, "agency", None)
    if agency is None or not (roles.has_role(actor, roles.CATALOGUE_EDITOR) and actor.agency_id == agency.pk):
        raise CatalogueError(_("只有本单位的清单编制人员可以新建清单版本。"), code="forbidden")
    route, approving, oversight = Catalogue.route_for(agency)
    with transaction.atomic():
        list(Agency.objects.select_for_update().filter(pk=agency.pk))  # one new version at a time per agency
        latest = Catalogue.objects.filter(agency=agency).order_by("-version").first()
        if latest is not None and latest.state in Catalogue.OPEN_STATES:
            raise CatalogueError(
                _("本单位已有一个正在办理的清单版本（第%(version)s版，%(state)s），请先完成它。")
                % {"version": latest.version, "state": latest.get_state_display()}, code="open_version_exists",
            )
        if latest is None:
            change_kind, change_reason = Catalogue.ChangeKind.INITIAL, change_reason or ""
        else:
            if change_kind == Catalogue.ChangeKind.INITIAL:
                raise CatalogueError(_("新版本须选择调整类型（立、改、废、释）。"), code="change_kind_required")
            if not (change_reason or "").strip():
                raise CatalogueError(_("新版本须写明调整理由。"), code="change_reason_required")
        catalogue = Catalogue.objects.create(
            agency=agency, version=(latest.version + 1) if latest else 1, route=route, approving_agency=approving,
            oversight_government=oversight, previous=latest, change_kind=change_kind,
            change_reason=(change_reason or "").strip(), law_reference=(law_reference or "").strip(), created_by=actor,
        )
        copied = _copy_matters(latest, catalogue) if latest else 0
        audit.record(
            "catalog.version_started", obj=catalogue, actor=actor, to_state=catalogue.state, request=request,
            summary=_("新建第%(version)s版（%(kind)s）") % {"version": catalogue.version,
                                                         "kind": catalogue.get_change_kind_display()},
            data={"copied_matters": copied, "previous": latest.pk if latest else None},
        )
    return catalogue


def _copy_matters(source: Catalogue, target: Catalogue) -> int:
    matters = list(source.matters.prefetch_related("negative_entries", "risk_points"))
    copies = []
    for matter in matters:
        copy = CertificationMatter(catalogue=target)
        for field in ("key", "seq", *CertificationMatter.DIFF_FIELDS):
            attname = CertificationMatter._meta.get_field(field).attname
            setattr(copy, attname, getattr(matter, attname))
        copies.append(copy)
    CertificationMatter.objects.bulk_create(copies)
    by_key = {m.key: m for m in CertificationMatter.objects.filter(catalogue=target)}
    NegativeListEntry.objects.bulk_create(
        NegativeListEntry(matter=by_key[m.key], **e.as_dict())
        for m in matters
        for e in m.negative_entries.all()
    )
    RiskPoint.objects.bulk_create(
        RiskPoint(matter=by_key[m.key], description=r.description, control=r.control)
        for m in matters
        for r in m.risk_points.all()
    )
    return len(copies)


# --- matters -------------------------------------------------------------------------------------


def _lock_editable(catalogue: Catalogue, actor) -> Catalogue:
    locked = Catalogue.objects.select_for_update(of=("self",)).select_related("agency").get(pk=catalogue.pk)
    if not (roles.has_role(actor, roles.CATALOGUE_EDITOR) and actor.agency_id == locked.agency_id):
        raise CatalogueError(_("只有本单位的清单编制人员可以修改本清单。"), code="forbidden")
    if not locked.is_editable:
        raise CatalogueError(
            _("第%(version)s版清单当前为“%(state)s”，不能修改；已公布的版本永不改动，如需调整请新建版本。")
            % {"version": locked.version, "state": locked.get_state_display()}, code="not_editable",
        )
    return locked


def save_matter(*, actor, catalogue: Catalogue, matter: CertificationMatter, negative_entries=None, request=None):
    """Add or change one matter in a draft. ``matter`` is unsaved form output; entries are (kind, text) (free
    text: a question) or dicts of ``NegativeListEntry.COPY_FIELDS``; None leaves the matter's entries as they are."""
    with transaction.atomic():
        locked = _lock_editable(catalogue, actor)
        adding = matter.pk is None
        if not adding and matter.catalogue_id != locked.pk:
            raise CatalogueError(_("该证明事项不属于本清单。"))
        duplicate = CertificationMatter.objects.filter(catalogue=locked, name=matter.name, service=matter.service)
        if not adding:
            duplicate = duplicate.exclude(pk=matter.pk)
        if duplicate.exists():
            raise CatalogueError(_("本清单中已有同名、同用途的证明事项。"), field="name", code="duplicate_matter")
        matter.catalogue = locked
        if adding and not matter.seq:
            matter.seq = (locked.matters.aggregate(m=Max("seq"))["m"] or 0) + 1
        try:
            with transaction.atomic():
                matter.save()
        except IntegrityError as exc:
            raise CatalogueError(_("保存失败：序号重复或内容不完整，请检查后重试。")) from exc
        if negative_entries is not None:
            replace_negative_entries(matter, negative_entries)
        audit.record(
            "catalog.matter_added" if adding else "catalog.matter_changed", obj=locked, actor=actor, request=request,
            summary=(_("新增证明事项：%(name)s") if adding else _("修改证明事项：%(name)s")) % {"name": matter.name},
            data={"matter": matter.pk, "key": matter.key},
        )
    return matter


def _entry_fields(entry) -> dict:
    """(kind, text) from free text is a question; a dict (the structured form) keeps its check and parameter."""
    if isinstance(entry, dict):
        fields = {name: entry.get(name) for name in NegativeListEntry.COPY_FIELDS if name in entry}
    else:
        kind, text = entry
        fields = {"kind": kind, "description": text}
    fields["description"] = (fields.get("description") or "").strip()[:300]
    fields.setdefault("rule", negative_list.Check.QUESTION)
    fields["subject_kind"] = fields.get("subject_kind") or ""
    fields["question"] = (fields.get("question") or "").strip()[:300] if fields["rule"] == "question" else ""
    return fields


def replace_negative_entries(matter: CertificationMatter, entries) -> None:
    """The matter's negative list, replaced (only ever called on a draft: ``_lock_editable`` first).

    A published version's entries never change: a new list comes with a new catalogue version."""
    seen, rows = set(), []
    for entry in entries:
        fields = _entry_fields(entry)
        key = (fields["kind"], fields["description"])
        if not fields["description"] or key in seen:
            continue
        wrong = negative_list.problems(fields["rule"], fields.get("number"), fields["subject_kind"])
        if wrong:
            raise CatalogueError(_("负面清单条目“%(t)s”：%(m)s") % {"t": fields["description"],
                                                               "m": "".join(wrong.values())})
        seen.add(key)
        rows.append(NegativeListEntry(matter=matter, **fields))
    matter.negative_entries.all().delete()
    NegativeListEntry.objects.bulk_create(rows)


def delete_matter(*, actor, matter: CertificationMatter, request=None) -> None:
    with transaction.atomic():
        locked = _lock_editable(matter.catalogue, actor)
        name, key, pk = matter.name, matter.key, matter.pk
        CertificationMatter.objects.filter(pk=pk, catalogue=locked).delete()
        audit.record(
            "catalog.matter_removed", obj=locked, actor=actor, request=request,
            summary=_("删除证明事项：%(name)s") % {"name": name}, data={"matter": pk, "key": key},
        )


def add_risk_point(*, actor, catalogue: Catalogue, matter_pk: int, description: str, control: str, request=None):
    """风险点和防控措施 (§二(七)): the editor lists a risk of a matter in a draft and its control."""
    with transaction.atomic():
        locked = _lock_editable(catalogue, actor)
        matter = CertificationMatter.objects.filter(pk=matter_pk, catalogue=locked).first()
        if matter is None:
            raise CatalogueError(_("该证明事项不属于本清单。"))
        if RiskPoint.objects.filter(matter=matter, description=description).exists():
            raise CatalogueError(_("该证明事项已登记过相同的风险点。"), code="duplicate_risk")
        point = RiskPoint.objects.create(matter=matter, description=description, control=control)
        audit.record("catalog.risk_point_added", obj=locked, actor=actor, request=request,
                     summary=_("登记风险点：%(matter)s · %(risk)s") % {"matter": matter.name, "risk": description},
                     data={"matter": matter.pk, "risk_point": point.pk, "has_control": bool(control)})
    return point


def add_service(*, actor, name: str, kind: str, request=None) -> AdministrativeService:
    """Register an administrative service (办理事项) of the editor's agency."""
    agency = getattr(actor, "agency", None)
    if agency is None or not roles.has_role(actor, roles.CATALOGUE_EDITOR):
        raise CatalogueError(_("只有清单编制人员可以登记办理事项。"))
    name = (name or "").strip()
    with transaction.atomic():
        if AdministrativeService.objects.filter(agency=agency, name=name).exists():
            raise CatalogueError(_("本单位已登记同名的办理事项。"), field="name", code="duplicate_service")
        n = AdministrativeService.objects.filter(agency=agency).count() + 1
        service = AdministrativeService.objects.create(
            agency=agency, name=name, kind=kind, code=_unique_service_code(agency, n))
        audit.record("catalog.service_added", obj=service, actor=actor, request=request, summary=name)
    return service


@dataclass
class ImportResult:
    created: int
    updated: int
    removed: int


def import_matters(*, actor, catalogue: Catalogue, rows, filename="", request=None) -> ImportResult:
    """Replace the draft's matters with the rows of a checked import file (see ``importing.parse``).

    A matter already in the draft under the same name and service keeps its identity (for the
    version diff) and its notification texts; the file's columns overwrite the rest.
    """
    from . import texts

    with transaction.atomic():
        locked = _lock_editable(catalogue, actor)
        existing = {(m.name, m.service.name): m for m in locked.matters.select_related("service")}
        services = {s.name: s for s in AdministrativeService.objects.filter(agency=locked.agency)}
        next_code = AdministrativeService.objects.filter(agency=locked.agency).count() + 1
        keep, created, updated = [], 0, 0
        # Move old seqs out of the way so the file's 序号 can be applied without collisions.
        old = list(locked.matters.all())
        for matter in old:
            matter.seq += 1_000_000
        CertificationMatter.objects.bulk_update(old, ["seq"])
        for row in rows:
            service = services.get(row["service_name"])
            if service is None:
                service = AdministrativeService.objects.create(
                    agency=locked.agency, name=row["service_name"], kind=row["service_kind"],
                    code=_unique_service_code(locked.agency, next_code),
                )
                next_code += 1
                services[service.name] = service
            matter = existing.pop((row["name"], row["service_name"]), None)
            if matter is None:
                matter = CertificationMatter(catalogue=locked, **texts.defaults_for(row["name"], row["service_name"],
                                                                                   locked.agency.name))
                created += 1
            else:
                updated += 1
            for field in (
                "seq", "name", "field", "legal_basis_name", "legal_basis_number", "legal_basis_article",
                "legal_basis_level", "issuing_unit", "exercise_level", "commitment_allowed", "exclusion_category",
                "exclusion_reason", "verification_methods", "verification_days",
            ):
                setattr(matter, field, row[field])
            matter.service = service
            matter.requesting_agency = row["requesting_agency"]
            keep.append((matter, row.get("negative_list")))
        removed = [m.pk for m in existing.values()]
        CertificationMatter.objects.filter(pk__in=removed).delete()
        for matter, negative in keep:
            matter.save()
            if negative is not None:  # the file has the column: its lines, structured ones kept as they were
                structured = {(e.kind, e.description): e.as_dict() for e in matter.negative_entries.all()}
                replace_negative_entries(matter, [structured.get(tuple(e), tuple(e)) for e in negative])
        audit.record(
            "catalog.imported", obj=locked, actor=actor, request=request,
            summary=_("导入%(file)s：新增%(created)s项，更新%(updated)s项，删除%(removed)s项")
            % {"file": filename or _("清单文件"), "created": created, "updated": updated, "removed": len(removed)},
            data={"file": filename, "rows": len(rows)},
        )
    return ImportResult(created=created, updated=updated, removed=len(removed))


@dataclass
class ConfirmOutcome:
    """What confirming a previewed file did: imported (``result``), refused (``parsed`` has the problems,
    nothing written) or had already been done by an earlier click (``repeated``)."""

    result: ImportResult | None = None
    parsed: object = None
    repeated: bool = False


def stage_import(*, actor, catalogue: Catalogue, data: bytes, filename="", request=None) -> PendingImport:
    """Keep an uploaded list server-side for its preview; the editor confirms it by token (``confirm_import``)."""
    import hashlib
    import secrets

    with transaction.atomic():
        locked = _lock_editable(catalogue, actor)
        # Files nobody confirmed are not kept beyond their time.
        cutoff = timezone.now() - datetime.timedelta(minutes=PendingImport.TTL_MINUTES)
        PendingImport.objects.filter(created_at__lt=cutoff).delete()
        pending = PendingImport.objects.create(
            token=secrets.token_urlsafe(32), catalogue=locked, uploaded_by=actor, filename=(filename or "")[:200],
            data=data, sha256=hashlib.sha256(data).hexdigest(),
        )
        audit.record("catalog.import_previewed", obj=locked, actor=actor, request=request,
                     summary=_("预览导入文件%(file)s") % {"file": filename or _("清单文件")},
                     data={"file": filename, "sha256": pending.sha256, "bytes": len(data)})
    return pending


def confirm_import(*, actor, catalogue: Catalogue, token: str, request=None) -> ConfirmOutcome:
    """Import a previewed file, all or nothing, once.

    The file is read again (a synonym added since the preview counts); if it still has problems
    nothing is written. The pending upload is locked and marked used in the import's transaction,
    so a double click or a retry after a lost response imports nothing twice.
    """
    from . import importing

    with transaction.atomic():
        pending = (PendingImport.objects.select_for_update()
                   .filter(token=token or "", catalogue_id=catalogue.pk, uploaded_by_id=actor.pk).first())
        expired = pending is not None and pending.used_at is None and (
            pending.created_at < timezone.now() - datetime.timedelta(minutes=PendingImport.TTL_MINUTES))
        if pending is None or expired:
            raise CatalogueError(_("预览已过期或不存在（预览保留%(n)s分钟），请重新选择文件。")
                                 % {"n": PendingImport.TTL_MINUTES})
        if pending.used_at is not None:
            return ConfirmOutcome(result=ImportResult(**pending.result), repeated=True)
        parsed = importing.parse(bytes(pending.data), catalogue.agency, pending.filename)
        if not parsed.ok:
            return ConfirmOutcome(parsed=parsed)
        result = import_matters(actor=actor, catalogue=catalogue, rows=parsed.rows, filename=pending.filename,
                                request=request)
        pending.used_at = timezone.now()
        pending.result = {"created": result.created, "updated": result.updated, "removed": result.removed}
        pending.data = b""  # imported: the matters now hold what the file said
        pending.save(update_fields=["used_at", "result", "data"])
    return ConfirmOutcome(result=result, parsed=parsed)


def _unique_service_code(agency: Agency, n: int) -> str:
    while True:
        code = f"{agency.code}-S{n:03d}"
        if not AdministrativeService.objects.filter(code=code).exists():
            return code
        n += 1


# --- workflow ------------------------------------------------------------------------------------


def incomplete_matters(catalogue: Catalogue) -> list[str]:
    """Problems that keep a draft from being submitted: each matter's notification must be complete."""
    problems = []
    for m in catalogue.matters.all():
        if not m.commitment_allowed:
            continue
        missing = [
            str(CertificationMatter._meta.get_field(f).verbose_name)
            for f in ("proof_content", "commitment_content", "letter_template")
            if not getattr(m, f).strip()
        ]
        if not (m.liability_civil or m.liability_administrative or m.liability_criminal).strip():
            missing.append(_("虚假承诺的法律责任"))
        if not m.verification_methods:
            missing.append(_("核查方式"))
        elif m.verification_methods != ["exempt"] and not m.verification_days:
            missing.append(_("核查时限（工作日）"))
        if missing:
            problems.append(_("第%(seq)s项“%(name)s”缺少：%(missing)s") % {
                "seq": m.seq, "name": m.name, "missing": "、".join(missing)})
    return problems


def unexplained_low_basis(catalogue: Catalogue) -> list[str]:
    """Matters resting only on a 部门规章/规范性文件 with no reviewer's reason (§二(二)); they block publication."""
    return [
        _("第%(seq)s项“%(name)s”（%(level)s）") % {"seq": m.seq, "name": m.name, "level": m.get_legal_basis_level_display()}
        for m in catalogue.matters.filter(legal_basis_level__in=LOW_BASIS_LEVELS, basis_exception_reason="")
        .order_by("seq")
    ]


def may_explain_basis(catalogue: Catalogue, user) -> bool:
    """A justice-bureau reviewer of the government that approves this catalogue (the one that reviews it)."""
    agency = getattr(user, "agency", None)
    return bool(
        user and user.is_authenticated and agency is not None and roles.has_role(user, roles.JUSTICE_REVIEWER)
        and agency.is_justice_bureau and agency.parent_id == catalogue.approving_agency_id
    )


def record_basis_reason(*, actor, matter: CertificationMatter, reason: str, request=None) -> CertificationMatter:
    """司法局审核人员 records why a matter may keep a basis below law/regulation/State Council decision."""
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = CertificationMatter.objects.select_for_update(of=("self",)).select_related("catalogue").get(pk=matter.pk)
        catalogue = locked.catalogue
        if not may_explain_basis(catalogue, actor):
            raise CatalogueError(_("只有负责审核该清单的司法局审核人员可以记录设定依据的保留理由。"), code="forbidden")
        if catalogue.state not in (S.SUBMITTED, S.REVIEWED):
            raise CatalogueError(_("清单报送后、批准前才能记录设定依据的保留理由。"), code="wrong_state")
        if locked.legal_basis_level not in LOW_BASIS_LEVELS:
            raise CatalogueError(_("该事项的设定依据为法律、法规或国务院决定，无需记录保留理由。"), code="basis_sufficient")
        if len(reason) < 10:
            raise CatalogueError(_("请写明保留理由（不少于10个字），例如上位法授权的具体条款。"), code="basis_reason_too_short")
        CertificationMatter.objects.filter(pk=locked.pk).update(basis_exception_reason=reason)
        locked.basis_exception_reason = reason
        audit.record("catalog.basis_reason", obj=catalogue, actor=actor, request=request,
                     summary=_("记录设定依据保留理由：%(name)s") % {"name": locked.name}, data={"matter": locked.pk})
    return locked


REFUSALS = transitions.Refusals(error=CatalogueError)


def _transition(name: str, *, actor, catalogue: Catalogue, comment: str = "", request=None,
                comment_required=False) -> Catalogue:
    comment = (comment or "").strip()
    with transaction.atomic():
        locked = Catalogue.objects.select_for_update(of=("self",)).select_related("agency").get(pk=catalogue.pk)
        method = getattr(locked, name)
        label = TRANSITION_LABELS[name]
        if not can_proceed(method, check_conditions=False):
            raise CatalogueError(
                _("第%(version)s版清单当前为“%(state)s”，不能%(action)s。")
                % {"version": locked.version, "state": locked.get_state_display(), "action": label}, code="wrong_state",
            )
        if name in ("pass_review", "approve", "return_for_changes") and actor.pk == locked.submitted_by_id:
            raise CatalogueError(_("不能审核、批准或退回自己报送的清单。"), code="own_submission")
        if not can_proceed(method):
            if name == "submit":
                raise CatalogueError(_("清单中还没有证明事项，不能报送。"), code="no_matters")
            if name in REPORTING_STEPS:
                raise CatalogueError(_("只有区县、西咸新区的清单需要报送市司法局汇总。"), code="not_district_route")
            if name == "approve":
                raise CatalogueError(_("清单须先经本级司法局审核通过，才能批准。"), code="review_first")
            raise CatalogueError(_("当前不能%(action)s。") % {"action": label}, code="conditions")
        if not has_transition_perm(method, actor):
            raise CatalogueError(_("您无权对该清单执行“%(action)s”。") % {"action": label}, code="forbidden")
        if name in ("pass_review", "approve", "publish") and (low := unexplained_low_basis(locked)):
            raise CatalogueError(
                _("以下证明事项的设定依据仅为部门规章或规范性文件，须由司法局审核人员记录保留理由后才能%(action)s：")
                % {"action": label} + "；".join(low), code="basis_unexplained")
        if name == "submit" and (problems := incomplete_matters(locked)):
            raise CatalogueError(_("告知内容不完整，不能报送：") + "；".join(problems), code="incomplete_notice")
        if comment_required and not comment:
            raise CatalogueError(_("请填写退回意见，写明需要修改的内容。"), code="comment_required")
        if name == "report" and locked.state == S.REPORT_RETURNED and not comment:
            raise CatalogueError(_("重新报送时请填写处理说明，写明对市司法局退回意见的处理情况。"), code="reply_required")
        now = timezone.now()
        stamp = STAMPS.get(name)
        if stamp:
            setattr(locked, stamp, now)
        if name == "publish":  # the version it replaces steps down first: one public version per agency
            for old in Catalogue.objects.select_for_update().filter(agency=locked.agency, state__in=Catalogue.PUBLIC_STATES):
                old.superseded_at = now
                transitions.run(old, "supersede", actor=actor, refusals=REFUSALS, audit=transitions.Audit(
                    "catalog.supersede", request=request, summary=_("被第%(version)s版替代") % {"version": locked.version}))
        transitions.run(locked, name, by=actor, actor=actor, refusals=REFUSALS, audit=transitions.Audit(
            f"catalog.{name}", request=request, summary=f"{label}：{comment}" if comment else str(label)))
        if comment:
            CatalogueComment.objects.create(catalogue=locked, author=actor, action=name, text=comment)
    return locked


def submit(*, actor, catalogue, request=None):
    return _transition("submit", actor=actor, catalogue=catalogue, request=request)


def return_for_changes(*, actor, catalogue, comment, request=None):
    return _transition("return_for_changes", actor=actor, catalogue=catalogue, comment=comment, request=request,
                       comment_required=True)


def reopen(*, actor, catalogue, request=None):
    return _transition("reopen", actor=actor, catalogue=catalogue, request=request)


def pass_review(*, actor, catalogue, comment="", request=None):
    return _transition("pass_review", actor=actor, catalogue=catalogue, comment=comment, request=request)


def approve(*, actor, catalogue, comment="", publish_now=False, request=None):
    with transaction.atomic():
        catalogue = _transition("approve", actor=actor, catalogue=catalogue, comment=comment, request=request)
        if publish_now:
            catalogue = _transition("publish", actor=actor, catalogue=catalogue, request=request)
    return catalogue


def publish(*, actor, catalogue, request=None):
    return _transition("publish", actor=actor, catalogue=catalogue, request=request)


def report(*, actor, catalogue, comment="", request=None):
    """报送汇总: a district's published list goes to the city justice bureau (again after a return, with a reply)."""
    return _transition("report", actor=actor, catalogue=catalogue, comment=comment, request=request)


def aggregate(*, actor, catalogue, comment="", request=None):
    """已汇总: the city justice bureau takes a reported district list into the city-wide list."""
    return _transition("aggregate", actor=actor, catalogue=catalogue, comment=comment, request=request)


def return_report(*, actor, catalogue, comment, request=None):
    """退回并附意见: the city justice bureau returns a reported list; the district sees the comment."""
    return _transition("return_report", actor=actor, catalogue=catalogue, comment=comment, request=request,
                       comment_required=True)
