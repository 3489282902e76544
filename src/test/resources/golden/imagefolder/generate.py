#!/usr/bin/env python3
"""Golden values for Anneal's image_folder reader (dev.anneal.data.ImageFolderReader and its helpers).

Writes small test images in every format and mode the reader handles (PNG RGB/RGBA/L/LA/P/1, BMP, GIF, JPEG) into
images/, and golden.json: for each image, colour and target size, the 8-bit levels that Pillow gives for

    Image.open(file).convert(MODE).resize((width, height), Image.BILINEAR)     MODE = 'L' or 'RGB'

which is what torchvision's ImageFolder (its loader opens with .convert('RGB')) followed by
transforms.Grayscale() (convert('L')) and transforms.Resize((height, width)) (bilinear on PIL images) computes,
before ToTensor divides by 255. Levels are stored channel-major (C, H, W), like the reader's NCHW output.

The Java test (ImageFolderGoldenTest) reads the committed output; CI never runs this script. It needs python3 and
Pillow only; the committed files came from Pillow 9.4.0 (Debian 12's python3-pil).

Run: python3 generate.py  (from this directory; rewrites images/ and golden.json)
"""
import json
import os
import random

import PIL
from PIL import Image, ImageFilter

HERE = os.path.dirname(os.path.abspath(__file__))
IMAGES = os.path.join(HERE, "images")
# (height, width) targets: square shrink, strong shrink, enlarge, shrink one axis and enlarge the other.
TARGETS = [(28, 28), (6, 7), (45, 34), (5, 37)]


def noise(rng, width, height, bands):
    """Random levels with a gradient under them: every level occurs, and edges are sharp."""
    data = []
    for y in range(height):
        for x in range(width):
            px = []
            for b in range(bands):
                base = (x * 255 // max(1, width - 1) + y * 97 + b * 60) % 256
                px.append((base + rng.randrange(-60, 61)) % 256)
            data.append(tuple(px) if bands > 1 else px[0])
    return data


def make_images():
    rng = random.Random(13)
    os.makedirs(IMAGES, exist_ok=True)
    made = []

    def save(name, image, **options):
        image.save(os.path.join(IMAGES, name), **options)
        made.append(name)

    rgb = Image.new("RGB", (40, 30))
    rgb.putdata(noise(rng, 40, 30, 3))
    save("rgb_40x30.png", rgb)

    rgba = Image.new("RGBA", (13, 11))
    rgba.putdata(noise(rng, 13, 11, 4))
    save("rgba_13x11.png", rgba)

    gray = Image.new("L", (17, 23))
    gray.putdata(noise(rng, 17, 23, 1))
    save("gray_17x23.png", gray)

    la = Image.new("LA", (9, 12))
    la.putdata(noise(rng, 9, 12, 2))
    save("la_9x12.png", la)

    palette_src = Image.new("RGB", (19, 15))
    palette_src.putdata(noise(rng, 19, 15, 3))
    save("palette_19x15.png", palette_src.quantize(colors=37))

    bits = Image.new("1", (16, 16))
    bits.putdata([255 if rng.random() < 0.5 else 0 for _ in range(16 * 16)])
    save("bits_16x16.png", bits)

    bmp = Image.new("RGB", (31, 29))
    bmp.putdata(noise(rng, 31, 29, 3))
    save("rgb_31x29.bmp", bmp)

    gif_src = Image.new("RGB", (25, 20))
    gif_src.putdata(noise(rng, 25, 20, 3))
    save("palette_25x20.gif", gif_src.quantize(colors=64))

    jpg = Image.new("RGB", (33, 27))
    jpg.putdata(noise(rng, 33, 27, 3))
    save("rgb_33x27.jpg", jpg.filter(ImageFilter.SMOOTH), quality=90)
    return made


def levels(image):
    """Channel-major (C, H, W) levels of an L or RGB image."""
    bands = image.split()
    return [v for band in bands for v in band.getdata()]


def main():
    cases = []
    for name in make_images():
        with Image.open(os.path.join(IMAGES, name)) as opened:
            for color, mode in (("grayscale", "L"), ("rgb", "RGB")):
                converted = opened.convert(mode)
                sizes = TARGETS + [(converted.height, converted.width)]
                for height, width in sizes:
                    resized = converted.resize((width, height), Image.BILINEAR)
                    cases.append({"file": name, "source_mode": opened.mode, "color": color,
                                  "height": height, "width": width, "levels": levels(resized)})
    with open(os.path.join(HERE, "golden.json"), "w") as out:
        json.dump({"pillow": PIL.__version__, "cases": cases}, out, separators=(",", ":"))
        out.write("\n")


if __name__ == "__main__":
    main()
