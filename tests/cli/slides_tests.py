"""Story slides, driven as a user would (docs/presentation.md, "Story
slides"; docs/spool.md, "Pictures").

- Hostile pictures (PNG, JPEG and WebP cut short or corrupted, a PNG
  claiming 20000x20000, a symlink, a FIFO, a JPEG named .png): the ticker
  keeps running to its end and exits 0 (under ASan, clean), every such file
  is in rejected/ beside its reason, and the good picture is not.
- Pixels: on a landscape slide the picture's pixels fill the picture box at
  the start edge (left, or right for Arabic), on a portrait slide the top;
  a text-only slide has no picture there; and no text ink touches the
  slide's edges.
Usage: slides_tests.py KABAR SOURCE_DIR BUILD_DIR"""
import json, os, shutil, struct, subprocess, sys, tempfile, zlib

from pngrows import read_png

kabar, src, build = sys.argv[1:4]
env = dict(os.environ, SDL_VIDEODRIVER='dummy', KABAR_CONFIG='')
demo = os.path.join(src, 'assets/demo-spool/images')
failures = []


def check(ok, what):
    print(('ok   ' if ok else 'FAIL ') + what)
    if not ok:
        failures.append(what)


def item(spool, n, lang, text, image=None, summary=None):
    d = {'id': f'slide-{n}', 'lang': lang, 'text': text, 'source': 'Test',
         'published': '2026-11-29T06:52:00Z'}
    if image:
        d['image'] = image
        d['credit'] = 'Credit'
    if summary:
        d['summary'] = summary
    with open(os.path.join(spool, f'{n:02d}.json'), 'w') as f:
        json.dump(d, f, ensure_ascii=False)


def run(spool, size, seconds, shot, *sets):
    args = [kabar, 'run', '--headless', '--virtual-clock', '--seconds', str(seconds),
            '--size', size, '--spool', spool, '--screenshot', shot, '--log-level', 'warning',
            '--set', 'panel=stories', '--set', 'clock_format=', '--set', 'slides_ahead=4']
    for s in sets:
        args += ['--set', s]
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=500)


