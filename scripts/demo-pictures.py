#!/usr/bin/python3
"""Draws the demo spool's pictures (assets/demo-spool/images/): simple
illustrations made here, so they carry the project's own licence
(docs/licences.md). Needs python3-pil; the pictures are committed, so
building and testing kabar does not."""
import math, random, sys
from PIL import Image, ImageDraw, ImageFilter

W, H = 960, 640
out = sys.argv[1] if len(sys.argv) > 1 else 'assets/demo-spool/images'


def sky(top, bottom):
    im = Image.new('RGB', (W, H))
    d = ImageDraw.Draw(im)
    for y in range(H):
        t = y / (H - 1)
        d.line([(0, y), (W, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom)))
    return im, d


def skyline(d, rnd, base, col, lit=None):
    x = 0
    while x < W:
        w, h = rnd.randint(50, 120), rnd.randint(120, 360)
        d.rectangle([x, base - h, x + w, base], fill=col)
        if lit:
            for wy in range(base - h + 14, base - 14, 26):
                for wx in range(x + 10, x + w - 12, 20):
                    if rnd.random() < 0.45:
                        d.rectangle([wx, wy, wx + 8, wy + 12], fill=lit)
        x += w + rnd.randint(4, 16)


def rain(rnd):  # Jakarta: night rain over a flooded street
    im, d = sky((22, 30, 48), (60, 74, 96))
    skyline(d, rnd, 470, (18, 22, 32), (230, 200, 120))
    d.rectangle([0, 470, W, H], fill=(40, 58, 80))
    for _ in range(40):
        y = rnd.randint(480, H)
        d.line([(rnd.randint(0, W), y), (rnd.randint(0, W), y)], fill=(200, 180, 120), width=2)
    for _ in range(700):
        x, y = rnd.randint(0, W), rnd.randint(0, H)
        d.line([(x, y), (x - 6, y + 22)], fill=(170, 190, 215), width=1)
    return im.filter(ImageFilter.GaussianBlur(0.6))


def lights(rnd):  # Lyon: facades lit in colour
    im, d = sky((10, 8, 30), (40, 20, 60))
    for i, col in enumerate([(255, 80, 160), (80, 200, 255), (255, 200, 60), (140, 255, 120)]):
        x = 40 + i * 230
        d.polygon([(x, 600), (x + 100, 180), (x + 200, 600)], fill=col)
        d.rectangle([x + 70, 420, x + 130, 600], fill=(30, 20, 50))
    for _ in range(120):
        x, y, r = rnd.randint(0, W), rnd.randint(0, 300), rnd.randint(1, 3)
        d.ellipse([x - r, y - r, x + r, y + r], fill=(255, 250, 220))
    return im.filter(ImageFilter.GaussianBlur(1.2))


def metro(rnd):  # Riyadh: a metro train at a desert-coloured station
    im, d = sky((250, 200, 140), (240, 170, 110))
    d.rectangle([0, 380, W, H], fill=(120, 90, 70))
    d.rounded_rectangle([80, 250, 900, 420], radius=40, fill=(235, 235, 240))
    for x in range(130, 860, 90):
        d.rounded_rectangle([x, 280, x + 60, 340], radius=8, fill=(40, 70, 110))
    d.rectangle([80, 370, 900, 385], fill=(0, 140, 120))
    for r in (60, 110, 160):
        d.arc([700 - r, 120 - r, 700 + r, 120 + r], 200, 340, fill=(255, 255, 255), width=10)
    return im


def maple(rnd):  # Kyoto: autumn leaves and a temple roof
    im, d = sky((150, 200, 235), (230, 240, 250))
    d.polygon([(180, 300), (480, 200), (780, 300)], fill=(60, 40, 40))
    d.rectangle([260, 300, 700, 520], fill=(170, 50, 40))
    d.rectangle([0, 520, W, H], fill=(90, 110, 70))
    for _ in range(260):
        x, y = rnd.randint(0, W), rnd.randint(0, H)
        c = rnd.choice([(220, 60, 30), (240, 140, 30), (200, 30, 40), (250, 190, 60)])
        r = rnd.randint(6, 14)
        d.regular_polygon((x, y, r), 5, rotation=rnd.randint(0, 72), fill=c)
    return im


def snow(rnd):  # Moscow: snow on onion domes
    im, d = sky((120, 140, 170), (200, 210, 225))
    for i, col in enumerate([(200, 40, 40), (40, 120, 80), (220, 170, 40)]):
        x = 220 + i * 260
        d.rectangle([x - 50, 330, x + 50, 560], fill=(230, 220, 205))
        d.ellipse([x - 70, 200, x + 70, 350], fill=col)
        d.polygon([(x - 20, 215), (x, 140), (x + 20, 215)], fill=col)
    d.rectangle([0, 560, W, H], fill=(240, 244, 250))
    for _ in range(500):
        x, y, r = rnd.randint(0, W), rnd.randint(0, H), rnd.randint(1, 4)
        d.ellipse([x - r, y - r, x + r, y + r], fill=(255, 255, 255))
    return im


def space(rnd):  # Delhi: a space exhibition, a rocket and planets
    im, d = sky((5, 8, 30), (20, 30, 70))
    for _ in range(300):
        x, y = rnd.randint(0, W), rnd.randint(0, H)
        d.point((x, y), fill=(255, 255, 255))
    d.ellipse([620, 80, 860, 320], fill=(230, 120, 60))
    d.ellipse([560, 180, 920, 220], outline=(240, 200, 150), width=6)
    d.polygon([(300, 120), (360, 260), (240, 260)], fill=(240, 240, 245))
    d.rectangle([240, 260, 360, 520], fill=(240, 240, 245))
    d.polygon([(240, 460), (190, 560), (240, 520)], fill=(200, 40, 40))
    d.polygon([(360, 460), (410, 560), (360, 520)], fill=(200, 40, 40))
    d.polygon([(260, 520), (300, 620), (340, 520)], fill=(255, 170, 40))
    return im


pics = [('jakarta-rain.jpg', rain, 'JPEG'), ('lyon-lights.webp', lights, 'WEBP'),
        ('riyadh-metro.png', metro, 'PNG'), ('kyoto-maple.jpg', maple, 'JPEG'),
        ('moscow-snow.png', snow, 'PNG'), ('delhi-space.webp', space, 'WEBP')]
for i, (name, fn, fmt) in enumerate(pics):
    im = fn(random.Random(i))
    kw = {'quality': 82} if fmt in ('JPEG', 'WEBP') else {'optimize': True}
    im.save(f'{out}/{name}', fmt, **kw)
    print(name)
