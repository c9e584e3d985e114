"""A synthetic AA-style archive of N pages, generated on request and served on 127.0.0.1.

    .venv/bin/python bench/synthetic_archive.py --pages 10000 --per-day 100 [--port 0]

Prints ``serving http://127.0.0.1:PORT pages=N days=D`` once listening, then serves
until killed. Every page is rendered when asked for (nothing is held in memory), from
its number alone, so the same number always gives the same bytes and a benchmark can
check the cleaned body against ``gold_paragraphs``. Pages are AA article pages as the
sample site renders them (``render_aa``: header, cookie notice, share bar, photo
caption, agency footer, related news) inside the furniture a real news site adds: a
mega menu, inline scripts, a most-read list and a link-heavy footer, so a page weighs
a good part of what a real one does (about 28 KB). Listed by a sitemap index of one news sitemap per
day and an RSS feed of the newest items, as AA's own site does.

With ``--real-text`` (``SyntheticArchive(sentences=...)``) the bodies' filler is real
Turkish news text instead of six stock sentences: each article takes the next
:data:`REAL_PER_ARTICLE` sentences of the Starlang NER corpus (Penn Treebank news
translated to Turkish, ``../shared/data/starlang_ner``, read at run time), none used
twice until the corpus runs out. The NLP benches read that day: template text repeats
the same few hundred words, and anything that remembers words (stanza's lemma memory,
our word-vector memory) would look better on it than on a real day.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

# bench/ (common, synthetic_archive) and include/ (newswire), run from anywhere.
sys.path[:0] = [str(Path(__file__).resolve().parent),
                str(Path(__file__).resolve().parents[1] / "include")]

from newswire.sample_site.site import SampleArticle, render_aa, rss, sitemap_index, urlset  # noqa: E402

FIRST_DAY = date(2018, 1, 1)
REAL_SENTENCES = (Path(__file__).resolve().parents[2] / "shared" / "data" / "starlang_ner"
                  / "tr_starlang.train.bio")
REAL_PER_ARTICLE = 9  # three paragraphs of three sentences: ~130 tokens an article
FIRST_NUMBER = 5_000_000
FEED_ITEMS = 50
_ASCII = str.maketrans("çğıöşüÇĞİÖŞÜ", "cgiosuCGIOSU")

PEOPLE = [("Ticaret Bakanı", "Bülent Tüfenkci"), ("Ekonomi Bakanı", "Nihat Zeybekci"),
          ("Dışişleri Bakanı", "Mevlüt Çavuşoğlu"), ("Maliye Bakanı", "Naci Ağbal"),
          ("Enerji ve Tabii Kaynaklar Bakanı", "Berat Albayrak"),
          ("Sağlık Bakanı", "Ahmet Demircan"), ("Ankara Valisi", "Ercan Topaca"),
          ("TOBB Başkanı", "Rifat Hisarcıklıoğlu"), ("NATO Genel Sekreteri", "Jens Stoltenberg")]
CITIES = ["ANKARA", "İSTANBUL", "İZMİR", "BURSA", "ANTALYA", "KONYA", "BRÜKSEL", "VİYANA"]
TOPICS = [("ihracat", "ihracatın geçen yılın aynı dönemine göre arttığını"),
          ("yatırım", "yeni yatırımların bölgeye istihdam getireceğini"),
          ("enerji", "enerji arz güvenliğinin güçlendirildiğini"),
          ("sağlık", "hastanelerdeki yatak kapasitesinin artırıldığını"),
          ("ulaşım", "yeni demir yolu hattının yıl sonunda açılacağını"),
          ("tarım", "hububat stoklarının ihtiyacı karşılayacak düzeyde olduğunu"),
          ("turizm", "turist sayısının rekor kırdığını")]
CATEGORIES = ["ekonomi", "gundem", "dunya", "politika", "saglik"]
FILLER = ["Toplantıya bakanlık yetkilileri, sektör temsilcileri ve çok sayıda davetli katıldı.",
          "Konuya ilişkin ayrıntılı raporun önümüzdeki hafta kamuoyuyla paylaşılması bekleniyor.",
          "Uzmanlar, atılan adımların orta vadede olumlu sonuç vereceğini değerlendiriyor.",
          "Açıklamada, çalışmaların ilgili kurumlarla eş güdüm içinde yürütüldüğü vurgulandı.",
          "Geçen yıl aynı dönemde benzer bir program kapsamında yüzde 12 artış kaydedilmişti.",
          "Program çerçevesinde 3 bin kişiye ek istihdam sağlanması planlanıyor."]


# The corpus's own newspaper furniture: credit and source lines ("X bu makaleye katkıda
# bulundu", "Kaynak: Telerate ..."), which a cleaner rightly drops with the paragraph
# they open, so two cleaners' rules would give the NLP different bodies.
CORPUS_FURNITURE = ("katkıda bulundu", "Kaynak:")


def read_sentences(path: Path = REAL_SENTENCES) -> tuple[str, ...]:
    """The sentences of a BIO file (one token and its tag a line, a blank line between
    sentences), their tokens joined as printed text, less the corpus's furniture."""
    sentences: list[str] = []
    tokens: list[str] = []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.strip():
            tokens.append(line.split("\t")[0])
        elif tokens:
            sentences.append(_printed(tokens))
            tokens = []
    return tuple(s for s in sentences if not any(f in s for f in CORPUS_FURNITURE))


