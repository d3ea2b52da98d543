"""Reading scenario files: TOML, treatments and --set overrides, with errors that say where.

Every error names the file, the field's dotted path and the reason, and is raised before
anything runs. A treatment (or an override) may set any field by its dotted path, e.g.
``exchanges.gzde.buyer_fee_bp = 0``; a path that names no field is an error, never ignored.
A table given for a section of the scenario is merged into it field by field, never put in
its place: in TOML an unquoted dotted key (``agents.buyers.strategy = "adaptive"`` under
``[treatments.t]``) is a nested table, and it means exactly what the quoted key means.
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

from exchange.simulation.scenario import FieldConflict, Scenario

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

    def __reduce__(self) -> tuple[type[ScenarioError], tuple[str, str, str]]:
        return (type(self), (self.source, self.path, self.reason))


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


def _section_kind(dotted: str) -> Any | None:
    """The schema type at a dotted path if it is a section (a model, or a table of models).

    None for a plain value (a number, a list, a table of numbers such as products.forms) and
    for a path that names no field (set_path then says why).
    """
    kind: Any = Scenario
    for part in dotted.split("."):
        model = _model_class(kind)
        if model is not None:
            field = model.model_fields.get(part)
            if field is None:
                return None
            kind = field.annotation
        elif typing.get_origin(_unwrap(kind)) is dict:
            kind = typing.get_args(_unwrap(kind))[1]
        else:
            return None
    if _model_class(kind) is not None:
        return kind
    unwrapped = _unwrap(kind)
    if typing.get_origin(unwrapped) is dict and _model_class(typing.get_args(unwrapped)[1]):
        return kind
    return None


def flatten(changes: Iterable[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """Assignments as leaf (dotted path, value) pairs: a table for a section is merged.

    `("agents", {"buyers": {"strategy": "adaptive"}})` (TOML's unquoted dotted keys) becomes
    `("agents.buyers.strategy", "adaptive")`, the same as the quoted key. A table for a plain
    table-valued field (products.forms) stays one value; an empty table for a section stays
    as it is (set_path checks its path and changes nothing).
    """
    leaves: list[tuple[str, Any]] = []

    def walk(path: str, value: Any) -> None:
        if isinstance(value, dict) and value and _section_kind(path) is not None:
            for key, item in value.items():
                walk(f"{path}.{key}", item)
            return
        leaves.append((path, value))

    for key, value in changes:
        walk(key, value)
    return leaves


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
            if value == {} and _section_kind(dotted) is not None:
                node.setdefault(part, {})  # an empty table for a section changes nothing
            else:
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
    cause = first.get("ctx", {}).get("error")
    if isinstance(cause, FieldConflict):
        # A rule across fields, raised by a section's validator: report it at its field.
        path = ".".join(p for p in (path, cause.path) if p)
        reason = cause.reason
    elif first.get("type") == "extra_forbidden":
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
    """Apply dotted-path assignments to a raw scenario, merging tables (errors name `origin`)."""
    for key, value in flatten(overrides):
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
