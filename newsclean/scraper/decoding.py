"""Bounded body reading: collect the raw bytes of a response and undo its Content-Encoding.

A compression bomb (a few kB of gzip or brotli that inflate to gigabytes) must fail with
:class:`BodyTooLarge` having allocated little more than the cap, so every decompression step
is asked for at most ``min(room + 1, 256 KiB)`` bytes (``room`` = what the cap still
allows): getting that extra byte proves the cap is crossed without inflating anything
beyond it, and the fixed block keeps one call from doubling the memory in use.

* gzip / x-gzip: zlib with the gzip wrapper; concatenated gzip members are read in turn;
* deflate: zlib-wrapped as the RFC says, or raw deflate as some servers send it (detected);
* br: brotli's streaming ``Decompressor`` with ``output_buffer_limit`` (brotli >= 1.2);
* identity (or no header): the bytes as they came.

A compressed stream that stops before its end is a truncated body (transient, like a reset
connection); a corrupt stream or an unknown coding is :class:`BadContentEncoding`.
"""

from __future__ import annotations

import zlib
from typing import Protocol

import brotli

from newsclean.scraper.errors import (
    BadContentEncoding,
    BodyTooLarge,
    FetchError,
    TransportError,
)

#: what we advertise in Accept-Encoding; exactly the codings this module can undo
ACCEPT_ENCODING = "gzip, deflate, br"

_GZIP_WBITS = 16 + zlib.MAX_WBITS
_ZLIB_WBITS = zlib.MAX_WBITS
_RAW_DEFLATE_WBITS = -zlib.MAX_WBITS
#: most bytes one decompression call may produce: memory stays near the cap, not twice it
_BLOCK = 256 * 1024


class _CapExceeded(Exception):
    """A stage produced more than its cap (internal signal, becomes BodyTooLarge)."""


class _Incomplete(Exception):
    """A compressed stream ended before its end marker (becomes TransportError)."""


# decompressors raise these on corrupt input
_CODEC_ERRORS: tuple[type[Exception], ...] = (zlib.error, brotli.error)

_DECODING_SIGNALS: tuple[type[Exception], ...] = (_CapExceeded, _Incomplete, *_CODEC_ERRORS)


class _Stage(Protocol):
    def feed(self, data: bytes) -> bytes: ...

    def finish(self) -> bytes: ...


class _ZlibStage:
    """gzip or deflate, never producing more than ``cap`` bytes in total."""

    __slots__ = ("_cap", "_decompressor", "_gzip", "_pending", "_seen_input", "_total")

    def __init__(self, cap: int, *, gzip: bool) -> None:
        self._cap = cap
        self._gzip = gzip
        self._total = 0
        self._seen_input = False
        # deflate waits for its first two bytes to tell zlib-wrapped from raw
        self._pending = b""
        self._decompressor = zlib.decompressobj(_GZIP_WBITS) if gzip else None

    def feed(self, data: bytes) -> bytes:
        if not data:
            return b""
        self._seen_input = True
        decompressor = self._decompressor or self._start_deflate(data)
        if decompressor is None:
            return b""
        if self._pending:
            data, self._pending = self._pending + data, b""
        out = [self._inflate(decompressor, data)]
        # a gzip body may be several members back to back
        while self._gzip and decompressor.eof and decompressor.unused_data:
            leftover = decompressor.unused_data
            decompressor = self._decompressor = zlib.decompressobj(_GZIP_WBITS)
            out.append(self._inflate(decompressor, leftover))
        return b"".join(out) if len(out) > 1 else out[0]

    def finish(self) -> bytes:
        if not self._seen_input:
            return b""  # an empty body carries no stream at all
        decompressor = self._decompressor or self._start_deflate(b"", final=True)
        if decompressor is None:
            raise _Incomplete
        tail = self._inflate(decompressor, self._pending) if self._pending else b""
        if not decompressor.eof:
            raise _Incomplete
        return tail

    def _inflate(self, decompressor: zlib._Decompress, data: bytes) -> bytes:
        pieces: list[bytes] = []
        while True:
            limit = min(self._cap - self._total + 1, _BLOCK)
            piece = decompressor.decompress(data, limit)
            self._total += len(piece)
            if self._total > self._cap:
                raise _CapExceeded
            pieces.append(piece)
            data = decompressor.unconsumed_tail
            # a full block may mean more output is waiting even with no input left
            if decompressor.eof or (not data and len(piece) < limit):
                return b"".join(pieces) if len(pieces) > 1 else pieces[0]

    def _start_deflate(self, data: bytes, *, final: bool = False) -> zlib._Decompress | None:
        head = self._pending + data
        if len(head) < 2 and not final:
            self._pending = head
            return None
        if len(head) < 2:
            return None
        # RFC 1950 header: CM = 8 and the 16-bit header is a multiple of 31
        wrapped = head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0
        self._decompressor = zlib.decompressobj(_ZLIB_WBITS if wrapped else _RAW_DEFLATE_WBITS)
        return self._decompressor


