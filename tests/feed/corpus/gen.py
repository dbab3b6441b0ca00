#!/usr/bin/env python3
"""Writes the feed corpus of tests/feed/corpus: one document per case in
cases/NAME.body (the exact bytes served), the titles a careful reader
expects in cases/NAME.expected (UTF-8, one per line, in any order), and
cases/MANIFEST ("NAME raw CONTENT-TYPE" lines, the format server.py reads).

The expected titles are written here from the source text, by hand: they
are what a person reading the document would call each entry's title (its
text when it has no title), with runs of white space as one space. They
are never taken from kabar's output.

  python3 tests/feed/corpus/gen.py            # rewrite cases/
  python3 tests/feed/corpus/gen.py --check    # exit 1 if cases/ is stale
"""
import base64
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# ---- titles in many scripts (NFC, no leading/trailing space) ----
T = {
    "ar": ["القاهرة: افتتاح خط مترو جديد", "أمطار غزيرة في الإسكندرية", "معرض الكتاب يستقبل زواره"],
    "fa": ["تهران: بارش برف در شمال", "بازار کتاب در اصفهان"],
    "he": ["ירושלים: קו רכבת חדש נפתח", "גשם כבד בחיפה", "תערוכת ספרים בתל אביב"],
    "el": ["Αθήνα: νέα γραμμή μετρό", "Ισχυρή βροχή στη Θεσσαλονίκη", "Έκθεση βιβλίου στην Πάτρα"],
    "ru": ["Москва: новая линия метро открыта", "Петербург: мосты разведут позже",
           "В Казани прошёл сильный снегопад"],
    "uk": ["Київ: нова лінія метро", "У Львові відкрили ґалерею", "Одеса чекає на туристів"],
    "bg": ["София: нова линия на метрото", "Пловдив посреща туристи"],
    "sr": ["Београд: нова линија трамваја", "Ниш добија нови мост"],
    "th": ["กรุงเทพฯ เปิดรถไฟฟ้าสายใหม่", "ฝนตกหนักในเชียงใหม่", "งานหนังสือที่ภูเก็ต"],
    "hi": ["दिल्ली में नई मेट्रो लाइन शुरू", "मुंबई में भारी बारिश", "पुस्तक मेला जयपुर में"],
    "bn": ["ঢাকায় নতুন মেট্রো লাইন চালু", "চট্টগ্রামে ভারী বৃষ্টি"],
    "ta": ["சென்னையில் புதிய மெட்ரோ பாதை", "மதுரையில் கனமழை"],
    "zh-Hans": ["北京：新的地铁线路今天开通", "上海暴雨导致航班延误", "广州书展吸引大批读者"],
    "zh-Hant": ["臺北：捷運新路線今日通車", "高雄豪雨造成淹水", "臺中書展吸引大批讀者"],
    "ja": ["東京で桜が満開に、平年より五日早く", "大阪・関西万博の来場者が一千万人を突破",
           "札幌で大雪、交通に乱れ"],
    "ko": ["서울 지하철 새 노선 개통", "부산에 폭우 경보", "대구 도서전 개막"],
    "tr": ["İstanbul: yeni metro hattı açıldı", "Ankara'da şiddetli yağış", "İzmir kitap fuarı başladı"],
    "pl": ["Warszawa: nowa linia tramwajowa", "Łódź: ulewa zalała piwnice", "Gdańsk świętuje"],
    "cs": ["Praha: nová linka metra", "Brno: přívalový déšť", "Ostrava čeká na turisty"],
    "hu": ["Budapest: új villamosvonal", "Győr: heves esőzés", "Szeged vár a turistákra"],
    "ro": ["București: o nouă linie de metrou", "Iași: ploi torențiale"],
    "fr": ["Noël : l’été « chaud » à Besançon coûte 5 €", "Grève à la SNCF : trains supprimés",
           "Montréal : « tempête » de neige…"],
    "de": ["Brücke in Köln gesperrt", "Straßenbahn fährt öfter – auch nachts", "Größte Messe in Düsseldorf"],
    "es": ["Madrid: nueva línea de metro", "¿Lluvia en Sevilla? Sí, mañana", "Año récord en Bilbao"],
    "pt": ["São Paulo: nova linha de metrô", "Chuva forte em Belém", "Lisboa ganha ponte à noite"],
    "is": ["Reykjavík: nýr strætóleið", "Þoka á Akureyri"],
    "lt": ["Vilnius: nauja troleibusų linija", "Kaune stiprus lietus"],
    "lv": ["Rīga: jauna tramvaja līnija", "Liepājā stiprs lietus"],
    "et": ["Tallinn: uus trammiliin", "Tartus sajab tugevalt vihma"],
    "vi": ["Hà Nội mở tuyến tàu điện mới", "Mưa lớn ở Huế"],
    "hy": ["Երևան․ նոր մետրոյի գիծ", "Գյումրիում ուժեղ անձրև"],
    "ka": ["თბილისი: ახალი მეტროს ხაზი", "ბათუმში ძლიერი წვიმა"],
    "am": ["አዲስ አበባ አዲስ የባቡር መስመር", "በጎንደር ከባድ ዝናብ"],
    "mt": ["Il-Belt Valletta: ħwienet ġodda", "Xita qawwija f'Għawdex"],
    "cy": ["Caerdydd: ŵyl newydd", "Glaw trwm yn Abertawe"],
    "en": ["Tram line 4 opens on Sunday", "Storm warning for the coast", "Budget passes council vote"],
}

