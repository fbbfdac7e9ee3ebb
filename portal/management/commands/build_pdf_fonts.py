"""Build the reduced CJK fonts that PDFs use first (``portal.pdf.REDUCED_FACES``), once per machine.

WeasyPrint subsets every font face a PDF uses, and HarfBuzz's cost grows with the face: the
system Noto CJK faces (65,535 glyphs, 26 MB TTC) cost ~30–50 ms per face per PDF, a face of
GB 2312 (~8,000 glyphs, 2.7 MB) ~5 ms. So we cut, with fontTools, each system face down to
what letters normally hold: ASCII and Latin-1, general and CJK punctuation, fullwidth forms,
every character of GB 2312 (its 6,763 hanzi and symbols). Any other character (堃, 䶮, 𠮷 …)
is not lost: the PDF templates name the full system family right after the reduced one
(templates/pdf/_fonts.css), so Pango takes it from there.

The glyphs are the system font's own, so PDFs look the same. Only the Simplified Chinese
(``ZHS``) and default language systems of the OpenType layout tables are kept: letters are
``lang="zh-CN"``, and the Japanese, Korean and Traditional ``locl`` forms would almost double
the glyph count. The fonts are renamed (Noto is Google's trademark) and keep the SIL Open Font
License 1.1 name records; the licence text is copied next to them.

Run by ``make install``; does nothing when the fonts are up to date. Without the command (or
without ``fonts-noto-cjk``) PDFs simply use the system fonts.
"""

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand

from portal import pdf
from portal.fonts import system_face  # noqa: F401 - also this command's name for it (tests)

# Bump when the character set or the build changes, so `make install` rebuilds.
BUILD_VERSION = 1
LICENCE_SOURCES = ("/usr/share/doc/fonts-noto-cjk/copyright",)
RANGES = (
    (0x20, 0x7E),  # ASCII
    (0xA0, 0xFF),  # Latin-1: ·, ×, °, §
    (0x2000, 0x206F),  # general punctuation: — ‘ ’ “ ” … ‰ ※
    (0x2100, 0x21FF),  # letterlike, number forms (Ⅰ–Ⅻ), arrows
    (0x2460, 0x24FF),  # ①–⑳, ⑴, ⒈
    (0x3000, 0x303F),  # CJK symbols and punctuation: 、。〔〕《》「」
    (0xFF00, 0xFFEF),  # fullwidth forms: （），：；
)


def gb2312_characters() -> set[str]:
    """Every character GB 2312 encodes (rows 1–9 symbols, 6,763 hanzi)."""
    chars = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def character_set() -> set[int]:
    codepoints = {ord(c) for c in gb2312_characters()}
    for first, last in RANGES:
        codepoints.update(range(first, last + 1))
    return codepoints


def build_face(source: Path, index: int, dest: Path, *, family: str, bold: bool, codepoints) -> int:
    """Write the reduced face to ``dest`` (atomically); returns its glyph count."""
    from fontTools import subset

    options = subset.Options()
    options.font_number = index
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.name_languages = [0x409]
    options.name_legacy = False
    font = subset.load_font(str(source), options)
    for tag in ("GSUB", "GPOS"):
        if tag in font:
            for record in font[tag].table.ScriptList.ScriptRecord:
                kept = [r for r in record.Script.LangSysRecord if r.LangSysTag == "ZHS "]
                record.Script.LangSysRecord = kept
                record.Script.LangSysCount = len(kept)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codepoints))
    subsetter.subset(font)
    _rename(font, family=family, bold=bold, source=source)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=dest.parent, prefix=".build-", suffix=".otf", delete=False) as tmp:
        subset.save_font(font, tmp.name, options)
    os.chmod(tmp.name, 0o644)  # noqa: S103 - a font, readable by the web and worker users
    os.replace(tmp.name, dest)
    return font["maxp"].numGlyphs


def _rename(font, *, family: str, bold: bool, source: Path) -> None:
    """A Modified Version under the OFL: new names, the original copyright and licence records kept."""
    name = font["name"]
    style = "Bold" if bold else "Regular"
    postscript = family.replace(" ", "") + "-" + style
    original = name.getDebugName(4) or source.name
    for name_id in (1, 2, 3, 4, 6, 7, 16, 17, 18):
        name.removeNames(nameID=name_id)
    for name_id, value in (
        (1, family), (2, style), (3, f"{postscript};build {BUILD_VERSION}"), (4, f"{family} {style}"),
        (6, postscript), (10, f"GB 2312 subset of {original} for 承诺通 PDFs (SIL Open Font License 1.1)"),
    ):
        name.setName(value, name_id, 3, 1, 0x409)
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [postscript]
        top = cff.topDictIndex[0]
        for attr in ("FullName", "FamilyName"):
            if hasattr(top, attr):
                setattr(top, attr, f"{family} {style}" if attr == "FullName" else family)


class Command(BaseCommand):
    help = "生成 PDF 使用的精简中文字体（GB 2312 字符集，其余字符回退到系统字体）。"

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="即使字体已是最新也重新生成")

    def handle(self, *args, force=False, **options):
        dest_dir = pdf.font_dir()
        manifest_path = dest_dir / "manifest.json"
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            manifest = {}
        codepoints = None
        changed = False
        for face in pdf.REDUCED_FACES:
            found = system_face(face.source)
            if found is None:
                self.stderr.write(f"未找到系统字体 {face.source}（fonts-noto-cjk）：PDF 将直接使用系统字体。")
                continue
            source, index = found
            stat = source.stat()
            stamp = {"source": str(source), "index": index, "size": stat.st_size, "mtime": stat.st_mtime_ns,
                     "build": BUILD_VERSION}
            dest = dest_dir / face.file
            if not force and dest.is_file() and manifest.get(face.file) == stamp:
                continue
            codepoints = codepoints or character_set()
            started = time.monotonic()
            glyphs = build_face(source, index, dest, family=face.family, bold=face.weight >= 600,
                                codepoints=codepoints)
            manifest[face.file] = stamp
            changed = True
            self.stdout.write(f"{dest}: {glyphs} 个字形，{dest.stat().st_size // 1024} KB，"
                              f"{time.monotonic() - started:.1f} 秒")
        if changed:
            self._write_licence(dest_dir)
            manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")

    def _write_licence(self, dest_dir: Path) -> None:
        for path in LICENCE_SOURCES:
            if Path(path).is_file():
                shutil.copyfile(path, dest_dir / "LICENSE-fonts-noto-cjk.txt")
                break
        (dest_dir / "README.txt").write_text(
            "These fonts are subsets of the Noto Serif CJK SC / Noto Sans CJK SC fonts installed on this\n"
            "machine (Debian fonts-noto-cjk), renamed and built by `python manage.py build_pdf_fonts`.\n"
            "They are licensed under the SIL Open Font License 1.1 (see LICENSE-fonts-noto-cjk.txt and\n"
            "https://openfontlicense.org). Copyright © 2017-2022 Adobe (http://www.adobe.com/).\n",
            encoding="utf-8",
        )
