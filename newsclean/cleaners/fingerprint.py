"""Near-duplicate fingerprint of a text: its MinHash signature, a pure function of the text.

The run's near-duplicate index (``newsclean.pipeline.dedup``) compares texts by MinHash
signature. The signature depends on the text and a :class:`MinHashSpec` alone, so it is
computed where the page is cleaned (a worker process) and travels back with the article as a
:class:`TextFingerprint`, a plain picklable value; the driver uses it instead of hashing the
text again. The driver computes signatures with the very same functions when a page comes
without one.

How a text becomes a signature::

    text -> words_of: NFKC, case-folded, \\w+ words
         -> shingle_hashes: one 32-bit hash per run of ``shingle_words`` words
         -> minhash_signature: ``num_perm`` minima of affine permutations of those hashes

``minhash_signature`` is datasketch's ``MinHash`` (scheme ``affine32``, datasketch >= 2.0)
computed in numpy without it: the same permutations from the same seed, the same MurmurHash3
pre-mix, the same ``a * h + b`` mod 2**32, so every value is equal to datasketch's (a test
holds this) while a worker needs neither datasketch nor the scipy it imports (~1.7 s at start).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import numpy as np
import numpy.typing as npt

from newsclean.cleaners.records import Article

#: MinHash permutation scheme: datasketch's name for it (stored in the state's settings)
SCHEME: Final = "affine32"
#: bump when the normalisation or shingling changes: stored signatures become incomparable
SHINGLING: Final = "nfkc-casefold-words-blake2b-poly-v1"
#: how signature values are laid out in bytes (in the outcome and in the state)
SIGNATURE_DTYPE: Final = np.dtype("<u4")

_WORD: Final = re.compile(r"\w+")
#: odd 64-bit constant (golden-ratio based) combining word hashes into a shingle hash
_SHINGLE_MULTIPLIER: Final = np.uint64(0x9E3779B97F4A7C15)
#: datasketch's MurmurHash3 32-bit finalizer: (shift, multiplier, shift, multiplier, shift)
_FMIX32: Final = (
    np.uint32(16),
    np.uint32(0x85EBCA6B),
    np.uint32(13),
    np.uint32(0xC2B2AE35),
    np.uint32(16),
)
#: shingles permuted at once: bounds the (shingles x num_perm) work array to ~2 MB
_CHUNK: Final = 4096

Signature = npt.NDArray[np.uint32]


@dataclass(frozen=True, slots=True)
class MinHashSpec:
    """What shapes a signature: two signatures compare only when their specs are equal."""

    num_perm: int = 128
    seed: int = 1
    #: words per shingle
    shingle_words: int = 5

    @property
    def key(self) -> str:
        """One string naming everything that makes a signature (compared, never parsed)."""
        return (
            f"datasketch-{SCHEME}/{SHINGLING}-{self.shingle_words}"
            f"/perm-{self.num_perm}/seed-{self.seed}"
        )


@dataclass(frozen=True, slots=True)
class TextFingerprint:
    """The near-duplicate signature of one text, made where the text was cleaned."""

    #: :attr:`MinHashSpec.key` of the spec it was made with
    spec: str
    #: sha256 hex of the UTF-8 text it was made of: the row's ``content_hash`` when that
    #: row still has this text (site rules may have removed lines since)
    text_sha256: str
    #: normalised words in the text (:func:`words_of`)
    words: int
    #: ``num_perm`` little-endian uint32 values; empty when the text has no whole shingle
    signature: bytes


@dataclass(frozen=True, slots=True)
class FingerprintedArticle:
    """A cleaned article and its fingerprint (None: a page that is never indexed)."""

    article: Article
    fingerprint: TextFingerprint | None


def words_of(text: str) -> list[str]:
    """The normalised words near-duplicate detection compares (NFKC, case-folded, ``\\w+``)."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def shingle_hashes(words: list[str], size: int) -> npt.NDArray[np.uint32]:
    """A 32-bit hash of every ``size``-word shingle (duplicates kept: MinHash ignores them).

    Each distinct word is hashed once (blake2b, 64 bits) and the shingle hash is a polynomial
    over its words' hashes, computed for all shingles at once: hashing each joined shingle
    string instead costs ~3x more on long texts. The high 32 bits of the 64-bit product are
    kept (they depend on every word); the MinHash pre-mix scrambles them again.
    """
    count = len(words) - size + 1
    if count < 1:
        return np.empty(0, dtype=np.uint32)
    table = {word: _word_hash(word) for word in dict.fromkeys(words)}
    hashes = np.array(list(map(table.__getitem__, words)), dtype=np.uint64)
    combined = hashes[:count].copy()
    for offset in range(1, size):
        combined = combined * _SHINGLE_MULTIPLIER + hashes[offset : offset + count]  # mod 2**64
    return (combined >> np.uint64(32)).astype(np.uint32)


def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")


def minhash_signature(words: list[str], spec: MinHashSpec) -> Signature:
    """The MinHash of ``words``' shingles: datasketch's affine32 ``hashvalues``, bit for bit.

    No shingle (fewer words than ``shingle_words``) gives every value at its maximum, as an
    empty datasketch MinHash has.
    """
    a, b = permutations(spec.num_perm, spec.seed)
    signature = np.full(spec.num_perm, np.iinfo(np.uint32).max, dtype=np.uint32)
    mixed = _fmix32(shingle_hashes(words, spec.shingle_words))
    for start in range(0, len(mixed), _CHUNK):
        chunk = mixed[start : start + _CHUNK, np.newaxis]
        np.minimum(signature, (chunk * a + b).min(axis=0), out=signature)  # mod 2**32
    return signature


@lru_cache(maxsize=8)
def permutations(num_perm: int, seed: int) -> tuple[Signature, Signature]:
    """datasketch's affine32 ``(a, b)`` for ``seed``: ``a`` odd (a bijection on 32 bits)."""
    generator = np.random.RandomState(seed)
    a = generator.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    a.flags.writeable = b.flags.writeable = False  # shared by every call: cached
    return a, b


def _fmix32(values: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    shift1, multiplier1, shift2, multiplier2, shift3 = _FMIX32
    values = values ^ (values >> shift1)
    values = values * multiplier1
    values = values ^ (values >> shift2)
    values = values * multiplier2
    return values ^ (values >> shift3)


def signature_bytes(signature: Signature) -> bytes:
    return signature.astype(SIGNATURE_DTYPE).tobytes()


def signature_from_bytes(data: bytes) -> Signature:
    """The values of :func:`signature_bytes` (a read-only view of ``data``)."""
    return np.frombuffer(data, dtype=SIGNATURE_DTYPE).astype(np.uint32, copy=False)


def fingerprint_text(text: str, spec: MinHashSpec) -> TextFingerprint:
    """``text``'s fingerprint under ``spec``."""
    words = words_of(text)
    enough = len(words) >= spec.shingle_words
    signature = signature_bytes(minhash_signature(words, spec)) if enough else b""
    sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return TextFingerprint(spec.key, sha256, len(words), signature)


def fingerprint_article(article: Article, spec: MinHashSpec) -> FingerprintedArticle:
    """``article`` with the fingerprint of its text; none for a page no run keeps (not an
    article, a soft failure): only kept rows are indexed."""
    if not article.is_article or article.soft_failure is not None:
        return FingerprintedArticle(article, None)
    return FingerprintedArticle(article, fingerprint_text(article.text, spec))
