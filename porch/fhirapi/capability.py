"""The CapabilityStatement (GET /fhir/metadata), generated from the search-parameter
registry so it cannot drift from what the server actually indexes and searches.
"""

from __future__ import annotations

from functools import cache
from importlib import metadata
from typing import Any

from porch.record.searchparams import ParamType, SearchParam, params_for, supported_resource_types

FHIR_VERSION = "4.0.1"
# A fixed date: the statement changes with the software version, not with the clock.
STATEMENT_DATE = "2025-01-01"
_TYPE_INTERACTIONS = (
    "read",
    "vread",
    "update",
    "delete",
    "history-instance",
    "history-type",
    "create",
    "search-type",
)
_SYSTEM_INTERACTIONS = ("transaction", "batch", "history-system")
_SECURITY = (
    "Every request except GET /metadata needs 'Authorization: Bearer <token>', with a token "
    "issued by an operator ('porch api-token create NAME'). A missing, unknown or revoked "
    "token is answered with 401."
)


def capability_statement(base: str) -> dict[str, Any]:
    """The statement for the server at `base` (e.g. https://portal.example.org/fhir)."""
    return _statement(base)


@cache
def _statement(base: str) -> dict[str, Any]:
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": STATEMENT_DATE,
        "publisher": "Porch",
        "kind": "instance",
        "software": {"name": "Porch", "version": _version()},
        "implementation": {"description": "Porch FHIR R4 API", "url": base},
        "fhirVersion": FHIR_VERSION,
        "format": ["json"],
        "rest": [
            {
                "mode": "server",
                "security": {"cors": False, "description": _SECURITY},
                "resource": [_resource(t) for t in supported_resource_types()],
                "interaction": [{"code": code} for code in _SYSTEM_INTERACTIONS],
            }
        ],
    }


def _version() -> str:
    try:
        return metadata.version("porch")
    except metadata.PackageNotFoundError:  # running from a checkout that was never installed
        return "0.0.0"


def _resource(resource_type: str) -> dict[str, Any]:
    params = list(params_for(resource_type).values())
    includes = [f"{resource_type}:{p.code}" for p in params if p.type is ParamType.REFERENCE]
    resource: dict[str, Any] = {
        "type": resource_type,
        "profile": f"http://hl7.org/fhir/StructureDefinition/{resource_type}",
        "interaction": [{"code": code} for code in _TYPE_INTERACTIONS],
        "versioning": "versioned-update",
        "readHistory": True,
        "updateCreate": True,
        "conditionalCreate": True,
        "conditionalRead": "not-supported",
        "conditionalUpdate": False,
        "conditionalDelete": "not-supported",
        "searchParam": [_search_param(resource_type, p) for p in params],
    }
    if includes:  # FHIR JSON has no empty arrays
        resource["searchInclude"] = includes
    return resource


def _search_param(resource_type: str, param: SearchParam) -> dict[str, Any]:
    # The common parameters are defined once for Resource (Resource-id, Resource-lastUpdated).
    owner = "Resource" if param.code.startswith("_") else resource_type
    return {
        "name": param.code,
        "definition": f"http://hl7.org/fhir/SearchParameter/{owner}-{param.code.lstrip('_')}",
        "type": str(param.type),
        "documentation": param.description or f"Searches {param.expression}",
    }
