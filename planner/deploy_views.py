"""`/plan/<slug>/rows/<n>/deploy/`: a plan row's deploy bundle, its files one by one and
as a zip (thin over planner.deploy_service)."""

from __future__ import annotations

import io
import zipfile

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from planner.deploy_service import plan_row_bundle

CONTENT_TYPES = {
    "yaml": "application/yaml", "python": "text/x-python", "bash": "text/x-shellscript",
}  # fmt: skip


def plan_deploy(request: HttpRequest, slug: str, n: int) -> HttpResponse:
    row, bundle = plan_row_bundle(slug=slug, n=n)
    values = [
        (key.replace("_", " ").capitalize(), value)
        for key, value in bundle.values.items()
        if value not in (None, "")
    ]
    context = {"slug": slug, "n": n, "row": row, "bundle": bundle, "values": values}
    return render(request, "planner/plan_deploy.html", context)


def plan_deploy_file(request: HttpRequest, slug: str, n: str, name: str) -> HttpResponse:
    _, bundle = plan_row_bundle(slug=slug, n=int(n))
    found = bundle.file(name)
    if found is None:
        raise Http404(f"No file {name!r} in this bundle.")
    content_type = CONTENT_TYPES.get(found.language, "text/plain")
    response = HttpResponse(found.content, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{found.name}"'
    return response


def plan_deploy_zip(request: HttpRequest, slug: str, n: int) -> HttpResponse:
    _, bundle = plan_row_bundle(slug=slug, n=n)
    buffer = io.BytesIO()
    folder = f"plan-{slug}-row-{n}"
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for f in bundle.files:
            info = zipfile.ZipInfo(f"{folder}/{f.name}", date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if f.language == "bash" else 0o644) << 16
            archive.writestr(info, f.content)
        if bundle.notes:
            archive.writestr(f"{folder}/NOTES.txt", "\n".join(bundle.notes) + "\n")
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{folder}.zip"'
    return response
