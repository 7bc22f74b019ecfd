"""Duplicates across the whole dataset: exact copies, and near-duplicate clusters.

Two questions are answered for every article version before it is committed:

* ``duplicate_of`` -- was this exact text (``content_hash``) committed before under another
  article_id?  Then it names that first article. Any length of text.
* ``cluster_id`` -- which near-duplicate cluster does it belong to?  Syndicated copies of one
  wire story (a different intro line, a different boilerplate tail, a few edits) share one
  cluster id: the article_id of the cluster's first member, so the first member's own row
  already carries it and no committed file ever needs rewriting.

How near-duplicates are found: the text is normalised (NFKC, case-folded, ``\\w+`` words),
cut into word 5-gram shingles, and summarised by a 128-value MinHash (datasketch's scheme
``affine32``, computed by :mod:`newsclean.cleaners.fingerprint`). The signature is split into
LSH bands (for the default threshold 0.6: 18 bands of 7 values, datasketch's optimum for that
threshold); each band hashes to a 64-bit key stored in the state (``dup_bands``), so finding
candidates is one indexed SQLite query and nothing is loaded into memory at run start.
Candidates are then checked by their estimated Jaccard similarity (the share of equal MinHash
values); the best one at or above the threshold gives its cluster, else the article founds its
own cluster.

Why 0.6 and not 0.8: on 5-gram shingles a copy with a new intro sentence, a two-line tail and
three word edits is at Jaccard 0.6-0.8 from its original, and two such copies of one story are
lower still. Measured on 20,000 synthetic articles (10 % syndicated copies), pairwise recall
was 0.53 at 0.8, 0.87 at 0.6 and 0.96 at 0.5, with precision 0.999 at all three (the few
"wrong" pairs were near-identical pages already present in the real source texts). Unrelated
stories built from the same sentence templates stayed under 0.25; real unrelated articles sit
near 0. At 0.5 two different shop category pages sharing blocks were linked, hence 0.6.

Where signatures are computed. A signature is a pure function of the text, and hashing the
text was more than half of what a row cost the serial driver (55-60 % of its CPU per row in
``benchmarks.scale``'s driver mode); so the cleaning workers make it: an
outcome carries the page's :class:`~newsclean.cleaners.fingerprint.TextFingerprint` (its
signature, word count, spec, and the sha256 of the text it was made of).
:meth:`DuplicateIndex.assign` uses it only when it was made of the very text being indexed --
its sha256 is the row's ``content_hash`` -- with this index's spec; otherwise the driver
computes the signature, with the same functions. The choice: clusters are judged on the text
as written, never on the text before site rules. Site rules (``SiteTemplates`` in the run
loop) run on the driver after cleaning and may remove template lines; the row's text, and so
its hash, then differ from what the worker hashed, and the driver hashes the row's text. So a
run gives exactly the clusters it gave when every signature was made on the driver, and a
worker saves the driver the work on every page site rules leave alone (80 % of the rows in
that benchmark; the rest cost the driver what they always did). Pages that come without a
fingerprint (cleaned in a thread of the driver, a WARC record cleaned outside the engine, a
worker of an older version, another spec) are hashed on the driver too.
:attr:`DuplicateIndex.signatures` counts both kinds; the run logs them at its end.

Limits, on purpose:

* Texts under ``min_words`` (50) words are never clustered (``cluster_id`` null): a few
  sentences share too many 5-grams with unrelated stories, and too few with their own copies
  once an intro line changes. Exact copies are still found.
* Clusters never merge after the fact: an article that matches two clusters joins the one it
  resembles most. Committed rows are never rewritten.
* An exact copy of an article that is already findable gets no band keys of its own (it would
  only duplicate the original's), so a story on hundreds of sites keeps lookups small.

Exactly-once: :meth:`DuplicateIndex.assign` decides and keeps the decision in memory only;
:meth:`DuplicateIndex.record` writes it, and must run inside the state transaction that
registers the file holding those rows. A crash before that transaction leaves no index entry
for a row the dataset lacks. A crash after the file was renamed into place but before the
transaction leaves rows whose index entries are missing: reconciliation registers the file,
``first_copies`` learns its texts there (:meth:`RunState.record_commit`), and
:meth:`DuplicateIndex.adopt_file` indexes its rows with the cluster ids they were written with
(without it, later copies would merely miss them). Pending decisions live in memory only, so
rows assigned in one batch link to each other before any of them is committed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import numpy as np
from datasketch import MinHashLSH  # type: ignore[import-untyped]

from newsclean.cleaners.fingerprint import (
    SCHEME,
    SHINGLING,
    SIGNATURE_DTYPE,
    MinHashSpec,
    Signature,
    TextFingerprint,
    minhash_signature,
    signature_bytes,
    signature_from_bytes,
    words_of,
)
from newsclean.output.parquet import read_columns
from newsclean.pipeline.state import IndexedText, IndexEntry, RunState, StateError

Key = tuple[str, str]  # (article_id, content_hash), as the state's versions


@dataclass(frozen=True, slots=True)
class DedupOptions:
    """How duplicates are found. ``num_perm``, ``seed``, ``shingle_words`` and ``threshold``
    (it sets the bands) shape what is stored: changing them needs an empty index."""

    num_perm: int = 128
    seed: int = 1
    #: words per shingle
    shingle_words: int = 5
    #: estimated Jaccard similarity at or above which two texts are near-duplicates
    threshold: float = 0.6
    #: shorter texts are not clustered (too noisy); exact copies are still found
    min_words: int = 50
    #: candidates checked per lookup, earliest indexed first
    max_candidates: int = 256

    def minhash_spec(self) -> MinHashSpec:
        """What a signature comparable with this index's is made with (workers make them)."""
        return MinHashSpec(self.num_perm, self.seed, self.shingle_words)


