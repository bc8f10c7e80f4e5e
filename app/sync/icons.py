"""Draw Opspor's app icons as PNG files with plain Python (no image library).

Run `python -m app.sync.icons` to regenerate `static/icons/*.png` (they are committed). The mark is
a magnifying glass (opsporing: noticing early) with a warm dot, the child, in its lens, on the
brand colour. The maskable variant fills the square and keeps the mark inside the 80 % safe zone.
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

BRAND = (0x1D, 0x4F, 0x6E)
WHITE = (0xFF, 0xFF, 0xFF)
WARM = (0xF2, 0xB8, 0x4B)
SAMPLES = 4  # supersampling per axis: smooth edges


def png_bytes(width: int, height: int, rows: list[bytes]) -> bytes:
    """An RGBA PNG: signature, IHDR, one IDAT, IEND."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 per row
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def _segment_distance(px: float, py: float, ax: float, ay: float, bx: float, by: float) -> float:
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def _colour_at(x: float, y: float, *, maskable: bool) -> tuple[tuple[int, int, int], bool]:
    """Colour and coverage of one sample at (x, y) in the unit square."""
    if not maskable:
        # Rounded square background with transparent corners.
        r = 0.2
        cx, cy = min(max(x, r), 1 - r), min(max(y, r), 1 - r)
        if math.hypot(x - cx, y - cy) > r:
            return BRAND, False
    # The mark is drawn in a 0..1 box, scaled down for the maskable safe zone.
    scale = 0.72 if maskable else 0.9
    u, v = 0.5 + (x - 0.5) / scale, 0.5 + (y - 0.5) / scale
    lens_x, lens_y, lens_r, ring = 0.43, 0.43, 0.24, 0.075
    d = math.hypot(u - lens_x, v - lens_y)
    if abs(d - lens_r) <= ring / 2:
        return WHITE, True
    if _segment_distance(u, v, 0.61, 0.61, 0.78, 0.78) <= 0.055:
        return WHITE, True
    if d <= 0.095:
        return WARM, True
    return BRAND, True


def draw(size: int, *, maskable: bool = False) -> bytes:
    rows = []
    n = SAMPLES * SAMPLES
    for j in range(size):
        row = bytearray()
        for i in range(size):
            r = g = b = a = 0
            for sj in range(SAMPLES):
                for si in range(SAMPLES):
                    x = (i + (si + 0.5) / SAMPLES) / size
                    y = (j + (sj + 0.5) / SAMPLES) / size
                    colour, covered = _colour_at(x, y, maskable=maskable)
                    if covered:
                        r, g, b, a = r + colour[0], g + colour[1], b + colour[2], a + 1
            if a:
                row += bytes((r // a, g // a, b // a, 255 * a // n))
            else:
                row += b"\x00\x00\x00\x00"
        rows.append(bytes(row))
    return png_bytes(size, size, rows)


ICONS = {
    "icon-192.png": (192, False),
    "icon-512.png": (512, False),
    "maskable-512.png": (512, True),
    "apple-touch-icon.png": (180, True),  # iOS rounds the corners itself; no transparency
    "favicon-32.png": (32, False),
}


def main(folder: Path | None = None) -> None:
    folder = folder or Path(__file__).resolve().parents[2] / "static" / "icons"
    folder.mkdir(parents=True, exist_ok=True)
    for name, (size, maskable) in ICONS.items():
        (folder / name).write_bytes(draw(size, maskable=maskable))
        print(f"{name}: {size}×{size}")


if __name__ == "__main__":
    main()
