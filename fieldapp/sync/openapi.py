"""OpenAPI 3.1 description of /api/*, written by hand: it is the contract, not a by-product."""
from __future__ import annotations

from ..households import rules
from ..labels import MATERIALS, OUTCOMES

_ERROR = {"$ref": "#/components/schemas/Error"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict:
    text = {400: "Malformed request",
            401: "Not signed in; `error` is `session_ended` when the account was signed out of every "
                 "device (the phone then deletes its offline data) or `session_expired`",
            403: "Bad CSRF token or role", 404: "Not found or outside the caller's area", 413: "Too large",
            429: "Too many entries of this account refused today: nothing kept; send again after Retry-After",
            503: "The database is busy or away: nothing was kept; send again after Retry-After seconds"}
    return {str(c): _json(_ERROR, text[c]) for c in (*codes, 503)}


VISIT_DATA = {
    "type": "object", "required": ["household_id", "campaign_id", "outcome"],
    "properties": {
        "household_id": {"type": "string", "format": "uuid"},
        "campaign_id": {"type": "integer"},
        "outcome": {"enum": list(OUTCOMES)},
        "topics": {"type": "array", "items": {"type": "string"}},
        "materials": {"type": "array", "items": {"enum": list(MATERIALS)}},
        "people_reached": {"type": "integer", "minimum": 0, "maximum": 50},
        "youth_reached": {"type": "integer", "minimum": 0, "maximum": 30},
        "commitment_signed": {"type": "boolean"},
        "companions": {"type": "array", "items": {"type": "string"}, "description": "usernames"},
        "note": {"type": "string", "maxLength": 1000},
        "lat": {"type": ["number", "null"]}, "lon": {"type": ["number", "null"]},
        "accuracy_m": {"type": ["number", "null"]},
        "supersedes": {"type": "string", "format": "uuid",
                       "description": "a correction: the visit this record replaces (its author or a commander)"},
        "reason": {"type": "string", "maxLength": 500, "description": "why, with `supersedes`"},
    },
}

WITHDRAWAL_DATA = {
    "type": "object", "required": ["visit_id", "reason"],
    "properties": {"visit_id": {"type": "string", "format": "uuid"}, "reason": {"type": "string", "maxLength": 500},
                   "household_id": {"type": "string", "format": "uuid", "description": "for the phone's own use"}},
}

HOUSEHOLD_DATA = rules.json_schema()

_VISIT_ID = {"name": "visit_id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
_PHOTO_ANSWER = {"type": "object", "required": ["status"], "properties": {
    "status": {"enum": ["created", "duplicate"]}, "visit_id": {"type": "string"}, "bytes": {"type": "integer"}}}

SCHEMAS = {
    "Error": {"type": "object", "required": ["error", "message"],
              "properties": {"error": {"type": "string"}, "message": {"type": "string"}}},
    "Entry": {
        "type": "object", "required": ["id", "type", "data"],
        "properties": {
            "id": {"type": "string", "format": "uuid", "description": "made on the device; the visit's or household's id"},
            "type": {"enum": ["visit", "household", "withdrawal"]},
            "seq": {"type": ["integer", "null"], "minimum": 0},
            "recorded_at": {"type": "string", "format": "date-time", "description": "device time with its UTC offset"},
            "data": {"oneOf": [VISIT_DATA, HOUSEHOLD_DATA, WITHDRAWAL_DATA]},
        },
    },
    "Batch": {
        "type": "object", "required": ["device_id", "entries"],
        "properties": {"batch_id": {"type": "string"}, "device_id": {"type": "string", "maxLength": 80},
                       "entries": {"type": "array", "maxItems": 200, "items": {"$ref": "#/components/schemas/Entry"}}},
    },
    "Result": {
        "type": "object", "required": ["id", "status"],
        "properties": {"id": {"type": "string"},
                       "status": {"enum": ["created", "duplicate", "id_conflict", "quarantined", "retry"],
                                  "description": "a receipt: created, duplicate; a refusal of the content: "
                                                 "quarantined, id_conflict; retry: no receipt (the server "
                                                 "failed on this entry), send it again later"},
                       "errors": {"type": "object", "additionalProperties": {"type": "string"},
                                  "description": "field name → reason (Vietnamese by default)"}},
    },
    "Visit": {
        "type": "object",
        "required": ["id", "household_id", "outcome", "recorded_at", "received_at", "by", "topics", "materials",
                     "in_force", "superseded_by", "checks", "verification"],
        "properties": {
            "id": {"type": "string", "format": "uuid"}, "household_id": {"type": "string", "format": "uuid"},
            "outcome": {"type": "string"}, "recorded_at": {"type": "string", "format": "date-time"},
            "received_at": {"type": "string", "format": "date-time"},
            "by": {"type": "array", "items": {"type": "string"}}, "topics": {"type": "array", "items": {"type": "string"}},
            "materials": {"type": "array", "items": {"type": "string"}}, "in_force": {"type": "boolean"},
            "superseded_by": {"type": ["string", "null"]},
            "checks": {"type": "array", "items": {"type": "object", "required": ["code"], "properties": {
                "code": {"enum": ["far", "no_fix", "poor_fix", "burst", "late_entry", "odd_hours"]}},
                "description": "the check's figures beside its code, e.g. distance_m and accuracy_m"}},
            "verification": {"oneOf": [{"type": "null"}, {"type": "object", "properties": {
                "result": {"enum": ["confirmed", "denied", "unreachable"]}, "by": {"type": ["string", "null"]},
                "at": {"type": "string", "format": "date-time"}}}]},
        },
    },
    "BatchAnswer": {
        "type": "object", "required": ["server_time", "results"],
        "properties": {"server_time": {"type": "string", "format": "date-time"},
                       "results": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}}},
    },
}


