#!/usr/bin/env bash
# The logo key (docs/presentation.md, "Logo"): a PNG drawn in the label box
# at its start edge (left, or right on a right-to-left screen), scaled to
# fit the bar; a bad logo logs one line and the ticker runs without it.
exec python3 - "$@" <<'PY'
import os, struct, subprocess, sys, tempfile, zlib
kabar, src = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(src, 'tests/cli'))
env = dict(os.environ, SDL_VIDEODRIVER='dummy', KABAR_CONFIG='')
tmp = tempfile.mkdtemp(prefix='kabar-logo-')
failures = []

def check(ok, what):
    print(('ok   ' if ok else 'FAIL ') + what)
    if not ok:
        failures.append(what)

def png(path, w, h, rgba):
    raw = b''.join(b'\0' + bytes(rgba) * w for _ in range(h))
    chunk = lambda t, d: struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))
    open(path, 'wb').write(b'\x89PNG\r\n\x1a\n' +
                           chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 6, 0, 0, 0)) +
                           chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))

from pngrows import read_png  # noqa: E402 (tests/cli, on the path above)

spool = os.path.join(tmp, 'spool')
os.makedirs(spool)
open(os.path.join(spool, 'a.json'), 'w').write(
    '{"id": "a", "lang": "en", "text": "A headline crawls below the logo"}')
logo = os.path.join(tmp, 'logo.png')
png(logo, 200, 100, (255, 0, 255, 255))  # 2:1, magenta

def run(name, *sets):
    shot = os.path.join(tmp, name + '.png')
    args = [kabar, 'run', '--headless', '--virtual-clock', '--seconds', '1', '--size', '960x540',
            '--spool', spool, '--screenshot', shot, '--log-level', 'warning',
            '--set', 'clock_format=']
    for s in sets:
        args += ['--set', s]
    r = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    return r, read_png(shot) if os.path.exists(shot) else None

magenta = lambda p: p[0] > 240 and p[1] < 20 and p[2] > 240

def boxes(rows):
    """Columns and rows of magenta pixels."""
    pts = [(x, y) for y, row in enumerate(rows) for x, p in enumerate(row) if magenta(p)]
    if not pts:
        return None
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return min(xs), max(xs), min(ys), max(ys), len(pts)

for lang, side in (('en', 'left'), ('ar', 'right')):
    r, rows = run(f'logo-{lang}', f'logo={logo}', f'screen_lang={lang}', 'bar_height=0.1')
    check(r.returncode == 0 and not r.stderr.strip(), f'{lang}: ran, nothing logged {r.stderr}')
    b = boxes(rows)
    check(b is not None, f'{lang}: the logo shows')
    if b is None:
        continue
    x0, x1, y0, y1, n = b
    w, h = len(rows[0]), len(rows)
    bar_h = round(h * 0.1)
    # Seven tenths of the bar high, its shape kept (2:1), centred in the bar.
    lh, lw = y1 - y0 + 1, x1 - x0 + 1
    check(abs(lh - round(bar_h * 0.7)) <= 1 and abs(lw - 2 * lh) <= 2,
          f'{lang}: {lw}x{lh} for a bar of {bar_h}')
    check(n == lw * lh, f'{lang}: a solid box of logo pixels ({n})')
    check(y0 >= h - bar_h and y1 < h and abs((y0 - (h - bar_h)) - (h - 1 - y1)) <= 1,
          f'{lang}: inside the bar, centred ({y0}..{y1})')
    pad = (bar_h - lh) // 2
    edge = x0 if side == 'left' else w - 1 - x1
    check(abs(edge - pad) <= 1, f'{lang}: at the {side} edge of the label box, {edge} px in')
    # The label's own box colour is beside it, and its text too (not magenta).
    beside = rows[(y0 + y1) // 2][x1 + 4 if side == 'left' else x0 - 4]
    check(not magenta(beside), f'{lang}: the label box goes on beside the logo ({beside})')

# A logo with no text around: the absolute path of a file that is no PNG,
# a name not in the assets folders, a name with a path, a FIFO.
jpg = os.path.join(src, 'assets/demo-spool/images/jakarta-rain.jpg')
fifo = os.path.join(tmp, 'fifo.png')
os.mkfifo(fifo)
big = os.path.join(tmp, 'big.png')
png(big, 4000, 10, (255, 0, 255, 255))
cut = os.path.join(tmp, 'cut.png')
open(cut, 'wb').write(open(logo, 'rb').read()[:60])
bad = {jpg: 'holds JPEG, but a logo is a PNG', 'no-such-logo.png': 'not in /etc/kabar/assets/',
       '../logo.png': 'a PNG file name without a path', fifo: 'a FIFO, not a regular file',
       big: '4000x10 pixels, more than a logo', cut: cut}
for key, says in bad.items():
    r, rows = run('bad', f'logo={key}')
    # libpng, under SDL_image, writes its own "libpng error: ..." to stderr.
    lines = [l for l in r.stderr.splitlines() if l.strip() and not l.startswith('libpng')]
    check(r.returncode == 0 and rows is not None, f'logo={key}: the ticker runs (rc {r.returncode})')
    check(len(lines) == 1 and says in lines[0], f'logo={key}: one line: {lines}')
    check(rows is not None and boxes(rows) is None, f'logo={key}: no logo drawn')
if failures:
    print(f'{len(failures)} failed')
    sys.exit(1)
PY
