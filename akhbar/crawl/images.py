"""process_image turns a downloaded lead image into WebP renditions, a SHA-256 and a perceptual hash.

Nothing is decoded before the header has been checked: Pillow opens lazily, so a picture that declares
more than `max_pixels` is refused from its first few bytes. Everything the camera or the outlet put in
the file (EXIF with GPS and camera model, XMP, ICC profiles) is dropped; colours are converted to sRGB
first so that dropping the profile does not change them.
"""

import hashlib
import io
import struct
import warnings
from dataclasses import dataclass

import imagehash
from PIL import Image, ImageCms, ImageOps

MAX_PIXELS = 40_000_000
MIN_SIDE = 50  # under this on either side it is an icon, a spacer or a tracking pixel, not a lead image
RENDITIONS = (("m", 640), ("l", 1280))  # name, most pixels wide
WEBP_QUALITY = 80
# libwebp's effort, 0 to 6. Its default, 4, takes 3.5 times longer than 2 for files 1-4% smaller (bench/images.py).
WEBP_METHOD = 2
# Raster formats that browsers and news sites serve. TIFF, PSD, EPS and the rest are left out: no site
# serves them as a lead image, and each is more decoder code exposed to hostile bytes.
FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "AVIF", "BMP")
ORIENTATION = 0x0112  # EXIF tag; 5 to 8 turn the picture a quarter
ALPHA_MODES = {"RGBA", "RGBa", "LA", "La", "PA"}
SRGB = ImageCms.createProfile("sRGB")
# What Pillow and its decoders raise on damaged or hostile data; anything else is a bug of ours.
DECODE_ERRORS = (
    OSError, ValueError, SyntaxError, struct.error, EOFError, IndexError, KeyError, TypeError,
    ZeroDivisionError, Image.DecompressionBombError, Image.DecompressionBombWarning,
)


class ImageError(Exception):
    """The bytes are not a picture we can use as a lead image; the message says why."""


@dataclass(frozen=True)
class Rendition:
    name: str  # "m" (at most 640 px wide) or "l" (at most 1280 px wide)
    width: int
    height: int
    data: bytes  # WebP, sRGB, no metadata


@dataclass(frozen=True)
class ProcessedImage:
    sha256: str  # hex digest of the bytes as downloaded
    phash: int  # imagehash.phash as a signed 64-bit integer, to fit a BigIntegerField
    width: int  # of the original, after EXIF orientation
    height: int
    renditions: tuple[Rendition, ...]  # "m" then "l", never wider than the original


def process_image(body: bytes, *, max_pixels: int = MAX_PIXELS) -> ProcessedImage:
    """Check, orient, strip and resize a downloaded picture into WebP renditions with its hashes."""
    if not body:
        raise ImageError("image: the body is empty, there is no picture to process")
    try:
        picture = _open_checked(body, max_pixels)
        raw_size = picture.size
        _draft(picture)
        picture.load()
        drafted_size = picture.size
        ImageOps.exif_transpose(picture, in_place=True)
        width, height = raw_size[::-1] if picture.size != drafted_size else raw_size
        picture = _to_srgb(picture)
        renditions, smallest = _renditions(picture, width, height)
        phash = _signed64(int(str(imagehash.phash(_flatten(smallest))), 16))
    except DECODE_ERRORS as error:
        raise ImageError(f"image: the picture is damaged or cut short and cannot be decoded ({error})") from error
    return ProcessedImage(hashlib.sha256(body).hexdigest(), phash, width, height, renditions)


def phash_distance(a: int, b: int) -> int:
    """How many of the 64 bits differ between two perceptual hashes (0: same picture, over 12: different)."""
    return ((a ^ b) & 0xFFFF_FFFF_FFFF_FFFF).bit_count()


def _open_checked(body: bytes, max_pixels: int) -> Image.Image:
    """Identify the format and read the header only; refuse bombs and tiny pictures before any pixel."""
    # Pillow warns from 89 million pixels and raises from twice that; the warning is made an error here
    # only, so that it reaches the caller as an ImageError rather than as noise on stderr.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(io.BytesIO(body), formats=FORMATS)
    except Image.UnidentifiedImageError as error:
        kinds = f"{', '.join(FORMATS[:-1])} or {FORMATS[-1]}"
        raise ImageError(f"image: not a {kinds} picture (it starts with {body[:24]!r})") from error
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageError(f"image: the picture is over the limit of {max_pixels:,} pixels; not decoded ({error})") from error
    width, height = picture.size
    if width * height > max_pixels:
        raise ImageError(f"image: {width}×{height} pixels is over the limit of {max_pixels:,}; not decoded")
    if min(width, height) < MIN_SIDE:
        raise ImageError(f"image: {width}×{height} pixels, too small to be a lead image (a tracking pixel?)")
    return picture


def _draft(picture: Image.Image) -> None:
    """Let libjpeg decode a big photo at 1/2, 1/4 or 1/8 scale, still at least as wide as the largest rendition."""
    if picture.format != "JPEG":
        return
    raw_width, raw_height = picture.size
    oriented_width = raw_height if picture.getexif().get(ORIENTATION, 1) in (5, 6, 7, 8) else raw_width
    scale = RENDITIONS[-1][1] / oriented_width
    if scale < 1:
        picture.draft(picture.mode, (max(1, int(raw_width * scale + 1)), max(1, int(raw_height * scale + 1))))


def _to_srgb(picture: Image.Image) -> Image.Image:
    """RGB or RGBA (alpha kept when there is any), colours converted from the embedded profile if any."""
    alpha = picture.mode in ALPHA_MODES or "transparency" in picture.info
    if picture.mode.startswith("I"):  # 16-bit grey: a plain convert would clip everything over 255 to white
        picture = picture.convert("I").point(lambda value: value * (1 / 257)).convert("L")
    profile = picture.info.get("icc_profile")
    if profile and not alpha and picture.mode in ("RGB", "CMYK", "L"):
        try:
            return ImageCms.profileToProfile(picture, ImageCms.ImageCmsProfile(io.BytesIO(profile)), SRGB,
                                             outputMode="RGB")
        except ImageCms.PyCMSError:
            pass  # a broken or unusual profile: the plain conversion below is close enough
    return picture.convert("RGBA" if alpha else "RGB")


def _renditions(picture: Image.Image, width: int, height: int) -> tuple[tuple[Rendition, ...], Image.Image]:
    """Each rendition resized from the next larger one (largest first), and the smallest as pixels."""
    made: dict[str, Rendition] = {}
    for name, most_wide in reversed(RENDITIONS):
        target_width = min(most_wide, width)
        size = (target_width, max(1, round(height * target_width / width)))
        if picture.size != size:
            picture = picture.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        buffer = io.BytesIO()
        picture.save(buffer, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD)
        made[name] = Rendition(name, size[0], size[1], buffer.getvalue())
    return tuple(made[name] for name, _ in RENDITIONS), picture


def _flatten(picture: Image.Image) -> Image.Image:
    """The picture over white, so that what is hidden under transparency does not count in the hash."""
    if picture.mode != "RGBA":
        return picture
    return Image.alpha_composite(Image.new("RGBA", picture.size, "white"), picture)


def _signed64(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value
