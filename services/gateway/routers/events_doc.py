"""The AsyncAPI document of every event, and a page that shows it, for outside subscribers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from danvan.asyncapi import asyncapi_document
from services.gateway.openapi import json_example

router = APIRouter(tags=["events"])

# The viewer runs in the reader's browser, from the AsyncAPI project's published component.
_VIEWER_VERSION = "3.1.5"
_VIEWER = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>danvan events (AsyncAPI)</title>
  <link rel="stylesheet"
    href="https://unpkg.com/@asyncapi/react-component@{_VIEWER_VERSION}/styles/default.min.css">
</head>
<body>
  <div id="asyncapi"></div>
  <script
    src="https://unpkg.com/@asyncapi/react-component@{_VIEWER_VERSION}/browser/standalone/index.js">
  </script>
  <script>
    AsyncApiStandalone.render(
      {{schema: {{url: "asyncapi.json"}}, config: {{show: {{sidebar: true}}}}}},
      document.getElementById("asyncapi"),
    );
  </script>
</body>
</html>
"""


# One channel of the document, for the OpenAPI document's example.
_EXAMPLE = {
    "asyncapi": "3.0.0",
    "info": {"title": "danvan events", "version": "1.0.0"},
    "defaultContentType": "application/cloudevents+json",
    "channels": {
        "evt.registry.model.recognised": {
            "address": "evt.registry.model.recognised.{province}",
            "description": "model recognised: `vn.danvan.registry.model.recognised.v1`",
            "messages": {
                "Message": {"$ref": "#/components/messages/evt.registry.model.recognised:Message"}
            },
        }
    },
}


@router.get("/asyncapi.json", responses={200: json_example(_EXAMPLE)})
async def asyncapi_json() -> dict[str, Any]:
    """Every event type: its subject, its stream and its CloudEvents message schema
    (AsyncAPI 3.0), for systems that subscribe to the events."""
    return asyncapi_document()


@router.get("/asyncapi", response_class=HTMLResponse)
async def asyncapi_viewer() -> str:
    """A page that renders the AsyncAPI document."""
    return _VIEWER
