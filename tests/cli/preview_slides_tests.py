"""kabar preview --profile (docs/presentation.md, "Preview for editors"):
a picture item and a text-only item, each previewed for two board profiles.

- Each PNG exists and has the profile's screen size.
- The picture's pixels are where the slide layout puts them (the start
  edge of a landscape slide); the text-only slide has none there.
- No ink on the slide box's edges: the top row and the side columns of the
  upper half are background.
- --profile all writes OUT-NAME.png for every profile in boards/.
- A bad profile name: one line on stderr, exit status 2.
Usage: preview_slides_tests.py KABAR SOURCE_DIR BUILD_DIR"""
import glob, json, os, shutil, struct, subprocess, sys, tempfile, zlib

from pngrows import read_png

kabar, src, build = sys.argv[1:4]
env = dict(os.environ, SDL_VIDEODRIVER='dummy', KABAR_CONFIG='')
demo = os.path.join(src, 'assets/demo-spool/images')
failures = []
PROFILES = ['desktop', 'rpi4']


def check(ok, what):
    print(('ok   ' if ok else 'FAIL ') + what)
    if not ok:
        failures.append(what)


def board_size(name):
    for line in open(os.path.join(src, 'boards', name + '.conf')):
        k, _, v = line.partition('=')
        if k.strip() == 'size':
            w, h = (int(n) for n in v.strip().split('x'))
            # 0x0, the display's own mode: previewed as a 1080p TV.
            return (w, h) if w > 0 and h > 0 else (1920, 1080)
    return 1920, 1080


def png_size(path):
    data = open(path, 'rb').read(32)
    return struct.unpack('>II', data[16:24])


def near(a, b, tol=6):
    return all(abs(x - y) <= tol for x, y in zip(a, b))


def preview(spool_file, profile, out):
    return subprocess.run([kabar, 'preview', '--profile', profile, '--png', out,
                           '--set', 'log_level=warning', spool_file],
                          env=env, capture_output=True, text=True, timeout=300)


tmp = tempfile.mkdtemp(prefix='kabar-preview-slides-')
spool = os.path.join(tmp, 'spool')
os.makedirs(os.path.join(spool, 'images'))
shutil.copy(os.path.join(demo, 'riyadh-metro.png'), os.path.join(spool, 'images'))
base = {'lang': 'en', 'source': 'Test', 'published': '2026-11-29T06:52:00Z',
        'text': 'Riyadh metro stations get free Wi-Fi by 2027, with a first trial in five',
        'summary': 'The first phase covers five stations on the blue line. ' * 2}
items = {'picture': dict(base, id='pic', image='riyadh-metro.png', credit='Credit'),
         'text': dict(base, id='txt')}
bg = (0x10, 0x14, 0x18)
sky = lambda p: p[0] > 200 and 130 < p[1] < 215 and 80 < p[2] < 160
for kind, d in items.items():
    path = os.path.join(spool, f'{kind}.json')
    with open(path, 'w') as f:
        json.dump(d, f)
    for profile in PROFILES:
        out = os.path.join(tmp, f'{kind}-{profile}.png')
        r = preview(path, profile, out)
        check(r.returncode == 0 and os.path.exists(out),
              f'{kind} {profile}: written ({r.returncode}: {r.stderr.strip()[:200]})')
        if not os.path.exists(out):
            continue
        w, h = board_size(profile)
        check(png_size(out) == (w, h), f'{kind} {profile}: {png_size(out)} is the profile\'s {w}x{h}')
        rows = read_png(out)
        # The slide box starts at the screen's top (the safe area is 0) and
        # its picture box at its start edge, the left for English.
        px = rows[h // 10][w // 6]
        if kind == 'picture':
            check(sky(px), f'{kind} {profile}: picture pixels at the left ({px})')
            check(not sky(rows[h // 2][w - w // 6]), f'{kind} {profile}: no picture on the text side')
        else:
            check(not sky(px), f'{kind} {profile}: no picture on a text-only slide ({px})')
        edge = [rows[0][x] for x in range(w)] + [rows[y][0] for y in range(h // 2)] + \
               [rows[y][w - 1] for y in range(h // 2)]
        check(all(near(p, bg) for p in edge), f'{kind} {profile}: nothing on the slide box edges')
    # The picture was read, not moved.
    check(os.path.exists(os.path.join(spool, 'images', 'riyadh-metro.png')),
          f'{kind}: the picture stays in the editor\'s spool')

r = preview(os.path.join(spool, 'text.json'), 'all', os.path.join(tmp, 'all.png'))
names = sorted(os.path.basename(p)[:-5] for p in glob.glob(os.path.join(src, 'boards', '*.conf')))
made = sorted(os.path.basename(p)[4:-4] for p in glob.glob(os.path.join(tmp, 'all-*.png')))
check(r.returncode == 0 and made == names, f'--profile all: one PNG per profile ({made})')

r = preview(os.path.join(spool, 'text.json'), 'rpi9', os.path.join(tmp, 'bad.png'))
lines = r.stderr.strip().splitlines()
check(r.returncode == 2 and len(lines) == 1 and 'rpi9' in lines[0],
      f'a bad profile: exit {r.returncode}, {lines}')
check(not os.path.exists(os.path.join(tmp, 'bad.png')), 'a bad profile writes no PNG')

shutil.rmtree(tmp)
if failures:
    print(f'{len(failures)} failed')
    sys.exit(1)
