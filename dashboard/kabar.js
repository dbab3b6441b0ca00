/* The newsroom's page (docs/fleet.md, "The newsroom's page").
 *
 * Everything comes from the broker the screens already use, over MQTT on
 * WebSockets: the screens' retained status (kabar/<group>/status/<screen>)
 * and thumbnails (kabar/<group>/thumb/<screen>), and the group's retained
 * items (kabar/<group>/items/<id>), which the form posts and the list
 * retracts. The broker's ACL decides who may do what; the page shows what
 * the broker said.
 *
 * Whatever a message carries is shown with textContent, never as HTML: an
 * item's text or a screen's name may hold markup. The password lives only
 * in the MQTT client's options while connected, never in storage. */
'use strict';

(function () {
  const ID_RE = /^[A-Za-z0-9_:-][A-Za-z0-9._:-]{0,127}$/;
  const LANG_RE = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/;
  const params = new URLSearchParams(location.search);
  /* A screen whose ticker has not written its stats for this long is
   * flagged: a stopped or stuck ticker (the bridge still answers). */
  const STALE_S = Number(params.get('stale')) > 0 ? Number(params.get('stale')) : 120;

  let group = ID_RE.test(params.get('group') || '') ? params.get('group') : '';
  let client = null;
  const screens = new Map(); /* name -> {status, last, seen, offlineSince, thumb, el} */
  const items = new Map(); /* id -> {list, raw, el} */
  const groups = new Set();

  const $ = (id) => document.getElementById(id);
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  /* Text in some language, laid out by its own direction. */
  function langText(tag, cls, text, lang, dir) {
    const e = el(tag, cls, text);
    if (typeof lang === 'string' && lang !== '') e.setAttribute('lang', lang);
    e.setAttribute('dir', dir === 'rtl' || dir === 'ltr' ? dir : 'auto');
    return e;
  }

  function pad(n) { return String(n).padStart(2, '0'); }
  function clock(d) { return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()); }
  function when(d) {
    const today = new Date();
    const sameDay = d.toDateString() === today.toDateString();
    return (sameDay ? '' : d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ') +
      clock(d);
  }
  function ago(seconds) {
    const s = Math.max(0, Math.round(seconds));
    if (s < 90) return s + ' s';
    if (s < 5400) return Math.round(s / 60) + ' min';
    if (s < 172800) return Math.round(s / 3600) + ' h';
    return Math.round(s / 86400) + ' days';
  }
  function parseTime(text) {
    const d = typeof text === 'string' ? new Date(text) : null;
    return d && !isNaN(d.getTime()) ? d : null;
  }
  /* RFC 3339 with the browser's UTC offset, as the spool wants it. */
  function rfc3339(d) {
    const off = -d.getTimezoneOffset();
    const sign = off >= 0 ? '+' : '-';
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + 'T' + clock(d) +
      sign + pad(Math.floor(Math.abs(off) / 60)) + ':' + pad(Math.abs(off) % 60);
  }
  function decode(payload) {
    return new TextDecoder('utf-8').decode(payload);
  }
  function setResult(e, ok, text) {
    e.dataset.ok = ok ? 'true' : 'false';
    e.textContent = text;
  }
  function refusalText(err) {
    const m = err && err.message ? err.message : String(err);
    return /not authori[sz]ed|135|0x87/i.test(m) ? 'Not authorized' : m;
  }

  /* ---- connection ---- */

  /* The page's own host, on /mqtt (mosquitto takes WebSockets on any
   * path; a TLS proxy in front sends /mqtt to it). ?broker=wss://HOST:PORT/
   * picks another port or scheme, on the same host only: a link must not
   * send the password the user types to another machine. */
  function brokerUrl() {
    const own = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/mqtt';
    const given = params.get('broker');
    if (!given) return own;
    try {
      const u = new URL(given);
      if ((u.protocol === 'ws:' || u.protocol === 'wss:') && u.hostname === location.hostname) return u.href;
    } catch (e) { /* not a URL: ours */ }
    return own;
  }

  function setConn(on, text) {
    $('conn').dataset.conn = on ? 'on' : 'off';
    $('conn').textContent = text;
  }

  function connect(user, password) {
    const id = 'kabar-page-' + Math.random().toString(16).slice(2, 10);
    const opts = { clientId: id, protocolVersion: 5, clean: true, reconnectPeriod: 3000,
      connectTimeout: 10000, keepalive: 30 };
    if (user !== '') opts.username = user;
    if (password !== '') opts.password = password;
    setConn(false, 'connecting to ' + brokerUrl() + '...');
    client = mqtt.connect(brokerUrl(), opts);
    client.on('connect', () => {
      setConn(true, (user || 'anonymous') + ' on ' + brokerUrl());
      $('login-box').hidden = true;
      $('logout').hidden = false;
      subscribe();
    });
    client.on('reconnect', () => setConn(false, 'reconnecting to ' + brokerUrl() + '...'));
    client.on('offline', () => setConn(false, 'lost the broker; retrying'));
    client.on('error', (err) => {
      const refused = err && (err.code === 134 || err.code === 135 || err.code === 4 || err.code === 5);
      setConn(false, (refused ? 'the broker refused the login: ' : 'broker error: ') +
        (err && err.message ? err.message : String(err)));
      if (refused) logout(false);
    });
    client.on('message', onMessage);
  }

  function logout(clearText) {
    if (client) client.end(true);
    client = null;
    $('login-box').hidden = false;
    $('logout').hidden = true;
    if (clearText) setConn(false, 'not connected');
  }

  function subscribe() {
    for (const s of screens.values()) if (s.thumb) URL.revokeObjectURL(s.thumb.url);
    screens.clear();
    items.clear();
    $('screens').replaceChildren();
    $('items').replaceChildren();
    if (group === '') {
      $('groups-box').hidden = false;
      for (const id of ['screens-box', 'post-box', 'items-box']) $(id).hidden = true;
      client.subscribe('kabar/+/status/+', { qos: 1 });
      return;
    }
    $('groups-box').hidden = true;
    for (const id of ['screens-box', 'post-box', 'items-box']) $(id).hidden = false;
    $('group-name').textContent = group;
    $('items-note').textContent = '';
    renderCounts();
    const base = 'kabar/' + group + '/';
    client.subscribe([base + 'status/+', base + 'thumb/+'], { qos: 1 });
    indexShards.clear();
    client.subscribe(base + 'index/+', { qos: 1 });
    client.subscribe(base + 'items/+', { qos: 1 }, (err, granted) => {
      const bad = err || (granted && granted.some((g) => g.qos >= 128));
      $('items-note').textContent = bad ?
        'This user may not read the items of ' + group + ' (the broker refused).' : '';
    });
  }

  function chooseGroup(g, push) {
    if (client) {
      if (group !== '') client.unsubscribe(['kabar/' + group + '/status/+', 'kabar/' + group + '/thumb/+',
        'kabar/' + group + '/items/+', 'kabar/' + group + '/index/+']);
      else client.unsubscribe('kabar/+/status/+');
    }
    group = g;
    const u = new URL(location.href);
    u.searchParams.set('group', g);
    if (push) history.pushState(null, '', u);
    if (client && client.connected) subscribe();
  }

  function onMessage(topic, payload, packet) {
    const parts = topic.split('/');
    if (parts.length !== 4 || parts[0] !== 'kabar') return;
    const g = parts[1], kind = parts[2], name = parts[3];
    if (kind === 'status' && group === '') {
      if (payload.length > 0 && !groups.has(g)) {
        groups.add(g);
        renderGroups();
      }
      return;
    }
    if (g !== group || !ID_RE.test(name)) return;
    if (kind === 'status') onStatus(name, payload, packet.retain);
    else if (kind === 'thumb') onThumb(name, payload, packet.retain);
    else if (kind === 'items') onItem(name, payload);
    else if (kind === 'index') onIndex(name, payload);
  }

  /* ---- the group's index (docs/fleet.md, "The index") ----
   * 64 retained shards kabar/<group>/index/NN, each {"kabar_index": 1,
   * "items": {"<id>": <expires, Unix seconds, or 0>}}, kept by every
   * publisher so a screen whose broker drops part of the retained set can
   * fetch the rest. The page holds the broker's current copy (it is
   * subscribed) and changes it after each post and retraction. */
  const indexShards = new Map();

  function onIndex(name, payload) {
    try {
      const doc = payload.length > 0 ? JSON.parse(new TextDecoder().decode(payload)) : null;
      if (doc && doc.items && typeof doc.items === 'object') indexShards.set(name, doc.items);
      else indexShards.delete(name);
    } catch (e) {
      indexShards.delete(name);
    }
  }

  function indexShard(id) {
    let h = 2166136261;
    for (const b of new TextEncoder().encode(id)) h = Math.imul(h ^ b, 16777619) >>> 0;
    return (h % 64).toString(16).padStart(2, '0');
  }

  function updateIndex(id, expires, add) {
    const name = indexShard(id);
    const now = Date.now() / 1000;
    const items = {};
    for (const [k, e] of Object.entries(indexShards.get(name) || {})) {
      if (k !== id && ID_RE.test(k) && (!(e > 0) || e > now)) items[k] = e > 0 ? e : 0;
    }
    if (add) items[id] = expires > 0 ? expires : 0;
    const ids = Object.keys(items).sort();
    const opts = { qos: 1, retain: true };
    const exps = ids.map((k) => items[k]);
    if (ids.length > 0 && !exps.includes(0)) {
      opts.properties = { messageExpiryInterval: Math.max(1, Math.ceil(Math.max(...exps) - now)) };
    }
    const sorted = {};
    for (const k of ids) sorted[k] = items[k];
    const text = ids.length > 0 ? JSON.stringify({ items: sorted, kabar_index: 1 }) : '';
    indexShards.set(name, sorted);
    client.publish('kabar/' + group + '/index/' + name, text, opts);
  }

  function renderGroups() {
    const ul = $('groups');
    ul.replaceChildren();
    for (const g of [...groups].sort()) {
      const a = el('a', '', g);
      a.href = '?group=' + encodeURIComponent(g);
      a.addEventListener('click', (ev) => { ev.preventDefault(); chooseGroup(g, true); });
      const li = el('li');
      li.appendChild(a);
      ul.appendChild(li);
    }
  }

  /* ---- screens ---- */

  function screenOf(name) {
    let s = screens.get(name);
    if (!s) {
      const node = $('screen-tpl').content.firstElementChild.cloneNode(true);
      node.dataset.screen = name;
      node.querySelector('.name').textContent = name;
      s = { status: null, last: null, seen: 0, offlineSince: null, thumb: null, el: node };
      screens.set(name, s);
      const after = [...screens.keys()].filter((n) => n > name).sort()[0];
      $('screens').insertBefore(node, after ? screens.get(after).el : null);
    }
    return s;
  }

  function onStatus(name, payload, retained) {
    if (payload.length === 0) { /* the retained status was cleared: the screen is gone */
      const s = screens.get(name);
      if (s) {
        s.el.remove();
        if (s.thumb) URL.revokeObjectURL(s.thumb.url);
        screens.delete(name);
      }
      renderCounts();
      return;
    }
    let st;
    try {
      st = JSON.parse(decode(payload));
    } catch (e) {
      st = null;
    }
    if (!st || typeof st !== 'object') return;
    const s = screenOf(name);
    s.status = st;
    s.seen = Date.now();
    if (st.state === 'online') {
      s.last = st;
      s.offlineSince = null;
    } else if (!retained) {
      s.offlineSince = new Date();
    }
    renderScreen(s);
    renderCounts();
    renderRefusals();
  }

  function figure(dl, name, value, cls) {
    if (value === undefined || value === null || value === '') return;
    dl.appendChild(el('dt', '', name));
    dl.appendChild(el('dd', cls || '', value));
  }

  /* What the screen shows: the texts the ticker reported, else the ids
   * with the text of the retained item where the page has it. */
  function renderShowing(ul, st) {
    ul.replaceChildren();
    const list = [];
    if (Array.isArray(st.showing_items)) {
      for (const it of st.showing_items) if (it && typeof it.id === 'string') list.push(it);
    } else if (Array.isArray(st.showing)) {
      for (const id of st.showing) {
        if (typeof id !== 'string') continue;
        const known = items.get(id);
        const it = known && known.list.find((x) => x.id === id);
        list.push(it ? { id: id, lang: it.lang, text: it.text } : { id: id });
      }
    }
    if (list.length === 0) {
      ul.appendChild(el('li', 'none', st.stats === 'ok' ? 'nothing on screen' : 'unknown'));
      return;
    }
    for (const it of list) {
      const li = el('li');
      li.dataset.item = it.id;
      if (typeof it.text === 'string') li.appendChild(langText('span', 'text', it.text, it.lang));
      li.appendChild(el('span', 'id', it.id + (typeof it.lang === 'string' ? ' · ' + it.lang : '')));
      ul.appendChild(li);
    }
  }

  function wallText(st) {
    const w = st.wall && typeof st.wall === 'object' ? st.wall : st;
    const parts = [];
    if (typeof w.wall === 'string' || typeof w.size === 'string') parts.push('wall ' + (w.wall || w.size));
    if (w.tile !== undefined) parts.push('tile ' + (Array.isArray(w.tile) ? w.tile.join(',') : w.tile));
    const off = w.offset_ms !== undefined ? w.offset_ms : w.offset;
    if (off !== undefined) parts.push('offset ' + off + (w.offset_ms !== undefined ? ' ms' : ''));
    return parts.join(', ');
  }

  function renderScreen(s) {
    const st = s.status, node = s.el, now = Date.now();
    const online = st.state === 'online';
    const shown = online ? st : (s.last || st);
    node.dataset.state = online ? 'online' : 'offline';
    node.querySelector('.state').textContent = online ? 'online' :
      'offline' + (typeof st.reason === 'string' ? ' (' + st.reason + ')' : '');
    let since;
    const up = parseTime(st.online_since);
    if (online) since = up ? 'online since ' + when(up) + ' (' + ago((now - up.getTime()) / 1000) + ')' : 'online';
    else if (s.offlineSince) since = 'offline since ' + when(s.offlineSince);
    else since = st.reason === 'lost' ? 'link lost (the broker sent its last will)' : 'stopped';
    if (!online && s.last) since += '; last known figures below';
    node.querySelector('.since').textContent = since;

    node.querySelector('.showing-box h4').textContent = online ? 'Showing' : 'Last seen showing';
    node.querySelector('.showing-box').hidden = !online && !s.last;
    renderShowing(node.querySelector('.showing'), shown);

    const dl = node.querySelector('.figures');
    dl.replaceChildren();
    const statsTime = parseTime(shown.stats_time);
    const age = statsTime ? (now - statsTime.getTime()) / 1000 : null;
    const stale = online && (shown.stats !== 'ok' || age === null || age > STALE_S);
    node.dataset.stale = stale ? 'true' : 'false';
    if (shown.stats === 'ok' && age !== null)
      figure(dl, 'stats age', ago(age) + (stale ? ' (stale: is the ticker running?)' : ''), stale ? 'stale' : '');
    else if (shown.stats)
      figure(dl, 'stats', shown.stats + (shown.stats_error ? ': ' + shown.stats_error : ''), online ? 'bad' : '');
    figure(dl, 'frames', shown.frames);
    figure(dl, 'dropped frames', shown.dropped_frames, shown.dropped_frames > 0 ? 'bad' : '');
    figure(dl, 'items loaded', shown.items_loaded);
    figure(dl, 'items rejected', shown.items_rejected, shown.items_rejected > 0 ? 'bad' : '');
    const b = shown.bridge && typeof shown.bridge === 'object' ? shown.bridge : {};
    figure(dl, 'bridge rejected', b.rejected, b.rejected > 0 ? 'bad' : '');
    figure(dl, 'wall', wallText(shown));
    figure(dl, 'version', shown.version || b.version);

    const rej = node.querySelector('.rejection');
    rej.hidden = !b.last_rejection;
    rej.textContent = b.last_rejection ? 'last rejection: ' + b.last_rejection : '';
    const errText = [shown.last_error, b.last_error].filter((x) => typeof x === 'string' && x !== '').join('; ');
    const err = node.querySelector('.error');
    err.hidden = errText === '';
    err.textContent = errText ? 'last error: ' + errText : '';
    renderThumbCaption(s);
  }

  function renderCounts() {
    let on = 0;
    for (const s of screens.values()) if (s.status && s.status.state === 'online') on++;
    $('screen-count').textContent = screens.size ? '(' + on + ' of ' + screens.size + ' online)' : '';
    $('screens-empty').hidden = screens.size > 0;
    $('item-count').textContent = '(' + items.size + ')';
  }

  /* ---- thumbnails ---- */

  /* The PNG's tIME chunk: when the ticker drew it (UTC). */
  function pngTime(b) {
    const sig = [137, 80, 78, 71, 13, 10, 26, 10];
    if (b.length < 8 || sig.some((v, i) => b[i] !== v)) return null;
    let p = 8;
    while (p + 8 <= b.length) {
      const len = ((b[p] << 24) >>> 0) + (b[p + 1] << 16) + (b[p + 2] << 8) + b[p + 3];
      const type = String.fromCharCode(b[p + 4], b[p + 5], b[p + 6], b[p + 7]);
      if (type === 'tIME' && len === 7 && p + 15 <= b.length) {
        const q = p + 8;
        return new Date(Date.UTC((b[q] << 8) + b[q + 1], b[q + 2] - 1, b[q + 3], b[q + 4], b[q + 5], b[q + 6]));
      }
      if (type === 'IDAT' || type === 'IEND') return null;
      p += 12 + len;
    }
    return null;
  }

  function onThumb(name, payload, retained) {
    const s = screenOf(name);
    if (s.thumb) URL.revokeObjectURL(s.thumb.url);
    s.thumb = null;
    const fig = s.el.querySelector('.thumb');
    if (payload.length === 0) {
      fig.hidden = true;
      return;
    }
    const bytes = new Uint8Array(payload);
    const png = bytes[0] === 137 && bytes[1] === 80;
    const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
    if (!png && !jpeg) return;
    const url = URL.createObjectURL(new Blob([bytes], { type: png ? 'image/png' : 'image/jpeg' }));
    s.thumb = { url: url, time: pngTime(bytes) || (retained ? null : new Date()) };
    const img = fig.querySelector('img');
    img.src = url;
    img.alt = 'what ' + name + ' showed';
    fig.hidden = false;
    if (!s.status) {
      s.el.dataset.state = 'offline';
      s.el.querySelector('.state').textContent = 'no status';
    }
    renderThumbCaption(s);
  }

  function renderThumbCaption(s) {
    if (!s.thumb) return;
    const cap = s.el.querySelector('.thumb figcaption');
    const t = s.thumb.time;
    cap.textContent = t ? 'picture of ' + when(t) + ' (' + ago((Date.now() - t.getTime()) / 1000) + ' ago)' :
      'picture of an unknown time';
  }

  /* ---- items ---- */

  function onItem(id, payload) {
    const old = items.get(id);
    if (payload.length === 0) {
      if (old) old.el.remove();
      items.delete(id);
      renderCounts();
      return;
    }
    const raw = decode(payload);
    let doc = null;
    try {
      doc = JSON.parse(raw);
    } catch (e) {
      doc = null;
    }
    let list = [];
    if (doc && Array.isArray(doc.items)) list = doc.items.filter((x) => x && typeof x === 'object');
    else if (doc && typeof doc === 'object') list = [doc];
    const entry = { list: list, raw: raw, el: old ? old.el : el('li') };
    items.set(id, entry);
    renderItem(id, entry);
    if (!old) {
      const after = [...items.keys()].filter((n) => n > id).sort()[0];
      $('items').insertBefore(entry.el, after && after !== id ? items.get(after).el : null);
    }
    renderCounts();
    renderRefusals();
    for (const s of screens.values()) if (s.status) renderScreen(s);
  }

  function renderItem(id, entry) {
    const li = entry.el;
    li.replaceChildren();
    li.dataset.item = id;
    const first = entry.list[0] || {};
    li.dataset.priority = typeof first.priority === 'string' ? first.priority : 'normal';
    const body = el('div', 'body');
    if (entry.list.length === 0) {
      body.appendChild(el('div', 'text', entry.raw.slice(0, 400)));
      body.appendChild(el('span', 'meta', id + ' · not a JSON item'));
    }
    for (const it of entry.list) {
      body.appendChild(langText('div', 'text', typeof it.text === 'string' ? it.text : '', it.lang, it.dir));
      const meta = [typeof it.id === 'string' ? it.id : id];
      for (const k of ['lang', 'kind', 'priority']) if (typeof it[k] === 'string') meta.push(it[k]);
      if (typeof it.by === 'string') meta.push('by ' + it.by);
      if (typeof it.source === 'string') meta.push(it.source);
      if (typeof it.translated_from === 'string') meta.push('translated from ' + it.translated_from);
      const exp = parseTime(it.expires);
      if (exp) meta.push((exp.getTime() < Date.now() ? 'expired ' : 'expires ') + when(exp));
      body.appendChild(el('span', 'meta', meta.join(' · ')));
    }
    body.appendChild(el('div', 'refusals'));
    li.appendChild(body);
    const btn = el('button', 'danger', 'Retract');
    btn.type = 'button';
    btn.dataset.retract = id;
    btn.addEventListener('click', () => retract(id, btn));
    li.appendChild(btn);
    li.appendChild(el('p', 'result'));
  }

  /* Each bridge says which file it last refused, by its spool path:
   * "<spool>/<id>.json: field ...". Shown under that item. */
  function renderRefusals() {
    const byId = new Map();
    for (const [name, s] of screens) {
      const b = s.last && s.last.bridge;
      const line = b && typeof b.last_rejection === 'string' ? b.last_rejection : '';
      const m = /(?:^|\/)([A-Za-z0-9_:-][A-Za-z0-9._:-]{0,127})\.json(?=[: ])/.exec(line);
      if (!m) continue;
      if (!byId.has(m[1])) byId.set(m[1], []);
      byId.get(m[1]).push([name, line]);
    }
    for (const [id, entry] of items) {
      const box = entry.el.querySelector('.refusals');
      box.replaceChildren();
      for (const [name, line] of byId.get(id) || []) {
        const p = el('p', 'refusal', name + ' refused it: ' + line);
        p.dataset.screen = name;
        box.appendChild(p);
      }
    }
  }

  function retract(id, btn) {
    const out = btn.parentNode.querySelector('.result');
    if (!client || !client.connected) return setResult(out, false, 'not connected');
    btn.disabled = true;
    client.publish('kabar/' + group + '/items/' + id, '', { qos: 1, retain: true }, (err) => {
      btn.disabled = false;
      if (err) setResult(out, false, 'The broker refused the retraction: ' + refusalText(err));
      else updateIndex(id, 0, false);
    });
  }

  /* ---- posting ---- */

  function newId() {
    const d = new Date();
    return 'web-' + d.getUTCFullYear() + pad(d.getUTCMonth() + 1) + pad(d.getUTCDate()) + '-' +
      pad(d.getUTCHours()) + pad(d.getUTCMinutes()) + pad(d.getUTCSeconds()) + '-' +
      Math.random().toString(16).slice(2, 6);
  }

  /* The item as the spool reads it (shared SPOOL-FORMAT rules); null and a
   * message when the form cannot make one. */
  function itemFromForm() {
    const v = (id) => $(id).value.trim();
    const item = { id: v('post-id') || newId(), lang: v('post-lang'), text: v('post-text') };
    if (!ID_RE.test(item.id)) return [null, 'the id may hold only A-Z a-z 0-9 . _ : - (at most 128)'];
    if (!LANG_RE.test(item.lang)) return [null, 'the language must be a BCP 47 tag: fr, ar, zh-Hans, en-GB'];
    if (item.text === '') return [null, 'the text is empty'];
    if (new TextEncoder().encode(item.text).length > 4000) return [null, 'the text is longer than 4,000 bytes'];
    if ($('post-kind').value === 'quote') {
      item.kind = 'quote';
      if (v('post-by') === '') return [null, 'a quote needs who said it'];
      item.by = v('post-by');
    }
    const priority = $('post-breaking').checked ? 'breaking' : $('post-priority').value;
    if (priority !== 'normal') item.priority = priority;
    if (v('post-source') !== '') item.source = v('post-source');
    if (v('post-translated-from') !== '') {
      if (!LANG_RE.test(v('post-translated-from'))) return [null, '"translated from" must be a BCP 47 tag'];
      item.translated_from = v('post-translated-from');
    }
    item.published = rfc3339(new Date());
    if (v('post-expires') !== '') {
      const exp = new Date(v('post-expires'));
      if (isNaN(exp.getTime())) return [null, 'the expiry is not a date'];
      item.expires = rfc3339(exp);
    }
    return [item, ''];
  }

  function post(ev) {
    ev.preventDefault();
    const out = $('post-result');
    if (!client || !client.connected) return setResult(out, false, 'not connected');
    const [item, why] = itemFromForm();
    if (!item) return setResult(out, false, 'Not posted: ' + why + '.');
    const topic = 'kabar/' + group + '/items/' + item.id;
    $('post-send').disabled = true;
    client.publish(topic, JSON.stringify(item), { qos: 1, retain: true }, (err) => {
      $('post-send').disabled = false;
      if (err) {
        setResult(out, false, 'The broker refused it: ' + refusalText(err) + '. Nothing was posted.');
        return;
      }
      setResult(out, true, 'Posted on ' + topic);
      updateIndex(item.id, item.expires ? Math.floor(Date.parse(item.expires) / 1000) : 0, true);
      $('post-text').value = '';
      $('post-id').value = '';
    });
  }

  /* ---- wiring ---- */

  $('login').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const user = $('user').value.trim();
    const password = $('password').value;
    $('password').value = '';
    const g = $('group').value.trim();
    if (g !== '' && ID_RE.test(g) && g !== group) {
      group = g;
      const u = new URL(location.href);
      u.searchParams.set('group', g);
      history.replaceState(null, '', u);
    }
    if (client) client.end(true);
    connect(user, password);
  });
  $('logout').addEventListener('click', () => logout(true));
  $('post').addEventListener('submit', post);
  const kindChanged = () => { $('post').dataset.kind = $('post-kind').value; };
  $('post-kind').addEventListener('change', kindChanged);
  kindChanged();
  /* The text box takes the language's direction and glyph forms as typed. */
  $('post-lang').addEventListener('input', () => {
    const lang = $('post-lang').value.trim();
    if (LANG_RE.test(lang)) $('post-text').setAttribute('lang', lang);
  });
  window.addEventListener('popstate', () => {
    const g = new URLSearchParams(location.search).get('group') || '';
    if (ID_RE.test(g) && g !== group) chooseGroup(g, false);
  });
  $('group').value = group;
  /* Ages move on by themselves. */
  setInterval(() => {
    for (const s of screens.values()) if (s.status) renderScreen(s);
  }, 5000);
})();
