"""Stage 0 of the engine: the candidates as columns (pure: standard library and numpy).

`SelfHostTable`, `ApiOfferTable` and `CandidateTable` hold self-host options, API offers
and candidate models as columns (numpy arrays, or tuples of strings), one entry per
record, in order. Each is a Sequence of its records (indexing or iterating builds them),
so it can be passed wherever a list of records is; `rank` reads the columns directly and
builds records only for the rows it returns. NaN in a float column stands for None in the
record.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import TypeVar

import numpy as np

from planner.engine.arrays import _float, _int, _nan_column
from planner.records import ApiOffer, CandidateModel, SelfHostOption
from pricing.costing.records import OfferPricing

R = TypeVar("R")


class _Columns(Sequence[R]):
    """The Sequence side of a table: entry i is the record `_record(i)` builds; the
    table's length is that of its `_length` column."""

    _length = "id"

    def __len__(self) -> int:
        return len(getattr(self, self._length))

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self._record(j) for j in range(*i.indices(len(self)))]
        return self._record(range(len(self))[i])  # negative indices, IndexError

    def __iter__(self):
        return map(self._record, range(len(self)))

    def _record(self, i: int) -> R:
        raise NotImplementedError


@dataclass(frozen=True, eq=False)
class SelfHostTable(_Columns[SelfHostOption]):
    """Self-host options as columns (numpy arrays), one entry per option, in order.

    A Sequence of SelfHostOption (indexing or iterating builds the records), so it can be
    passed wherever a list of options is; `rank` reads the columns directly. The strings
    are held once per host: `host` indexes `hosts` (accelerator slug, accelerator name,
    cloud, region, instance); `precision` indexes `precisions`; `measured` picks the
    throughput source. NaN in `prefill_tokens_per_s` / `memory_needed_gib` means None.
    """

    model_id: np.ndarray  # int64
    host: np.ndarray  # int64, index into hosts
    hosts: tuple[tuple[str, str, str, str, str], ...]
    device_count: np.ndarray  # int64 (the records' `count`)
    precision: np.ndarray  # int64, index into precisions
    precisions: tuple[str, ...]
    memory_total_gib: np.ndarray
    fits: np.ndarray  # bool
    decode_tokens_per_s_total: np.ndarray
    stream_tokens_per_s: np.ndarray
    ttft_s: np.ndarray
    measured: np.ndarray  # bool: throughput_source "measured" (else "estimated")
    hourly_usd: np.ndarray
    owned: np.ndarray  # bool
    spot: np.ndarray  # bool
    prefill_tokens_per_s: np.ndarray
    memory_needed_gib: np.ndarray
    # per host: what an estimated speed rests on ("calibrated on N runs (...), ±X%")
    host_estimates: tuple[str, ...] = ()
    host_engines: tuple[str, ...] = ()  # per host: the engine that would serve it
    max_streams: np.ndarray | None = None  # streams one instance can hold (None: unknown)
    host_purchase: tuple[float | None, ...] = ()  # per host: owned purchase USD per device
    host_purchase_source: tuple[str, ...] = ()  # per host: where that price comes from
    per_second: np.ndarray | None = None  # bool: billed per second of use (None: none is)
    # per option: an index into `sources`, what its throughput rests on (overrides the
    # measured flag and the host's estimate; None: those)
    source: np.ndarray | None = None
    sources: tuple[str, ...] = ()

    _length = "model_id"

    def _record(self, i: int) -> SelfHostOption:
        h = int(self.host[i])
        slug, name, cloud, region, instance = self.hosts[h]
        prefill = float(self.prefill_tokens_per_s[i])
        needed = float(self.memory_needed_gib[i])
        return SelfHostOption(
            model_id=int(self.model_id[i]), accelerator_slug=slug, accelerator_name=name,
            count=int(self.device_count[i]), precision=self.precisions[int(self.precision[i])],
            memory_total_gib=float(self.memory_total_gib[i]), fits=bool(self.fits[i]),
            decode_tokens_per_s_total=float(self.decode_tokens_per_s_total[i]),
            stream_tokens_per_s=float(self.stream_tokens_per_s[i]), ttft_s=float(self.ttft_s[i]),
            throughput_source=(
                "measured" if self.measured[i] and self.source is None else self._estimate(i)
            ),
            hourly_usd=float(self.hourly_usd[i]), owned=bool(self.owned[i]),
            cloud=cloud, region=region, instance=instance, spot=bool(self.spot[i]),
            prefill_tokens_per_s=_float(prefill),
            memory_needed_gib=_float(needed),
            engine=self.host_engines[h] if h < len(self.host_engines) else "",
            purchase_usd=self.host_purchase[h] if h < len(self.host_purchase) else None,
            purchase_source=(
                self.host_purchase_source[h] if h < len(self.host_purchase_source) else ""
            ),
            max_streams=None if self.max_streams is None else _float(float(self.max_streams[i])),
            per_second=self.per_second is not None and bool(self.per_second[i]),
        )  # fmt: skip

    def _estimate(self, i: int) -> str:
        if self.source is not None:
            return self.sources[int(self.source[i])]
        host = int(self.host[i])
        return self.host_estimates[host] if host < len(self.host_estimates) else "estimated"

    @classmethod
    def from_options(cls, options: Iterable[SelfHostOption]) -> SelfHostTable:
        """The columns of records (one pass); `rank` calls it for a plain iterable."""
        if isinstance(options, SelfHostTable):
            return options
        records = options if isinstance(options, list | tuple) else list(options)
        n = len(records)
        hosts: dict[tuple, int] = {}
        precisions: dict[str, int] = {}
        host_of = attrgetter("accelerator_slug", "accelerator_name", "cloud", "region", "instance")
        host = [hosts.setdefault(k, len(hosts)) for k in map(host_of, records)]
        precision = [
            precisions.setdefault(p, len(precisions)) for p in map(attrgetter("precision"), records)
        ]

        def column(name: str, dtype) -> np.ndarray:  # one C-level pass per field
            return np.fromiter(map(attrgetter(name), records), dtype=dtype, count=n)

        estimates = [""] * len(hosts)
        engines = [""] * len(hosts)
        purchase: list[float | None] = [None] * len(hosts)
        purchase_source = [""] * len(hosts)
        for h, record in zip(host, records, strict=True):
            purchase[h] = purchase[h] or record.purchase_usd
            purchase_source[h] = purchase_source[h] or record.purchase_source
            if record.throughput_source != "measured" and not estimates[h]:
                estimates[h] = record.throughput_source
            engines[h] = engines[h] or record.engine
        sources = map(attrgetter("throughput_source"), records)
        return cls(
            model_id=column("model_id", np.int64), host=np.array(host, dtype=np.int64),
            hosts=tuple(hosts), device_count=column("count", np.int64),
            precision=np.array(precision, dtype=np.int64), precisions=tuple(precisions),
            memory_total_gib=column("memory_total_gib", np.float64),
            fits=column("fits", bool),
            decode_tokens_per_s_total=column("decode_tokens_per_s_total", np.float64),
            stream_tokens_per_s=column("stream_tokens_per_s", np.float64),
            ttft_s=column("ttft_s", np.float64),
            measured=np.fromiter((v == "measured" for v in sources), dtype=bool, count=n),
            hourly_usd=column("hourly_usd", np.float64), owned=column("owned", bool),
            spot=column("spot", bool),
            prefill_tokens_per_s=_nan_column(records, "prefill_tokens_per_s"),
            memory_needed_gib=_nan_column(records, "memory_needed_gib"),
            host_estimates=tuple(e or "estimated" for e in estimates),
            host_engines=tuple(engines) if any(engines) else (),
            max_streams=_nan_column(records, "max_streams"),
            host_purchase=tuple(purchase) if any(purchase) else (),
            host_purchase_source=tuple(purchase_source) if any(purchase_source) else (),
            per_second=(
                column("per_second", bool) if any(r.per_second for r in records) else None
            ),
        )  # fmt: skip


