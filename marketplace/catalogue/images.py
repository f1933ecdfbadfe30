"""Screenshot uploads: PNG or JPEG, recognised by their content (never by the
name), fully decoded with Pillow, and limited in size and in pixels."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

from app.files import FileRejected, _safe_name

MAX_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 16_000_000
MIN_SIDE = 100
FORMATS = {"PNG": ("image/png", "png"), "JPEG": ("image/jpeg", "jpg")}


@dataclass(frozen=True)
class CheckedImage:
    content_type: str
    extension: str
    width: int
    height: int


def check(data: bytes) -> CheckedImage:
    """Accept a PNG or JPEG image, or raise FileRejected with a message for the user."""
    if not data:
        raise FileRejected(_("Choose an image file to upload."))
    if len(data) > MAX_BYTES:
        raise FileRejected(_("The image is larger than 2 MB. Make it smaller and try again."))
    if not (data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"))):
        raise FileRejected(_("The file is not a PNG or JPEG image."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise FileRejected(_("The image has too many pixels (at most 16 megapixels)."))
                image.load()  # decodes every pixel: truncated or corrupt files fail here
    except FileRejected:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise FileRejected(_("The image could not be read. It may be damaged; save it again as PNG or JPEG.")) from None
    if kind not in FORMATS:
        raise FileRejected(_("The file is not a PNG or JPEG image."))
    if min(width, height) < MIN_SIDE:
        raise FileRejected(_("The image is too small: each side must be at least %(n)d pixels.", n=MIN_SIDE))
    content_type, extension = FORMATS[kind]
    return CheckedImage(content_type, extension, width, height)


def safe_filename(name: str | None, extension: str) -> str:
    base = _safe_name(name, f"kuvakaappaus.{extension}")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{stem[:150] or 'kuvakaappaus'}.{extension}"
