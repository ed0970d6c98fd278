"""process_image: WebP renditions without metadata, hashes that survive re-encoding, bombs refused unread."""

import hashlib
import io
import struct
import warnings
import zlib
from functools import cache

import numpy as np
import pytest
from PIL import Image, ImageCms, ImageDraw

from akhbar.crawl.images import ImageError, phash_distance, process_image

MODEL = "Canon EOS 5D Mark IV"
# The classic 43-byte transparent GIF that newsletters and ad networks use to count readers.
TRACKING_GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def photo(width: int = 1600, height: int = 1067, *, seed: int = 1) -> Image.Image:
    """Photo-like content: a sky-to-ground gradient, a few large shapes, sensor noise; fixed per seed."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    top, bottom = rng.uniform(30, 225, 3), rng.uniform(30, 225, 3)
    slant = rng.uniform(-0.5, 0.5)
    mix = np.clip((y / height + slant * x / width), 0, 1)[..., None]
    picture = Image.fromarray((top * (1 - mix) + bottom * mix).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(picture)
    for _ in range(7):
        x0, y0 = rng.uniform(-0.1, 0.9) * width, rng.uniform(-0.1, 0.9) * height
        x1, y1 = x0 + rng.uniform(0.1, 0.5) * width, y0 + rng.uniform(0.1, 0.5) * height
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)((x0, y0, x1, y1), fill=colour)
    noisy = np.asarray(picture, dtype=np.float32) + rng.normal(0, 6, (height, width, 3))
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), "RGB")


def encode(picture: Image.Image, kind: str = "JPEG", **options) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, kind, **options)
    return buffer.getvalue()


@cache
def photo_jpeg(width: int = 1600, height: int = 1067, seed: int = 1) -> bytes:
    return encode(photo(width, height, seed=seed), quality=90)


def camera_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Canon"  # Make
    exif[0x0110] = MODEL  # Model
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (33.0, 35.0, 12.5), 3: "W", 4: (7.0, 36.0, 45.1)})  # Casablanca
    return exif


def png_declaring(width: int, height: int) -> bytes:
    """A PNG whose header claims width×height RGB pixels, with a few bytes of image data after it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(64))) + chunk(b"IEND", b"")


def opened(rendition) -> Image.Image:
    picture = Image.open(io.BytesIO(rendition.data))
    picture.load()
    return picture


def test_jpeg_gives_webp_renditions_640_and_1280_wide_keeping_the_aspect_ratio():
    result = process_image(photo_jpeg(2400, 1600))
    assert (result.width, result.height) == (2400, 1600)
    assert [(r.name, r.width, r.height) for r in result.renditions] == [("m", 640, 427), ("l", 1280, 853)]
    for rendition in result.renditions:
        picture = opened(rendition)
        assert picture.format == "WEBP"
        assert picture.size == (rendition.width, rendition.height)
        assert picture.mode == "RGB"
    assert len(result.renditions[0].data) < len(result.renditions[1].data) < len(photo_jpeg(2400, 1600))


@pytest.mark.parametrize("kind", ["PNG", "WEBP", "AVIF", "BMP", "GIF"])
def test_other_web_formats_are_accepted(kind):
    result = process_image(encode(photo(900, 600, seed=6), kind))
    assert [(r.width, r.height) for r in result.renditions] == [(640, 427), (900, 600)]
    assert phash_distance(result.phash, process_image(photo_jpeg(900, 600, seed=6)).phash) <= 6


@pytest.mark.parametrize(
    "size, expected",
    [((500, 300), [(500, 300), (500, 300)]), ((900, 600), [(640, 427), (900, 600)])],
)
def test_narrow_pictures_are_never_upscaled(size, expected):
    result = process_image(photo_jpeg(*size))
    assert [(r.width, r.height) for r in result.renditions] == expected
    assert [opened(r).size for r in result.renditions] == expected