# (short name, python codec, declared label, languages it can carry, uchardet-guessable)
ENCODINGS = [
    ("utf8", "utf-8", "UTF-8", ["ar", "zh-Hans", "hi", "th", "ka", "am"], True),
    ("utf8bom", "utf-8-sig", "UTF-8", ["he", "ja", "ta", "hy"], True),
    ("utf16le", "utf-16-le", "UTF-16", ["ru", "ko", "bn"], True),
    ("utf16be", "utf-16-be", "UTF-16", ["el", "zh-Hant", "vi"], True),
    ("utf32le", "utf-32-le", "UTF-32", ["fa", "ja", "th"], True),
    ("utf32be", "utf-32-be", "UTF-32", ["uk", "ko", "hi"], True),
    ("cp1252", "cp1252", "windows-1252", ["fr", "de", "es"], False),
    ("latin1", "latin-1", "ISO-8859-1", ["pt", "is", "es"], False),
    ("latin9", "iso8859_15", "ISO-8859-15", ["fr", "de"], False),
    ("latin2", "iso8859_2", "ISO-8859-2", ["pl", "cs", "hu"], False),
    ("cp1250", "cp1250", "windows-1250", ["cs", "ro", "pl"], False),
    ("latin3", "iso8859_3", "ISO-8859-3", ["mt"], False),
    ("latin4", "iso8859_4", "ISO-8859-4", ["lv", "lt", "et"], False),
    ("cyrillic", "iso8859_5", "ISO-8859-5", ["ru", "bg", "sr"], False),
    ("cp1251", "cp1251", "windows-1251", ["ru", "uk", "bg"], True),
    ("koi8r", "koi8_r", "KOI8-R", ["ru"], True),
    ("koi8u", "koi8_u", "KOI8-U", ["uk"], False),
    ("cp866", "cp866", "IBM866", ["ru"], False),
    ("maccyr", "mac_cyrillic", "x-mac-cyrillic", ["ru", "bg"], False),
    ("arabic", "iso8859_6", "ISO-8859-6", ["ar"], False),
    ("cp1256", "cp1256", "windows-1256", ["ar", "fa"], False),
    ("greek", "iso8859_7", "ISO-8859-7", ["el"], False),
    ("cp1253", "cp1253", "windows-1253", ["el"], True),
    ("hebrew", "iso8859_8", "ISO-8859-8", ["he"], False),
    ("cp1255", "cp1255", "windows-1255", ["he"], True),
    ("latin5", "iso8859_9", "ISO-8859-9", ["tr"], False),
    ("cp1254", "cp1254", "windows-1254", ["tr"], False),
    ("thai", "tis_620", "TIS-620", ["th"], True),
    ("cp874", "cp874", "windows-874", ["th"], False),
    ("baltic", "iso8859_13", "ISO-8859-13", ["lt", "lv"], False),
    ("cp1257", "cp1257", "windows-1257", ["lt", "et"], False),
    ("latin8", "iso8859_14", "ISO-8859-14", ["cy"], False),
    ("latin10", "iso8859_16", "ISO-8859-16", ["ro"], False),
    ("macroman", "mac_roman", "macintosh", ["fr", "de"], False),
    ("gb2312", "gb2312", "GB2312", ["zh-Hans"], True),
    ("gbk", "gbk", "GBK", ["zh-Hans"], True),
    ("gb18030", "gb18030", "GB18030", ["zh-Hans"], True),
    ("big5", "big5", "Big5", ["zh-Hant"], True),
    ("sjis", "shift_jis", "Shift_JIS", ["ja"], True),
    ("eucjp", "euc_jp", "EUC-JP", ["ja"], True),
    ("iso2022jp", "iso2022_jp", "ISO-2022-JP", ["ja"], True),
    ("euckr", "euc_kr", "EUC-KR", ["ko"], True),
    ("cp949", "cp949", "windows-949", ["ko"], False),
]

ENTRY_DATE = ["Tue, 05 Mar 2024 10:00:00 +0000", "Tue, 05 Mar 2024 09:00:00 +0000",
              "Mon, 04 Mar 2024 18:30:00 +0000", "Mon, 04 Mar 2024 08:00:00 +0000"]
ISO_DATE = ["2024-03-05T10:00:00Z", "2024-03-05T09:00:00Z", "2024-03-04T18:30:00Z",
            "2024-03-04T08:00:00Z"]


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def decl(enc):
    if enc is None:
        return ""
    if enc == "":
        return '<?xml version="1.0"?>\n'
    return '<?xml version="1.0" encoding="%s"?>\n' % enc


# ---- document builders: each takes raw (already escaped) item fields ----

def rss2(items, enc="UTF-8", lang="en", root_attrs='version="2.0"', title="News", prefix=""):
    out = [decl(enc), "<rss %s>\n<channel><title>%s</title><link>https://news.example/</link>"
           % (root_attrs, title)]
    if lang:
        out.append("<language>%s</language>" % lang)
    out.append("\n")
    for i, it in enumerate(items):
        out.append("<item>")
        if isinstance(it, str):
            out.append("<title>%s</title><guid>%s-%d</guid><pubDate>%s</pubDate>"
                       % (it, prefix or "g", i, ENTRY_DATE[i % 4]))
        else:
            out.append(it["raw"])
        out.append("</item>\n")
    out.append("</channel>\n</rss>\n")
    return "".join(out)


def atom(items, enc="UTF-8", lang="en", ttype=None, ns="http://www.w3.org/2005/Atom", extra=""):
    out = [decl(enc), '<feed xmlns="%s"%s%s>\n<title>News</title><id>urn:feed</id>'
           '<updated>2024-03-05T10:00:00Z</updated>\n'
           % (ns, ' xml:lang="%s"' % lang if lang else "", extra)]
    for i, it in enumerate(items):
        out.append("<entry>")
        if isinstance(it, str):
            t = ' type="%s"' % ttype if ttype else ""
            out.append("<title%s>%s</title><id>urn:e:%d</id><updated>%s</updated>"
                       % (t, it, i, ISO_DATE[i % 4]))
        else:
            out.append(it["raw"])
        out.append("</entry>\n")
    out.append("</feed>\n")
    return "".join(out)


