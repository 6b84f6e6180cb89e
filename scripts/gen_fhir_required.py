"""Generate porch/record/fhir_required.json: the required FHIR R4 elements the JSON schema misses.

The official R4 JSON schema lists only complex elements in `required`: a required primitive
such as Observation.status may legally appear as `_status` alone (extensions, no value), so
the schema cannot demand `status`; a required choice such as UsageContext.value[x] has no
single property name to demand. This script reads both from fhirclient's R4 (4.0.1) models
and writes, for every resource type and every complex datatype or backbone element reachable
from one, the required elements the schema leaves out. porch/record/validation.py walks a
resource with that table, taking which element holds which type from the schema itself.

fhirclient is needed only here, never at run time: the JSON is committed.

Usage (repo root, venv active):
    python scripts/gen_fhir_required.py [path/to/fhir.schema.json]

Raises SystemExit when fhirclient's models and the schema disagree on an element's kind;
prints a note for an element fhirclient has and the schema lacks (the schema rejects it).
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

import fhirclient
from fhirclient.models.fhirabstractbase import FHIRAbstractBase

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SCHEMA = REPO.parent / "shared/data/fhir-r4-schema/fhir.schema.json"
OUTPUT = REPO / "porch/record/fhir_required.json"
# Marks an element holding any resource (contained, Bundle.entry.resource); its own
# resource type is walked from the roots anyway.
RESOURCE = "Resource"

Definitions = dict[str, dict[str, Any]]
TypeInfo = dict[str, dict[str, Any]]


def _ref_target(prop: dict[str, Any]) -> str | None:
    """Return the definition name a schema property points to, for single or list elements."""
    ref = prop.get("$ref") or prop.get("items", {}).get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def _model_class(resource_type: str) -> type[FHIRAbstractBase]:
    module = importlib.import_module(f"fhirclient.models.{resource_type.lower()}")
    cls: type[FHIRAbstractBase] = getattr(module, resource_type)
    return cls


def _uncovered_required(
    cls: type[FHIRAbstractBase], schema_required: set[str]
) -> dict[str, list[str]]:
    """Required elements of `cls` that the schema's `required` does not list.

    Returns {label: [property names]}: one name for a plain element, every variant
    (valueQuantity, valueString, ...) under "value[x]" for a required choice.
    """
    out: dict[str, list[str]] = {}
    for _name, jsname, _typ, _is_list, of_many, not_optional in cls().elementProperties():
        if not not_optional:
            continue
        if of_many:
            out.setdefault(f"{of_many}[x]", []).append(jsname)
        elif jsname not in schema_required:
            out[jsname] = [jsname]
    return out


def _complex_children(
    definition: str, cls: type[FHIRAbstractBase], defs: Definitions
) -> dict[str, tuple[str, type[FHIRAbstractBase] | None]]:
    """Map each complex element of `definition` to (schema definition, fhirclient class)."""
    props = defs[definition]["properties"]
    children: dict[str, tuple[str, type[FHIRAbstractBase] | None]] = {}
    for _name, jsname, typ, _is_list, _of_many, _not_optional in cls().elementProperties():
        if jsname not in props:
            # e.g. Extension.valueMeta: the schema rejects it as unknown anyway.
            print(
                f"note: {definition}.{jsname} is in fhirclient, not in the schema", file=sys.stderr
            )
            continue
        target = _ref_target(props[jsname])
        if target == "ResourceList":
            children[jsname] = (RESOURCE, None)
        elif target and "properties" in defs[target]:
            if not (isinstance(typ, type) and issubclass(typ, FHIRAbstractBase)):
                sys.exit(f"{definition}.{jsname}: complex in the schema, primitive in fhirclient")
            children[jsname] = (target, typ)
    return children


def collect(defs: Definitions, resource_types: list[str]) -> TypeInfo:
    """Walk schema and models side by side from every resource type; return the full table."""
    table: TypeInfo = {}
    todo: list[tuple[str, type[FHIRAbstractBase]]] = [(t, _model_class(t)) for t in resource_types]
    while todo:
        definition, cls = todo.pop()
        if definition in table:
            continue
        schema_required = set(defs[definition].get("required", []))
        children = _complex_children(definition, cls, defs)
        table[definition] = {
            "required": _uncovered_required(cls, schema_required),
            "children": {name: target for name, (target, _) in children.items()},
        }
        todo.extend((t, c) for t, c in children.values() if c is not None and t not in table)
    return table


def required_only(table: TypeInfo) -> dict[str, dict[str, list[str]]]:
    """Keep the types that have uncovered requirements, sorted for stable diffs."""
    return {t: table[t]["required"] for t in sorted(table) if table[t]["required"]}


def main(argv: list[str]) -> None:
    schema_path = Path(argv[1]) if len(argv) > 1 else DEFAULT_SCHEMA
    defs: Definitions = json.loads(schema_path.read_text(encoding="utf-8"))["definitions"]
    resource_types = [r["$ref"].rsplit("/", 1)[-1] for r in defs["ResourceList"]["oneOf"]]
    table = collect(defs, resource_types)
    required = required_only(table)
    doc = {
        "_generated_by": "scripts/gen_fhir_required.py; do not edit",
        "_source": f"fhirclient {fhirclient.__version__} R4 models, {schema_path.name}",
        "required": required,
    }
    # One type per line: small, and diffs stay readable when the models change.
    lines = [f"{json.dumps(t)}: {json.dumps(r)}" for t, r in required.items()]
    head = json.dumps({k: v for k, v in doc.items() if k != "required"})[:-1]
    OUTPUT.write_text(head + ', "required": {\n' + ",\n".join(lines) + "\n}}\n", encoding="utf-8")
    n_req = sum(len(r) for r in required.values())
    where = OUTPUT.relative_to(REPO)
    print(
        f"wrote {where}: {len(table)} types reached, {len(required)} with {n_req} required elements"
    )


if __name__ == "__main__":
    main(sys.argv)