def _paths() -> dict:
    return {
        "/api/session": {"get": {
            "summary": "Who is signed in, a fresh CSRF token, the server clock and the restore epoch",
            "responses": {"200": _json({"type": "object", "required": ["user", "csrf_token", "server_time", "epoch"],
                                        "properties": {"user": {"type": "object"}, "csrf_token": {"type": "string"},
                                                       "server_time": {"type": "string", "format": "date-time"},
                                                       "epoch": {"type": "string", "description":
                                                                 "changes when the database is restored from a "
                                                                 "backup: resend what /api/sync/status lacks"},
                                                       "keep_sent_days": {"type": "integer", "description":
                                                                          "days a phone keeps acknowledged entries"}}},
                                       "Signed in"), **_errors(401)}}},
        "/api/me/pack": {"get": {
            "summary": "The caller's villages (each with its households in walking order and its team "
                       "today, the caller left out, for companions), the current campaign with its state "
                       "and standard package, and the status rule, for offline use; commanders and admins "
                       "only the villages they are assigned to",
            "parameters": [{"name": "If-None-Match", "in": "header", "schema": {"type": "string"}},
                           {"name": "since", "in": "query", "schema": {"type": "string"},
                            "description": "a pack's `version`: only what changed since (`changed`, `removed`), "
                                           "or the whole pack when that version is too old"}],
            "responses": {"200": _json({"type": "object", "required": ["version"], "properties": {
                "version": {"type": "string"}, "generated_at": {"type": "string"},
                "epoch": {"type": "string", "description": "the restore epoch (as in /api/session)"}, "campaign": {"type": ["object", "null"]},
                "status_rule": {"type": "object"}, "villages": {"type": "array"},
                "changed": {"type": "array"}, "removed": {"type": "array", "items": {"type": "string"}}}},
                                       "The pack (with an ETag), or what changed since `since`"),
                          "304": {"description": "Unchanged since the ETag sent"}, **_errors(401)}}},
        "/api/sync/batch": {"post": {
            "summary": "Apply outbox entries, with a receipt per entry id (one bad entry never fails its neighbours)",
            "parameters": [{"name": "X-CSRFToken", "in": "header", "required": True, "schema": {"type": "string"}}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Batch"}}}},
            "responses": {"200": _json({"$ref": "#/components/schemas/BatchAnswer"}, "One result per entry, in order"),
                          **_errors(400, 401, 403, 413, 429, 503)}}},
        "/api/sync/status": {"get": {
            "summary": "Which of the caller's entry ids the server holds",
            "parameters": [{"name": "ids", "in": "query", "required": True, "schema": {"type": "string"},
                            "description": "comma-separated entry ids"}],
            "responses": {"200": _json({"type": "object", "properties": {"results": {"type": "array", "items": {
                "type": "object", "properties": {"id": {"type": "string"},
                                                 "status": {"enum": ["created", "quarantined", "unknown"]}}}}}},
                "Status per id"), **_errors(401, 413)}}},
        "/api/households/{household_id}/warned": {"get": {
            "summary": "Was the household warned by the end of a day, by whom, and who was responsible",
            "parameters": [{"name": "household_id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}},
                           {"name": "as_of", "in": "query", "schema": {"type": "string", "format": "date"}}],
            "responses": {"200": _json({"type": "object", "required": ["warned", "visits", "responsible"]}, "The answer"),
                          **_errors(401, 404)}}},
        "/api/visits/{visit_id}": {"get": {
            "summary": "One visit with the checks the server raised at receipt and its verification",
            "parameters": [_VISIT_ID],
            "responses": {"200": _json({"$ref": "#/components/schemas/Visit"}, "The visit"), **_errors(401, 404)}}},
        "/api/visits/{visit_id}/photo": {"put": {
            "summary": "The photo of the visit's signed commitment (the caller's own visit), sent once the "
                       "visit has its receipt; the same photo again answers duplicate",
            "parameters": [_VISIT_ID, {"name": "X-CSRFToken", "in": "header", "required": True, "schema": {"type": "string"}}],
            "requestBody": {"required": True, "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}}},
            "responses": {"201": _json(_PHOTO_ANSWER, "Stored"), "200": _json(_PHOTO_ANSWER, "Already stored"),
                          **_errors(401, 403, 404, 413, 503), "409": _json(_ERROR, "Another photo is stored for the visit"),
                          "422": _json(_ERROR, "Not a photo")}}},
    }


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Từng Nhà API", "version": "1",
                 "description": "JSON API of the offline client. Every answer is JSON, never a redirect; "
                                "sign in with the session cookie from POST /login."},
        "components": {"schemas": SCHEMAS,
                       "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "session"}}},
        "security": [{"session": []}],
        "paths": _paths(),
    }
