"""The planner's candidates as columns (pure: standard library and numpy).

`SelfHostTable` and `ApiOfferTable` hold self-host options and API offers as numpy
columns, one entry per record, in order. Each is a Sequence of its records (indexing or
iterating builds them), so it can be passed wherever a list of records is; `rank` reads
the columns directly and builds records only for the rows it returns. NaN in a float
column stands for None in the record.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter

import numpy as np

from planner.records import ApiOffer, SelfHostOption


def _float(value: float) -> float | None:
    return None if math.isnan(value) else value


@dataclass(frozen=True, eq=False)
class SelfHostTable(Sequence[SelfHostOption]):
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

    def __len__(self) -> int:
        return len(self.model_id)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        i = int(i)
        slug, name, cloud, region, instance = self.hosts[int(self.host[i])]
        prefill = float(self.prefill_tokens_per_s[i])
        needed = float(self.memory_needed_gib[i])
        return SelfHostOption(
            model_id=int(self.model_id[i]), accelerator_slug=slug, accelerator_name=name,
            count=int(self.device_count[i]), precision=self.precisions[int(self.precision[i])],
            memory_total_gib=float(self.memory_total_gib[i]), fits=bool(self.fits[i]),
            decode_tokens_per_s_total=float(self.decode_tokens_per_s_total[i]),
            stream_tokens_per_s=float(self.stream_tokens_per_s[i]), ttft_s=float(self.ttft_s[i]),
            throughput_source="measured" if self.measured[i] else "estimated",
            hourly_usd=float(self.hourly_usd[i]), owned=bool(self.owned[i]),
            cloud=cloud, region=region, instance=instance, spot=bool(self.spot[i]),
            prefill_tokens_per_s=None if math.isnan(prefill) else prefill,
            memory_needed_gib=None if math.isnan(needed) else needed,
        )  # fmt: skip

    def __iter__(self):
        return (self[i] for i in range(len(self)))

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

        def optional(name: str) -> np.ndarray:
            values = map(attrgetter(name), records)
            return np.fromiter(
                (math.nan if v is None else v for v in values), dtype=np.float64, count=n
            )

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
            prefill_tokens_per_s=optional("prefill_tokens_per_s"),
            memory_needed_gib=optional("memory_needed_gib"),
        )  # fmt: skip


# ApiOffer's fields read from columns, in record order after (id, model_id, slug, name)
_OFFER_FLOATS = (
    "usd_per_mtok_input", "usd_per_mtok_output", "usd_per_mtok_cached_input",
    "usd_per_mtok_batch_input", "usd_per_mtok_batch_output", "usd_per_image",
    "usd_per_audio_minute", "context_tokens", "ttft_s", "stream_tokens_per_s",
)  # fmt: skip


@dataclass(frozen=True, eq=False)
class ApiOfferTable(Sequence[ApiOffer]):
    """API offers as columns: `provider` indexes `providers` ((slug, name) pairs); the
    prices, context_tokens, ttft_s and stream_tokens_per_s are float64 with NaN for None.
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

    def __len__(self) -> int:
        return len(self.id)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        i = int(i)
        slug, name = self.providers[int(self.provider[i])]
        values = [_float(float(getattr(self, f)[i])) for f in _OFFER_FLOATS]
        context = values[7]
        values[7] = None if context is None else int(context)
        return ApiOffer(int(self.id[i]), int(self.model_id[i]), slug, name, *values)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def take(self, index: np.ndarray) -> ApiOfferTable:
        """The offers at `index` (positions or a boolean mask), in that order."""
        return ApiOfferTable(
            id=self.id[index], model_id=self.model_id[index], provider=self.provider[index],
            providers=self.providers,
            **{f: getattr(self, f)[index] for f in _OFFER_FLOATS},
        )  # fmt: skip

    @classmethod
    def from_rows(cls, rows: Sequence[tuple]) -> ApiOfferTable:
        """Rows in ApiOffer's field order from id to context_tokens (what the planner's
        offer query reads); ttft_s and stream_tokens_per_s are unknown (NaN)."""
        n = len(rows)
        if n == 0:
            return cls.from_offers(())
        columns = list(zip(*rows, strict=True))
        providers: dict[tuple[str, str], int] = {}
        pairs = zip(columns[2], columns[3], strict=True)
        provider = [providers.setdefault(p, len(providers)) for p in pairs]
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

        def column(name: str) -> np.ndarray:
            values = map(attrgetter(name), records)
            return np.fromiter(
                (math.nan if v is None else v for v in values), dtype=np.float64, count=n
            )

        return cls(
            id=np.fromiter(map(attrgetter("id"), records), dtype=np.int64, count=n),
            model_id=np.fromiter(map(attrgetter("model_id"), records), dtype=np.int64, count=n),
            provider=np.array(provider, dtype=np.int64), providers=tuple(providers),
            **{name: column(name) for name in _OFFER_FLOATS},
        )  # fmt: skip
