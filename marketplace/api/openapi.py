"""OpenAPI 3.1 description of the open data API. Tests validate every answer
against these schemas, so the description cannot drift from the code."""

from __future__ import annotations

from typing import Any

from governance.rules.models import RulesStatus
from governance.steering.models import DecisionKind, Level, MeetingStatus, Resolution
from marketplace.catalogue import vocab


def _s(kind: str | list[str], **extra: Any) -> dict[str, Any]:
    return {"type": kind, **extra}


#: Items per page.
DEFAULT_LIMIT, MAX_LIMIT = 50, 200
#: A cursor is unpadded base64url of the decimal id of the last item of the page before (ids go up to
#: 2147483647: ten digits, fourteen characters); the API refuses any other text as an invalid cursor.
CURSOR_PATTERN = r"^(?:[A-Za-z0-9_-]{4}){0,3}(?:[A-Za-z0-9_-]{2,3})?$"
CURSOR_MAX_LENGTH = 14
#: A year of the filters: 2000 to 2100.
YEAR_PATTERN = r"^(?:20[0-9]{2}|2100)$"

NULLABLE_STRING = _s(["string", "null"])
NULLABLE_DATE = _s(["string", "null"], format="date")


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}


def _list_of(ref: str) -> dict[str, Any]:
    return _object(
        {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{ref}"}},
            "next_cursor": {
                **NULLABLE_STRING,
                "description": "Pass as `cursor` for the next page; null on the last page.",
            },
        }
    )


SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "properties": {
            "error": _s("integer"),
            "parameter": _s("string"),
            "message": _s("string"),
            "title": _s("string"),
        },
        "required": ["error", "message"],
    },
    "Plan": _object(
        {
            "name": _s("string"),
            "model": _s("string", enum=list(vocab.PRICE_MODELS)),
            "unit_price_cents": _s("integer", minimum=0, description="Unit price in euro cents, excluding VAT."),
            "vat_rate_percent": _s("number", minimum=0, maximum=100, examples=[25.5]),
            "unit_price_with_vat_cents": _s("integer", minimum=0, description="Including VAT, rounded to a cent."),
            "min_quantity": _s("integer", minimum=1),
            "notes": _s("string"),
        }
    ),
    "Service": _object(
        {
            "slug": _s("string", pattern="^[a-z0-9]+(-[a-z0-9]+)*$"),
            "name": _s("string"),
            "summary": _s("string", description="In Finnish."),
            "summary_sv": NULLABLE_STRING,
            "summary_en": NULLABLE_STRING,
            "description": _s("string", description="Markdown."),
            "url": _s("string", format="uri", description="The service page in the catalogue."),
            "provider": _object({"id": _s("integer"), "name": _s("string")}),
            "category": _s("string", enum=list(vocab.CATEGORIES)),
            "levels": {"type": "array", "items": _s("string", enum=list(vocab.LEVELS))},
            "roles": {"type": "array", "items": _s("string", enum=list(vocab.ROLES))},
            "subjects": {"type": "array", "items": _s("string", enum=list(vocab.SUBJECTS))},
            "languages": {"type": "array", "items": _s("string", enum=list(vocab.LANGUAGES))},
            "standards": {"type": "array", "items": _s("string", enum=list(vocab.STANDARDS))},
            "accessibility": _s(
                "string",
                enum=list(vocab.ACCESSIBILITY),
                description="Conformance to WCAG 2.1 AA: full, partial or none.",
            ),
            "accessibility_statement_url": NULLABLE_STRING,
            "hosting": _s("string", enum=list(vocab.HOSTING)),
            "personal_data": _s("boolean"),
            "support_url": NULLABLE_STRING,
            "privacy_url": NULLABLE_STRING,
            "plans": {"type": "array", "items": {"$ref": "#/components/schemas/Plan"}},
            "version": _s("integer", description="Number of the published revision."),
            "published_at": _s("string", format="date-time"),
        }
    ),
    "Provider": _object(
        {
            "id": _s("integer"),
            "name": _s("string"),
            "business_id": NULLABLE_STRING,
            "rules_accepted": {**NULLABLE_STRING, "description": "Label of the latest rules accepted."},
        }
    ),
    "RulesVersion": _object(
        {
            "id": _s("integer"),
            "label": _s("string"),
            "title": _s("string"),
            "status": _s("string", enum=[s.value for s in RulesStatus if s != RulesStatus.DRAFT]),
            "sha256": _s("string", pattern="^[0-9a-f]{64}$"),
            "effective_date": NULLABLE_DATE,
            "reacceptance_deadline": NULLABLE_DATE,
            "adopted_by": NULLABLE_STRING,
            "text": {**NULLABLE_STRING, "description": "Markdown text of the version in force; null for others."},
        }
    ),
    "Member": _object(
        {
            "name": _s("string"),
            "role": _s("string"),
            "voting": _s("boolean"),
            "organisation": NULLABLE_STRING,
            "deputy_of": NULLABLE_STRING,
            "term_start": _s("string", format="date"),
            "term_end": NULLABLE_DATE,
        }
    ),
    "Body": _object(
        {
            "id": _s("integer"),
            "code": _s("string"),
            "name": _s("string"),
            "level": _s("string", enum=[v.value for v in Level]),
            "parent": NULLABLE_STRING,
            "mandate": {"type": "array", "items": _s("string", enum=[k.value for k in DecisionKind])},
            "members": {"type": "array", "items": {"$ref": "#/components/schemas/Member"}},
        }
    ),
    "AgendaEntry": _object({"section": _s("integer"), "title": _s("string"), "case": _s("string")}),
    "Meeting": _object(
        {
            "id": _s("integer"),
            "reference": _s("string"),
            "body": _s("string"),
            "number": _s("integer"),
            "year": _s("integer"),
            "starts_at": _s("string", format="date-time"),
            "place": _s("string"),
            "status": _s("string", enum=[s.value for s in MeetingStatus if s != MeetingStatus.PLANNED]),
            "agenda": {"type": "array", "items": {"$ref": "#/components/schemas/AgendaEntry"}},
        }
    ),
    "Decision": _object(
        {
            "reference": _s("string", examples=["OR 3/2026 § 5"]),
            "slug": _s("string", examples=["OR-3-2026-5"]),
            "title": _s("string"),
            "body": _s("string"),
            "level": _s("string", enum=[v.value for v in Level]),
            "kind": _s("string", enum=[k.value for k in DecisionKind]),
            "resolution": _s("string", enum=[r.value for r in Resolution]),
            "decided_on": _s("string", format="date"),
            "effective_at": _s(["string", "null"], format="date-time"),
            "case": _s("string"),
            "confidential": _s("boolean"),
            "legal_basis": NULLABLE_STRING,
            "text": {**NULLABLE_STRING, "description": "Null when the case is confidential."},
            "referred_to": NULLABLE_STRING,
        }
    ),
    "Case": _object(
        {
            "id": _s("integer"),
            "record_number": _s("string", pattern=r"^DIGI-\d{4}-\d{6}$"),
            "title": _s("string"),
            "confidential": _s("boolean"),
            "legal_basis": NULLABLE_STRING,
            "decisions": {"type": "array", "items": _s("string")},
        }
    ),
}
for _name in ("Service", "Provider", "RulesVersion", "Body", "Meeting", "Decision", "Case"):
    SCHEMAS[f"{_name}List"] = _list_of(_name)

PAGING = [
    {
        "name": "limit",
        "in": "query",
        "schema": _s("integer", minimum=1, maximum=MAX_LIMIT, default=DEFAULT_LIMIT),
        "description": "Items per page.",
    },
    {
        "name": "cursor",
        "in": "query",
        "allowEmptyValue": True,
        "schema": _s("string", pattern=CURSOR_PATTERN, maxLength=CURSOR_MAX_LENGTH),
        "description": "The `next_cursor` of the previous page, as it was given; empty for the first page. "
        "Any other value is refused (400).",
    },
]


# Filters may be sent empty (as a form with nothing chosen sends them): an empty value filters nothing.
def _q(name: str, description: str, **schema: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "description": description + " Empty for no filter.",
        "allowEmptyValue": True,
        "schema": {"type": "string", **schema},
    }


