"""Camera-sized JPEGs whose grain JPEG cannot compress away, for the tablet's photo downscaling: made with Pillow
alone, for the browser tests and bench/payloads.py."""

import os
from pathlib import Path

from PIL import Image, ImageChops

CAMERA = (4000, 3000)  # 12 megapixels, as a tablet's or phone's camera takes them


def noisy_camera_photo(path: Path, grain: float | None) -> Path:
    """A 4000×3000 JPEG as a camera saves it (quality 92): a gradient under sensor noise of the given strength
    (12: daylight, 40: dim light), or random pixels (None), the worst case for a JPEG encoder."""
    if grain is None:
        image = Image.frombytes("RGB", CAMERA, os.urandom(CAMERA[0] * CAMERA[1] * 3))
    else:
        gradient = Image.linear_gradient("L")
        across = gradient.transpose(Image.Transpose.ROTATE_90)
        scene = Image.merge("RGB", [gradient.resize(CAMERA), across.resize(CAMERA), Image.new("L", CAMERA, 128)])
        noise = Image.merge("RGB", [Image.effect_noise(CAMERA, grain) for _ in range(3)])
        image = ImageChops.add(scene, noise, offset=-128)
    image.save(path, "JPEG", quality=92)
    return path