def rss1(items, enc="UTF-8", lang="en", ns="http://purl.org/rss/1.0/"):
    out = [decl(enc), '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
           'xmlns="%s" xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
           '<channel rdf:about="https://news.example/"><title>News</title>'
           '<link>https://news.example/</link>%s</channel>\n'
           % (ns, "<dc:language>%s</dc:language>" % lang if lang else "")]
    for i, it in enumerate(items):
        if isinstance(it, str):
            out.append('<item rdf:about="https://news.example/%d"><title>%s</title>'
                       '<link>https://news.example/%d</link><dc:date>%s</dc:date></item>\n'
                       % (i, it, i, ISO_DATE[i % 4]))
        else:
            out.append(it["raw"] + "\n")
    out.append("</rdf:RDF>\n")
    return "".join(out)


def jsonfeed(titles, version="1.1", lang="en", extra_items=None):
    items = [{"id": "j%d" % i, "title": t, "date_published": ISO_DATE[i % 4]}
             for i, t in enumerate(titles)]
    items += extra_items or []
    doc = {"version": "https://jsonfeed.org/version/%s" % version, "title": "News", "items": items}
    if lang:
        doc["language"] = lang
    return json.dumps(doc, ensure_ascii=False, indent=1)


# ---- the cases ----

CASES = []  # (name, bytes, content_type, expected titles)


def case(name, body, ctype, expected):
    if isinstance(body, str):
        body = body.encode("utf-8")
    CASES.append((name, body, ctype, list(expected)))


def encodes(text, codec):
    try:
        text.encode(codec)
        return True
    except UnicodeEncodeError:
        return False


def encoded_cases():
    """Every encoding in several forms: declared in the document, named only
    by HTTP, and (where a reader can tell) declared nowhere."""
    for short, codec, label, langs, guessable in ENCODINGS:
        titles = [t for lang in langs for t in T[lang] if encodes(t, codec)]
        assert len(titles) >= 2, short
        bom = ""
        if codec.startswith("utf-16") or codec.startswith("utf-32"):
            bom = "\ufeff"
        lang = langs[0]
        # 1. RSS 2.0, encoding in the XML declaration (and a BOM for UTF-16/32).
        body = (bom + rss2([esc(t) for t in titles], enc=label, lang=lang)).encode(codec)
        case("enc-%s-rss2-decl" % short, body, "application/rss+xml", titles)
        # 2. Atom, the charset only in HTTP, no declaration of encoding.
        body = atom([esc(t) for t in titles], enc="", lang=lang).encode(codec)
        case("enc-%s-atom-http" % short, body, "application/atom+xml; charset=%s" % label, titles)
        # 3. RSS 1.0 with the declaration, served as text/xml without charset.
        if not codec.startswith("utf-32"):
            body = (bom + rss1([esc(t) for t in titles], enc=label, lang=lang)).encode(codec)
            case("enc-%s-rss1-decl" % short, body, "text/xml", titles)
        # 4. Nothing declared anywhere: only the bytes say.
        if guessable:
            body = rss2([esc(t) for t in titles], enc=None, lang=lang).encode(codec)
            case("enc-%s-rss2-undeclared" % short, body, "application/rss+xml", titles)


