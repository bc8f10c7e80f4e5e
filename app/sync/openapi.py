"""The OpenAPI 3.1 description of the sync API, served at /api/openapi.json."""

from __future__ import annotations

from app.sync.registry import kinds

_STRINGS = {"type": "array", "items": {"type": "string"}}
_ERROR = {
    "type": "object",
    "properties": {"error": {}, "message": {"type": "string"}},
}


def spec(limits: dict) -> dict:
    item = {
        "type": "object",
        "required": ["id", "kind", "payload"],
        "properties": {
            "id": {
                "type": "string",
                "format": "uuid",
                "description": "The outbox item's id, made on the device. Sending the same id "
                "again with the same content answers `duplicate`; with other content `conflict`.",
            },
            "kind": {"type": "string", "enum": kinds(), "description": "The record kind."},
            "payload": {
                "type": "object",
                "description": "The form's fields, named as in the HTML form: `uuid` (the "
                "record's id), `child_id`, `form_version`, optional `base_version` (an edit's "
                "starting version), and the kind's own fields. Values are strings or arrays.",
                "required": ["uuid"],
                "additionalProperties": True,
            },
            "created_at": {"type": "string", "format": "date-time"},
            "base_version": {"type": ["integer", "null"]},
            "form_version": {"type": ["integer", "null"]},
        },
    }
    result = {
        "type": "object",
        "required": ["id", "status"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "status": {
                "type": "string",
                "enum": ["accepted", "duplicate", "conflict", "invalid", "forbidden", "error"],
                "description": "accepted: stored. duplicate: already received (nothing new). "
                "conflict: not applied; both versions kept for a person to decide. invalid: "
                "field errors in Danish. forbidden: outside the user's scope. error: the server "
                "failed on this item; retry later.",
            },
            "errors": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
            "message": {"type": "string"},
            "record_uuid": {"type": "string"},
            "version": {"type": "integer"},
            "conflict_id": {"type": "integer"},
        },
    }
    view = {
        "type": "object",
        "required": ["id", "child_id", "at"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "child_id": {"type": "integer"},
            "at": {"type": "string", "format": "date-time", "description": "When, on the device"},
            "what": {"type": "string", "default": "child"},
        },
    }
    json_body = {"application/json": {"schema": _ERROR}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Opspor sync API",
            "version": "1",
            "description": "The device outbox sends records made offline. Session cookie "
            "authentication; every POST carries a fresh CSRF token from GET /api/csrf in the "
            "X-CSRFToken header. An expired session answers 401: items wait on the device.",
        },
        "paths": {
            "/api/csrf": {
                "get": {
                    "summary": "A fresh CSRF token for the current session, and who it is.",
                    "responses": {
                        "200": {
                            "description": "Token",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "csrf_token": {"type": "string"},
                                            "user_id": {"type": "integer"},
                                        },
                                    }
                                }
                            },
                        },
                        "401": {"description": "Not logged in", "content": json_body},
                    },
                }
            },
            "/api/sync": {
                "post": {
                    "summary": "A batch of outbox items in creation order, and offline reads.",
                    "description": f"At most {limits['items']} items and {limits['bytes']} "
                    f"bytes per request, {limits['item_bytes']} bytes per item. Items are "
                    "processed in order, each on its own: one bad item never stops the rest.",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "items": {"type": "array", "items": item},
                                        "views": {"type": "array", "items": view},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "One result per item, in the same order",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "results": {"type": "array", "items": result},
                                            "views": {
                                                "type": "array",
                                                "items": {"type": "string"},
                                                "description": "View ids taken; forget them.",
                                            },
                                        },
                                    }
                                }
                            },
                        },
                        "400": {"description": "Not JSON, or CSRF token missing or stale"},
                        "401": {"description": "Session expired", "content": json_body},
                        "413": {"description": "Batch too large", "content": json_body},
                    },
                }
            },
            "/api/sync/reconcile": {
                "post": {
                    "summary": "Which of the item ids sent recently does the server not hold?",
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "ids": {
                                            "type": "array",
                                            "items": {"type": "string", "format": "uuid"},
                                        }
                                    },
                                }
                            }
                        }
                    },
                    "responses": {
                        "200": {
                            "description": "Ids to queue again",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "missing": {
                                                "type": "array",
                                                "items": {"type": "string"},
                                            }
                                        },
                                    }
                                }
                            },
                        },
                        "401": {"description": "Session expired", "content": json_body},
                    },
                }
            },
            "/api/offline/plan": {
                "get": {
                    "summary": "The pages this user's device caches for offline work.",
                    "responses": {
                        "200": {"description": "user_id, generated_at, children, pages[]"},
                        "401": {"description": "Not logged in", "content": json_body},
                    },
                }
            },
        },
    }