def hostile():
    tmp = tempfile.mkdtemp(prefix='kabar-slides-')
    spool = os.path.join(tmp, 'spool')
    images = os.path.join(spool, 'images')
    os.makedirs(images)
    png = open(os.path.join(demo, 'riyadh-metro.png'), 'rb').read()
    jpg = open(os.path.join(demo, 'jakarta-rain.jpg'), 'rb').read()
    webp = open(os.path.join(demo, 'lyon-lights.webp'), 'rb').read()
    bomb = b'\x89PNG\r\n\x1a\n' + struct.pack('>I4sIIBBBBB', 13, b'IHDR', 20000, 20000, 8, 6, 0, 0, 0)
    bomb += struct.pack('>I', zlib.crc32(bomb[12:29]))
    idat = zlib.compress(b'\0' * 1000000, 9)
    bomb += struct.pack('>I4s', len(idat), b'IDAT') + idat + b'\0\0\0\0'
    corrupt_png = bytearray(png)
    for i in range(200, len(corrupt_png), 97):
        corrupt_png[i] ^= 0x5a
    corrupt_jpg = bytearray(jpg)
    for i in range(600, len(corrupt_jpg), 101):
        corrupt_jpg[i] = 0xff
    bad = {'cut.png': png[:len(png) // 2], 'cut.jpg': jpg[:300], 'cut.webp': webp[:len(webp) // 3],
           'corrupt.png': bytes(corrupt_png), 'corrupt.jpg': bytes(corrupt_jpg), 'bomb.png': bomb,
           'liar.png': jpg}
    for name, data in bad.items():
        open(os.path.join(images, name), 'wb').write(data)
    open(os.path.join(images, 'good.jpg'), 'wb').write(jpg)
    os.symlink(os.path.join(images, 'good.jpg'), os.path.join(images, 'link.jpg'))
    os.mkfifo(os.path.join(images, 'fifo.png'))
    names = list(bad) + ['link.jpg', 'fifo.png', 'good.jpg']
    for n, name in enumerate(names):
        item(spool, n, 'en', f'Story {n} names the picture {name}', name, 'A summary.')
    r = run(spool, '640x360', 80, os.path.join(tmp, 'h.png'))
    check(r.returncode == 0, f'the ticker ran over {len(names) - 1} hostile pictures and exited 0 '
          f'(rc {r.returncode}) {r.stderr[-600:] if r.returncode else ""}')
    rejected = os.path.join(spool, 'rejected')
    for name in names[:-1]:
        ok = os.path.lexists(os.path.join(rejected, name)) and \
            os.path.exists(os.path.join(rejected, name + '.error.txt'))
        why = open(os.path.join(rejected, name + '.error.txt')).read().strip() if ok else ''
        check(ok, f'{name} is in rejected/ with its reason: {why}')
    check(os.path.exists(os.path.join(images, 'good.jpg')), 'the good picture stays in images/')
    check(len([f for f in os.listdir(spool) if f.endswith('.json')]) == len(names),
          'no item was refused for its picture')
    shutil.rmtree(tmp)


def near(a, b, tol=40):
    return all(abs(x - y) <= tol for x, y in zip(a, b))


def pixels():
    tmp = tempfile.mkdtemp(prefix='kabar-slides-')
    bg = (0x10, 0x14, 0x18)
    cases = [('1280x720', 'en', 'left'), ('1280x720', 'ar', 'right'), ('720x1280', 'en', 'top'),
             ('1280x720', 'en', None)]
    for size, lang, where in cases:
        spool = os.path.join(tmp, f'{size}-{lang}-{where}')
        os.makedirs(os.path.join(spool, 'images'))
        shutil.copy(os.path.join(demo, 'riyadh-metro.png'), os.path.join(spool, 'images'))
        text = {'en': 'Riyadh metro stations get free Wi-Fi by 2027, with a first trial in five',
                'ar': 'مترو الرياض يوفّر شبكة Wi-Fi مجانية في محطاته بحلول عام 2027'}[lang]
        item(spool, 1, lang, text, 'riyadh-metro.png' if where else None,
             'The first phase covers five stations on the blue line. ' * 2)
        shot = os.path.join(tmp, f'{size}-{lang}-{where}.png')
        # At 4 s the slide has faded in (it stays at least slide_min_seconds,
        # 6 s) though the ingest thread may have been slow to lay it out.
        r = run(spool, size, 4, shot)
        check(r.returncode == 0, f'{size} {lang} {where}: ran')
        rows = read_png(shot)
        h, w = len(rows), len(rows[0])
        # The metro picture: a sky of orange (250,200,140)..(240,170,110) at its top.
        sky = lambda p: p[0] > 200 and 130 < p[1] < 215 and 80 < p[2] < 160
        probe = {'left': (w // 6, h // 10), 'right': (w - w // 6, h // 10),
                 'top': (w // 2, h // 12), None: (w // 6, h // 10)}[where]
        px = rows[probe[1]][probe[0]]
        if where:
            check(sky(px), f'{size} {lang}: picture pixels at the {where} ({px})')
            far = {'left': (w - w // 6, h // 2), 'right': (w // 6, h // 2),
                   'top': (w // 2, h - h // 4)}[where]
            check(not sky(rows[far[1]][far[0]]), f'{size} {lang}: no picture on the text side')
        else:
            check(not sky(px), f'{size} {lang}: a text-only slide has no picture ({px})')
        # No ink on the slide's edges: its first rows and columns are background.
        edge = [rows[0][x] for x in range(w)] + [rows[y][0] for y in range(h // 2)] + \
               [rows[y][w - 1] for y in range(h // 2)]
        check(all(near(p, bg, 6) for p in edge), f'{size} {lang} {where}: nothing on the edges')
    shutil.rmtree(tmp)


hostile()
pixels()
if failures:
    print(f'{len(failures)} failed')
    sys.exit(1)
