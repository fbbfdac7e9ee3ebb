"""Comparing two versions of a catalogue: matters added, removed, and changed field by field."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .models import CertificationMatter, VerificationMethod


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class MatterChange:
    old: CertificationMatter
    new: CertificationMatter
    changes: list[FieldChange] = field(default_factory=list)


@dataclass
class Diff:
    added: list[CertificationMatter]
    removed: list[CertificationMatter]
    changed: list[MatterChange]
    unchanged: int

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def display(matter: CertificationMatter, name: str) -> str:
    model_field = CertificationMatter._meta.get_field(name)
    value = getattr(matter, name)
    if model_field.choices:
        return str(getattr(matter, f"get_{name}_display")()) if value else ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if name == "verification_methods":
        labels = dict(VerificationMethod.choices)
        return "、".join(str(labels.get(v, v)) for v in value or [])
    if value is None:
        return ""
    return str(value)


def compare(old_matters, new_matters) -> Diff:
    """Matters are matched by their ``key`` (kept across versions), so a rename shows as a change."""
    old = {m.key: m for m in old_matters}
    new = {m.key: m for m in new_matters}
    added = [m for k, m in new.items() if k not in old]
    removed = [m for k, m in old.items() if k not in new]
    changed, unchanged = [], 0
    for key, after in new.items():
        before = old.get(key)
        if before is None:
            continue
        changes = []
        for name in CertificationMatter.DIFF_FIELDS:
            a, b = display(before, name), display(after, name)
            if a != b:
                changes.append(FieldChange(str(CertificationMatter._meta.get_field(name).verbose_name), a, b))
        if changes:
            changed.append(MatterChange(before, after, changes))
        else:
            unchanged += 1
    return Diff(added=sorted(added, key=lambda m: m.seq), removed=sorted(removed, key=lambda m: m.seq),
                changed=sorted(changed, key=lambda c: c.new.seq), unchanged=unchanged)
