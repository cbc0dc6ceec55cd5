"""Read scenario files: ``extends`` inheritance (deep merge), overrides, validation.

A scenario file may start with ``extends: parent.yaml`` (a path relative to the file,
or the name of a shipped scenario); its mappings are merged into the parent's, key by
key, and its lists and scalars replace the parent's.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from laosp.projection.pack_link import PackLinkError, with_pack
from laosp.projection.scenario import Scenario, ScenarioInfo
from laosp.rules.pack import Pack

Raw = dict[str, Any]


class ScenarioError(ValueError):
    """A scenario file that cannot be read, naming the file and the field."""


def shipped_scenarios_dir() -> Path:
    return Path(str(resources.files("laosp.projection").joinpath("scenarios")))


def shipped_scenario_infos() -> dict[str, ScenarioInfo]:
    """The shipped scenarios' ids, titles and years, by id (the file's stem)."""
    found = {}
    for path in sorted(shipped_scenarios_dir().glob("*.yaml")):
        try:
            found[path.stem] = ScenarioInfo.model_validate(load_raw(path)["scenario"])
        except (KeyError, ValidationError) as error:
            raise ScenarioError(f"{path}: field scenario: {error}") from None
    return found


def resolve(name: str | Path, relative_to: Path | None = None) -> Path:
    """Find a scenario file: as given, next to ``relative_to``, or among the shipped."""
    candidate = Path(name)
    for base in (relative_to, Path.cwd(), shipped_scenarios_dir()):
        if base is None:
            continue
        for option in (base / candidate, base / f"{candidate}.yaml"):
            if option.is_file():
                return option.resolve()
    if candidate.is_absolute() and candidate.is_file():
        return candidate
    raise ScenarioError(f"{name}: scenario file not found")


def deep_merge(parent: Mapping[str, Any], child: Mapping[str, Any]) -> Raw:
    merged: Raw = copy.deepcopy(dict(parent))
    for key, value in child.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def load_raw(path: Path, _seen: tuple[Path, ...] = ()) -> Raw:
    """The merged mapping of ``path`` and its ancestors, not yet validated."""
    if path in _seen:
        chain = " -> ".join(str(p.name) for p in (*_seen, path))
        raise ScenarioError(f"{path}: circular 'extends' ({chain})")
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ScenarioError(f"{path}: cannot read: {error}") from error
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: a scenario file is a mapping")
    parent_name = data.pop("extends", None)
    if parent_name is None:
        return data
    parent = load_raw(resolve(str(parent_name), path.parent), (*_seen, path))
    return deep_merge(parent, data)


def validate(raw: Raw, origin: str) -> Scenario:
    try:
        return Scenario.model_validate(raw)
    except ValidationError as error:
        lines = [
            f"{origin}: field {'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}"
            for e in error.errors()
        ]
        raise ScenarioError("\n".join(lines)) from None


def load_scenario(
    name: str | Path, pack: Pack, overrides: Mapping[str, Any] | None = None
) -> Scenario:
    """Load, merge, override (dotted keys), fill the pack schemes' facts from ``pack``
    (``laosp.projection.pack_link``) and validate one scenario file."""
    path = resolve(name)
    return validate(linked_raw(path, pack, overrides), str(path))


def linked_raw(path: Path, pack: Pack, overrides: Mapping[str, Any] | None = None) -> Raw:
    """The merged mapping of ``path``, overridden, with the pack's facts filled in."""
    raw = load_raw(path)
    if overrides:
        raw = apply_overrides(raw, overrides, str(path))
    return link(raw, pack, str(path))


def link(raw: Raw, pack: Pack, origin: str) -> Raw:
    """``pack_link.with_pack``, its errors as ``ScenarioError``."""
    try:
        return with_pack(raw, pack, origin)
    except PackLinkError as error:
        raise ScenarioError(str(error)) from None


def apply_overrides(raw: Raw, overrides: Mapping[str, Any], origin: str = "override") -> Raw:
    """Set dotted keys (``macro.cpi_inflation``, ``schemes.child_grant.take_up``).

    A key naming an assumption block (a mapping with a ``value``) sets its ``value``.
    """
    result = copy.deepcopy(raw)
    for dotted, value in overrides.items():
        *parents, leaf = dotted.split(".")
        node: Any = result
        for part in parents:
            if not isinstance(node, dict) or part not in node:
                raise ScenarioError(f"{origin}: field {dotted}: no such field")
            node = node[part]
        if not isinstance(node, dict) or leaf not in node:
            raise ScenarioError(f"{origin}: field {dotted}: no such field")
        if isinstance(node[leaf], dict) and "value" in node[leaf]:
            node[leaf]["value"] = value
        else:
            node[leaf] = value
    return result
