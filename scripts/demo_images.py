#!/usr/bin/env python3
"""Draws the demo fixture's product images: original, licence-free pictures made here.

For every image a product of fixtures/demo.json lists by URL, it draws a 480×480 PNG — a
silhouette for the kind of product (shirt, pants, shorts, bag, cap, or a plain shape), in the
colour the old image's name gave (else one derived from the handle), with the product's title
and the view underneath — writes it to fixtures/demo-images/<handle>-<n>[-<colour>][-<view>].png and points the
product at that file (a path relative to the fixture). Re-running it redraws the same bytes.

Needs Pillow (`pip install pillow`); nothing at build or run time does.

    scripts/demo_images.py   # rewrites fixtures/demo.json, fixtures/demo-images/, src/demo.rs
"""

import hashlib
import json
import pathlib
import re

from PIL import Image, ImageDraw, ImageFont

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "demo.json"
TABLE = ROOT / "src" / "demo.rs"
OUT = ROOT / "fixtures" / "demo-images"
SIZE = 480

COLOURS = {
    "black": (40, 40, 46), "white": (236, 236, 232), "gray": (150, 152, 156),
    "grey": (150, 152, 156), "navy": (38, 52, 96), "olive": (112, 116, 62),
    "sand": (214, 196, 160), "red": (190, 52, 48), "blue": (52, 102, 180),
    "green": (56, 130, 84), "brown": (120, 84, 56), "beige": (222, 206, 178),
}


def colour_of(handle, url, index):
    name = url.rsplit("/", 1)[-1].lower()
    for word, rgb in COLOURS.items():
        if word in name:
            return rgb
    digest = hashlib.sha256(f"{handle}/{index}".encode()).digest()
    return tuple(60 + b % 150 for b in digest[:3])


def view_of(url, index):
    name = url.rsplit("/", 1)[-1].lower()
    for view in ("front", "back", "side", "detail"):
        if view in name:
            return view
    return f"view {index + 1}"


def shade(rgb, by):
    return tuple(max(0, min(255, c + by)) for c in rgb)


def shirt(draw, c, outline):
    draw.polygon([(150, 90), (205, 70), (240, 95), (275, 70), (330, 90), (390, 160),
                  (345, 195), (320, 170), (320, 360), (160, 360), (160, 170), (135, 195),
                  (90, 160)], fill=c, outline=outline, width=4)


def pants(draw, c, outline, short=False):
    bottom = 250 if short else 380
    draw.polygon([(170, 80), (310, 80), (330, bottom), (255, bottom), (240, 160),
                  (225, bottom), (150, bottom)], fill=c, outline=outline, width=4)


def bag(draw, c, outline):
    draw.arc((185, 70, 295, 190), 180, 360, fill=outline, width=10)
    draw.rectangle((140, 130, 340, 360), fill=c, outline=outline, width=4)


def cap(draw, c, outline):
    draw.chord((140, 110, 340, 330), 180, 360, fill=c, outline=outline, width=4)
    draw.ellipse((300, 205, 400, 240), fill=shade(c, -30), outline=outline, width=4)


def plain(draw, c, outline, index):
    if index % 2:
        draw.rounded_rectangle((140, 90, 340, 330), radius=36, fill=c, outline=outline, width=4)
    else:
        draw.ellipse((130, 90, 350, 310), fill=c, outline=outline, width=4)


def silhouette(draw, handle, c, index):
    outline = shade(c, -50) if sum(c) > 200 else shade(c, 70)
    if re.search(r"shirt|tee|top|hoodie|jacket|polo", handle):
        shirt(draw, c, outline)
    elif "shorts" in handle:
        pants(draw, c, outline, short=True)
    elif re.search(r"pants|jeans|trousers|joggers", handle):
        pants(draw, c, outline)
    elif re.search(r"bag|tote|backpack", handle):
        bag(draw, c, outline)
    elif re.search(r"cap|hat|beanie", handle):
        cap(draw, c, outline)
    else:
        plain(draw, c, outline, index)


def file_name(handle, url, index):
    """`<handle>-<n>[-<colour>][-<view>].png`: the name keeps what the picture is drawn from,
    so drawing again from the rewritten fixture gives the same picture."""
    base = url.rsplit("/", 1)[-1].lower()
    parts = [handle, str(index + 1)]
    parts += [w for w in COLOURS if w in base and w not in handle][:1]
    parts += [v for v in ("front", "back", "side", "detail") if v in base][:1]
    return "-".join(parts) + ".png"


def draw_image(title, handle, url, index):
    c = colour_of(handle, url, index)
    background = (246, 244, 240) if sum(c) < 600 else (210, 214, 220)
    image = Image.new("RGB", (SIZE, SIZE), background)
    draw = ImageDraw.Draw(image)
    silhouette(draw, handle, c, index)
    font = ImageFont.load_default(size=30)
    small = ImageFont.load_default(size=20)
    draw.text((SIZE / 2, 408), title, font=font, fill=(30, 30, 34), anchor="mm")
    draw.text((SIZE / 2, 446), view_of(url, index), font=small, fill=(90, 90, 96), anchor="mm")
    # Few colours: a palette PNG is a few kilobytes.
    return image.quantize(colors=32, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)


def main():
    text = FIXTURE.read_text()
    fixture = json.loads(text)
    OUT.mkdir(exist_ok=True)
    wanted = set()
    for product in fixture["products"]:
        images = []
        for index, url in enumerate(product.get("images", [])):
            name = file_name(product["handle"], url, index)
            wanted.add(name)
            draw_image(product["title"], product["handle"], url, index).save(
                OUT / name, optimize=True)
            images.append(f"demo-images/{name}")
        if images:
            product["images"] = images
    for stale in OUT.glob("*.png"):
        if stale.name not in wanted:
            stale.unlink()
    indent = 1 if text.startswith('{\n "') else 2
    FIXTURE.write_text(json.dumps(fixture, indent=indent, ensure_ascii=False) + "\n")
    write_table(sorted(wanted))


def write_table(names):
    """src/demo.rs: the demo fixture and its images built into the binary."""
    lines = [
        "//! The demo fixture and its images, built into the binary so `serve --demo` needs no",
        "//! source tree. Generated by `scripts/demo_images.py`; do not edit.",
        "",
        "/// `fixtures/demo.json`.",
        'pub const JSON: &str = include_str!("../fixtures/demo.json");',
        "",
        "/// The images the demo names, by their path relative to the fixture.",
        "pub const IMAGES: &[(&str, &[u8])] = &[",
    ]
    for name in names:
        lines += [
            "    (",
            f'        "demo-images/{name}",',
            f'        include_bytes!("../fixtures/demo-images/{name}"),',
            "    ),",
        ]
    lines.append("];")
    TABLE.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