# ApiOffer's fields read from columns, in record order after (id, model_id, slug, name)
_OFFER_FLOATS = (
    "usd_per_mtok_input", "usd_per_mtok_output", "usd_per_mtok_cached_input",
    "usd_per_mtok_batch_input", "usd_per_mtok_batch_output", "usd_per_image",
    "usd_per_audio_minute", "context_tokens", "ttft_s", "stream_tokens_per_s",
)  # fmt: skip


@dataclass(frozen=True, eq=False)
class ApiOfferTable(_Columns[ApiOffer]):
    """API offers as columns: `provider` indexes `providers` ((slug, name) pairs); the
    prices, context_tokens, ttft_s and stream_tokens_per_s are float64 with NaN for None.
    `pricing` (an object array, or None when no offer has one) holds each offer's price
    rows as the cost engine's OfferPricing (None for an offer priced by its columns).
    """

    id: np.ndarray  # int64
    model_id: np.ndarray  # int64
    provider: np.ndarray  # int64, index into providers
    providers: tuple[tuple[str, str], ...]
    usd_per_mtok_input: np.ndarray
    usd_per_mtok_output: np.ndarray
    usd_per_mtok_cached_input: np.ndarray
    usd_per_mtok_batch_input: np.ndarray
    usd_per_mtok_batch_output: np.ndarray
    usd_per_image: np.ndarray
    usd_per_audio_minute: np.ndarray
    context_tokens: np.ndarray
    ttft_s: np.ndarray
    stream_tokens_per_s: np.ndarray
    # per provider (as `providers`): its kind and whether it was reviewed; () = not stated
    provider_kinds: tuple[str, ...] = ()
    provider_reviewed: tuple[bool | None, ...] = ()
    pricing: np.ndarray | None = None  # object: OfferPricing or None per offer

    def _record(self, i: int) -> ApiOffer:
        p = int(self.provider[i])
        slug, name = self.providers[p]
        values = [_float(float(getattr(self, f)[i])) for f in _OFFER_FLOATS]
        context = values[7]
        values[7] = None if context is None else int(context)
        return ApiOffer(
            int(self.id[i]), int(self.model_id[i]), slug, name, *values,
            self.provider_kinds[p] if self.provider_kinds else "",
            self.provider_reviewed[p] if self.provider_reviewed else None,
            None if self.pricing is None else self.pricing[i],
        )  # fmt: skip

    def kinds(self) -> np.ndarray:
        """Each offer's provider kind ("" where not stated), as an object array."""
        per_provider = np.array(self.provider_kinds or ("",) * len(self.providers), dtype=object)
        return per_provider[self.provider] if len(self.providers) else np.zeros(0, dtype=object)

    def unreviewed(self) -> np.ndarray:
        """Per offer: its provider is known not to be reviewed (False stated, or kind
        "unknown")."""
        n = len(self.providers)
        flags = self.provider_reviewed or (None,) * n
        kinds = self.provider_kinds or ("",) * n
        bad = np.array([r is False or k == "unknown" for r, k in zip(flags, kinds, strict=True)])
        return bad[self.provider] if n else np.zeros(0, dtype=bool)

    def take(self, index: np.ndarray) -> ApiOfferTable:
        """The offers at `index` (positions or a boolean mask), in that order."""
        return ApiOfferTable(
            id=self.id[index], model_id=self.model_id[index], provider=self.provider[index],
            providers=self.providers,
            **{f: getattr(self, f)[index] for f in _OFFER_FLOATS},
            provider_kinds=self.provider_kinds, provider_reviewed=self.provider_reviewed,
            pricing=None if self.pricing is None else self.pricing[index],
        )  # fmt: skip

    @classmethod
    def from_rows(
        cls, rows: Sequence[tuple], pricing: Sequence[OfferPricing | None] | None = None
    ) -> ApiOfferTable:
        """Rows in ApiOffer's field order from id to context_tokens (what the planner's
        offer query reads), optionally followed by the provider's kind and reviewed flag;
        ttft_s and stream_tokens_per_s are unknown (NaN). `pricing`: each row's price
        rows (None: every offer priced by its columns)."""
        n = len(rows)
        if n == 0:
            return cls.from_offers(())
        columns = list(zip(*rows, strict=True))
        providers: dict[tuple[str, str], int] = {}
        pairs = zip(columns[2], columns[3], strict=True)
        provider = [providers.setdefault(p, len(providers)) for p in pairs]
        kinds: list = [""] * len(providers)
        reviewed: list = [None] * len(providers)
        if len(columns) > 12:
            for p, kind, ok in zip(provider, columns[12], columns[13], strict=True):
                kinds[p], reviewed[p] = kind or "", None if ok is None else bool(ok)
        floats = {
            name: np.array(columns[4 + k], dtype=np.float64)  # None -> NaN
            for k, name in enumerate(_OFFER_FLOATS[:8])
        }
        unknown = np.full(n, math.nan)
        return cls(
            id=np.array(columns[0], dtype=np.int64),
            model_id=np.array(columns[1], dtype=np.int64),
            provider=np.array(provider, dtype=np.int64), providers=tuple(providers),
            **floats, ttft_s=unknown, stream_tokens_per_s=unknown.copy(),
            provider_kinds=tuple(kinds) if len(columns) > 12 else (),
            provider_reviewed=tuple(reviewed) if len(columns) > 12 else (),
            pricing=None if pricing is None else _objects(pricing),
        )  # fmt: skip

    @classmethod
    def from_offers(cls, offers: Iterable[ApiOffer]) -> ApiOfferTable:
        """The columns of records (one pass per field); `rank` calls it for an iterable."""
        if isinstance(offers, ApiOfferTable):
            return offers
        records = offers if isinstance(offers, list | tuple) else list(offers)
        n = len(records)
        providers: dict[tuple[str, str], int] = {}
        pair = attrgetter("provider_slug", "provider_name")
        provider = [providers.setdefault(p, len(providers)) for p in map(pair, records)]
        kinds: list = [""] * len(providers)
        reviewed: list = [None] * len(providers)
        for p, r in zip(provider, records, strict=True):  # the first record of each wins
            if not kinds[p] and r.provider_kind:
                kinds[p] = r.provider_kind
            if reviewed[p] is None:
                reviewed[p] = r.provider_reviewed
        stated = any(kinds) or any(v is not None for v in reviewed)
        pricing = [r.pricing for r in records]
        return cls(
            id=np.fromiter(map(attrgetter("id"), records), dtype=np.int64, count=n),
            model_id=np.fromiter(map(attrgetter("model_id"), records), dtype=np.int64, count=n),
            provider=np.array(provider, dtype=np.int64), providers=tuple(providers),
            **{name: _nan_column(records, name) for name in _OFFER_FLOATS},
            provider_kinds=tuple(kinds) if stated else (),
            provider_reviewed=tuple(reviewed) if stated else (),
            pricing=_objects(pricing) if any(p is not None for p in pricing) else None,
        )  # fmt: skip