def _many(name: str, description: str, values) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "allowEmptyValue": True,
        "description": description + " Repeat to allow several (any of them); empty for no filter.",
        "style": "form",
        "explode": True,
        "schema": {"type": "array", "items": {"type": "string", "enum": list(values)}},
    }


ENDPOINTS = {
    "/api/v1/services": (
        "Published services of active providers in good standing with the rules (the catalogue)",
        "ServiceList",
        [
            _q("q", "Search words (Finnish full-text search, word beginnings match).", maxLength=200),
            _many("category", "Category.", vocab.CATEGORIES),
            _many("level", "School level.", vocab.LEVELS),
            _many("role", "User role.", vocab.ROLES),
            _many("subject", "National subject code.", vocab.SUBJECTS),
            _many("language", "Language of the service.", vocab.LANGUAGES),
            _many("standard", "Standard or integration.", vocab.STANDARDS),
            _many("accessibility", "WCAG 2.1 AA conformance.", vocab.ACCESSIBILITY),
            _many("hosting", "Where the data is stored.", vocab.HOSTING),
            _many("personal_data", "Whether personal data is processed.", vocab.PERSONAL_DATA),
            _many("model", "Price model of a plan.", vocab.PRICE_MODELS),
            _q(
                "max_price",
                "Highest unit price of the cheapest plan, in euros excluding VAT.",
                pattern=r"^\d+([.,]\d{1,2})?$",
            ),
            _q("provider", "Only this provider's services (its id, 1 to 2147483647).", pattern=r"^[0-9]{1,10}$"),
        ],
    ),
    "/api/v1/providers": ("Active providers", "ProviderList", []),
    "/api/v1/rules": (
        "Versions of the rules (not drafts); the text of the version in force",
        "RulesVersionList",
        [_q("status", "Only versions in this status.", enum=[s.value for s in RulesStatus if s != RulesStatus.DRAFT])],
    ),
    "/api/v1/bodies": (
        "Steering bodies with their current members",
        "BodyList",
        [_q("level", "Only bodies of this level.", enum=[v.value for v in Level])],
    ),
    "/api/v1/meetings": (
        "Meetings whose agenda is published",
        "MeetingList",
        [
            _q("body", "Body code, e.g. OR."),
            _q("year", "Year, 2000 to 2100, e.g. 2026.", pattern=YEAR_PATTERN),
            _q("status", "Meeting status.", enum=[s.value for s in MeetingStatus if s != MeetingStatus.PLANNED]),
        ],
    ),
    "/api/v1/decisions": (
        "Decisions whose minutes are approved (the public register)",
        "DecisionList",
        [
            _q("body", "Body code, e.g. OR."),
            _q("level", "Level.", enum=[v.value for v in Level]),
            _q("year", "Year of the decision, 2000 to 2100.", pattern=YEAR_PATTERN),
            _q("resolution", "Resolution.", enum=[r.value for r in Resolution]),
            _q("kind", "Kind of decision.", enum=[k.value for k in DecisionKind]),
            _q("case", "Record number of the case.", pattern=r"^DIGI-\d{4}-\d{6}$"),
            _q("q", "Search words (Finnish full-text search over titles and texts).", maxLength=200),
        ],
    ),
    "/api/v1/cases": ("Cases with at least one decision in the register", "CaseList", []),
}


def spec(server: str) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for path, (summary, schema, params) in ENDPOINTS.items():
        paths[path] = {
            "get": {
                "summary": summary,
                "operationId": path.rsplit("/", 1)[1],
                "parameters": [*params, *PAGING],
                "responses": {
                    "200": {
                        "description": "A page of results.",
                        "headers": {"ETag": {"schema": _s("string")}, "Last-Modified": {"schema": _s("string")}},
                        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
                    },
                    "304": {"description": "Not modified since the ETag or date given."},
                    "400": {
                        "description": "A parameter was not understood; `parameter` names it.",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                },
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "DigiOne Hub open data API",
            "version": "1.0.0",
            "description": "Read-only, no sign-in. Lists are paginated with `limit` and `cursor`; answers carry "
            "ETag and Last-Modified; CORS is allowed for GET.",
        },
        "servers": [{"url": server}],
        "paths": paths,
        "components": {"schemas": SCHEMAS},
    }
