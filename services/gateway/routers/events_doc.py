"""The AsyncAPI document of every event, and a page that shows it, for outside subscribers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from danvan.asyncapi import asyncapi_document

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


@router.get("/asyncapi.json")
async def asyncapi_json() -> dict[str, Any]:
    """Every event type: its subject, its stream and its CloudEvents message schema."""
    return asyncapi_document()


@router.get("/asyncapi", response_class=HTMLResponse)
async def asyncapi_viewer() -> str:
    """A page that renders the AsyncAPI document."""
    return _VIEWER