def test_exif_gps_camera_model_xmp_and_icc_are_absent_from_every_rendition():
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description photoshop:City="Casablanca"/></x:xmpmeta>'
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    body = encode(photo(), quality=90, exif=camera_exif(), xmp=xmp, icc_profile=srgb)
    source = Image.open(io.BytesIO(body))
    assert source.getexif()[0x0110] == MODEL and source.getexif().get_ifd(0x8825)  # the test has something to strip
    for rendition in process_image(body).renditions:
        picture = opened(rendition)
        assert not picture.getexif()
        assert not {"exif", "xmp", "icc_profile"} & set(picture.info)
        assert b"Canon" not in rendition.data and b"Casablanca" not in rendition.data


def test_exif_orientation_6_gives_a_portrait_turned_clockwise():
    picture = Image.new("RGB", (1200, 800), (128, 128, 128))
    ImageDraw.Draw(picture).rectangle((0, 0, 199, 199), fill=(255, 0, 0))  # top-left as the sensor saw it
    result = process_image(encode(picture, quality=90, exif=camera_exif(orientation=6)))
    assert (result.width, result.height) == (800, 1200)
    assert [(r.width, r.height) for r in result.renditions] == [(640, 960), (800, 1200)]
    shown = opened(result.renditions[1]).convert("RGB")
    red, _, blue = shown.getpixel((shown.width - 20, 20))
    assert red > 200 and blue < 60  # the mark is now top-right
    assert shown.getpixel((20, 20))[0] < 160


@pytest.mark.parametrize("mode", ["RGBA", "P"])
def test_png_transparency_is_kept_as_alpha(mode):
    picture = Image.new("RGBA", (400, 300), (0, 0, 0, 0))
    ImageDraw.Draw(picture).rectangle((200, 0, 399, 299), fill=(0, 160, 60, 255))
    if mode == "P":
        picture = picture.quantize(colors=2)
        picture.info["transparency"] = picture.getpixel((10, 150))
    for rendition in process_image(encode(picture, "PNG")).renditions:
        shown = opened(rendition)
        assert shown.mode == "RGBA"
        assert shown.getpixel((5, 150))[3] == 0
        green = shown.getpixel((rendition.width - 5, 150))
        assert green[3] == 255 and green[1] > 120 and green[0] < 40


def test_cmyk_jpeg_comes_out_as_rgb_with_the_same_colours():
    source = photo(800, 533, seed=3)
    result = process_image(encode(source.convert("CMYK"), quality=95))
    shown = opened(result.renditions[1])
    assert shown.mode == "RGB" and shown.size == (800, 533)
    expected = np.asarray(source, dtype=np.float32).mean(axis=(0, 1))
    assert np.abs(np.asarray(shown, dtype=np.float32).mean(axis=(0, 1)) - expected).max() < 4


def test_sixteen_bit_grey_png_keeps_its_tones_instead_of_turning_white():
    ramp = np.tile(np.linspace(0, 65535, 600), (400, 1)).astype(np.uint16)
    shown = opened(process_image(encode(Image.fromarray(ramp), "PNG")).renditions[0]).convert("L")
    assert shown.getpixel((5, 200)) < 20 and 100 < shown.getpixel((300, 200)) < 155 and shown.getpixel((595, 200)) > 235


def test_animated_gif_gives_its_first_frame():
    frames = [Image.new("RGB", (300, 200), colour).convert("P") for colour in ((220, 0, 0), (0, 0, 220))]
    body = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert Image.open(io.BytesIO(body)).n_frames == 2
    for rendition in process_image(body).renditions:
        shown = opened(rendition)
        assert getattr(shown, "n_frames", 1) == 1
        red, _, blue = shown.convert("RGB").getpixel((150, 100))
        assert red > 180 and blue < 40


def test_phash_survives_recompression_and_resizing_but_tells_pictures_apart():
    original = process_image(photo_jpeg())
    smaller = photo(seed=1).resize((960, 640), Image.Resampling.BICUBIC)
    recompressed = process_image(encode(smaller, quality=40))
    other = process_image(photo_jpeg(seed=2))
    assert phash_distance(original.phash, recompressed.phash) <= 6
    assert phash_distance(original.phash, other.phash) > 12
    for phash in (original.phash, recompressed.phash, other.phash):
        assert -(2**63) <= phash < 2**63  # fits a BigIntegerField


