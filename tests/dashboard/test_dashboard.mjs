// The newsroom's page, end to end, in Debian's Chromium: a real mosquitto on
// 127.0.0.1 (MQTT for the screens; WebSockets serving dashboard/ with
// http_dir; MQTT over TLS WebSockets for the page; passwords and
// boards/mosquitto/acl.example),
// three screens each made of a real `kabar mqtt` and `kabar run --headless`,
// and the page driven as an editor and as a viewer.
//
//   node test_dashboard.mjs KABAR SOURCE_DIR BUILD_DIR
//
// Exits 0 when every check passed, 1 otherwise, 77 (skipped) only when
// Chromium cannot start here. Every wait is bounded; every process it
// started is killed when it ends, however it ends.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const [kabar, src, build] = process.argv.slice(2);
const chromiumPath = process.env.KABAR_CHROMIUM || '/usr/bin/chromium';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kabar-dashboard-'));
const outDir = path.join(build, 'dashboard');
fs.mkdirSync(outDir, { recursive: true });
const KEEPALIVE = 5; // the bridges' MQTT keepalive, seconds
const GROUP = 'fr';

const children = new Set();
let browser = null;
function killAll() {
  for (const c of children) {
    try { c.kill('SIGKILL'); } catch { /* gone */ }
  }
  children.clear();
}
async function cleanup() {
  if (browser) await browser.close().catch(() => {});
  browser = null;
  // SIGTERM first: bridges say goodbye, tickers write their stats.
  for (const c of children) {
    try { c.kill('SIGTERM'); } catch { /* gone */ }
  }
  await Promise.race([Promise.all([...children].map((c) => new Promise((r) => {
    if (c.exitCode !== null || c.signalCode !== null) r(); else c.once('exit', r);
  }))), sleep(5000)]);
  killAll();
  if (!process.env.KABAR_KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { killAll(); process.exit(1); });
// The whole run is bounded, whatever hangs.
const watchdog = setTimeout(async () => {
  console.log('FAIL: the test ran out of time (360 s)');
  await cleanup();
  process.exit(1);
}, 360000);

function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }
async function waitFor(seconds, fn) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch { /* not yet */ }
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
}
let passes = 0, fails = 0;
function check(name, ok, detail) {
  if (ok) passes++;
  else {
    fails++;
    console.log('FAIL: ' + name + (detail !== undefined ? ' (' + detail + ')' : ''));
  }
  return ok;
}
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20000, ...opts });
  if (r.status !== 0) throw new Error(cmd + ' ' + args.join(' ') + ': ' + (r.stderr || r.error));
  return r.stdout;
}
function start(name, cmd, args) {
  const log = fs.openSync(path.join(tmp, name + '.log'), 'a');
  const c = spawn(cmd, args, { stdio: ['ignore', log, log], env: process.env });
  fs.closeSync(log);
  children.add(c);
  c.on('exit', () => children.delete(c));
  return c;
}
function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}
function portOpen(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  });
}

// ---- the broker: TLS on the page's listener, passwords, the example ACL ----
const mqttPort = await freePort(), wsPort = await freePort(), wssPort = await freePort();
const users = { editor: 'editor-secret', viewer: 'viewer-secret', 'lobby-1': 's1', 'lobby-2': 's2', 'lobby-3': 's3' };
const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
run('openssl', ['req', '-x509', ...ec, '-days', '2', '-subj', '/CN=kabar test CA',
  '-keyout', path.join(tmp, 'ca.key'), '-out', path.join(tmp, 'ca.crt')]);
run('openssl', ['req', ...ec, '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
  '-keyout', path.join(tmp, 'broker.key'), '-out', path.join(tmp, 'broker.csr')]);
run('openssl', ['x509', '-req', '-in', path.join(tmp, 'broker.csr'), '-CA', path.join(tmp, 'ca.crt'),
  '-CAkey', path.join(tmp, 'ca.key'), '-CAcreateserial', '-days', '2', '-copy_extensions', 'copy',
  '-out', path.join(tmp, 'broker.crt')]);
