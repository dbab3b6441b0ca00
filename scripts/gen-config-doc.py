import re
src=open('src/app/config.c').read()
body=src[src.index('static const struct key keys[]'):src.index('#define N_KEYS')]
pat=re.compile(r'\{"(\w+)",\s*"(\w+)",\s*(T_\w+),\s*F\(\w+\),\s*([^,]+),\s*([^,]+),\s*(NULL|"[^"]*"|\s*"[^"]*"),\s*"((?:[^"\\]|\\.)*)",\s*((?:"(?:[^"\\]|\\.)*"\s*)+)\}', re.S)
rows=pat.findall(body)
sections={}
for name,sec,typ,mn,mx,ch,de,doc in rows:
    doc=''.join(re.findall(r'"((?:[^"\\]|\\.)*)"',doc)).replace('\\"','"')
    de=re.sub(r'\\u([0-9a-fA-F]{4})', lambda m: chr(int(m.group(1),16)), de)
    mn=mn.strip(); mx=mx.strip()
    kind={'T_STR':'text','T_INT':'whole number','T_DOUBLE':'number','T_BOOL':'true/false','T_COLOR':'colour #RRGGBB[AA]','T_ENUM':'one of '+ch.strip().strip('"').replace('|',', '),'T_SIZE':'WxH'}[typ]
    if typ in('T_INT','T_DOUBLE'):
        r=lambda v: v.replace("KB_SPOOL_ITEMS_MAX","10000").replace("KB_SPOOL_FILE_MAX_BYTES / 1024","1024")
        kind+=f' ({r(mn)} to {r(mx)})'
    sections.setdefault(sec,[]).append((name,kind,de,doc))
out=['# Configuration','',
'kabar reads one INI file: `key = value` lines under `[section]` headers, comments starting with `;` or `#`. Pass it with `--config FILE`; without one (and without `--board`), kabar reads `/etc/kabar/kabar.conf` if it exists. A board profile (`--board NAME`, files in `boards/`) is a config file too, read before `--config`. Command-line flags override both; `--set KEY=VALUE` sets any key from the command line.','',
'- An unknown key is a warning naming `file:line`; kabar goes on.',
'- A bad value is an error naming `file:line`, the key, the value and what was expected; kabar does not start.',
'- A key written under another section than its own is accepted with a warning.',
'- `kabar --print-config` (with any other flags) prints the effective configuration, every key, and exits.','',
'Precedence, lowest first: built-in defaults, the board profile, the config file, flags.','']
titles={'screen':'Screen','crawl':'Crawl','theme':'Theme','spool':'Spool','text':'Text and glyphs','chrome':'Chrome','wall':'Video walls','log':'Logging'}
for sec,rows2 in sections.items():
    out += [f'## [{sec}]: {titles[sec]}','','| key | value | default | meaning |','|---|---|---|---|']
    for name,kind,de,doc in rows2:
        d=f'`{de}`' if de else '(empty)'
        out.append(f'| `{name}` | {kind} | {d} | {doc} |')
    out.append('')
out += ['## Flags that set keys','','| flag | key |','|---|---|','| `--spool DIR` | `spool` |','| `--window`, `--fullscreen`, `--headless` | `mode` |','| `--size WxH` | `size` |','| `--speed PX_PER_S` | `speed` |','| `--log-level LEVEL` | `log_level` |','| `--wall COLSxROWS` | `wall` |','| `--tile COL,ROW` | `wall_tile` |','| `--bezel PX` | `wall_bezel_px` |','| `--set KEY=VALUE` | any key |','',
'## Example','','```ini','; /etc/kabar/kabar.conf for a lobby screen in Paris','[screen]','mode = fullscreen','safe_area = 2.5','','[crawl]','speed = 110','position = bottom','','[spool]','spool = /var/spool/kabar','languages = fr, en, id','','[chrome]','screen_lang = fr','```']
open('docs/config.md','w').write('\n'.join(out)+'\n')
print(len(rows))
