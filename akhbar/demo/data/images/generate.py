"""Draw the sample publisher's images; run once by hand (needs Pillow), the outputs are shipped.

    python akhbar/demo/data/images/generate.py
"""

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

HERE = Path(__file__).parent
# name -> two gradient colours; each picture stands for one kind of story.
PICTURES = {
    "avion-fes": ((40, 90, 160), (230, 150, 60)),
    "salon-livre": ((150, 30, 60), (240, 200, 120)),
    "parlement": ((20, 110, 70), (200, 40, 40)),
    "stade": ((10, 120, 40), (250, 240, 200)),
    "economie": ((30, 40, 90), (60, 200, 190)),
    "barrage": ((20, 80, 140), (140, 210, 240)),
    "medina": ((170, 80, 30), (60, 120, 200)),
    "cyber": ((10, 10, 30), (30, 220, 90)),
}


def gradient_picture(top, bottom, seed):
    """A 640x360 gradient with a few translucent shapes, deterministic per seed."""
    rng = random.Random(seed)
    image = Image.new("RGB", (640, 360))
    draw = ImageDraw.Draw(image)
    for y in range(360):
        t = y / 359
        draw.line([(0, y), (640, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom)))
    overlay = Image.new("RGBA", (640, 360), (0, 0, 0, 0))
    shapes = ImageDraw.Draw(overlay)
    for _ in range(7):
        x, y, r = rng.randrange(640), rng.randrange(360), rng.randrange(30, 120)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256), 110)
        shapes.ellipse([x - r, y - r, x + r, y + r], fill=colour)
    image = Image.alpha_composite(image.convert("RGBA"), overlay.filter(ImageFilter.GaussianBlur(2)))
    return image.convert("RGB")


def banner(width, height, colour):
    """A flat advertising banner with a border, like the placeholders ad networks serve."""
    image = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle([2, 2, width - 3, height - 3], outline=(255, 255, 255), width=3)
    draw.text((12, height // 2 - 6), "PUBLICITE", fill=(255, 255, 255))
    return image


def main():
    for name, (top, bottom) in PICTURES.items():
        gradient_picture(top, bottom, name).save(HERE / f"{name}.jpg", quality=72, optimize=True)
    banner(728, 90, (200, 30, 40)).save(HERE / "pub-728x90.png", optimize=True)
    banner(300, 250, (240, 140, 0)).save(HERE / "pub-300x250.png", optimize=True)


if __name__ == "__main__":
    main()