def test_phash_of_a_transparent_png_matches_the_same_picture_on_white():
    """Outlets serve the same cut-out as PNG or as JPEG; what hides under transparency must not count."""
    cut_out = photo(800, 533, seed=4).convert("RGBA")
    noise = Image.fromarray(np.random.default_rng(5).integers(0, 256, (533, 800, 4), dtype=np.uint8))
    mask = Image.new("L", cut_out.size, 0)
    ImageDraw.Draw(mask).ellipse((150, 50, 650, 480), fill=255)
    cut_out = Image.composite(cut_out, noise, mask)  # noise under the transparent part, as editors leave it
    cut_out.putalpha(mask)
    on_white = Image.alpha_composite(Image.new("RGBA", cut_out.size, "white"), cut_out).convert("RGB")
    png, jpeg = process_image(encode(cut_out, "PNG")), process_image(encode(on_white, quality=85))
    assert phash_distance(png.phash, jpeg.phash) <= 6


def test_phash_distance_counts_differing_bits_of_signed_hashes():
    assert phash_distance(5, 5) == 0
    assert phash_distance(0b1010, 0b0110) == 2
    assert phash_distance(-1, 0) == 64
    assert phash_distance(-(2**63), 0) == 1
    assert phash_distance(-(2**63), 2**63 - 1) == 64


def test_sha256_is_of_the_downloaded_bytes():
    body = photo_jpeg()
    first, again = process_image(body), process_image(bytes(body))
    assert first.sha256 == again.sha256 == hashlib.sha256(body).hexdigest()
    assert process_image(encode(photo(), quality=89)).sha256 != first.sha256


@pytest.mark.parametrize("side", [7_000, 10_000, 60_000])  # our limit; Pillow's warning; Pillow's error
def test_decompression_bomb_is_refused_before_any_pixel_is_decoded(side):
    body = png_declaring(side, side)
    images_before = Image.core.get_stats()["new_count"]  # Pillow counts every pixel buffer it allocates
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ImageError, match=r"^image: .*over the limit of 40,000,000") as refused:
            process_image(body)
    assert Image.core.get_stats()["new_count"] == images_before
    assert "not decoded" in str(refused.value)
    assert not [w for w in caught if issubclass(w.category, Image.DecompressionBombWarning)]
    process_image(photo_jpeg(500, 300))
    assert Image.core.get_stats()["new_count"] > images_before  # the counter does see decoding


def test_max_pixels_argument_refuses_a_picture_over_it():
    with pytest.raises(ImageError, match=r"^image: 1600×1067 pixels is over the limit of 1,000,000; not decoded"):
        process_image(photo_jpeg(), max_pixels=1_000_000)
    assert process_image(photo_jpeg(), max_pixels=2_000_000).width == 1600


@pytest.mark.parametrize(
    "body, reason",
    [
        (photo_jpeg()[: len(photo_jpeg()) // 2], "damaged or cut short"),
        (photo_jpeg()[:400], "damaged or cut short"),
        (b"<!DOCTYPE html><html><head><title>404 Not Found</title></head><body>Not found</body></html>", "not a"),
        (b"", "empty"),
        (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="800" height="600">'
            b'<rect width="800" height="600" fill="red"/></svg>',
            "not a",
        ),
        (TRACKING_GIF, "1×1 pixels, too small to be a lead image"),
        (encode(photo(1200, 40), "PNG"), "1200×40 pixels, too small"),
    ],
    ids=["truncated-jpeg", "jpeg-header-only", "html", "empty", "svg", "tracking-gif", "thin-banner"],
)
def test_what_is_not_a_usable_picture_is_refused_saying_why(body, reason):
    with pytest.raises(ImageError) as refused:
        process_image(body)
    assert str(refused.value).startswith("image: ")
    assert reason in str(refused.value)
