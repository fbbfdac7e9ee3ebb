"""Where the PDF fonts are: the reduced faces ``build_pdf_fonts`` writes, and the system faces fontconfig
gives. Read by ``portal.pdf`` (letters) and ``portal.seals`` (the seal box's font) alike, so neither needs
the other for it."""

import shutil
import subprocess  # nosec B404 - fc-match with fixed arguments, no shell
from pathlib import Path

from django.conf import settings


def font_dir() -> Path:
    """Where ``build_pdf_fonts`` writes the reduced fonts (``PDF_FONT_DIR``, default ``VAR_DIR/pdf-fonts``)."""
    return Path(getattr(settings, "PDF_FONT_DIR", None) or Path(settings.VAR_DIR) / "pdf-fonts").resolve()


def system_face(pattern: str) -> tuple[Path, int] | None:
    """(file, index in a collection) of the system font fontconfig gives for ``pattern``, if it is the one asked."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    try:
        out = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
            [fc_match, "--format=%{file}\n%{index}\n%{family}\n%{weight}", pattern],
            capture_output=True, text=True, timeout=30, check=True,
        ).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        return None
    family, _, weight = pattern.partition(":weight=")
    if len(out) < 4 or family not in out[2].split(",") or (weight and out[3] != weight):
        return None  # fontconfig substituted another family or weight: that face is not installed
    return Path(out[0]), int(out[1] or 0)