def format_cases():
    ru, ja, ar, el = T["ru"], T["ja"], T["ar"], T["el"]
    # RSS 0.90: RDF in the Netscape namespace.
    case("fmt-rss090", rss1([esc(t) for t in T["de"]], ns="http://my.netscape.com/rdf/simple/0.9/",
                            lang=None), "application/rdf+xml", T["de"])
    # RSS 0.91 with Netscape's DOCTYPE (never fetched) and its HTML entities.
    body = ('<?xml version="1.0" encoding="ISO-8859-1"?>\n'
            '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
            '"http://my.netscape.com/publish/formats/rss-0.91.dtd">\n'
            '<rss version="0.91"><channel><title>Nouvelles</title><language>fr</language>\n'
            '<item><title>L&eacute;gislatives : le d&eacute;bat</title>'
            '<link>https://nouvelles.example/1</link></item>\n'
            '<item><title>M&eacute;t&eacute;o&nbsp;: gr&ecirc;le &agrave; Li&egrave;ge</title>'
            '<link>https://nouvelles.example/2</link></item>\n'
            '</channel></rss>\n').encode("latin-1")
    case("fmt-rss091-netscape", body, "text/xml",
         ["Législatives : le débat", "Météo\u00a0: grêle à Liège"])
    for v in ("0.91", "0.92", "0.93", "0.94"):
        titles = T["es"] if v != "0.93" else T["pt"]
        items = [{"raw": "<title>%s</title><link>https://n.example/%s/%d</link>"
                         "<description>text %d</description>" % (esc(t), v, i, i)}
                 for i, t in enumerate(titles)]
        case("fmt-rss%s" % v.replace(".", ""), rss2(items, root_attrs='version="%s"' % v),
             "application/rss+xml", titles)
    # RSS 0.92 with an item that has only a description (allowed).
    items = [{"raw": "<title>%s</title><link>https://n.example/a</link>" % esc(T["it_"] if False else "Only one titled")},
             {"raw": "<description>A description and nothing else</description>"}]
    case("fmt-rss092-description-only", rss2(items, root_attrs='version="0.92"'),
         "application/rss+xml", ["Only one titled", "A description and nothing else"])
    case("fmt-rss2", rss2([esc(t) for t in ru], lang="ru"), "application/rss+xml", ru)
    # RSS 2.0 in a default namespace (UserLand's, and another).
    case("fmt-rss2-userland-ns", rss2([esc(t) for t in ja], lang="ja",
         root_attrs='version="2.0" xmlns="http://backend.userland.com/rss2"'),
         "application/rss+xml", ja)
    case("fmt-rss2-purl-ns", rss2([esc(t) for t in el], lang="el",
         root_attrs='version="2.0" xmlns="http://purl.org/rss/2.0/"'), "application/rss+xml", el)
    case("fmt-rss1", rss1([esc(t) for t in ar], lang="ar"), "application/rdf+xml", ar)
    case("fmt-atom10", atom([esc(t) for t in T["he"]], lang="he"), "application/atom+xml", T["he"])
    # Atom 0.3: escaped HTML content, XML mode, text/plain titles, issued/modified dates.
    raw03 = [
        '<title>%s</title><id>tag:a,2004:1</id><link rel="alternate" type="text/html" '
        'href="https://old.example/1"/><issued>2004-03-05T10:00:00Z</issued>'
        '<modified>2004-03-05T10:00:00Z</modified>' % esc(T["pl"][0]),
        '<title type="text/html" mode="escaped">%s &amp;amp; &lt;b&gt;więcej&lt;/b&gt;</title>'
        '<id>tag:a,2004:2</id><issued>2004-03-04T10:00:00Z</issued>' % esc(T["pl"][1]),
        '<title mode="xml" type="application/xhtml+xml"><div xmlns="http://www.w3.org/1999/xhtml">'
        '%s <em>teraz</em></div></title><id>tag:a,2004:3</id>' % esc(T["pl"][2]),
        '<id>tag:a,2004:4</id><summary type="text/plain">Summary only, no title</summary>',
    ]
    case("fmt-atom03", atom([{"raw": r} for r in raw03], lang="pl", ns="http://purl.org/atom/ns#",
                            extra=' version="0.3"'), "application/atom+xml",
         [T["pl"][0], T["pl"][1] + " & więcej", T["pl"][2] + " teraz", "Summary only, no title"])
    # Atom 0.3 without escaped mode: title as plain text with an entity.
    case("fmt-atom03-plain", atom(["Caf&#233; &amp; th&#233;", "Pr&#233;sident &#8211; vote"],
                                  ns="http://purl.org/atom/ns#", extra=' version="0.3"', lang="fr"),
         "application/xml", ["Café & thé", "Président – vote"])
    # Atom 0.3 mode="base64": titles and content held as base64 octets
    # (wrapped, unpadded), plain or HTML by their type; one is no base64.
    def b64(t, wrap=False):
        coded = base64.b64encode(t.encode("utf-8")).decode("ascii")
        return "\n".join(coded[i:i + 20] for i in range(0, len(coded), 20)) if wrap else coded

    raw64 = [
        '<title mode="base64">%s</title><id>tag:b,2004:1</id>' % b64(T["cs"][0]),
        '<title mode="base64" type="text/html">%s</title><id>tag:b,2004:2</id>'
        % b64("<b>%s</b> &amp; dnes" % T["cs"][1], wrap=True),
        '<title mode="base64">%s</title><id>tag:b,2004:3</id>' % b64(T["cs"][2]).rstrip("="),
        '<title mode="base64">not base64!</title><id>tag:b,2004:4</id>'
        '<content mode="base64" type="text/plain">%s</content>' % b64("Content in base64"),
    ]
    case("fmt-atom03-base64", atom([{"raw": r} for r in raw64], lang="cs", ns="http://purl.org/atom/ns#",
                                   extra=' version="0.3"'), "application/atom+xml",
         [T["cs"][0], T["cs"][1] + " & dnes", T["cs"][2], "Content in base64"])
    # JSON Feed 1.0 (numeric ids allowed) and 1.1.
    extra = [{"id": 77, "url": "https://j.example/77", "content_html": "<p>Only &ldquo;HTML&rdquo; content</p>"},
             {"id": "t", "title": "Caf&eacute; &amp; croissant", "content_text": "x"}]
    case("fmt-json10", jsonfeed(T["ko"], version="1", lang="ko", extra_items=extra),
         "application/json", T["ko"] + ["Only “HTML” content", "Café & croissant"])
    case("fmt-json11", jsonfeed(T["th"] + T["hi"], lang="th"), "application/feed+json",
         T["th"] + T["hi"])
    case("fmt-json11-utf16", ("\ufeff" + jsonfeed(T["zh-Hant"], lang="zh-Hant")).encode("utf-16-le"),
         "application/feed+json", T["zh-Hant"])
    case("fmt-json-latin1-http", jsonfeed(T["fr"], lang="fr").encode("cp1252"),
         "application/json; charset=iso-8859-1", T["fr"])
    # dc:, media: and content: fallbacks.
    dc = ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/"' \
         ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
    items = [
        {"raw": "<dc:title>%s</dc:title><guid>d1</guid>" % esc(T["uk"][0])},
        {"raw": '<media:title type="plain">%s</media:title><guid>d2</guid>' % esc(T["uk"][1])},
        {"raw": '<media:group><media:title>%s</media:title></media:group><guid>d3</guid>' % esc(T["uk"][2])},
        {"raw": '<media:content url="https://m.example/v.mp4"><media:title>%s</media:title>'
                '</media:content><guid>d4</guid>' % esc(T["bg"][0])},
        {"raw": "<content:encoded><![CDATA[<p>%s</p>]]></content:encoded><guid>d5</guid>" % T["bg"][1]},
        {"raw": "<dc:description>Only a dc:description here</dc:description><guid>d6</guid>"},
        {"raw": '<media:description>Only a media:description</media:description><guid>d7</guid>'},
        {"raw": "<title>%s</title><dc:title>not this one</dc:title><guid>d8</guid>" % esc(T["sr"][0])},
    ]
    case("fmt-rss2-fallbacks", rss2(items, root_attrs='version="2.0"' + dc, lang="uk"),
         "application/rss+xml",
         T["uk"] + [T["bg"][0], T["bg"][1], "Only a dc:description here", "Only a media:description",
                    T["sr"][0]])
    raw = ['<dc:title xmlns:dc="http://purl.org/dc/elements/1.1/">%s</dc:title><id>x1</id>' % esc(T["ka"][0]),
           '<media:title xmlns:media="http://search.yahoo.com/mrss/">%s</media:title><id>x2</id>' % esc(T["ka"][1])]
    case("fmt-atom-fallbacks", atom([{"raw": r} for r in raw], lang="ka"), "application/atom+xml",
         T["ka"][:2])
    # xml:base and relative links as the only identity.
    raw = ['<title>%s</title><link href="story/1"/><link rel="self" href="/s/1"/>' % esc(T["hy"][0]),
           '<title>%s</title><link href="story/2"/>' % esc(T["hy"][1]),
           '<title xml:base="https://other.example/">Base on the title only</title><link href="story/3"/>']
    case("fmt-atom-xmlbase", atom([{"raw": r} for r in raw], lang="hy",
                                  extra=' xml:base="https://hy.example/news/"'),
         "application/atom+xml", T["hy"] + ["Base on the title only"])
    items = [{"raw": '<title>%s</title><link>/a/%d</link>' % (esc(t), i)} for i, t in enumerate(T["am"])]
    case("fmt-rss2-relative-links", rss2(items, root_attrs='version="2.0" xml:base="https://am.example/"',
                                         lang="am"), "application/rss+xml", T["am"])
    # Relative links with no xml:base (or a relative one) are resolved
    # against the URL the feed came from (RFC 3986): the server serves each
    # case as /f/NAME.body, so "story/1", "/f/story/1" and "./x/../story/1"
    # are one link, and the older entries naming it are the same story again.
    items = [{"raw": "<title>%s</title><link>%s</link><pubDate>%s</pubDate>" % (t, l, ENTRY_DATE[i])}
             for i, (t, l) in enumerate([("Relative link, newest", "story/1"),
                                         ("Same link by its path", "/f/story/1"),
                                         ("Same link with dot segments", "./x/../story/1"),
                                         ("Another relative link", "story/2")])]
    case("fmt-rss2-relative-no-base", rss2(items), "application/rss+xml",
         ["Relative link, newest", "Another relative link"])
    raw = ['<title>Under a relative base</title><link href="a"/><updated>%s</updated>' % ISO_DATE[0],
           '<title>Same story by its path</title><link href="/f/news/a"/><updated>%s</updated>'
           % ISO_DATE[1],
           '<title>Another under the base</title><link href="b"/><updated>%s</updated>' % ISO_DATE[2]]
    case("fmt-atom-relative-base", atom([{"raw": r} for r in raw], extra=' xml:base="news/"'),
         "application/atom+xml", ["Under a relative base", "Another under the base"])
    # Atom title types: text, html, xhtml (with script and style to drop).
    raw = ['<title type="text">a &lt; b &amp;&amp; c &gt; d</title><id>t1</id>',
           '<title type="html">&lt;b&gt;Bold&lt;/b&gt; move &amp;amp; &lt;i&gt;more&lt;/i&gt;</title><id>t2</id>',
           '<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Safe <b>text</b>'
           '<script>alert("x")</script><style>b{color:red}</style> here</div></title><id>t3</id>',
           '<title type="xhtml"><xhtml:div xmlns:xhtml="http://www.w3.org/1999/xhtml">Prefixed '
           '<xhtml:script>evil()</xhtml:script>div</xhtml:div></title><id>t4</id>',
           '<title type="html">&lt;script&gt;alert(1)&lt;/script&gt;Escaped script dropped</title><id>t5</id>']
    case("fmt-atom-title-types", atom([{"raw": r} for r in raw]), "application/atom+xml",
         ["a < b && c > d", "Bold move & more", "Safe text here", "Prefixed div",
          "Escaped script dropped"])
    # Entries with only a title (no guid, id, link, date).
    items = [{"raw": "<title>%s</title>" % esc(t)} for t in T["ta"] + T["bn"]]
    case("cls-title-only-rss2", rss2(items, lang="ta"), "application/rss+xml", T["ta"] + T["bn"])
    raw = ["<title>%s</title>" % esc(t) for t in T["vi"]]
    case("cls-title-only-atom", atom([{"raw": r} for r in raw], lang="vi"), "application/atom+xml", T["vi"])
    items = [{"raw": "<title>Same title</title><pubDate>%s</pubDate>" % d} for d in ENTRY_DATE[:2]]
    case("cls-title-only-same-title", rss2(items), "application/rss+xml", ["Same title", "Same title"])
    # Double-escaped HTML: decoded exactly as the declared type says, once.
    raw = ['<title type="html">Wait&amp;hellip; and see</title><id>h1</id>',
           '<title type="html">Don&amp;#8217;t &amp;amp; won&amp;rsquo;t</title><id>h2</id>',
           '<title type="html">&amp;lt;b&amp;gt; is a tag</title><id>h3</id>',
           '<title type="text">Literal &amp;hellip; stays</title><id>h4</id>',
           '<title type="html">HTML5 &amp;NotEqual; &amp;check; &amp;bigstar;</title><id>h5</id>']
    case("cls-double-escaped-atom", atom([{"raw": r} for r in raw]), "application/atom+xml",
         ["Wait… and see", "Don’t & won’t", "<b> is a tag", "Literal &hellip; stays", "HTML5 ≠ ✓ ★"])
    items = ["Tom &amp;amp; Jerry", "Caf&amp;eacute; cr&amp;egrave;me", "5 &amp;lt; 6",
             "<![CDATA[Caf&eacute; in CDATA &amp; more]]>", "<![CDATA[<b>Bold</b> in CDATA]]>",
             "a &lt; b", "Fish &amp; chips"]
    case("cls-double-escaped-rss2", rss2(items), "application/rss+xml",
         ["Tom & Jerry", "Café crème", "5 < 6", "Café in CDATA & more", "Bold in CDATA", "a < b",
          "Fish & chips"])