fs.writeFileSync(path.join(tmp, 'passwd'), '');
for (const [u, p] of Object.entries(users)) {
  run('mosquitto_passwd', ['-b', path.join(tmp, 'passwd'), u, p]);
  fs.writeFileSync(path.join(tmp, u + '.pw'), p + '\n', { mode: 0o600 });
}
fs.copyFileSync(path.join(src, 'boards/mosquitto/acl.example'), path.join(tmp, 'acl'));
const whoami = os.userInfo().username;
fs.writeFileSync(path.join(tmp, 'mosquitto.conf'), [
  'allow_anonymous false',
  'password_file ' + path.join(tmp, 'passwd'),
  'acl_file ' + path.join(tmp, 'acl'),
  'persistence false',
  'log_dest file ' + path.join(tmp, 'mosquitto.log'),
  'log_type all',
  'user ' + whoami,
  'listener ' + mqttPort + ' 127.0.0.1',
  'listener ' + wsPort + ' 127.0.0.1',
  'protocol websockets',
  'http_dir ' + path.join(src, 'dashboard'),
  // The page's MQTT over TLS, as docs/fleet.md sets it up. (Debian 12's
  // mosquitto cannot serve the page itself over HTTPS: docs/fleet.md.)
  'listener ' + wssPort + ' 127.0.0.1',
  'protocol websockets',
  'certfile ' + path.join(tmp, 'broker.crt'),
  'keyfile ' + path.join(tmp, 'broker.key'),
  '',
].join('\n'));
start('broker', '/usr/sbin/mosquitto', ['-c', path.join(tmp, 'mosquitto.conf')]);
if (!check('the broker starts', await waitFor(10, () => portOpen(mqttPort)) && await waitFor(10, () => portOpen(wsPort)) &&
    await waitFor(10, () => portOpen(wssPort)))) {
  await cleanup();
  process.exit(1);
}
function pub(user, topic, message) {
  const args = ['-h', '127.0.0.1', '-p', String(mqttPort), '-u', user, '-P', users[user], '-q', '1', '-r',
    '-t', topic];
  run('mosquitto_pub', message === '' ? [...args, '-n'] : [...args, '-m', message]);
}

// ---- three screens: a bridge and a headless ticker each ----
const seed = [
  { id: 'seed-fr', lang: 'fr', text: 'Vercourt-sur-Lance : le tramway circulera toute la nuit du 31 décembre' },
  { id: 'seed-ar', lang: 'ar', text: 'مترو الرياض يضيف رحلات ليلية طوال عطلة نهاية الأسبوع' },
  { id: 'seed-ja', lang: 'ja', text: '青葉市立図書館、冬休みは夜九時まで開館' },
];
for (const it of seed) pub('editor', `kabar/${GROUP}/items/${it.id}`, JSON.stringify(it));
const screens = {};
for (const name of ['lobby-1', 'lobby-2', 'lobby-3']) {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  const s = { name, spool: path.join(dir, 'spool'), stats: path.join(dir, 'stats.json') };
  s.startBridge = () => {
    s.bridge = start(name + '-bridge', kabar, ['mqtt', '--host', '127.0.0.1', '--port', String(mqttPort),
      '--group', GROUP, '--spool', s.spool, '--screen', name, '--user', name,
      '--password-file', path.join(tmp, name + '.pw'), '--stats', s.stats, '--status-interval', '0.5',
      '--keepalive', String(KEEPALIVE), '--log-level', 'info']);
  };
  s.startBridge();
  screens[name] = s;
}
for (const s of Object.values(screens)) {
  check(s.name + ' gets the seeded items', await waitFor(20, () =>
    seed.every((it) => fs.existsSync(path.join(s.spool, it.id + '.json')))));
  s.ticker = start(s.name + '-ticker', kabar, ['run', '--headless', '--size', '960x540', '--spool', s.spool,
    '--stats', s.stats, '--set', 'stats_interval_s=0.5', '--set', 'thumb_interval_s=1',
    '--set', 'refresh_hz=20', '--set', 'speed=480', '--seconds', '300', '--log-level', 'warning']);
}
const shownIds = (s) => {
  try { return new Set(readJson(s.stats).shown.map((a) => a.id)); } catch { return new Set(); }
};

// ---- the browser ----
try {
  browser = await chromium.launch({ executablePath: chromiumPath, timeout: 30000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--ignore-certificate-errors'] });
} catch (e) {
  console.log('skipped: Chromium cannot start here: ' + String(e.message).split('\n')[0]);
  clearTimeout(watchdog);
  await cleanup();
  process.exit(77);
}
const pageUrl = `http://127.0.0.1:${wsPort}/index.html?group=${GROUP}&broker=wss://127.0.0.1:${wssPort}/mqtt`;
const dialogs = [];
async function openPage(user, viewport) {
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true, viewport });
  const page = await ctx.newPage();
  page.setDefaultTimeout(15000);
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  page.on('pageerror', (e) => console.log('  page error (' + user + '): ' + e.message));
  await page.goto(pageUrl);
  await page.fill('#user', user);
  await page.fill('#password', users[user]);
  await page.click('#login button[type=submit]');
  const on = await page.waitForSelector('#conn[data-conn="on"]', { timeout: 15000 }).then(() => true, () => false);
  check(user + ' logs in', on, await page.textContent('#conn').catch(() => '?'));
  return page;
}
const card = (name) => `[data-screen="${name}"]`;