def _printed(tokens: list[str]) -> str:
    """Tokens as a sentence is printed: no space before closing punctuation or after an
    opening bracket or a percent sign (Turkish writes "%30")."""
    text = ""
    for token in tokens:
        glued = not text or text.endswith(("(", "[", "%")) or token in {
            ".", ",", ";", ":", "!", "?", ")", "]", "..."}
        text += token if glued else " " + token
    return text


@dataclass(frozen=True)
class SyntheticArchive:
    pages: int
    per_day: int
    first_day: date = FIRST_DAY
    # Real sentences for the bodies' filler (see the module's docstring); none: stock ones.
    sentences: tuple[str, ...] = ()

    @property
    def days(self) -> int:
        return -(-self.pages // self.per_day)

    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=self.days - 1)

    def day_of(self, index: int) -> date:
        return self.first_day + timedelta(days=index // self.per_day)

    def indexes_of(self, day: date) -> range:
        first = (day - self.first_day).days * self.per_day
        return range(max(first, 0), min(first + self.per_day, self.pages))

    def article(self, index: int) -> SampleArticle:
        """Article ``index`` (0-based), the same every time."""
        if not 0 <= index < self.pages:
            raise IndexError(index)
        rng = random.Random(index)
        day = self.day_of(index)
        slot = index % self.per_day
        # Spread over the UTC day; AA prints Istanbul time, the cleaner reads it back.
        minute = 30 + slot * (22 * 60) // self.per_day
        published = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
            minutes=minute)
        role, name = rng.choice(PEOPLE)
        topic, claim = rng.choice(TOPICS)
        city = rng.choice(CITIES)
        surname = name.split()[-1]
        amount = rng.randint(2, 90) * 10
        paragraphs = [
            f"{role} {name}, {city.capitalize()}'da düzenlenen toplantıda {claim} söyledi.",
            f"{surname}, bu yıl {topic} alanında {amount} milyon liralık kaynak ayrıldığını "
            "ve çalışmaların planlandığı şekilde sürdüğünü belirtti.",
            f"\"Hedeflerimize adım adım ulaşıyoruz. Vatandaşlarımız sonuçlarını yakında "
            f"görecek.\" diyen {surname}, yeni adımların önümüzdeki ay açıklanacağını "
            "kaydetti.",
        ]
        real = self._real_filler(index)
        paragraphs += real[:-1] if real else rng.sample(FILLER, 3)
        growth = rng.randint(3, 40)
        later = [f"{surname}, {topic} alanındaki hedeflere ilişkin soruları da yanıtladı.",
                 f"Yüzde {growth} oranında artış beklendiğini ifade eden "
                 f"{surname}, \"Bu rakam, yılın ikinci yarısında daha da yükselecek\" dedi.",
                 real[-1] if real else rng.choice(FILLER)]
        sections = [{"heading": None, "paragraphs": paragraphs},
                    {"heading": f"{topic.capitalize()} hedefleri", "paragraphs": later}]
        return SampleArticle(
            # sample_aa: rendered and addressed as the sample AA site does.
            source="sample_aa", number=FIRST_NUMBER + index,
            slug=f"{surname.lower().translate(_ASCII)}-{topic.translate(_ASCII)}-{index}",
            lang="tr", published_at=published, modified_at=None,
            category=rng.choice(CATEGORIES),
            title=f"{surname}: {topic.capitalize()} alanında yeni dönem başlıyor ({index})",
            lead=f"{role} {name}, {topic} alanındaki gelişmeleri değerlendirdi.",
            byline="AA Muhabiri", dateline=city, sections=sections,
            tags=[topic, city.lower()], gold={})

    def _real_filler(self, index: int) -> list[str]:
        """Article ``index``'s share of the real sentences, as three paragraphs (none
        without sentences)."""
        if not self.sentences:
            return []
        first = index * REAL_PER_ARTICLE
        taken = [self.sentences[(first + n) % len(self.sentences)]
                 for n in range(REAL_PER_ARTICLE)]
        third = REAL_PER_ARTICLE // 3
        return [" ".join(taken[n:n + third]) for n in range(0, REAL_PER_ARTICLE, third)]

    def gold_paragraphs(self, index: int) -> list[str]:
        """The body the cleaner must return: the paragraphs, without the dateline."""
        return [p for s in self.article(index).sections for p in s["paragraphs"]]

    def page(self, index: int) -> bytes:
        html = render_aa(self.article(index)).replace("{charset}", "utf-8")
        html = html.replace("<body>", "<body>\n" + _site_header(index), 1)
        html = html.replace("</body>", _site_footer(index) + "\n</body>", 1)
        return html.encode("utf-8")

    def index_of(self, path: str) -> int | None:
        parts = path.strip("/").split("/")
        if len(parts) != 4 or parts[0] != "aa" or not parts[3].isdigit():
            return None
        index = int(parts[3]) - FIRST_NUMBER
        if not 0 <= index < self.pages or self.article(index).path != path:
            return None
        return index

    def day_articles(self, day: date) -> Iterator[SampleArticle]:
        return (self.article(i) for i in self.indexes_of(day))

    def resource(self, path: str, base: str) -> tuple[bytes, str, datetime | None] | None:
        """(body, content type, last modified) of ``path``, or None for a 404."""
        if path == "/robots.txt":
            return b"User-agent: *\nDisallow: /private/\n", "text/plain", None
        if path == "/aa/sitemap.xml":
            days = {}
            for n in range(self.days):
                day = self.first_day + timedelta(days=n)
                last = self.article(self.indexes_of(day)[-1]).updated
                days[day.isoformat()] = last
            return sitemap_index(days, base, "aa").encode(), "application/xml", None
        if path.startswith("/aa/sitemaps/") and path.endswith(".xml"):
            try:
                day = date.fromisoformat(path.rsplit("/", 1)[1][:-4])
            except ValueError:
                return None
            if not self.first_day <= day <= self.last_day:
                return None
            return (urlset(list(self.day_articles(day)), base).encode(), "application/xml",
                    None)
        if path == "/aa/rss.xml":
            newest = [self.article(i) for i in range(max(0, self.pages - FEED_ITEMS),
                                                     self.pages)]
            return (rss(newest, base, "Bench AA").encode(), "application/rss+xml", None)
        index = self.index_of(path)
        if index is None:
            return None
        return self.page(index), "text/html; charset=utf-8", self.article(index).updated


