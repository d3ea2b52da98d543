"""Reading scenario files: TOML, treatments and --set overrides, with errors that say where.

Every error names the file, the field's dotted path and the reason, and is raised before
anything runs. A treatment (or an override) may set any field by its dotted path, e.g.
``exchanges.gz.buyer_fee_bp = 0``; a path that names no field is an error, never ignored.
"""

from __future__ import annotations

import copy
import tomllib
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from exchange.simulation.scenario import Scenario

BASE_TREATMENT = "base"
TREATMENT_KEY = "treatment"
SEED_KEY = "seed"


class ScenarioError(ValueError):
    """A scenario that cannot run: names the file, the field path and the reason."""

    def __init__(self, source: str, path: str, reason: str) -> None:
        super().__init__(f"{source}: {path or '(scenario)'}: {reason}")
        self.source = source
        self.path = path
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Variant:
    """One runnable version of a scenario: the treatment and overrides applied, validated."""

    scenario: Scenario
    source: str
    treatment: str
    overrides: tuple[tuple[str, Any], ...]

    @property
    def label(self) -> str:
        """A short human label: the treatment and the overrides."""
        parts = [] if self.treatment == BASE_TREATMENT else [self.treatment]
        parts += [f"{k}={show_value(v)}" for k, v in self.overrides if k != TREATMENT_KEY]
        return ", ".join(parts) or BASE_TREATMENT


def show_value(value: Any) -> str:
    """A value as a label shows it (TOML-like booleans)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def read_toml(path: Path) -> dict[str, Any]:
    """The raw TOML table of a scenario file."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(source, "", "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(source, "", f"cannot be read: {exc}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(source, "", f"not valid TOML: {exc}") from None


def parse_value(text: str) -> Any:
    """A --set value: TOML syntax (10, true, ["posted"], "x"), else the bare text as a string."""
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text


def parse_assignment(text: str) -> tuple[str, Any]:
    """`key=value` as given to --set."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ScenarioError("--set", text, "expected key=value")
    return key.strip(), parse_value(value.strip())


def parse_sweep(text: str) -> tuple[str, list[Any]]:
    """`key=v1,v2,...` as given to --sweep."""
    key, sep, values = text.partition("=")
    if not sep or not key.strip():
        raise ScenarioError("--sweep", text, "expected key=v1,v2,...")
    items = [parse_value(v.strip()) for v in values.split(",") if v.strip()]
    if len(items) < 1:
        raise ScenarioError("--sweep", key.strip(), "needs at least one value")
    return key.strip(), items


def _unwrap(annotation: Any) -> Any:
    """The type behind Optional[...] / Annotated[...]."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) == 1:
                annotation = args[0]
                continue
        return annotation


def _model_class(annotation: Any) -> type[BaseModel] | None:
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def set_path(raw: dict[str, Any], dotted: str, value: Any) -> None:
    """Set a field of a raw scenario by dotted path; KeyError(reason) if it names no field."""
    parts = dotted.split(".")
    if not all(parts):
        raise KeyError(f"{dotted!r} is not a dotted field path")
    if parts[0] == "treatments":
        raise KeyError("treatments cannot be changed by a treatment or an override")
    node: dict[str, Any] = raw
    kind: Any = Scenario
    walked: list[str] = []
    for position, part in enumerate(parts):
        where = ".".join(walked) or "the scenario"
        model = _model_class(kind)
        if model is not None:
            if part not in model.model_fields:
                names = ", ".join(sorted(model.model_fields))
                raise KeyError(f"{where} has no field {part!r} (it has: {names})")
            child_kind = model.model_fields[part].annotation
        elif typing.get_origin(_unwrap(kind)) is dict:
            # A table keyed by names (e.g. exchanges): the entry must already exist.
            if part not in node:
                names = ", ".join(sorted(node)) or "none"
                raise KeyError(f"{where} has no entry {part!r} (it has: {names})")
            child_kind = typing.get_args(_unwrap(kind))[1]
        else:
            raise KeyError(f"{where} is a value, not a table")
        walked.append(part)
        if position == len(parts) - 1:
            node[part] = copy.deepcopy(value)
            return
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise KeyError(f"{'.'.join(walked)} is not a table")
        node = child
        kind = child_kind


def _format_loc(loc: Iterable[int | str]) -> str:
    return ".".join(str(p) for p in loc)


def _describe_errors(source: str, exc: ValidationError) -> ScenarioError:
    errors = exc.errors(include_url=False)
    first = errors[0]
    path = _format_loc(first.get("loc", ()))
    reason = str(first.get("msg", "invalid"))
    if first.get("type") == "extra_forbidden":
        reason = "unknown field"
    elif "input" in first and first.get("type") not in {"missing"}:
        shown = repr(first["input"])
        reason = f"{reason} (got {shown[:80]})"
    if len(errors) > 1:
        others = "; ".join(
            f"{_format_loc(e.get('loc', ()))}: {e.get('msg', '')}" for e in errors[1:4]
        )
        reason += f" — and {len(errors) - 1} more: {others}"
    return ScenarioError(source, path, reason)


def validate(raw: Mapping[str, Any], source: str) -> Scenario:
    """A scenario from its raw table, or a ScenarioError naming the first bad field."""
    try:
        return Scenario.model_validate(dict(raw))
    except ValidationError as exc:
        raise _describe_errors(source, exc) from None


def apply_overrides(
    raw: dict[str, Any], overrides: Sequence[tuple[str, Any]], source: str, origin: str
) -> None:
    """Apply dotted-path assignments to a raw scenario (errors name `origin`)."""
    for key, value in overrides:
        try:
            set_path(raw, key, value)
        except KeyError as exc:
            raise ScenarioError(source, f"{origin}: {key}", str(exc.args[0])) from None


def variant(
    raw: Mapping[str, Any],
    source: str,
    *,
    treatment: str = BASE_TREATMENT,
    overrides: Sequence[tuple[str, Any]] = (),
) -> Variant:
    """Apply a treatment and overrides to a raw scenario and validate the result."""
    base = validate(raw, source)
    data = copy.deepcopy(dict(raw))
    if treatment != BASE_TREATMENT:
        if treatment not in base.treatments:
            names = ", ".join([BASE_TREATMENT, *sorted(base.treatments)])
            raise ScenarioError(
                source, TREATMENT_KEY, f"no treatment {treatment!r} (there are: {names})"
            )
        changes = list(base.treatments[treatment].items())
        apply_overrides(data, changes, source, f"treatments.{treatment}")
    plain = [(k, v) for k, v in overrides if k != TREATMENT_KEY]
    apply_overrides(data, plain, source, "--set")
    return Variant(validate(data, source), source, treatment, tuple(overrides))


def check_treatments(raw: Mapping[str, Any], source: str) -> None:
    """Every treatment of a scenario names real fields and yields a valid scenario."""
    base = validate(raw, source)
    for name in base.treatments:
        variant(raw, source, treatment=name)


def load(
    path: Path, *, overrides: Sequence[tuple[str, Any]] = (), seed: int | None = None
) -> Variant:
    """Load a scenario file with its treatments checked, a treatment and overrides applied.

    `treatment=NAME` among the overrides picks a treatment; `seed` replaces the file's seed.
    """
    raw = read_toml(path)
    source = str(path)
    check_treatments(raw, source)
    treatment = BASE_TREATMENT
    for key, value in overrides:
        if key == TREATMENT_KEY:
            treatment = str(value)
    extra = list(overrides)
    if seed is not None:
        extra.append((SEED_KEY, seed))
    return variant(raw, source, treatment=treatment, overrides=extra)
