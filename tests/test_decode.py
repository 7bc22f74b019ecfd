"""decode_html: BOM, then header, then meta, then detection -- and wrong headers overruled."""

from __future__ import annotations

import codecs

import pytest

from newsclean.cleaners import decode_html
from newsclean.cleaners.decode import charset_from_content_type, charset_from_meta, codec_for

RUSSIAN = (
    "Министерство иностранных дел России заявило, что прямые переговоры с Украиной "
    "являются лучшим способом завершить конфликт. Дипломат подчеркнул, что западные "
    "посредники часто преследуют собственные цели и стремятся влиять на переговорный процесс."
)
JAPANESE = (
    "ロシア外務省の高官は、ウクライナとの交渉が再開される場合、仲介者なしの直接交渉が"
    "最善の方法であると述べた。西側の仲介者はしばしば自らの目的を追求していると指摘した。"
)
FRENCH = (
    "Le ministère a annoncé mercredi une réforme très attendue : les élèves étudieront "
    "désormais l'économie dès le collège, a précisé la ministre à l'Assemblée."
)


def page(text: str, meta_charset: str | None = None) -> str:
    meta = f'<meta charset="{meta_charset}">' if meta_charset else ""
    return f"<html><head>{meta}<title>t</title></head><body><p>{text}</p></body></html>"


@pytest.mark.parametrize(
    ("text", "codec", "label"),
    [
        (RUSSIAN, "cp1251", "windows-1251"),
        (JAPANESE, "shift_jis", "Shift_JIS"),
        (FRENCH, "cp1252", "iso-8859-1"),
    ],
)
def test_right_header_is_believed(text: str, codec: str, label: str) -> None:
    decoded = decode_html(page(text).encode(codec), f"text/html; charset={label}")
    assert text in decoded.text
    assert decoded.source == "http-header"
    assert decoded.overruled_header is None


@pytest.mark.parametrize(
    ("text", "codec", "label"),
    [
        (RUSSIAN, "cp1251", "windows-1251"),
        (JAPANESE, "shift_jis", "shift_jis"),
        (FRENCH, "cp1252", "iso-8859-1"),
    ],
)
def test_missing_header_uses_meta_charset(text: str, codec: str, label: str) -> None:
    decoded = decode_html(page(text, label).encode(codec), "text/html")
    assert text in decoded.text
    assert decoded.source == "meta"


@pytest.mark.parametrize(
    ("text", "codec", "label"),
    [(RUSSIAN, "cp1251", "windows-1251"), (JAPANESE, "shift_jis", "shift_jis")],
)
def test_wrong_utf8_header_falls_back_to_meta(text: str, codec: str, label: str) -> None:
    decoded = decode_html(page(text, label).encode(codec), "text/html; charset=utf-8")
    assert text in decoded.text
    assert decoded.source == "meta"
    assert decoded.overruled_header == "utf-8"


def test_default_latin1_header_gives_way_to_specific_meta() -> None:
    # Apache's AddDefaultCharset sends ISO-8859-1 whatever the page says
    body = page(RUSSIAN, "windows-1251").encode("cp1251")
    decoded = decode_html(body, "text/html; charset=ISO-8859-1")
    assert RUSSIAN in decoded.text
    assert decoded.encoding == "cp1251"
    assert decoded.overruled_header == "cp1252"


def test_default_latin1_header_gives_way_to_valid_utf8() -> None:
    decoded = decode_html(page(FRENCH).encode("utf-8"), "text/html; charset=iso-8859-1")
    assert FRENCH in decoded.text
    assert decoded.encoding == "utf-8"


@pytest.mark.parametrize(
    ("text", "codec"), [(RUSSIAN, "cp1251"), (JAPANESE, "shift_jis"), (FRENCH, "cp1252")]
)
def test_no_declaration_at_all_is_detected(text: str, codec: str) -> None:
    body = page(text * 3).encode(codec)
    decoded = decode_html(body, None)
    assert text in decoded.text
    assert decoded.source == "detected"


@pytest.mark.parametrize(
    ("text", "codec"), [(RUSSIAN, "cp1251"), (JAPANESE, "shift_jis"), (FRENCH, "cp1252")]
)
def test_wrong_utf8_header_and_no_meta_is_detected(text: str, codec: str) -> None:
    decoded = decode_html(page(text * 3).encode(codec), "text/html; charset=utf-8")
    assert text in decoded.text
    assert decoded.overruled_header == "utf-8"


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ],
)
def test_bom_beats_a_wrong_header(bom: bytes, codec: str) -> None:
    decoded = decode_html(bom + page(RUSSIAN).encode(codec), "text/html; charset=iso-8859-1")
    assert RUSSIAN in decoded.text
    assert decoded.source == "bom"
    assert not decoded.text.startswith("\ufeff")


def test_utf8_with_a_stray_byte_stays_utf8_and_says_lossy() -> None:
    body = page(RUSSIAN).encode("utf-8")
    broken = body[:200] + b"\xff" + body[200:]
    decoded = decode_html(broken, None)
    assert decoded.encoding == "utf-8"
    assert decoded.lossy
    assert "\ufffd" in decoded.text


def test_plain_ascii_is_fine_with_any_declaration() -> None:
    decoded = decode_html(b"<p>hello</p>", "text/html; charset=utf-8")
    assert decoded.text == "<p>hello</p>"
    assert decoded.encoding == "utf-8"


def test_non_bytes_input_is_a_decode_error() -> None:
    from newsclean.cleaners.errors import DecodeError

    with pytest.raises(DecodeError):
        decode_html("already text", None)  # type: ignore[arg-type]


def test_declaration_parsing() -> None:
    assert charset_from_content_type('text/html; charset="Shift_JIS"') == "Shift_JIS"
    assert charset_from_content_type("text/html") is None
    assert (
        charset_from_meta(b'<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">')
        == "koi8-r"
    )
    assert charset_from_meta(b'<?xml version="1.0" encoding="ISO-8859-2"?><html>') == "ISO-8859-2"
    assert codec_for("latin1") == "cp1252"
    assert codec_for("gb2312") == "gb18030"
    assert codec_for("no-such-charset") is None