@dataclass(frozen=True, slots=True)
class DuplicateInfo:
    """What :meth:`DuplicateIndex.assign` decided for one article version."""

    #: article_id of the first article committed with exactly this text (another article)
    duplicate_of: str | None
    #: near-duplicate cluster (article_id of its first member); None for short texts
    cluster_id: str | None


class DuplicateSettingsChanged(StateError):
    """The state's signatures were made with other settings and cannot be compared."""


@dataclass(frozen=True, slots=True)
class MinHasher:
    """Text -> MinHash signature -> LSH band keys."""

    options: DedupOptions
    bands: int
    rows: int
    spec: MinHashSpec

    @classmethod
    def for_options(cls, options: DedupOptions) -> MinHasher:
        # datasketch's own (bands, rows) optimum for the threshold; the index itself is ours
        lsh = MinHashLSH(threshold=options.threshold, num_perm=options.num_perm)
        return cls(options, int(lsh.b), int(lsh.r), options.minhash_spec())

    def settings(self) -> dict[str, str]:
        """What must match between the signatures stored and the ones computed now."""
        return {
            "minhash": f"datasketch-{SCHEME}",
            "num_perm": str(self.options.num_perm),
            "seed": str(self.options.seed),
            "shingling": f"{SHINGLING}-{self.options.shingle_words}",
            "bands": f"{self.bands}x{self.rows}",
        }

    def signature(self, words: list[str]) -> Signature:
        return minhash_signature(words, self.spec)

    def received_signature(
        self, fingerprint: TextFingerprint | None, content_hash: str
    ) -> tuple[int, Signature | None] | None:
        """``(words, signature)`` from a worker's fingerprint of exactly this text, with this
        spec; None when there is none such (then the caller hashes the text itself)."""
        if (
            fingerprint is None
            or fingerprint.text_sha256 != content_hash
            or fingerprint.spec != self.spec.key
        ):
            return None
        if not fingerprint.signature:
            return fingerprint.words, None  # no whole shingle
        if len(fingerprint.signature) != self.spec.num_perm * SIGNATURE_DTYPE.itemsize:
            return None  # a malformed fingerprint is no reason to fail a row
        return fingerprint.words, signature_from_bytes(fingerprint.signature)

    def band_keys(self, signature: Signature) -> tuple[int, ...]:
        """One signed 64-bit key per band (the band number is hashed in: bands never mix)."""
        keys = []
        for band in range(self.bands):
            values = signature[band * self.rows : (band + 1) * self.rows]
            digest = hashlib.blake2b(
                band.to_bytes(2, "little") + values.astype(SIGNATURE_DTYPE).tobytes(),
                digest_size=8,
            ).digest()
            keys.append(int.from_bytes(digest, "little", signed=True))
        return tuple(keys)


@dataclass(slots=True)
class SignatureCounts:
    """Where the signatures :meth:`DuplicateIndex.assign` used came from."""

    #: made by a cleaning worker, carried in the page's outcome
    received: int = 0
    #: computed on the driver (no fingerprint, or one of a text site rules changed since)
    computed: int = 0


@dataclass(frozen=True, slots=True)
class _Match:
    article_id: str
    cluster_id: str
    similarity: float
    #: order of entry; pending articles come after every committed one
    seq: int


@dataclass(slots=True)
class _Assigned:
    """A decision made by ``assign``, waiting for its row's commit."""

    key: Key
    cluster_id: str | None
    signature: Signature | None
    band_keys: tuple[int, ...]
    #: registered under its band keys (False: an exact copy of a findable article)
    findable: bool
    order: int


