from __future__ import annotations

import unicodedata

from nlp.text import fold, nfc


def test_fold_removes_diacritics_and_d_stroke() -> None:
    assert fold("Thủ tục hành chính") == "thu tuc hanh chinh"
    assert fold("ĐỀN BÙ  giải phóng\nmặt bằng") == "den bu giai phong mat bang"


def test_fold_is_the_same_for_nfc_and_nfd() -> None:
    text = "Người dân phản ánh"
    assert fold(unicodedata.normalize("NFD", text)) == fold(text)


def test_nfc() -> None:
    assert nfc(unicodedata.normalize("NFD", "hòa")) == unicodedata.normalize("NFC", "hòa")
