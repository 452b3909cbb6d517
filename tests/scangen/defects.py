"""The defects of harder scans, each named after what it does to the page.

``degrade`` (in :mod:`.render`) applies them in the order a page meets them:
the seal, the turn, then ``phone_photo`` (perspective, shadow, curvature),
``upside_down``, ``faint`` (a pale photocopy), blur and noise, and last
``encode`` (the file format and colour mode the page is saved in).
Everything is deterministic for a given seed.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

OUTPUTS = ("jpeg", "png", "png-palette", "png-grey16", "png-1bit", "tiff")


def phone_photo(img: Image.Image, seed: int) -> Image.Image:
    """The page photographed by hand: seen at a slant (perspective), lit from
    one side (a shadow across it), and the paper not quite flat (curvature).

    The page lands on a grey table top a little larger than it, as a photo
    frames it."""
    import cv2

    rng = np.random.default_rng(seed)
    src = np.asarray(img.convert("RGB"))
    h, w = src.shape[:2]
    # paper curvature: rows bow a little (at most 0.6% of the height)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    bow = 0.006 * h * np.sin(np.pi * xs / w)
    curved = cv2.remap(src, xs, ys - bow, cv2.INTER_LINEAR, borderValue=(255, 255, 255))
    # perspective: the corners pulled in by up to 4% of the side, on a table top
    margin = 0.05
    big_w, big_h = round(w * (1 + 2 * margin)), round(h * (1 + 2 * margin))
    j = lambda s: float(rng.uniform(0.0, 0.04) * s)  # noqa: E731
    ox, oy = margin * w, margin * h
    dst = np.float32([
        [ox + j(w), oy + j(h)], [ox + w - j(w), oy + j(h)], [ox + w - j(w), oy + h - j(h)], [ox + j(w), oy + h - j(h)]
    ])
    matrix = cv2.getPerspectiveTransform(np.float32([[0, 0], [w, 0], [w, h], [0, h]]), dst)
    photo = cv2.warpPerspective(curved, matrix, (big_w, big_h), flags=cv2.INTER_LINEAR, borderValue=(96, 92, 88))
    # a shadow: light falls off towards one side, to 70% of full
    ramp = np.linspace(1.0, 0.7, big_w, dtype=np.float32)[None, :, None]
    if rng.uniform() < 0.5:
        ramp = ramp[:, ::-1]
    shaded = np.clip(photo.astype(np.float32) * ramp, 0, 255).astype(np.uint8)
    return Image.fromarray(shaded)


def upside_down(img: Image.Image, boxes: list) -> tuple[Image.Image, list]:
    """The page fed into the scanner the wrong way round (turned 180°)."""
    from .render import TruthBox

    w, h = img.size
    turned = [TruthBox(b.text, (w - b.bbox[2], h - b.bbox[3], w - b.bbox[0], h - b.bbox[1])) for b in boxes]
    return img.rotate(180), turned


def faint(img: Image.Image, amount: float) -> Image.Image:
    """A pale photocopy: ink lightened towards the paper (``amount`` 0..1),
    the paper itself a little grey."""
    arr = np.asarray(img.convert("RGB")).astype(np.float32)
    paper = 235.0
    out = paper - (paper - arr * (paper / 255.0)) * (1.0 - 0.75 * amount)
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8))


def encode(img: Image.Image, output: str, dpi: int, quality: int) -> bytes:
    """The page saved as a file: ``output`` is one of :data:`OUTPUTS`."""
    buf = io.BytesIO()
    if output == "jpeg":
        img.convert("RGB").save(buf, format="JPEG", quality=quality, dpi=(dpi, dpi))
    elif output == "png":
        img.convert("RGB").save(buf, format="PNG", dpi=(dpi, dpi))
    elif output == "png-palette":
        img.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(buf, format="PNG", dpi=(dpi, dpi))
    elif output == "png-grey16":  # 16 grey levels, 4 bits a pixel
        grey = np.asarray(img.convert("L")).astype(np.uint16)
        levels = Image.fromarray(((grey * 15 + 127) // 255 * 17).astype(np.uint8))
        levels.save(buf, format="PNG", bits=4, dpi=(dpi, dpi))
    elif output == "png-1bit":
        grey = img.convert("L")
        grey.point(lambda v: 255 if v > 150 else 0).convert("1", dither=Image.Dither.NONE).save(buf, format="PNG", dpi=(dpi, dpi))
    elif output == "tiff":
        img.convert("RGB").save(buf, format="TIFF", compression="tiff_lzw", dpi=(dpi, dpi))
    else:
        raise ValueError(f"unknown scan output {output!r}; one of {', '.join(OUTPUTS)}")
    return buf.getvalue()
