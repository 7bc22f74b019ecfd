"""Decode: a page's bytes to text, choosing the character encoding with care.

Order of evidence, strongest first (close to what browsers do):

1. a byte-order mark;
2. the ``charset`` of the HTTP ``Content-Type`` header;
3. ``<meta charset>`` / ``<meta http-equiv="Content-Type">`` / the XML declaration, looked
   for in the first :data:`META_SCAN_BYTES` bytes;
4. detection: valid UTF-8 is UTF-8, anything else goes to charset-normalizer.

Headers and meta tags lie, so each declaration is checked against the bytes before it is
believed. A declared encoding that cannot decode the bytes is overruled (a server that says
``utf-8`` in front of a cp1251 page). A *weak* declaration (ISO-8859-1, ASCII, windows-1252:
the defaults servers send when nobody configured them) gives way to a different meta charset,
or to UTF-8 when the bytes are valid, non-ASCII UTF-8 -- random single-byte text almost never
is. As browsers do, ISO-8859-1 and ASCII labels decode as windows-1252.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from newsclean.cleaners.errors import DecodeError
from newsclean.cleaners.records import Decoded, EncodingSource

#: how far into the document a meta charset declaration is looked for
META_SCAN_BYTES = 16_384
#: how much of the document charset-normalizer reads when detecting
DETECT_SAMPLE_BYTES = 131_072

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([^\s\"';,]+)", re.IGNORECASE)
_META_CHARSET = re.compile(
    rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_:.\-]+)"
    rb"|<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9_:.\-]+)",
    re.IGNORECASE,
)
# WHATWG Encoding Standard: labels browsers decode with a superset codec.
_SUPERSETS = {
    "latin-1": "cp1252",
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "utf-16": "utf-8",  # a byte-level declaration cannot really mean UTF-16
    "utf-16-le": "utf-8",
    "utf-16-be": "utf-8",
}
_WEAK = frozenset({"cp1252"})
# WHATWG labels Python's codecs module does not know, by the codec that decodes them.
_WEB_ALIASES = {
    "windows-874": "cp874",
    "x-mac-cyrillic": "mac-cyrillic",
    "x-mac-ukrainian": "mac-cyrillic",
    "windows-31j": "cp932",
    "x-sjis": "shift_jis",
    "ms932": "cp932",
    "iso-8859-8-i": "iso8859-8",
    "csiso88598i": "iso8859-8",
    "logical": "iso8859-8",
    "x-gbk": "gbk",
    "x-euc-jp": "euc_jp",
    "x-x-big5": "big5",
}
# Python codecs (by their canonical name) that decode an encoding of the WHATWG Encoding
# Standard, plus the legacy names those are supersets of. Anything else Python knows --
# EBCDIC code pages, UTF-7, "undefined", byte-to-byte codecs such as rot13 or base64 -- is no
# encoding a browser would apply to a page, and a page declaring it is decoded as if it had
# declared nothing.
_WEB_CODECS = frozenset(
    {
        "utf-8",
        "utf-16",
        "utf-16-le",
        "utf-16-be",
        "utf-32",
        "ascii",
        "latin-1",
        "cp866",
        "koi8-r",
        "koi8-u",
        "mac-roman",
        "mac-cyrillic",
        "cp874",
        "tis-620",
        "gbk",
        "gb2312",
        "gb18030",
        "big5",
        "big5hkscs",
        "euc_jp",
        "iso2022_jp",
        "shift_jis",
        "cp932",
        "euc_kr",
        "cp949",
    }
    | {f"iso8859-{part}" for part in range(1, 17) if part != 12}
    | {f"cp{page}" for page in range(1250, 1259)}
)
#: bytes looked at to tell broken UTF-8 from another encoding
UTF8_SAMPLE_BYTES = 1_048_576
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def decode_html(body: bytes, content_type: str | None = None) -> Decoded:
    """Decode an HTML page's bytes, given the HTTP ``Content-Type`` header when known.

    Never fails on odd bytes: when no declaration fits, the result says so through
    ``source`` ("detected" / "fallback") and ``lossy``. Raises :class:`DecodeError` only for
    input that is not bytes at all.
    """
    if not isinstance(body, bytes | bytearray | memoryview):
        raise DecodeError(f"expected bytes, got {type(body).__name__}")
    data = bytes(body)
    from_bom = _decode_bom(data)
    if from_bom is not None:
        return from_bom
    header = codec_for(charset_from_content_type(content_type))
    meta = codec_for(charset_from_meta(data[:META_SCAN_BYTES]))
    declared = _decode_declared(data, header, meta)
    if declared is not None:
        return declared
    overruled = header if header is not None else None
    return _decode_detected(data, overruled, fallback=header or meta)


def charset_from_content_type(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type header value, if any."""
    if not content_type:
        return None
    match = _HEADER_CHARSET.search(content_type)
    return match.group(1) if match else None


def charset_from_meta(head: bytes) -> str | None:
    """The charset a ``<meta>`` tag or XML declaration in ``head`` declares, if any."""
    match = _META_CHARSET.search(head)
    if match is None:
        return None
    label = match.group(1) or match.group(2)
    return label.decode("ascii", "replace")