class _BrotliStage:
    __slots__ = ("_cap", "_decompressor", "_seen_input", "_total")

    def __init__(self, cap: int) -> None:
        self._cap = cap
        self._total = 0
        self._seen_input = False
        self._decompressor = brotli.Decompressor()

    def feed(self, data: bytes) -> bytes:
        if not data:
            return b""
        self._seen_input = True
        out = [self._process(data)]
        # the decompressor stopped at the limit: drain it (with empty input) before new data
        while not self._decompressor.can_accept_more_data():
            more = self._process(b"")
            if not more:
                break
            out.append(more)
        return b"".join(out) if len(out) > 1 else out[0]

    def finish(self) -> bytes:
        if self._seen_input and not self._decompressor.is_finished():
            raise _Incomplete
        return b""

    def _process(self, data: bytes) -> bytes:
        limit = min(self._cap - self._total + 1, _BLOCK)
        out: bytes = self._decompressor.process(data, output_buffer_limit=limit)
        self._total += len(out)
        if self._total > self._cap:
            raise _CapExceeded
        return out


def _make_stage(coding: str, cap: int) -> _Stage | None:
    """The stage undoing one coding; None for identity."""
    if coding in ("gzip", "x-gzip"):
        return _ZlibStage(cap, gzip=True)
    if coding == "deflate":
        return _ZlibStage(cap, gzip=False)
    if coding == "br":
        return _BrotliStage(cap)
    if coding in ("identity", ""):
        return None
    raise ValueError(coding)


class BodyReader:
    """Accumulates one response body, decoded, under a byte cap.

    The cap holds for the raw bytes on the wire and for the output of every decoding stage
    (the last stage's output is the body).
    """

    __slots__ = ("_chunks", "_max_bytes", "_size", "_stages", "_url", "raw_size")

    def __init__(self, url: str, content_encoding: str, max_bytes: int) -> None:
        self._url = url
        self._max_bytes = max_bytes
        self._chunks: list[bytes] = []
        self._size = 0
        #: bytes received on the wire so far (after de-chunking, before decoding)
        self.raw_size = 0
        self._stages = self._build_stages(content_encoding)

    @property
    def size(self) -> int:
        """Decoded bytes collected so far."""
        return self._size

    def feed(self, raw: bytes) -> None:
        self.raw_size += len(raw)
        if self.raw_size > self._max_bytes:
            raise BodyTooLarge(self._url, f"body exceeds {self._max_bytes} bytes")
        data = raw
        try:
            for stage in self._stages:
                data = stage.feed(data)
        except _DECODING_SIGNALS as exc:
            raise self._as_fetch_error(exc) from exc
        if data:
            self._chunks.append(data)
            self._size += len(data)

    def head(self, size: int) -> bytes:
        """The first ``size`` decoded bytes (fewer if the body is shorter)."""
        out = bytearray()
        for chunk in self._chunks:
            out += chunk[: size - len(out)]
            if len(out) >= size:
                break
        return bytes(out)

    def finish(self) -> bytes:
        """Flush the decoders and return the whole decoded body."""
        try:
            for index, stage in enumerate(self._stages):
                tail = stage.finish()
                # a stage's tail still has to pass through the stages after it
                for later in self._stages[index + 1 :]:
                    tail = later.feed(tail)
                if tail:
                    self._chunks.append(tail)
                    self._size += len(tail)
        except _DECODING_SIGNALS as exc:
            raise self._as_fetch_error(exc) from exc
        body = b"".join(self._chunks)
        self._chunks = []
        return body

    def _as_fetch_error(self, exc: Exception) -> FetchError:
        if isinstance(exc, _CapExceeded):
            return BodyTooLarge(self._url, f"decoded body exceeds {self._max_bytes} bytes")
        if isinstance(exc, _Incomplete):
            return TransportError(self._url, "compressed body ended early (truncated)")
        return BadContentEncoding(self._url, f"corrupt compressed body: {exc}")

    def _build_stages(self, content_encoding: str) -> list[_Stage]:
        # codings are listed in the order they were applied: undo them last to first
        codings = [c.strip().lower() for c in content_encoding.split(",")]
        stages: list[_Stage] = []
        for coding in reversed(codings):
            try:
                stage = _make_stage(coding, self._max_bytes)
            except ValueError:
                raise BadContentEncoding(
                    self._url, f"unsupported Content-Encoding {coding!r}"
                ) from None
            if stage is not None:
                stages.append(stage)
        return stages
