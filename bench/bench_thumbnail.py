"""Benchmark the photo pipeline: process_upload and its thumbnail step, in ms.

Run: .venv/bin/python bench/bench_thumbnail.py [runs]
"""

import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backend.core.images import _encode, _fit, process_upload

THUMB_EDGE = 320
QUALITY = 85


def photo_like(size: tuple[int, int]) -> Image.Image:
    """Gradients plus noise: compresses like a real phone photo, not like flat fill."""
    grad = Image.linear_gradient("L").resize(size)
    radial = Image.radial_gradient("L").resize(size)
    noise = Image.effect_noise(size, 40)
    return Image.merge("RGB", (grad, Image.blend(radial, noise, 0.5), noise))


def jpeg_bytes(img: Image.Image, quality: int = 92) -> bytes:
    """Encode like a phone camera would (high quality)."""
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def time_ms(fn: Callable[[], object], runs: int) -> list[float]:
    """Wall-clock milliseconds of ``runs`` calls after two warm-up calls."""
    fn()
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def report(label: str, samples: list[float]) -> None:
    """Print median and p99 of ``samples``."""
    p99 = statistics.quantiles(samples, n=100, method="inclusive")[98]
    print(f"{label:<44} median {statistics.median(samples):7.2f} ms   p99 {p99:7.2f} ms   (n={len(samples)})")


def thumbnail_step(decoded: Image.Image) -> Callable[[], bytes]:
    """The thumbnail step exactly as process_upload runs it: resize + JPEG encode."""
    return lambda: _encode(_fit(decoded, THUMB_EDGE), QUALITY)


def main(runs: int = 50) -> None:
    """Print timings for a 1600x1200 upload and, for context, a 12 MP one."""
    print(f"Pillow {Image.__version__}, {runs} runs each")
    for size in ((1600, 1200), (4000, 3000)):
        raw = jpeg_bytes(photo_like(size))
        label = f"{size[0]}x{size[1]} JPEG ({len(raw) // 1024} KiB)"
        report(f"process_upload {label}", time_ms(lambda r=raw: process_upload(r), runs))
        decoded = Image.open(io.BytesIO(process_upload(raw).data)).convert("RGB")
        report(
            f"  thumbnail step from {decoded.width}x{decoded.height}",
            time_ms(thumbnail_step(decoded), runs),
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