def codec_for(label: str | None) -> str | None:
    """Python codec name for an encoding label, with browser supersets; None if unknown.

    Only the encodings of the WHATWG Encoding Standard count (:data:`_WEB_CODECS`): Python's
    byte-to-byte codecs (rot13, base64...), its "undefined" codec, EBCDIC and UTF-7 (never
    decoded by browsers, and a way to smuggle markup) are not encodings of a web page.
    """
    if not label:
        return None
    try:
        cleaned = label.strip().strip("\"'").lower()
        info = codecs.lookup(_WEB_ALIASES.get(cleaned, cleaned))
    except LookupError:
        return None
    if info.name not in _WEB_CODECS:
        return None
    return _SUPERSETS.get(info.name, info.name)


def _decode_bom(data: bytes) -> Decoded | None:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text, lossy = _decode_lossy(data[len(bom) :], codec)
            return Decoded(text=text, encoding=codec, source="bom", lossy=lossy)
    return None


def _decode_declared(data: bytes, header: str | None, meta: str | None) -> Decoded | None:
    """Believe the header, then the meta tag, each only as far as the bytes allow."""
    overruled: str | None = None
    candidates: list[tuple[str, EncodingSource]] = []
    if header is not None:
        candidates.append((header, "http-header"))
    if meta is not None and meta != header:
        candidates.append((meta, "meta"))
    for index, (codec, source) in enumerate(candidates):
        if codec in _WEAK:
            stronger = _stronger_than_weak(data, candidates[index + 1 :])
            if stronger is not None:
                return _with_overruled(stronger, overruled or _header_only(codec, source))
        text = _decode_strict(data, codec)
        if text is not None:
            return Decoded(text=text, encoding=codec, source=source, overruled_header=overruled)
        if source == "http-header":
            overruled = codec
    return None


def _stronger_than_weak(data: bytes, later: list[tuple[str, EncodingSource]]) -> Decoded | None:
    """A better reading than a default-looking windows-1252 declaration, if the bytes give one."""
    for codec, source in later:
        text = _decode_strict(data, codec)
        if text is not None and codec not in _WEAK:
            return Decoded(text=text, encoding=codec, source=source)
    if _is_non_ascii_utf8(data):
        return Decoded(text=data.decode("utf-8"), encoding="utf-8", source="detected")
    return None


def _header_only(codec: str, source: EncodingSource) -> str | None:
    return codec if source == "http-header" else None


def _with_overruled(decoded: Decoded, overruled: str | None) -> Decoded:
    return Decoded(
        text=decoded.text,
        encoding=decoded.encoding,
        source=decoded.source,
        overruled_header=overruled,
        lossy=decoded.lossy,
    )


def _decode_detected(data: bytes, overruled: str | None, fallback: str | None) -> Decoded:
    """No usable declaration: UTF-8 if valid, else charset-normalizer, else a lossy guess."""
    text = _decode_strict(data, "utf-8")
    if text is not None:
        return Decoded(text=text, encoding="utf-8", source="detected", overruled_header=overruled)
    if _is_mostly_utf8(data):
        text, _ = _decode_lossy(data, "utf-8")
        return Decoded(text, "utf-8", "detected", overruled_header=overruled, lossy=True)
    # charset-normalizer's candidates best first; EBCDIC and the like are no web encoding
    codec = next(
        (
            web
            for match in from_bytes(data[:DETECT_SAMPLE_BYTES])
            if (web := codec_for(match.encoding)) is not None
        ),
        None,
    )
    if codec is not None:
        text, lossy = _decode_lossy(data, codec)
        return Decoded(text, codec, "detected", overruled_header=overruled, lossy=lossy)
    codec = fallback or "cp1252"
    text, lossy = _decode_lossy(data, codec)
    return Decoded(text, codec, "fallback", overruled_header=overruled, lossy=lossy)


def _decode_strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        if codec == "cp1252":
            # bytes undefined in windows-1252 (0x81, 0x8D, ...) are C1 controls in browsers
            return data.decode("latin-1")
        return None
    except (LookupError, UnicodeError):
        return None  # a codec that cannot decode at all


def _decode_lossy(data: bytes, codec: str) -> tuple[str, bool]:
    text = _decode_strict(data, codec)
    if text is not None:
        return text, False
    try:
        return data.decode(codec, errors="replace"), True
    except (LookupError, UnicodeError):
        return data.decode("cp1252", errors="replace"), True  # the codec is unusable


def _is_non_ascii_utf8(data: bytes) -> bool:
    if data.isascii():
        return False
    return _decode_strict(data, "utf-8") is not None


def _is_mostly_utf8(data: bytes) -> bool:
    """UTF-8 with a few broken bytes (a truncated or spliced page), not another encoding.

    Judged on the first :data:`UTF8_SAMPLE_BYTES`: counting every sequence of a 50 MB page
    took seconds and a gigabyte.
    """
    sample = data[:UTF8_SAMPLE_BYTES]
    valid = sum(1 for _ in _UTF8_MULTIBYTE.finditer(sample))
    replaced = sample.decode("utf-8", errors="replace").count("\ufffd")
    broken = replaced - sample.count("\ufffd".encode())
    return valid >= 10 * max(broken, 1)
