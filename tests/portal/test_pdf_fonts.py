"""PDF fonts: the reduced faces are used when built, the system fonts otherwise, rare characters never lost."""

import re
import shutil
import subprocess

import pytest

from portal import pdf
from portal.management.commands import build_pdf_fonts

RARE_NAME = "王堃喆䶮𠮷"  # 堃 喆 (GBK), 䶮 (Ext A), 𠮷 (Ext B): none is in GB 2312
TEXT = "证明事项告知承诺书 申请人承诺所填信息真实。签署人："


def font_names(data: bytes) -> set[str]:
    return {m.decode() for m in re.findall(rb"/BaseFont\s*/[A-Z]{6}\+([\w-]+)", data)}


def pdf_text(data: bytes) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


@pytest.fixture
def sample(tmp_path, settings):
    template_dir = tmp_path / "templates"
    template_dir.mkdir()
    (template_dir / "sample_pdf.html").write_text(
        '<html lang="zh-CN"><head><style>{% include "pdf/_fonts.css" %}'
        "body { font-family: var(--pdf-serif); } h1 { font-weight: bold; }</style></head>"
        f"<body><h1>{TEXT}</h1><p>{TEXT}{{{{ name }}}}</p><p><b>{{{{ name }}}}</b></p></body></html>",
        encoding="utf-8",
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [template_dir, *settings.TEMPLATES[0]["DIRS"]]}]
    return "sample_pdf.html"


@pytest.fixture(scope="session")
def built_fonts(tmp_path_factory):
    """The serif faces cut down to the sample's common characters (the real build takes GB 2312: ~10 s a face)."""
    folder = tmp_path_factory.mktemp("pdf-fonts")
    codepoints = {ord(c) for c in TEXT + "王"}
    for face in pdf.REDUCED_FACES[:2]:
        found = build_pdf_fonts.system_face(face.source)
        if found is None:
            pytest.skip("fonts-noto-cjk is not installed")
        build_pdf_fonts.build_face(*found, folder / face.file, family=face.family, bold=face.weight >= 600,
                                   codepoints=codepoints)
    return folder


def test_without_built_fonts_pdfs_use_the_system_cjk_fonts(sample, settings, tmp_path):
    settings.PDF_FONT_DIR = tmp_path / "not-built"
    assert pdf.font_faces() == []
    data = pdf.render_pdf(sample, {"name": RARE_NAME}, uncompressed_pdf=True)
    names = font_names(data)
    assert {"Noto-Serif-CJK-SC", "Noto-Serif-CJK-SC-Bold"} <= names
    assert not any(n.startswith("Chengnuo") for n in names)
    assert RARE_NAME in pdf_text(data)


def test_built_fonts_are_embedded_and_rare_characters_fall_back_to_the_system_font(sample, settings, built_fonts):
    settings.PDF_FONT_DIR = built_fonts
    assert [f["family"] for f in pdf.font_faces()] == ["Chengnuo Serif", "Chengnuo Serif"]
    data = pdf.render_pdf(sample, {"name": RARE_NAME}, uncompressed_pdf=True)
    names = font_names(data)
    assert {"Chengnuo-Serif", "Chengnuo-Serif-Bold"} <= names  # the common text: reduced faces
    assert {"Noto-Serif-CJK-SC", "Noto-Serif-CJK-SC-Bold"} <= names  # 堃 喆 䶮 𠮷 in regular and bold
    text = pdf_text(data)
    assert text.count(RARE_NAME) == 2 and TEXT.split()[0] in text


def test_common_text_needs_no_system_face_when_built(sample, settings, built_fonts):
    settings.PDF_FONT_DIR = built_fonts
    names = font_names(pdf.render_pdf(sample, {"name": "王"}, uncompressed_pdf=True))
    assert {"Chengnuo-Serif", "Chengnuo-Serif-Bold"} <= names
    assert not any("CJK" in n for n in names)  # no 26 MB face to subset


def test_the_system_faces_hold_the_rare_characters():
    """What the fallback relies on: the full faces have real glyphs for them (no tofu)."""
    from fontTools.ttLib import TTFont

    for face in pdf.REDUCED_FACES:
        found = build_pdf_fonts.system_face(face.source)
        if found is None:
            pytest.skip("fonts-noto-cjk is not installed")
        cmap = TTFont(found[0], fontNumber=found[1], lazy=True).getBestCmap()
        assert all(ord(c) in cmap for c in RARE_NAME), face.source


def test_reduced_set_covers_gb2312_and_letter_punctuation():
    codepoints = build_pdf_fonts.character_set()
    assert len(build_pdf_fonts.gb2312_characters()) > 7000
    assert all(ord(c) in codepoints for c in "告知承诺书（一）：“”、。《》〔〕—…ABC123")
    assert not any(ord(c) in codepoints for c in RARE_NAME[1:])


def test_only_font_files_of_the_built_folder_are_fetchable(settings, tmp_path):
    folder = tmp_path / "pdf-fonts"
    folder.mkdir()
    (folder / "ChengnuoSerif-Regular.otf").write_bytes(b"OTTO")
    (folder / "manifest.json").write_text("{}")
    (folder / "sub").mkdir()
    (folder / "sub" / "x.otf").write_bytes(b"OTTO")
    (tmp_path / "outside.otf").write_bytes(b"OTTO")
    settings.PDF_FONT_DIR = folder
    assert pdf._allowed(folder / "ChengnuoSerif-Regular.otf")
    assert not pdf._allowed(folder / "manifest.json")
    assert not pdf._allowed(folder / "sub" / "x.otf")
    assert not pdf._allowed((folder / ".." / "outside.otf").resolve())
    assert not pdf._allowed(folder / "missing.otf")
