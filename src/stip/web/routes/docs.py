"""`/api/docs`: the OpenAPI description rendered as a plain page (no CDN-hosted Swagger UI)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from stip.web.deps import OptionalUser
from stip.web.templating import render

router = APIRouter()


@router.get("/api/docs", include_in_schema=False)
def api_docs(request: Request, user: OptionalUser) -> Response:
    spec = request.app.openapi()
    operations = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "required": p.get("required", False),
                            "description": p.get("description")
                            or p.get("schema", {}).get("description", ""),
                        }
                        for p in op.get("parameters", [])
                    ],
                }
            )
    return render(request, "api_docs.html", {"spec": spec, "operations": operations})