const editor = await openPage('editor', { width: 1280, height: 860 });
check('the password is kept nowhere', await editor.evaluate(() =>
  document.getElementById('password').value === '' && localStorage.length === 0 &&
  sessionStorage.length === 0 && document.cookie === ''));

// A live screen: online, with the text of what it shows now, and a picture.
for (const name of Object.keys(screens)) {
  check(name + ' shows online', await waitFor(20, () => editor.$(`${card(name)}[data-state="online"]`)));
}
const seedText = new Map(seed.map((it) => [it.id, it]));
const showsSeedText = async () => {
  const got = await editor.$$eval(`${card('lobby-1')} .showing li[data-item]`, (lis) => lis.map((li) => ({
    id: li.dataset.item, text: li.querySelector('.text') && li.querySelector('.text').textContent,
    lang: li.querySelector('.text') && li.querySelector('.text').getAttribute('lang') })));
  return got.some((g) => seedText.has(g.id) && seedText.get(g.id).text === g.text && seedText.get(g.id).lang === g.lang);
};
check('a live screen shows the text of its current item', await waitFor(30, showsSeedText));
const thumbOk = async (name) => editor.$eval(`${card(name)} .thumb`, (f) => !f.hidden &&
  f.querySelector('img').naturalWidth >= 400 && f.querySelector('img').naturalWidth <= 520 &&
  /picture of \d/.test(f.querySelector('figcaption').textContent));
check('a live screen has a thumbnail with its time', await waitFor(30, () => thumbOk('lobby-1')));
check('the Arabic item is laid out by its own direction', await waitFor(10, () => editor.$eval(
  '[data-item="seed-ar"] .text', (e) => e.getAttribute('dir') === 'auto' && e.getAttribute('lang') === 'ar' &&
    getComputedStyle(e).direction === 'rtl')));

// Posting from the form reaches the spools and the crawl.
await editor.fill('#post-text', 'Lyon : la Fête des lumières attend 1,8 million de visiteurs');
await editor.fill('#post-lang', 'fr');
await editor.fill('#post-source', 'Le Quotidien');
await editor.fill('#post-id', 'web-post-1');
await editor.click('#post-send');
check('the page says it posted', await waitFor(10, async () =>
  (await editor.textContent('#post-result')).includes('kabar/fr/items/web-post-1')));
const posted = path.join(screens['lobby-1'].spool, 'web-post-1.json');
check('the posted item reaches the spool', await waitFor(10, () => fs.existsSync(posted)));
check('...as the form said', await waitFor(5, () => {
  const it = readJson(posted);
  return it.text.startsWith('Lyon') && it.lang === 'fr' && it.source === 'Le Quotidien' && it.published;
}));
const t0 = Date.now();
check('...and the crawl (the ticker\'s stats)', await waitFor(120, () => shownIds(screens['lobby-1']).has('web-post-1')));
console.log(`  the posted item reached lobby-1's crawl ${((Date.now() - t0) / 1000).toFixed(1)} s after its file`);

// Markup in an item is shown as text, on the list and on the screen's card;
// breaking, so it is on screen at once.
const xss = '<img src=x onerror=alert(1)>';
await editor.fill('#post-text', xss);
await editor.fill('#post-lang', 'en');
await editor.fill('#post-source', '');
await editor.fill('#post-id', 'web-xss-1');
await editor.check('#post-breaking');
await editor.click('#post-send');
check('the markup item is listed as text', await waitFor(10, () => editor.$eval(
  '#items [data-item="web-xss-1"] .text', (e) => e.textContent === '<img src=x onerror=alert(1)>')));
check('the markup item reaches the spool', await waitFor(10, () =>
  fs.existsSync(path.join(screens['lobby-1'].spool, 'web-xss-1.json'))));
check('the screen card shows it as text', await waitFor(30, () => editor.$$eval(
  `${card('lobby-1')} .showing .text`, (es) => es.some((e) => e.textContent === '<img src=x onerror=alert(1)>'))));
check('no element came from an item\'s text', await editor.$$eval('img', (imgs) =>
  imgs.every((i) => i.getAttribute('src') !== 'x' && !i.hasAttribute('onerror'))));
