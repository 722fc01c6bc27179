"""Check an inference engine's command line against its argument list (pure).

The argument lists live in `planner/deploy/engine_flags/*.json`, extracted from each
engine's own parser source at a cited commit (vLLM's `vllm serve`, llama.cpp's
`llama-server`, `mlx_lm.server`). `parse_command` reads a command line the way the
engine's parser would (flag names, aliases, `--no-` negations, values and their kinds,
`_`→`-` where the engine normalizes, `--flag=value` where it allows it) and returns the
values by canonical flag name with every problem found; `validate_command` returns only
the problems. The deploy bundles (issue 21 §1) check their generated commands with it,
and tests compare the values with the plan (tensor-parallel size = GPU count, ...).
"""

from __future__ import annotations

import difflib
import json
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "engine_flags"
ENGINES = {"vllm": "vllm.json", "llama.cpp": "llama_server.json", "mlx-lm": "mlx_lm_server.json"}
# value kinds: none (a switch), int, int_human (vLLM's 1k / 2M), float, str, json,
# json_or_str, bool_value (argparse type=bool: one value), optional_str (zero or one),
# list / list_int (one or more), str2 (exactly two)
VALUE_KINDS = {
    "none", "int", "int_human", "float", "str", "json", "json_or_str", "bool_value",
    "optional_str", "list", "list_int", "str2",
}  # fmt: skip
HUMAN_INT = re.compile(r"^(\d+|\d+(\.\d+)?[kmgt]|\d+[KMGT])$")


class EngineFlagsError(ValueError):
    """The argument-list file is missing or malformed."""


@dataclass(frozen=True, slots=True)
class FlagSpec:
    names: tuple[str, ...]
    value: str
    negations: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()

    @property
    def canonical(self) -> str:
        return next((n for n in self.names if n.startswith("--")), self.names[0])


@dataclass(frozen=True, slots=True)
class EngineFlags:
    engine: str
    command: tuple[str, ...]
    flags: tuple[FlagSpec, ...]
    positional: tuple[tuple[str, bool], ...] = ()  # (name, optional)
    normalize_underscores: bool = False
    allows_equals: bool = True
    source: tuple[tuple[str, str], ...] = ()  # (path, commit)
    index: dict[str, tuple[FlagSpec, bool]] = field(default_factory=dict, compare=False)

    def lookup(self, token: str) -> tuple[FlagSpec, bool] | None:
        """(spec, negated) for a flag token, applying the engine's `_`→`-` rule."""
        found = self.index.get(token)
        if found is None and self.normalize_underscores and token.startswith("--"):
            found = self.index.get(token.replace("_", "-"))
        return found


@dataclass(frozen=True, slots=True)
class FlagProblem:
    token: str
    message: str