@dataclass(slots=True)
class _Pending:
    """Assigned, not yet recorded: visible to later ``assign`` calls of this process only."""

    items: dict[Key, _Assigned] = field(default_factory=dict)
    first_by_hash: dict[str, str] = field(default_factory=dict)
    by_band: dict[int, list[Key]] = field(default_factory=dict)

    def add(self, item: _Assigned) -> None:
        self.drop(item.key)
        self.items[item.key] = item
        article_id, content_hash = item.key
        self.first_by_hash.setdefault(content_hash, article_id)
        if item.findable:
            for band_key in item.band_keys:
                self.by_band.setdefault(band_key, []).append(item.key)

    def drop(self, key: Key) -> _Assigned | None:
        item = self.items.pop(key, None)
        if item is None:
            return None
        article_id, content_hash = key
        if self.first_by_hash.get(content_hash) == article_id:
            del self.first_by_hash[content_hash]
            for other in self.items.values():  # another pending copy becomes the first
                if other.key[1] == content_hash:
                    self.first_by_hash[content_hash] = other.key[0]
                    break
        for band_key in item.band_keys:
            members = self.by_band.get(band_key)
            if members is not None and key in members:
                members.remove(key)
                if not members:
                    del self.by_band[band_key]
        return item

    def candidates(self, band_keys: Iterable[int]) -> list[_Assigned]:
        keys = dict.fromkeys(k for band in band_keys for k in self.by_band.get(band, ()))
        return [self.items[key] for key in keys]