check('no script ran from it', dialogs.length === 0, dialogs.join('; '));
await editor.uncheck('#post-breaking');

// Retracting from the list takes it off the spool, the crawl and the list.
await editor.click('#items [data-retract="web-xss-1"]');
check('a retracted item leaves the spool', await waitFor(10, () =>
  Object.values(screens).every((s) => !fs.existsSync(path.join(s.spool, 'web-xss-1.json')))));
check('...and the list', await waitFor(10, async () => (await editor.$('#items [data-item="web-xss-1"]')) === null));
check('...and the screen', await waitFor(20, () => editor.$$eval(`${card('lobby-1')} .showing li`,
  (lis) => lis.length > 0 && lis.every((li) => li.dataset.item !== 'web-xss-1'))));

// A bad item from another tool: the bridges' rejection line beside it.
pub('editor', `kabar/${GROUP}/items/bad-1`, JSON.stringify({ id: 'bad-1', lang: 'en_US', text: 'x' }));
check('a bad item shows the bridge\'s rejection line', await waitFor(20, () => editor.$$eval(
  '#items [data-item="bad-1"] .refusal', (ps) => ps.some((p) =>
    /refused it: .*bad-1\.json: field "lang": "en_US" is not a BCP 47 language tag/.test(p.textContent)))));
check('...and it never reached a spool', !fs.existsSync(path.join(screens['lobby-1'].spool, 'bad-1.json')));

// The last will: a bridge killed without a word turns its screen offline.
const killed = screens['lobby-3'];
killed.bridge.kill('SIGKILL');
const tk = Date.now();
// The broker sends the will when it notices the link is gone (at once for a
// closed socket, after 1.5 keepalives for a silent one), after the will's
// delay (WILL_DELAY_S in src/fleet/bridge.c: 5 s).
const offline = await waitFor(1.5 * KEEPALIVE + 5 + 5, () => editor.$(`${card('lobby-3')}[data-state="offline"]`));
check(`SIGKILL of a bridge shows its screen offline within the keepalive and the will's delay`, offline);
console.log(`  lobby-3 offline on the page ${((Date.now() - tk) / 1000).toFixed(1)} s after SIGKILL of its bridge`);
check('the others stay online', (await editor.$$(`.screen[data-state="online"]`)).length === 2);

// The page with three screens, one offline: for docs/img and to look at.
await waitFor(20, async () => (await thumbOk('lobby-1')) && (await thumbOk('lobby-2')));
await sleep(1500);
await editor.evaluate(() => window.scrollTo(0, 0));
// docs/img/dashboard.png is this first one: the screens and the form.
await editor.screenshot({ path: path.join(outDir, 'dashboard-screens.png') });
await editor.screenshot({ path: path.join(outDir, 'dashboard-full.png'), fullPage: true });

// A phone: one column, nothing wider than the screen.
const phone = await openPage('editor', { width: 390, height: 844 });
await waitFor(20, () => phone.$(`${card('lobby-1')}[data-state="online"]`));
check('on a phone nothing is wider than the screen', await phone.evaluate(() =>
  document.documentElement.scrollWidth <= window.innerWidth), await phone.evaluate(() => document.documentElement.scrollWidth));
await phone.screenshot({ path: path.join(outDir, 'dashboard-phone.png') });

// A viewer sees the screens but cannot post: the ACL refuses and the page says so.
const viewer = await openPage('viewer', { width: 1000, height: 800 });
check('a viewer sees the screens', await waitFor(20, () => viewer.$(`${card('lobby-1')}[data-state="online"]`)));
check('a viewer sees the thumbnails', await waitFor(20, async () => viewer.$eval(`${card('lobby-1')} .thumb img`,
  (i) => i.naturalWidth >= 400)));
// mosquitto grants the subscription and sends nothing the ACL keeps from the user.
check('a viewer is sent no items', (await viewer.$$('#items li')).length === 0);
await viewer.fill('#post-text', 'A viewer tries to post');
await viewer.fill('#post-lang', 'en');
await viewer.fill('#post-id', 'viewer-1');
await viewer.click('#post-send');
check('a viewer cannot post: the page says the broker refused', await waitFor(10, async () =>
  /refused it: Not authorized/.test(await viewer.textContent('#post-result'))), await viewer.textContent('#post-result'));
