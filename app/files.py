"""Stored files: bytes in the database with their size, type and SHA-256.

Uploads are checked by content, never by their name: a PDF must begin with
the `%PDF-` signature whatever it is called.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

import sqlalchemy as sa
from flask import Response
from sqlalchemy.orm import Mapped, deferred, mapped_column
from werkzeug.datastructures import FileStorage

from app.extensions import UTCDateTime, db, utcnow

PDF_SIGNATURE = b"%PDF-"
PDF_MAX_BYTES = 10 * 1024 * 1024


class FileRejected(Exception):
    """The upload is not acceptable; the message is for the user."""


class StoredFile(db.Model):
    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column(sa.Integer)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    data: Mapped[bytes] = deferred(mapped_column(sa.LargeBinary))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def _safe_name(name: str | None, default: str) -> str:
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>:|?*;')
    return name.strip()[:200] or default


def read_pdf(upload: FileStorage | None, too_large: str, not_pdf: str, empty: str) -> tuple[str, bytes]:
    """Read an uploaded PDF, or raise FileRejected with the matching message."""
    if upload is None or not upload.filename:
        raise FileRejected(empty)
    data = upload.stream.read(PDF_MAX_BYTES + 1)
    if len(data) > PDF_MAX_BYTES:
        raise FileRejected(too_large)
    if not data:
        raise FileRejected(empty)
    if not data.startswith(PDF_SIGNATURE):
        raise FileRejected(not_pdf)
    return pdf_name(upload.filename), data


def pdf_name(name: str | None) -> str:
    """The uploaded name, ending in .pdf whatever it was called: a PDF named page.html is not
    saved or opened as a page when it is downloaded."""
    safe = _safe_name(name, "liite.pdf")
    if safe.lower().endswith(".pdf"):
        return safe
    stem = safe.rsplit(".", 1)[0] if "." in safe else safe
    return f"{stem[:195] or 'liite'}.pdf"


def store(filename: str, data: bytes, content_type: str, uploaded_by_id: int | None) -> StoredFile:
    stored = StoredFile(
        filename=filename,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        uploaded_by_id=uploaded_by_id,
    )
    db.session.add(stored)
    db.session.flush()
    return stored


def download(stored: StoredFile) -> Response:
    ascii_name = stored.filename.encode("ascii", "replace").decode().replace("?", "_")
    return Response(
        stored.data,
        mimetype=stored.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{ascii_name}"',
            "Content-Length": str(stored.size),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