@dataclass
class ParsedCommand:
    values: dict[str, str | list[str] | bool | None] = field(default_factory=dict)
    positionals: list[str] = field(default_factory=list)
    problems: list[FlagProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def engine_flags_from_data(data: dict) -> EngineFlags:
    """Build the argument list from a decoded engine_flags JSON document."""
    try:
        flags = tuple(
            FlagSpec(
                names=tuple(f["names"]),
                value=f["value"],
                negations=tuple(f.get("negations", ())),
                choices=tuple(str(c) for c in f.get("choices", ())),
            )
            for f in data["flags"]
        )
        spec = EngineFlags(
            engine=data["engine"],
            command=tuple(data["command"]),
            flags=flags,
            positional=tuple((p["name"], bool(p.get("optional"))) for p in data["positional"]),
            normalize_underscores=bool(data.get("normalize_underscores")),
            allows_equals=bool(data.get("allows_equals", True)),
            source=tuple((f["path"], f["commit"]) for f in data["source"]["files"]),
        )
    except (KeyError, TypeError) as exc:
        raise EngineFlagsError(f"malformed engine flags document: {exc}") from exc
    for flag in spec.flags:
        if flag.value not in VALUE_KINDS:
            raise EngineFlagsError(f"{flag.canonical}: unknown value kind {flag.value!r}")
        for name in flag.names:
            spec.index[name] = (flag, False)
        for name in flag.negations:
            spec.index[name] = (flag, True)
    return spec


@cache
def load_engine_flags(engine: str) -> EngineFlags:
    """The argument list of `engine` ("vllm", "llama.cpp" or "mlx-lm")."""
    if engine not in ENGINES:
        raise EngineFlagsError(f"unknown engine {engine!r}; one of {', '.join(ENGINES)}")
    path = DATA_DIR / ENGINES[engine]
    try:
        return engine_flags_from_data(json.loads(path.read_text()))
    except (OSError, json.JSONDecodeError) as exc:
        raise EngineFlagsError(f"cannot read {path.name}: {exc}") from exc


def _is_flag(token: str) -> bool:
    return token.startswith("-") and len(token) > 1 and not _is_number(token)


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def _check_value(flag: FlagSpec, token: str, value: str) -> str | None:
    kind = flag.value
    if flag.choices and value not in flag.choices:
        return f"{token}: {value!r} is not one of {', '.join(flag.choices)}"
    if kind in ("int", "list_int"):
        try:
            int(value)
        except ValueError:
            return f"{token}: {value!r} is not an integer"
    elif kind == "int_human" and not HUMAN_INT.match(value):
        return f"{token}: {value!r} is not an integer (1k, 2M forms allowed)"
    elif kind == "float" and not _is_number(value):
        return f"{token}: {value!r} is not a number"
    elif kind == "json":
        try:
            json.loads(value)
        except json.JSONDecodeError:
            return f"{token}: {value!r} is not valid JSON"
    return None


def _suggest(spec: EngineFlags, token: str) -> str:
    close = difflib.get_close_matches(token, list(spec.index), n=1, cutoff=0.75)
    return f" (did you mean {close[0]}?)" if close else ""


def _strip_command(spec: EngineFlags, argv: list[str], parsed: ParsedCommand) -> list[str]:
    n = len(spec.command)
    if argv[:n] == list(spec.command):
        return argv[n:]
    if argv and argv[0].rsplit("/", 1)[-1] == spec.command[0]:
        return argv[n:]
    parsed.problems.append(
        FlagProblem(" ".join(argv[:n]), f"not a `{' '.join(spec.command)}` command")
    )
    return argv


def parse_command(
    spec: EngineFlags, command: str | Sequence[str], *, with_program: bool = True
) -> ParsedCommand:
    """Read `command` (a shell string or argv list) as the engine's parser would."""
    argv = shlex.split(command) if isinstance(command, str) else list(command)
    parsed = ParsedCommand()
    if with_program:
        argv = _strip_command(spec, argv, parsed)
    i = 0
    while i < len(argv):
        token = argv[i]
        i += 1
        if not _is_flag(token):
            if len(parsed.positionals) < len(spec.positional):
                parsed.positionals.append(token)
            else:
                parsed.problems.append(FlagProblem(token, f"unexpected argument {token!r}"))
            continue
        inline = None
        name = token
        if "=" in token and token.startswith("--"):
            name, inline = token.split("=", 1)
            if not spec.allows_equals:
                message = f"{spec.engine} does not accept --flag=value; write {name} {inline}"
                parsed.problems.append(FlagProblem(token, message))
                continue
        found = spec.lookup(name)
        if found is None:
            parsed.problems.append(FlagProblem(name, f"unknown flag {name}{_suggest(spec, name)}"))
            continue
        flag, negated = found
        key = flag.canonical
        if flag.value == "none":
            if inline is not None:
                parsed.problems.append(FlagProblem(token, f"{name} takes no value"))
            parsed.values[key] = not negated
            continue
        need = 2 if flag.value == "str2" else 1
        values: list[str] = [] if inline is None else [inline]
        if flag.value in ("list", "list_int"):
            while i < len(argv) and not _is_flag(argv[i]):
                values.append(argv[i])
                i += 1
        elif flag.value == "optional_str":
            if not values and i < len(argv) and not _is_flag(argv[i]):
                values.append(argv[i])
                i += 1
            parsed.values[key] = values[0] if values else None
            continue
        else:
            while len(values) < need and i < len(argv):
                values.append(argv[i])
                i += 1
        if len(values) < need:
            parsed.problems.append(FlagProblem(name, f"{name} needs {need} value(s)"))
            continue
        bad = [m for v in values if (m := _check_value(flag, name, v))]
        parsed.problems.extend(FlagProblem(name, m) for m in bad)
        parsed.values[key] = values if flag.value in ("list", "list_int", "str2") else values[0]
    required = [n for n, optional in spec.positional if not optional]
    parsed.problems.extend(
        FlagProblem(n, f"missing positional argument {n}")
        for n in required[len(parsed.positionals) :]
    )
    return parsed


def validate_command(engine: str, command: str | Sequence[str]) -> list[FlagProblem]:
    """Every problem with `command` for `engine` (empty when the engine would accept it)."""
    return parse_command(load_engine_flags(engine), command).problems


def flag_value(
    spec: EngineFlags, parsed: ParsedCommand, name: str
) -> str | list[str] | bool | None:
    """The parsed value of a flag by any of its names (None when absent)."""
    found = spec.lookup(name)
    return None if found is None else parsed.values.get(found[0].canonical)