def damaged_cases():
    fr = T["fr"]
    # Undefined HTML entities in XML.
    items = ["Caf&eacute; &amp; cr&egrave;me br&ucirc;l&eacute;e", "Prix&nbsp;: 5&nbsp;&euro;",
             "Wait&hellip; &mdash; what?", "&ldquo;Quoted&rdquo; &lsquo;single&rsquo;",
             "&copy; 2024 &reg; &trade;", "Math: &alpha; &le; &beta; &ne; &infin;",
             "HTML5 only: &NotEqual; &bigstar; &check;"]
    case("bad-entities-rss2", rss2(items), "application/rss+xml",
         ["Café & crème brûlée", "Prix\u00a0: 5\u00a0€", "Wait… — what?", "“Quoted” ‘single’",
          "© 2024 ® ™", "Math: α ≤ β ≠ ∞", "HTML5 only: ≠ ★ ✓"])
    case("bad-entities-atom", atom(["Gr&uuml;&szlig;e aus K&ouml;ln", "&Aacute;rea &amp; &Ntilde;and&uacute;"]),
         "application/atom+xml", ["Grüße aus Köln", "Área & Ñandú"])
    case("bad-entities-rss1", rss1(["Z&uuml;rich &ndash; Bern", "Malm&ouml; &hearts;"]),
         "application/rdf+xml", ["Zürich – Bern", "Malmö ♥"])
    case("bad-entity-unknown", rss2(["Known &eacute; and &notanentity; here", "Next item"]),
         "application/rss+xml", ["Known é and &notanentity; here", "Next item"])
    # Unescaped &.
    items = ["AT&T and Verizon", "Q&A: the budget", "Rock & roll", "Tom&Jerry&amp;Co", "100% & more &"]
    case("bad-bare-ampersand", rss2(items), "application/rss+xml",
         ["AT&T and Verizon", "Q&A: the budget", "Rock & roll", "Tom&Jerry&Co", "100% & more &"])
    items = [{"raw": "<title>Search</title><link>https://s.example/?q=a&b=c</link>"},
             {"raw": "<title>Second</title><link>https://s.example/?q=a&b=d</link>"}]
    case("bad-bare-ampersand-links", rss2(items), "application/rss+xml", ["Search", "Second"])
    # Stray <br> and other unclosed HTML in titles and descriptions.
    items = [{"raw": "<title>Line one<br>Line two</title><guid>br1</guid>"},
             {"raw": "<title>After the break</title><guid>br2</guid><description>Text<br>more<p>para"
                     "</description>"},
             {"raw": "<title>Third <b>bold</title><guid>br3</guid>"},
             {"raw": "<title>Fourth</title><guid>br4</guid><description>An <img src=x> image</description>"},
             {"raw": "<title>Fifth and last</title><guid>br5</guid>"}]
    case("bad-stray-br", rss2(items), "application/rss+xml",
         ["Line one Line two", "After the break", "Third bold", "Fourth", "Fifth and last"])
    items = [{"raw": "<title>%s</title><guid>u%d</guid><description>Read <b>more</description>"
                     % (esc(t), i)} for i, t in enumerate(T["cs"])]
    case("bad-unclosed-in-description", rss2(items), "application/rss+xml", T["cs"])
    raw = ["<title>%s</title><id>p%d</id><summary>Start <p>para <i>x</summary>" % (esc(t), i)
           for i, t in enumerate(T["hu"])]
    case("bad-unclosed-atom", atom([{"raw": r} for r in raw]), "application/atom+xml", T["hu"])
    # Characters XML forbids.
    items = ["Vertical\x0btab removed", "Form\x0cfeed and \x1bescape", "Bell\x07 rings", "Clean one"]
    case("bad-control-chars", rss2(items), "application/rss+xml",
         ["Verticaltab removed", "Formfeed and escape", "Bell rings", "Clean one"])
    items = ["Null &#0; ref", "Control &#x1F; ref", "Fine &#233;"]
    case("bad-char-refs", rss2(items), "application/rss+xml", ["Null ref", "Control ref", "Fine é"])
    # Bytes that are not UTF-8 in a UTF-8 document (windows-1252 pasted in).
    body = rss2(["Caf\x00e9 au lait", "Plain ASCII", "Na\x00efve \x0093quotes\x0094"])
    body = body.encode("utf-8").replace(b"\x00e9", b"\xe9").replace(b"\x00ef", b"\xef") \
        .replace(b"\x0093", b"\x93").replace(b"\x0094", b"\x94")
    case("bad-latin1-in-utf8", body, "application/rss+xml",
         ["Café au lait", "Plain ASCII", "Naïve “quotes”"])
    body = rss2(["Ünïcödé right", "Then 1252: caf\x00e9"]).encode("utf-8").replace(b"\x00e9", b"\xe9")
    case("bad-mixed-utf8-cp1252", body, "application/rss+xml", ["Ünïcödé right", "Then 1252: café"])
    # Bare < in text, unquoted attributes, duplicate attributes.
    case("bad-bare-lt", rss2(["a < b", "x <= y", "Third < fourth"]), "application/rss+xml",
         ["a < b", "x <= y", "Third < fourth"])
    items = [{"raw": "<title>Unquoted attr</title><guid isPermaLink=false>q1</guid>"},
             {"raw": '<title>Dup attr</title><guid isPermaLink="false" isPermaLink="true">q2</guid>'},
             {"raw": "<title>Normal</title><guid>q3</guid>"}]
    case("bad-attributes", rss2(items), "application/rss+xml", ["Unquoted attr", "Dup attr", "Normal"])
    # Mismatched tags that would swallow the items after them.
    items = [{"raw": "<title>%s</title><guid>m%d</guid><description><div>text</span></description>"
                     % (esc(t), i)} for i, t in enumerate(T["ro"] + T["tr"])]
    case("bad-mismatched-tags", rss2(items), "application/rss+xml", T["ro"] + T["tr"])
    items = [{"raw": "<title>%s</title><guid>n%d</guid>" % (esc(t), i)} for i, t in enumerate(T["de"])]
    items[1] = {"raw": "<title>%s</title><guid>n1</guid><foo>" % esc(T["de"][1])}
    case("bad-unclosed-element", rss2(items), "application/rss+xml", T["de"])
    # Undeclared namespace prefixes.
    items = [{"raw": "<dc:title>%s</dc:title><guid>ns%d</guid><dc:creator>me</dc:creator>" % (esc(t), i)}
             for i, t in enumerate(T["lt"])]
    case("bad-undeclared-prefix", rss2(items), "application/rss+xml", T["lt"])
    # Junk before the declaration, junk after the root (a PHP warning), a missing declaration.
    body = "\n\n" + rss2(["Blank lines before the declaration", "Second"])
    case("bad-leading-blank-lines", body, "application/rss+xml",
         ["Blank lines before the declaration", "Second"])
    body = rss2(["PHP warning after the feed", "Still read"]) + \
        "<br />\n<b>Warning</b>: Cannot modify header information in <b>x.php</b>\n"
    case("bad-trailing-junk", body, "application/rss+xml", ["PHP warning after the feed", "Still read"])
    case("bad-no-declaration", rss2(T["ro"], enc=None), "application/rss+xml", T["ro"])
    # Two root elements: the second feed half is also read? No: one feed, then junk.
    body = rss2(["First feed only"]) + rss2(["Second root"])
    case("bad-two-roots", body, "application/rss+xml", ["First feed only"])
    # A description holding raw HTML with entities, title missing.
    items = [{"raw": "<description><p>Caf&eacute; <b>only</b> in HTML</p></description><guid>r1</guid>"}]
    case("bad-raw-html-description", rss2(items), "application/rss+xml", ["Café only in HTML"])
    # Several errors together.
    items = ["Caf&eacute; &amp; AT&T", "Ligne<br>brisée", "Contrôle\x01", "Fin&hellip;"]
    case("bad-all-together", rss2(items, enc="UTF-8"), "application/rss+xml",
         ["Café & AT&T", "Ligne brisée", "Contrôle", "Fin…"])
    body = rss2(["Caf&eacute; latin1 &amp; entity", "Gr\x00fc\x00dfe"], enc="ISO-8859-1")
    body = body.encode("utf-8").replace(b"\x00fc", b"\xfc").replace(b"\x00df", b"\xdf")
    case("bad-entities-latin1", body, "application/rss+xml", ["Café latin1 & entity", "Grüße"])


