"""The letter PDF keeps a signer's rare characters, whichever fonts (reduced or system) are in use."""

import pytest

from commitments import letters
from tests.portal.test_pdf_fonts import RARE_NAME, font_names, pdf_text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fonts", ["system", "reduced if built"])
def test_letter_prints_a_rare_character_name_in_a_cjk_serif(accepted, fonts, settings, tmp_path):
    if fonts == "system":
        settings.PDF_FONT_DIR = tmp_path / "not-built"
    commitment = accepted.commitments.first()
    commitment.signer_name = commitment.subject_name = RARE_NAME
    data = letters.render(commitment)
    text = pdf_text(data)
    assert "证明事项告知承诺书" in text
    assert text.count(RARE_NAME) == 2  # 承诺人 and the bold 签署人
    names = font_names(letters.pdf.render_pdf("commitments/letter_pdf.html", {
        "c": commitment, "s": commitment.notification, "sections": [], "statements": [],
        "verify_url": "", "qr": "", "signed_at": commitment.signed_at}, uncompressed_pdf=True))
    assert {"Noto-Serif-CJK-SC", "Noto-Serif-CJK-SC-Bold"} <= names  # the rare characters' real glyphs