class DuplicateIndex:
    """Assigns ``duplicate_of`` and ``cluster_id``, backed by a :class:`RunState`.

    Per row: :meth:`assign` before the row is built into a file; :meth:`record` with the
    committed rows' keys inside the state transaction that registers the file. One thread.
    """

    def __init__(self, state: RunState, options: DedupOptions | None = None) -> None:
        self._state = state
        self.options = options or DedupOptions()
        self._hasher = MinHasher.for_options(self.options)
        self._pending = _Pending()
        self._order = 0
        self.signatures = SignatureCounts()
        self._check_settings()

    def _check_settings(self) -> None:
        wanted = self._hasher.settings()
        stored = self._state.duplicate_settings()
        if stored == wanted:
            return
        if stored and self._state.indexed_count():
            raise DuplicateSettingsChanged(
                f"near-duplicate index was built with {stored}, this run uses {wanted}",
                self._state.path,
                "use the settings it was built with, or start a new dataset",
            )
        self._state.save_duplicate_settings(wanted)

    @property
    def pending(self) -> int:
        """Decisions made by :meth:`assign` and not yet recorded."""
        return len(self._pending.items)

    def assign(
        self,
        article_id: str,
        text: str,
        content_hash: str,
        fingerprint: TextFingerprint | None = None,
    ) -> DuplicateInfo:
        """Decide this version's duplicate columns; call before its row is committed.

        ``fingerprint``: the cleaning worker's, used when it was made of this very text
        (``content_hash``) with this index's spec; else the signature is computed here.
        """
        duplicate_of = self._first_copy(article_id, content_hash)
        signature = self._signature_of(text, content_hash, fingerprint)
        self._order += 1
        if signature is None:
            key = (article_id, content_hash)
            self._pending.add(_Assigned(key, None, None, (), False, self._order))
            return DuplicateInfo(duplicate_of, None)
        band_keys = self._hasher.band_keys(signature)
        match = self._best_match(signature, band_keys)
        cluster_id = match.cluster_id if match is not None else article_id
        # an identical signature already findable under another article: adding bands
        # would only repeat its own (a wire story on hundreds of sites stays cheap)
        findable = match is None or match.similarity < 1.0 or match.article_id == article_id
        item = _Assigned(
            (article_id, content_hash), cluster_id, signature, band_keys, findable, self._order
        )
        self._pending.add(item)
        return DuplicateInfo(duplicate_of, cluster_id)

    def _signature_of(
        self, text: str, content_hash: str, fingerprint: TextFingerprint | None
    ) -> Signature | None:
        """The text's signature; None for a text too short to be clustered."""
        received = self._hasher.received_signature(fingerprint, content_hash)
        if received is not None:
            self.signatures.received += 1
            words, signature = received
            return signature if self._long_enough(words) else None
        self.signatures.computed += 1
        normalised = words_of(text)
        if not self._long_enough(len(normalised)):
            return None  # not worth hashing
        return self._hasher.signature(normalised)

    def _long_enough(self, words: int) -> bool:
        return words >= max(self.options.min_words, self.options.shingle_words)

    def record(self, keys: Iterable[Key]) -> int:
        """Store the decisions for these committed ``(article_id, content_hash)`` keys.

        Call inside the state transaction registering their file (it joins it). Returns how
        many index entries were written (short texts write none). A key never assigned is a
        caller bug: KeyError.
        """
        items = []
        for key in keys:
            item = self._pending.items.get(key)
            if item is None:
                raise KeyError(f"no duplicate decision pending for {key!r}")
            items.append(item)
        entries = [_entry(item) for item in items if item.signature is not None]
        with self._state.batch():
            stored = self._state.record_index_entries(entries)
        for item in items:  # only once the writes are in the transaction
            self._pending.drop(item.key)
        return stored

    def discard(self, keys: Iterable[Key]) -> None:
        """Forget decisions whose rows will not be committed (e.g. a failed write)."""
        for key in keys:
            self._pending.drop(key)

    def adopt(self, article_id: str, text: str, cluster_id: str | None) -> bool:
        """Index an already committed row the index lacks (a file adopted after a crash).

        Keeps the row's own ``cluster_id`` (its own article_id when the row has none, e.g.
        written before duplicates were tracked). Returns False when there was nothing to do:
        the article is indexed already, or its text is too short.
        """
        words = words_of(text)
        if not self._long_enough(len(words)):
            return False
        if self._state.indexed_text(article_id) is not None:
            return False
        signature = self._hasher.signature(words)
        entry = IndexEntry(
            article_id,
            cluster_id or article_id,
            signature_bytes(signature),
            self._hasher.band_keys(signature),
        )
        self._state.record_index_entries([entry])
        return True

    def adopt_file(self, path: Path) -> int:
        """:meth:`adopt` every row of one committed data file; returns rows indexed.

        Reads ``article_id`` and ``cluster_id`` first and the text only when some article of
        the file is not indexed yet (a compacted file usually has them all).
        """
        missing = {
            article_id
            for batch in read_columns(path, ["article_id"])
            for article_id in cast("list[str]", batch.column(0).to_pylist())
            if self._state.indexed_text(article_id) is None
        }
        if not missing:
            return 0
        adopted = 0
        with self._state.batch():
            for batch in read_columns(path, ["article_id", "text", "cluster_id"]):
                rows = zip(*(batch.column(i).to_pylist() for i in range(3)), strict=True)
                for article_id, text, cluster_id in rows:
                    if article_id in missing:
                        adopted += self.adopt(article_id, text, cluster_id)
        return adopted

    # -- decisions --

    def _first_copy(self, article_id: str, content_hash: str) -> str | None:
        first = self._state.first_copy(content_hash)
        if first is None:
            first = self._pending.first_by_hash.get(content_hash)
        return None if first == article_id else first

    def _best_match(self, signature: Signature, band_keys: tuple[int, ...]) -> _Match | None:
        """The most similar candidate at or above the threshold; ties: the earliest."""
        committed = self._state.near_candidates(band_keys, self.options.max_candidates)
        pending = self._pending.candidates(band_keys)
        matches = [
            *self._committed_matches(signature, committed),
            *_pending_matches(signature, pending),
        ]
        accepted = [m for m in matches if m.similarity >= self.options.threshold]
        if not accepted:
            return None
        return max(accepted, key=lambda m: (m.similarity, -m.seq))

    def _committed_matches(
        self, signature: Signature, candidates: list[IndexedText]
    ) -> list[_Match]:
        if not candidates:
            return []
        stacked = np.frombuffer(
            b"".join(c.signature for c in candidates), dtype=SIGNATURE_DTYPE
        ).reshape(len(candidates), -1)
        if stacked.shape[1] != signature.shape[0]:
            raise DuplicateSettingsChanged(
                f"stored signatures have {stacked.shape[1]} values, expected {signature.shape[0]}",
                self._state.path,
                "use the settings the index was built with",
            )
        similarities = (stacked == signature).mean(axis=1)
        return [
            _Match(c.article_id, c.cluster_id, float(s), c.seq)
            for c, s in zip(candidates, similarities, strict=True)
        ]


def _pending_matches(signature: Signature, candidates: list[_Assigned]) -> list[_Match]:
    matches = []
    for item in candidates:
        assert item.signature is not None and item.cluster_id is not None  # findable ones
        similarity = float((item.signature == signature).mean())
        # committed seqs are SQLite rowids (>= 1); pending ones sort after all of them
        matches.append(_Match(item.key[0], item.cluster_id, similarity, 2**62 + item.order))
    return matches


def _entry(item: _Assigned) -> IndexEntry:
    assert item.signature is not None and item.cluster_id is not None
    return IndexEntry(
        article_id=item.key[0],
        cluster_id=item.cluster_id,
        signature=signature_bytes(item.signature),
        band_keys=item.band_keys if item.findable else (),
    )