def encoding_label_cases():
    # windows-1252 bytes labelled iso-8859-1 / latin1 / us-ascii (WHATWG: all windows-1252).
    fr = T["fr"]
    for i, label in enumerate(("ISO-8859-1", "iso-8859-1", "latin1", "l1", "us-ascii", "ascii",
                               "ISO_8859-1")):
        body = rss2([esc(t) for t in fr], enc=label, lang="fr").encode("cp1252")
        case("lbl-cp1252-as-%d-%s" % (i, label.lower().replace("_", "-")), body,
             "application/rss+xml", fr)
    body = rss2([esc(t) for t in fr], enc="", lang="fr").encode("cp1252")
    case("lbl-cp1252-http-latin1", body, "text/xml; charset=ISO-8859-1", fr)
    t9 = T["tr"]
    case("lbl-iso-8859-9-as-1254", rss2([esc(t) for t in t9], enc="ISO-8859-9", lang="tr").encode("cp1254"),
         "application/rss+xml", t9)
    th = T["th"]
    case("lbl-tis620-as-874", rss2([esc(t) + " ๏" for t in th], enc="TIS-620", lang="th").encode("cp874"),
         "application/rss+xml", [t + " ๏" for t in th])
    # Aliases and sloppy names.
    aliases = [("win-1251", "cp1251", "ru"), ("cp-1251", "cp1251", "ru"), ("1251", "cp1251", "ru"),
               ("windows1251", "cp1251", "ru"), ("x-cp1251", "cp1251", "ru"),
               ("x-sjis", "shift_jis", "ja"), ("shift-jis", "shift_jis", "ja"), ("ms_kanji", "shift_jis", "ja"),
               ("windows-31j", "cp932", "ja"), ("x-euc-jp", "euc_jp", "ja"), ("euc_jp", "euc_jp", "ja"),
               ("ks_c_5601-1987", "cp949", "ko"), ("korean", "euc_kr", "ko"),
               ("gb_2312-80", "gbk", "zh-Hans"), ("x-gbk", "gbk", "zh-Hans"), ("chinese", "gbk", "zh-Hans"),
               ("big5-hkscs", "big5hkscs", "zh-Hant"), ("x-x-big5", "big5", "zh-Hant"),
               ("cyrillic", "iso8859_5", "ru"), ("koi", "koi8_r", "ru"), ("csKOI8R", "koi8_r", "ru"),
               ("hebrew", "iso8859_8", "he"), ("arabic", "iso8859_6", "ar"), ("greek", "iso8859_7", "el"),
               ("x-mac-roman", "mac_roman", "fr"), ("unicode-1-1-utf-8", "utf-8", "hi"), ("utf8", "utf-8", "ka")]
    for label, codec, lang in aliases:
        body = rss2([esc(t) for t in T[lang]], enc=label, lang=lang).encode(codec)
        case("lbl-%s" % label.lower().replace("_", "_"), body, "application/rss+xml", T[lang])
    # An encoding name nobody knows, over UTF-8 bytes.
    case("lbl-unknown-name", rss2([esc(t) for t in T["bn"]], enc="x-unheard-of", lang="bn"),
         "application/rss+xml", T["bn"])
    # Declared UTF-16, but the bytes are UTF-8 (a common slip).
    case("lbl-utf16-declared-utf8-bytes", rss2([esc(t) for t in T["el"]], enc="UTF-16", lang="el"),
         "application/rss+xml", T["el"])
    # UTF-16/32 with a BOM and no declaration at all.
    for codec, short in (("utf-16-le", "utf16le"), ("utf-16-be", "utf16be"), ("utf-32-le", "utf32le"),
                         ("utf-32-be", "utf32be")):
        body = ("\ufeff" + atom([esc(t) for t in T["ja"]], enc=None, lang="ja")).encode(codec)
        case("lbl-bom-only-%s" % short, body, "application/atom+xml", T["ja"])
    # UTF-16/32 without a BOM and without a declaration.
    for codec, short in (("utf-16-le", "utf16le"), ("utf-32-be", "utf32be")):
        body = atom([esc(t) for t in T["ko"]], enc=None, lang="ko").encode(codec)
        case("lbl-no-bom-no-decl-%s" % short, body, "application/atom+xml", T["ko"])


