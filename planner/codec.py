"""JSON-safe dicts to and from the planner's records (pure: standard library only).

`to_data` turns a record into dicts, lists, str, int, float, bool and None (tuples become
lists, properties are not stored). `from_data(cls, data)` rebuilds the record from its
type hints, so `from_data(type(x), json.loads(json.dumps(to_data(x)))) == x`. Unknown keys
are ignored and missing ones take the field's default, so stored plans survive added
fields. Raises CodecError for data that does not match the record.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from functools import cache
from typing import Any, TypeVar

from planner.records import PlanInputs, PlanResult

T = TypeVar("T")


class CodecError(ValueError):
    """The data does not describe the record asked for."""


def to_data(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_data(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, tuple | list):
        return [to_data(x) for x in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        raise CodecError(f"{obj} has no JSON form")
    if obj is None or isinstance(obj, str | int | float | bool):
        return obj
    raise CodecError(f"cannot encode {type(obj).__name__}")


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _convert(tp: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(tp)
        if value is None:
            if type(None) in options:
                return None
            raise CodecError(f"{where}: null not allowed")
        for option in options:
            if option is type(None):
                continue
            try:
                return _convert(option, value, where)
            except CodecError:
                continue
        raise CodecError(f"{where}: {value!r} matches none of {tp}")
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise CodecError(f"{where}: expected a list")
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v, f"{where}[{i}]") for i, v in enumerate(value))
        if len(args) != len(value):
            raise CodecError(f"{where}: expected {len(args)} items")
        return tuple(
            _convert(a, v, f"{where}[{i}]")
            for i, (a, v) in enumerate(zip(args, value, strict=True))
        )
    if dataclasses.is_dataclass(tp):
        return from_data(tp, value)
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise CodecError(f"{where}: expected a number")
        return float(value)
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise CodecError(f"{where}: expected an integer")
        return value
    if tp is bool or tp is str:
        if not isinstance(value, tp):
            raise CodecError(f"{where}: expected {tp.__name__}")
        return value
    raise CodecError(f"{where}: unsupported type {tp}")


def from_data(cls: type[T], data: Any) -> T:
    if not isinstance(data, dict):
        raise CodecError(f"{cls.__name__}: expected an object")
    hints = _hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name in data:
            kwargs[f.name] = _convert(hints[f.name], data[f.name], f"{cls.__name__}.{f.name}")
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise CodecError(f"{cls.__name__}.{f.name}: missing")
    return cls(**kwargs)


def inputs_to_data(inputs: PlanInputs) -> dict[str, Any]:
    return to_data(inputs)


def inputs_from_data(data: Any) -> PlanInputs:
    return from_data(PlanInputs, data)


def result_to_data(result: PlanResult) -> dict[str, Any]:
    return to_data(result)


def result_from_data(data: Any) -> PlanResult:
    return from_data(PlanResult, data)