def _site_header(index: int) -> str:
    """A news site's mega menu and inline scripts: weight the cleaner must skip."""
    links = "\n".join(f'<li><a href="/aa/{c}/{n}">{c.capitalize()} {n}</a></li>'
                      for c in CATEGORIES for n in range(40))
    script = "var cfg = {" + ",".join(f'"k{n}": "{"v" * 40}{n}"' for n in range(120)) + "};"
    return (f'<div class="mega-menu"><ul>{links}</ul></div>\n'
            f"<script>{script}\nwindow.pageId = {index};</script>\n"
            '<div class="ad-slot ad-top">Reklam</div>')


def _site_footer(index: int) -> str:
    most_read = "\n".join(f'<li><a href="/aa/gundem/haber-{index - n}/{n}">Çok okunan haber '
                          f"başlığı {n}: gündemden önemli bir gelişme</a></li>"
                          for n in range(20))
    columns = "\n".join(f'<div class="footer-col"><h4>Bölüm {c}</h4><ul>'
                        + "".join(f'<li><a href="/aa/{c}/{n}">Bağlantı {n}</a></li>'
                                  for n in range(25)) + "</ul></div>"
                        for c in CATEGORIES)
    return (f'<div class="most-read"><h3>En çok okunanlar</h3><ol>{most_read}</ol></div>\n'
            f'<div class="site-footer-links">{columns}</div>\n'
            '<script src="/static/analytics.js" async></script>')


def make_server(archive: SyntheticArchive, host: str = "127.0.0.1",
                port: int = 0) -> ThreadingHTTPServer:
    state: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        server_version = "newswire-bench/1"
        protocol_version = "HTTP/1.1"  # keep-alive, as a real site serves a crawler
        # Headers and body go out in two writes: without TCP_NODELAY each response
        # waits ~40 ms for the client's delayed ACK.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            found = archive.resource(unquote(urlsplit(self.path).path), state["base"])
            if found is None:
                self.send_error(404)
                return
            body, content_type, last_modified = found
            etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            if last_modified:
                self.send_header("Last-Modified", format_datetime(last_modified, usegmt=True))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    state["base"] = f"http://{host}:{server.server_address[1]}"
    return server


def start_in_thread(archive: SyntheticArchive) -> tuple[ThreadingHTTPServer, str]:
    """For tests: the archive served from a thread of this process."""
    server = make_server(archive)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def sources_yaml(base: str, source_id: str = "bench_aa") -> str:
    """A sources file for the archive: no politeness delay (our own server)."""
    return f"""sources:
  - id: {source_id}
    name: Synthetic AA archive (benchmark)
    lang: tr
    profile: aa
    timezone: Europe/Istanbul
    feeds: ["{base}/aa/rss.xml"]
    sitemaps: ["{base}/aa/sitemap.xml"]
    politeness: {{min_delay_s: 0.0, timeout_s: 30, max_retries: 1}}
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--per-day", type=int, default=100)
    parser.add_argument("--first-day", type=date.fromisoformat, default=FIRST_DAY)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--real-text", action="store_true",
                        help=f"bodies of real news sentences from {REAL_SENTENCES}")
    args = parser.parse_args(argv)
    archive = SyntheticArchive(args.pages, args.per_day, args.first_day,
                               read_sentences() if args.real_text else ())
    server = make_server(archive, port=args.port)
    print(f"serving http://127.0.0.1:{server.server_address[1]} pages={archive.pages} "
          f"days={archive.days}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