def disagreement_cases():
    ru = T["ru"]
    # HTTP charset and declaration disagree; HTTP (right) wins.
    body = rss2([esc(t) for t in ru], enc="KOI8-R", lang="ru").encode("cp1251")
    case("dis-http-1251-decl-koi8", body, "application/rss+xml; charset=windows-1251", ru)
    body = rss2([esc(t) for t in T["el"]], enc="ISO-8859-1", lang="el").encode("iso8859_7")
    case("dis-http-greek-decl-latin1", body, "application/xml; charset=ISO-8859-7", T["el"])
    body = rss2([esc(t) for t in T["ar"]], enc="windows-1252", lang="ar").encode("utf-8")
    case("dis-http-utf8-decl-1252", body, "application/rss+xml; charset=utf-8", T["ar"])
    # HTTP says UTF-8 (a server default) but the bytes are the declared windows-1251.
    body = rss2([esc(t) for t in ru], enc="windows-1251", lang="ru").encode("cp1251")
    case("dis-http-utf8-wrong-decl-1251", body, "application/rss+xml; charset=UTF-8", ru)
    body = rss2([esc(t) for t in T["ja"]], enc="Shift_JIS", lang="ja").encode("shift_jis")
    case("dis-http-utf8-wrong-decl-sjis", body, "text/xml; charset=utf-8", T["ja"])
    # A BOM beats both.
    body = ("\ufeff" + rss2([esc(t) for t in T["he"]], enc="ISO-8859-8", lang="he")).encode("utf-8")
    case("dis-bom-utf8-decl-8859-8", body, "application/rss+xml; charset=windows-1255", T["he"])
    body = ("\ufeff" + rss2([esc(t) for t in T["zh-Hans"]], enc="GB2312", lang="zh")).encode("utf-16-le")
    case("dis-bom-utf16-decl-gb2312", body, "application/rss+xml; charset=GB2312", T["zh-Hans"])
    # A non-XML media type: its charset is not trusted over the declaration.
    body = rss2([esc(t) for t in T["ko"]], enc="EUC-KR", lang="ko").encode("euc_kr")
    case("dis-texthtml-charset-decl-euckr", body, "text/html; charset=iso-8859-1", T["ko"])
    body = rss2([esc(t) for t in T["uk"]], enc="", lang="uk").encode("koi8_u")
    case("dis-textplain-charset-only", body, "text/plain; charset=KOI8-U", T["uk"])
    # HTTP charset quoted and in odd case.
    body = atom([esc(t) for t in T["tr"]], enc="", lang="tr").encode("cp1254")
    case("dis-http-quoted-charset", body, 'application/atom+xml; Charset="Windows-1254"', T["tr"])