def _objects(values: Sequence) -> np.ndarray:
    """A 1-d object array of `values` (numpy would nest sequences)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values if isinstance(values, list) else list(values)
    return out


_COMMERCIAL = {1: True, 0: False, -1: None}  # CandidateTable.commercial_ok codes
_COMMERCIAL_CODE = {True: 1, False: 0, None: -1}
# CandidateModel's fields held as numpy columns (the others are tuples)
_MODEL_FLOATS = ("context_tokens", "params_total", "params_active", "quality_index")
_MODEL_TEXTS = ("repo_id", "name", "task", "license", "languages", "quality_sources")


@dataclass(frozen=True, eq=False)
class CandidateTable(_Columns[CandidateModel]):
    """Candidate models as columns. `commercial_ok` is int8: 1 True, 0 False, -1 None;
    context_tokens, params_total, params_active and quality_index are float64 with NaN for
    None (the integers come back as int: exact below 2**53); the strings and the tuples of
    strings are tuples, one entry per model."""

    id: np.ndarray  # int64
    repo_id: tuple[str, ...]
    name: tuple[str, ...]
    task: tuple[str, ...]
    open_weights: np.ndarray  # bool
    license: tuple[str, ...]
    commercial_ok: np.ndarray  # int8
    context_tokens: np.ndarray
    languages: tuple[tuple[str, ...], ...]
    params_total: np.ndarray
    params_active: np.ndarray
    downloads: np.ndarray  # int64
    likes: np.ndarray  # int64
    quality_index: np.ndarray
    quality_sources: tuple[tuple[str, ...], ...]

    def _record(self, i: int) -> CandidateModel:
        return CandidateModel(
            int(self.id[i]), self.repo_id[i], self.name[i], self.task[i],
            bool(self.open_weights[i]), self.license[i],
            _COMMERCIAL[int(self.commercial_ok[i])], _int(float(self.context_tokens[i])),
            self.languages[i], _int(float(self.params_total[i])),
            _int(float(self.params_active[i])), int(self.downloads[i]), int(self.likes[i]),
            _float(float(self.quality_index[i])), self.quality_sources[i],
        )  # fmt: skip

    def __iter__(self):
        """Every record (the columns read once each, as Python values)."""
        ok = map(_COMMERCIAL.__getitem__, self.commercial_ok.tolist())
        ints = [map(_int, getattr(self, f).tolist()) for f in _MODEL_FLOATS[:3]]
        quality = map(_float, self.quality_index.tolist())
        return map(
            CandidateModel, self.id.tolist(), self.repo_id, self.name, self.task,
            self.open_weights.tolist(), self.license, ok, ints[0], self.languages, ints[1],
            ints[2], self.downloads.tolist(), self.likes.tolist(), quality,
            self.quality_sources,
        )  # fmt: skip

    def take(self, index: np.ndarray) -> CandidateTable:
        """The models at `index` (positions or a boolean mask), in that order."""
        at = np.arange(len(self))[index].tolist()
        texts = {f: tuple(getattr(self, f)[i] for i in at) for f in _MODEL_TEXTS}
        numbers = {
            f: getattr(self, f)[index]
            for f in ("id", "open_weights", "commercial_ok", "downloads", "likes", *_MODEL_FLOATS)
        }
        return CandidateTable(**texts, **numbers)

    @classmethod
    def from_columns(
        cls, *, id: Sequence[int], repo_id: Sequence[str], name: Sequence[str],
        task: Sequence[str], open_weights: Sequence[bool], license: Sequence[str],
        commercial_ok: Sequence[bool | None], context_tokens: Sequence[int | None],
        languages: Sequence[tuple[str, ...]], params_total: Sequence[int | None],
        params_active: Sequence[int | None], downloads: Sequence[int], likes: Sequence[int],
        quality_index: Sequence[float | None], quality_sources: Sequence[tuple[str, ...]],
    ) -> CandidateTable:  # fmt: skip
        """A table from one sequence per field (CandidateModel's values, None allowed
        where the record allows it)."""
        n = len(id)

        def floats(values: Sequence) -> np.ndarray:  # None -> NaN
            values = values if isinstance(values, list | tuple) else list(values)
            nones = values.count(None)
            if nones == 0:
                return np.array(values, dtype=np.float64)
            if nones == n:
                return np.full(n, math.nan)
            return np.array([math.nan if v is None else v for v in values], dtype=np.float64)

        return cls(
            id=np.array(id, dtype=np.int64), repo_id=tuple(repo_id), name=tuple(name),
            task=tuple(task), open_weights=np.array(open_weights, dtype=bool),
            license=tuple(license),
            commercial_ok=np.fromiter(
                map(_COMMERCIAL_CODE.__getitem__, commercial_ok), dtype=np.int8, count=n
            ),
            context_tokens=floats(context_tokens), languages=tuple(languages),
            params_total=floats(params_total), params_active=floats(params_active),
            downloads=np.array(downloads, dtype=np.int64),
            likes=np.array(likes, dtype=np.int64), quality_index=floats(quality_index),
            quality_sources=tuple(quality_sources),
        )  # fmt: skip

    @classmethod
    def from_models(cls, models: Iterable[CandidateModel]) -> CandidateTable:
        """The columns of records (the table itself for a table)."""
        if isinstance(models, CandidateTable):
            return models
        records = models if isinstance(models, list | tuple) else list(models)
        names = tuple(f.name for f in fields(CandidateModel))
        if not records:
            return cls.from_columns(**dict.fromkeys(names, ()))
        columns = zip(*map(attrgetter(*names), records), strict=True)
        return cls.from_columns(**dict(zip(names, columns, strict=True)))