// Whatever the editor posts next reaches the spool after anything the viewer sent.
pub('editor', `kabar/${GROUP}/items/marker-1`, JSON.stringify({ id: 'marker-1', lang: 'en', text: 'marker' }));
await waitFor(10, () => fs.existsSync(path.join(screens['lobby-1'].spool, 'marker-1.json')));
check('...and nothing reached a spool', !fs.existsSync(path.join(screens['lobby-1'].spool, 'viewer-1.json')));

// Without ?group= the page lists the groups its screens said they are in.
const picker = await (await browser.newContext()).newPage();
await picker.goto(pageUrl.replace(`group=${GROUP}&`, ''));
await picker.fill('#user', 'viewer');
await picker.fill('#password', users.viewer);
await picker.click('#login button[type=submit]');
const listed = await waitFor(15, () => picker.$('#groups a'));
check('without a group the page offers the groups of the screens', listed &&
  (await picker.$$eval('#groups a', (as) => as.map((a) => a.textContent))).join(',') === GROUP);
if (listed) await picker.click('#groups a');
check('...and picking one shows its screens', await waitFor(15, () =>
  picker.$(`${card('lobby-1')}[data-state="online"]`)) && new URL(picker.url()).searchParams.get('group') === GROUP);

// A wrong password: the page says the broker refused the login.
const ctx = await browser.newContext({ ignoreHTTPSErrors: true });
const wrong = await ctx.newPage();
await wrong.goto(pageUrl);
await wrong.fill('#user', 'editor');
await wrong.fill('#password', 'not-the-password');
await wrong.click('#login button[type=submit]');
check('a wrong password is refused, and the page says so', await waitFor(10, async () =>
  /refused the login/.test(await wrong.textContent('#conn'))));

// The HTTPS front of docs/fleet.md (boards/mosquitto/dashboard-nginx.conf)
// before the same broker: the page over HTTPS and HTTP/2, its MQTT on /mqtt.
// nginx is not installed by install-deps (Debian starts it as a service).
if (fs.existsSync('/usr/sbin/nginx')) {
  const ngPort = await freePort();
  let site = fs.readFileSync(path.join(src, 'boards/mosquitto/dashboard-nginx.conf'), 'utf8');
  site = site.replace(/listen 443 ssl http2;/, `listen 127.0.0.1:${ngPort} ssl http2;`)
    .replace(/\n\s*listen \[::\]:443[^\n]*/, '')
    .replace(/\/etc\/nginx\/kabar\/broker\.(crt|key)/g, (m, ext) => path.join(tmp, 'broker.' + ext))
    .replaceAll('127.0.0.1:9001', '127.0.0.1:' + wsPort);
  const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((t) => `${t}_temp_path ${path.join(tmp, 'nginx-' + t)};`).join('\n');
  fs.writeFileSync(path.join(tmp, 'nginx.conf'), `daemon off;\nmaster_process off;\npid ${tmp}/nginx.pid;\n` +
    `error_log ${tmp}/nginx-error.log;\nevents {}\nhttp {\naccess_log off;\n${temps}\n${site}\n}\n`);
  start('nginx', '/usr/sbin/nginx', ['-c', path.join(tmp, 'nginx.conf'), '-e', path.join(tmp, 'nginx-error.log')]);
  await waitFor(10, () => portOpen(ngPort));
  const front = await (await browser.newContext({ ignoreHTTPSErrors: true })).newPage();
  await front.goto(`https://127.0.0.1:${ngPort}/?group=${GROUP}`).catch((e) => console.log('  ' + e.message));
  await front.fill('#user', 'viewer').catch(() => {});
  await front.fill('#password', users.viewer).catch(() => {});
  await front.click('#login button[type=submit]').catch(() => {});
  check('through the HTTPS front the page loads and talks MQTT on /mqtt', await waitFor(15, () =>
    front.$(`${card('lobby-1')}[data-state="online"]`)), await front.textContent('#conn').catch(() => '?'));
} else {
  console.log('  (the HTTPS front of docs/fleet.md was not checked: nginx is not installed)');
}

const brokerLog = fs.readFileSync(path.join(tmp, 'mosquitto.log'), 'utf8');
check('the broker logged the viewer\'s refused publish', /Denied PUBLISH from kabar-page-/.test(brokerLog));
for (const s of Object.values(screens)) {
  const log = fs.readFileSync(path.join(tmp, s.name + '-bridge.log'), 'utf8');
  check(s.name + '\'s bridge logged no error', !/AddressSanitizer|runtime error|LeakSanitizer/.test(log));
}

clearTimeout(watchdog);
await cleanup();
console.log(`${passes} passed, ${fails} failed`);
process.exit(fails === 0 ? 0 : 1);