def expiry_cases():
    # Old entries for the "older than ttl" line (run with the default ttl).
    items = [{"raw": "<title>Old %d</title><guid>old%d</guid><pubDate>Mon, 01 Jan 2018 10:00:00 +0000"
                     "</pubDate>" % (i, i)} for i in range(3)]
    case("ttl-all-old", rss2(items), "application/rss+xml", ["Old 0", "Old 1", "Old 2"])


def build():
    encoded_cases()
    format_cases()
    damaged_cases()
    encoding_label_cases()
    disagreement_cases()
    expiry_cases()
    files = {}
    manifest = ["# name  codec  Content-Type (written by gen.py; do not edit)"]
    for name, body, ctype, expected in CASES:
        files[name + ".body"] = body
        files[name + ".expected"] = ("\n".join(expected) + "\n").encode("utf-8")
        manifest.append("%s.body raw %s" % (name, ctype))
    files["MANIFEST"] = ("\n".join(manifest) + "\n").encode("utf-8")
    return files


def main():
    files = build()
    names = [n for n, _, _, _ in CASES]
    assert len(names) == len(set(names)), "duplicate case names"
    out = os.path.join(HERE, "cases")
    if "--check" in sys.argv:
        stale = [n for n, data in files.items()
                 if not os.path.exists(os.path.join(out, n)) or open(os.path.join(out, n), "rb").read() != data]
        extra = set(os.listdir(out)) - set(files) if os.path.isdir(out) else set()
        if stale or extra:
            print("corpus stale: %s" % ", ".join(sorted(stale + list(extra))[:10]))
            return 1
        return 0
    os.makedirs(out, exist_ok=True)
    for n in os.listdir(out):
        if n not in files:
            os.unlink(os.path.join(out, n))
    for n, data in files.items():
        with open(os.path.join(out, n), "wb") as f:
            f.write(data)
    encs = {c[0] for c in ENCODINGS}
    print("%d cases written to %s (%d encodings in the matrix)" % (len(CASES), out, len(encs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
