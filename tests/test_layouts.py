"""The cleaner on pages in the styles of twenty real sites (tests/fixtures/layouts), cleaned
as a new user's sources would be (no ``profile``): datelines, furniture, bylines, dates.
One test runs them through the pipeline from a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from newswire.catalog import query
from newswire.clean import clean_html, with_templates
from newswire.clean.boilerplate import is_boilerplate, is_notice, strip_sign_off
from newswire.clean.dateline import find_dateline, split_lead, split_marked
from newswire.clean.dates import date_line
from newswire.clean.templates import day_stats, learn_templates, window
from newswire.config import Settings
from newswire.records import Section
from newswire.stages import run_interval

from tests.layouts import LayoutPage, expected_published, layout_pages

PAGES = layout_pages()
LAYOUTS = sorted({p.layout for p in PAGES})


def clean(page: LayoutPage, **kwargs: object):
    return clean_html(page.html.encode("utf-8"), "http://127.0.0.1:1" + page.path,
                      source=page.layout, source_lang=page.lang, timezone=page.timezone,
                      **kwargs)


def test_the_set_covers_twenty_site_styles() -> None:
    """Agencies (AA, Reuters, AP, AFP, DHA, İHA, TASS, Xinhua, Yonhap), broadcasters (TRT
    Haber, BBC, Al Jazeera, DW, NTV), newspapers (Hürriyet, Sabah, Sözcü, Hürriyet Daily
    News, Daily Sabah) and a WordPress theme: Turkish and English, datelines in every form
    (and none at all), dates printed, in <time>, only in JSON-LD or only in meta tags."""
    assert LAYOUTS == ["aa", "afp", "aljazeera", "apnews", "bbc", "dailysabah", "dha", "dw",
                       "hdn", "hurriyet", "iha", "ntv", "reuters", "sabah", "sozcu", "tass",
                       "trthaber", "wordpress", "xinhua", "yonhap"]


@pytest.mark.parametrize("page", PAGES, ids=[f"{p.layout}-{p.slug}" for p in PAGES])
def test_layout_page_cleans_to_its_article(page: LayoutPage) -> None:
    article = clean(page)
    assert [p for s in article.sections for p in s.paragraphs] == page.paragraphs
    assert article.dateline == page.dateline
    assert article.title == page.title
    assert article.byline == page.byline
    assert not [leak for leak in page.leaks if leak in article.body]
    assert article.published_at == expected_published(page)
    assert (article.published_precision == "day") == (page.precision == "day")
    assert article.lang == page.lang


def test_an_aa_page_is_cleaned_as_aa_without_a_profile() -> None:
    page = next(p for p in PAGES if p.layout == "aa")
    assert clean(page).extractor == "aa"
    assert clean(page, profile="generic").extractor != "aa"


@pytest.mark.parametrize(("text", "place", "rest"), [
    ("BRÜKSEL (AA) - NATO toplandı.", "Brüksel", "NATO toplandı."),
    ("BRUSSELS (Reuters) - NATO met.", "Brussels", "NATO met."),
    ("NEW YORK (AP) — Stocks fell.", "New York", "Stocks fell."),
    ("BRUSSELS, Jan 21 (Reuters) - The EU said.", "Brussels", "The EU said."),
    ("MOSCOW, February 3. /TASS/. Russia said.", "Moscow", "Russia said."),
    ("ANKARA - Bakan konuştu.", "Ankara", "Bakan konuştu."),
    ("İSTANBUL – Borsa yükseldi.", "İstanbul", "Borsa yükseldi."),
    ("ISTANBUL (AA) - Markets rose.", "Istanbul", "Markets rose."),
    ("Paris (AFP) - France said.", "Paris", "France said."),
    ("Lagos (AFP) - Nigeria said.", "Lagos", "Nigeria said."),
    ("ANKARA, (DHA) - Kaza oldu.", "Ankara", "Kaza oldu."),
    ("KADIKÖY/İSTANBUL (İHA) – Yangın çıktı.", "Kadıköy/İstanbul", "Yangın çıktı."),
    ("ELBİSTAN (Yerel Ajans) - Kar yağdı.", "Elbistan", "Kar yağdı."),
    ("UNITED NATIONS, Dec 6 (Reuters) - The council met.", "United Nations",
     "The council met."),
    ("DİYARBAKIR – Hasat başladı.", "Diyarbakır", "Hasat başladı."),
    ("BEIJING, June 3 (Xinhua) -- The council met.", "Beijing", "The council met."),
    ("SEOUL, June 3 (Yonhap) -- The council met.", "Seoul", "The council met."),
    ("Ankara, 3 Haziran (AA) - Bakan konuştu.", "Ankara", "Bakan konuştu."),
])
def test_dateline_forms(text: str, place: str, rest: str) -> None:
    # An unknown place in capitals is cased by the source's language (I -> ı in Turkish).
    dateline, body = split_lead(text, "en" if text.isascii() else "tr")
    assert dateline is not None and dateline.place == place
    assert body == rest


@pytest.mark.parametrize("first", [
    "Türkiye – AB ilişkileri yeni döneme girdi.",
    "NATO - ittifakın zirvesi yarın başlıyor.",
    "SON DAKİKA - Deprem oldu.",
    "UPDATE 2-Oil prices rise.",
    "Normal cümle (AA) - değil.",
    "Ahmet Yılmaz (CHP) - Meclis'te konuştu.",
    "Ankara - Bakan konuştu.",  # mixed case without an agency: not vouched for
    "Beşiktaş (BJK) - Maç ertelendi.",
    "ABD Başkanı (sağda) - görüşmede.",
    "The minister (left) - pictured.",
    "Giriş",
    "Bugün",
    "Ekonomi",
    "BOTAŞ - doğal gaz fiyatlarını açıkladı.",
])
def test_ordinary_first_lines_are_never_cut(first: str) -> None:
    dateline, paragraphs = find_dateline([first, "İkinci paragraf burada."], "tr")
    assert dateline is None
    assert paragraphs[0] == first


@pytest.mark.parametrize(("paragraph", "marked", "place", "rest"), [
    ("ISTANBUL Markets rose.", "ISTANBUL", "Istanbul", "Markets rose."),
    ("ANKARA, Bakan konuştu.", "ANKARA,", "Ankara", "Bakan konuştu."),
    ("NATO met in Brussels.", "NATO", None, "NATO met in Brussels."),
    ("ANKARALI işçiler toplandı.", "ANKARA", None, "ANKARALI işçiler toplandı."),
    ("Markets rose in Istanbul.", "ISTANBUL", None, "Markets rose in Istanbul."),
])
def test_a_marked_dateline_run_into_the_text(paragraph: str, marked: str, place: str | None,
                                             rest: str) -> None:
    dateline, text = split_marked(paragraph, marked, "en")
    assert (dateline.place if dateline else None) == place and text == rest


def test_trailing_and_lone_places() -> None:
    dateline, rest = find_dateline(["Metin burada.", "Son cümle. – BRÜKSEL"], "tr")
    assert dateline.place == "Brüksel" and rest == ["Metin burada.", "Son cümle."]
    dateline, rest = find_dateline(["BRUSSELS", "Text here."], "en")
    assert dateline.place == "Brussels" and rest == ["Text here."]


def test_a_lone_place_keeps_the_agency_credited_on_the_next_line() -> None:
    dateline, rest = find_dateline(["ANKARA", "(AA) - Bakan açıklama yaptı."], "tr")
    assert (dateline.place, dateline.agency, rest) == ("Ankara", "AA",
                                                       ["Bakan açıklama yaptı."])
    dateline, rest = find_dateline(["ANKARA", "Bakan açıklama yaptı."], "tr")
    assert (dateline.place, dateline.agency) == ("Ankara", None)


@pytest.mark.parametrize(("line", "published", "modified", "precision"), [
    ("03.06.2026 - Güncelleme : 04.06.2026", "2026-06-03", "2026-06-04", "day"),
    ("15 Ocak 2024 Pazartesi 14:05", "2024-01-15T14:05:00+03:00", None, "minute"),
    ("June 3, 2026 10:42 AM", "2026-06-03T10:42:00+03:00", None, "minute"),
    ("Updated 2:19 PM EDT, June 3, 2026", None, "2026-06-03T14:19:00-04:00", "minute"),
    ("Yayınlanma: 03.06.2026 14:05 | Güncelleme: 03.06.2026 16:10",
     "2026-06-03T14:05:00+03:00", "2026-06-03T16:10:00+03:00", "minute"),
    ("3 June 2026", "2026-06-03", None, "day"),
    ("Issued on: 03/06/2026 - 10:42", "2026-06-03T10:42:00+03:00", None, "minute"),
    ("Wed 3 Jun 2026 10.42 BST", "2026-06-03T10:42:00+01:00", None, "minute"),
    ("GÜNCELLEME 03.06.2026 11.05", None, "2026-06-03T11:05:00+03:00", "minute"),
    ("Haziran 03, 2026 10:42", "2026-06-03T10:42:00+03:00", None, "minute"),
])
def test_visible_date_forms(line: str, published: str | None, modified: str | None,
                            precision: str) -> None:
    found_published, found_modified = date_line(line, "Europe/Istanbul")

    def expected(text: str | None) -> datetime | None:
        if text is None:
            return None
        value = datetime.fromisoformat(text)
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    assert (found_published.value if found_published else None) == expected(published)
    assert (found_modified.value if found_modified else None) == expected(modified)
    assert (found_published or found_modified).precision == precision


@pytest.mark.parametrize("line", [
    "Bu haber, ajansın abonelerine sunulan haber akışından özetlenmiştir.",
    "Anadolu Ajansı web sitesinde yayımlanan haberler abonelik sistemiyle sunulur.",
    "Haberin telif hakları ajansa aittir, izin alınmadan kullanılamaz.",
    "© 2026 Örnek Gazete. Tüm hakları saklıdır.",
    "This story is a summary of the agency's newswire service for subscribers.",
    "Copyright 2026 The Agency. All rights reserved.",
    "This material may not be published, broadcast or redistributed.",
    "Paylaş: Facebook Twitter WhatsApp",
    "Share this article",
    "Reporting by Jane Roe; Editing by John Doe",
    "İlgili Haberler",
    "Related stories",
    # wire end marks, a reporter's address, sign-offs and labels on a line of their own
    "Enditem",
    "(END)",
    "jdoe@agency.example",
    "- Anadolu Agency",
    "(AA)",
    "SON DAKİKA",
    "Son Dakika Haberi",
    "GÜNCELLEME (10:42)",
    "BREAKING",
    # pointers, calls to act, embedded posts, credits in parentheses
    "Also read: Why harbour cities are growing again",
    "Haberin devamı için tıklayın",
    "Subscribe to our weekly newsletter",
    "Send us your feedback.",
    "A short post from the desk. — Desk Account (@desk_account) June 3, 2026",
    "(Fotoğraf: AA)",
    "ADVERTISEMENT",
    "Reklam",
    "Okuma süresi: 3 dk",
    "4 min read",
    "Bizi Google Haberler'den takip edin",
    "WhatsApp kanalımıza katılın, gündemi kaçırmayın",
    "Follow us on Google News",
])
def test_furniture_lines_in_any_wording(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize("line", [
    "Netflix'in abone sayısı üçüncü çeyrekte 10 milyon arttı.",
    "Stoltenberg, toplantıda konuştu.",
    "The agency said the website would be back online on Monday.",
    "Şirket, telif hakkı davasını kazandığını açıkladı ve yeni albümün yayın tarihini "
    "duyurdu; kararın sektör için emsal olacağı belirtildi.",
    "Son dakika gelişmesinde bakan istifa etti.",
    "Readers can write to letters@example.com with their questions.",
    "The company said two million people read its weekly newsletter.",
    "Google News will close in one more country, the company said.",
    "WhatsApp kullanıcı sayısı bu yıl yüzde 10 arttı.",
    "Reklam harcamaları ilk çeyrekte yüzde 12 arttı.",
])
def test_text_about_subscriptions_or_copyright_stays(line: str) -> None:
    assert not is_notice(line) and not is_boilerplate(line)


@pytest.mark.parametrize(("paragraph", "kept"), [
    ("Bakan konuştu. (AA)", "Bakan konuştu."),
    ("The talks will resume on Monday. - Reuters", "The talks will resume on Monday."),
    ("He met officials of the Asian Development Bank (ADB)",
     "He met officials of the Asian Development Bank (ADB)"),
    ("Toplantı yarın yapılacak. (CHP)", "Toplantı yarın yapılacak. (CHP)"),
])
def test_an_agency_sign_off_after_the_last_sentence_goes(paragraph: str, kept: str) -> None:
    assert strip_sign_off(paragraph) == kept


def _articles(day: date, n: int, furniture: str) -> list[tuple[str, list[Section]]]:
    return [(f"{day}-{i}", [Section(None, [f"Haber {day} {i} metni burada yer alıyor.",
                                           furniture])]) for i in range(n)]


def test_template_learning_is_the_same_whatever_the_order() -> None:
    furniture = "Haberlerimizi takip etmek için uygulamamızı indirin."
    days = window(date(2026, 6, 7))
    stats = [day_stats(d, _articles(d, 3, furniture)) for d in days]
    state = learn_templates(stats)
    assert state.is_furniture(furniture) and state.articles == 21
    assert learn_templates(reversed(stats)) == state
    shuffled = [day_stats(d, list(reversed(_articles(d, 3, furniture)))) for d in days]
    assert learn_templates(shuffled[3:] + shuffled[:3]) == state
    # A paragraph in a few articles of the window is text, not furniture.
    assert not state.is_furniture("Haber 2026-06-07 0 metni burada yer alıyor.")


def test_learned_furniture_leaves_the_body() -> None:
    page = next(p for p in PAGES if p.layout == "dha")
    recurring = "Uygulamamızı indirin, son dakika haberlerini kaçırmayın."
    html = page.html.replace("<p>Bu içeriğin telif", f"<p>{recurring}</p>\n<p>Bu içeriğin telif")
    article = clean_html(html.encode(), "http://127.0.0.1:1" + page.path, source_lang="tr",
                         timezone=page.timezone)
    assert article.body.endswith(recurring)  # worded like text: no rule knows it
    state = learn_templates([day_stats(date(2026, 6, 3), [
        (str(i), [Section(None, [f"Metin {i} burada yer alıyor.", recurring])])
        for i in range(6)])])
    cleaned = with_templates(article, state)
    assert [p for s in cleaned.sections for p in s.paragraphs] == page.paragraphs
    assert cleaned.dateline == page.dateline and cleaned.content_hash != article.content_hash


def test_a_standfirst_above_the_dateline_is_the_summary() -> None:
    page = next(p for p in PAGES if p.layout == "dha")
    # the page marks no standfirst (an h2 under the headline would be one: it goes)
    html = re.sub(r'<h2 class="news-spot">.*?</h2>', "", page.html).replace(
        '<div class="news-content">', '<div class="news-content">\n<p>Kısa bir giriş cümlesi '
        'burada yer alıyor.</p>')
    article = clean_html(html.encode(), "http://127.0.0.1:1" + page.path, source_lang="tr",
                         timezone=page.timezone)
    assert article.dateline == page.dateline
    assert article.summary == "Kısa bir giriş cümlesi burada yer alıyor."
    assert [p for s in article.sections for p in s.paragraphs] == page.paragraphs


# -- through the pipeline, from a real HTTP server ----------------------------------------
def _site() -> dict[str, tuple[bytes, str]]:
    site: dict[str, tuple[bytes, str]] = {}
    for layout in LAYOUTS:
        pages = [p for p in PAGES if p.layout == layout]
        for page in pages:
            site[page.path] = (page.html.encode("utf-8"), "text/html; charset=utf-8")
        site[f"/{layout}/rss.xml"] = (_feed(layout, pages), "application/rss+xml")
    return site


def _feed(layout: str, pages: list[LayoutPage]) -> bytes:
    items = "".join(
        f"<item><title>{p.slug}</title><link>{{base}}{p.path}</link>"
        f"<pubDate>{format_datetime(p.published.astimezone(UTC))}</pubDate></item>"
        for p in pages)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{layout}</title><link>{{base}}/</link>{items}</channel></rss>").encode()


@pytest.fixture(scope="module")
def layout_server() -> Iterator[str]:
    site = _site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = site.get(self.path.split("?")[0])
            if found is None:
                self.send_error(404)
                return
            body, ctype = found
            body = body.replace(b"{base}", base.encode())
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()


def _settings(tmp: Path, base: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Sources as a new user writes them: id, language, time zone, feed; no profile."""
    tmp.mkdir(parents=True, exist_ok=True)
    lines = ["sources:"]
    for layout in LAYOUTS:
        page = next(p for p in PAGES if p.layout == layout)
        lines += [f"  - id: {layout}", f"    lang: {page.lang}",
                  f"    timezone: {page.timezone}",
                  f'    feeds: ["{base}/{layout}/rss.xml"]',
                  "    politeness: {min_delay_s: 0.0, timeout_s: 10}"]
    (tmp / "sources.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setenv("NEWSWIRE_SOURCES", str(tmp / "sources.yaml"))
    monkeypatch.setenv("NEWSWIRE_LAKE", str(tmp / "lake"))
    monkeypatch.setenv("NEWSWIRE_CATALOG", str(tmp / "newswire.duckdb"))
    monkeypatch.delenv("NEWSWIRE_STAGING", raising=False)
    return Settings.from_env()


def _articles_in(settings: Settings) -> dict[str, tuple]:
    _, rows = query(settings.catalog, "select source, url, dateline, body, byline, "
                    "published_at, published_precision, content_hash, warnings from articles")
    return {row[1]: row for row in rows}


FIRST, LAST = date(2026, 6, 3), date(2026, 6, 5)


def _run(settings: Settings, days: list[date], run_id: str) -> None:
    for day in days:
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        run_interval(settings, start, start + timedelta(days=1), f"{run_id}-{day}", nlp=False)


def test_layouts_through_the_pipeline_from_a_local_server(
        tmp_path: Path, layout_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(tmp_path / "daily", layout_server, monkeypatch)
    days = [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]
    _run(settings, days, "daily")
    found = _articles_in(settings)
    assert len(found) == len(PAGES)
    for page in PAGES:
        source, _url, dateline, body, byline, published, precision, _hash, warnings = \
            found[layout_server + page.path]
        assert source == page.layout
        assert body == "\n\n".join(page.paragraphs), page.path
        assert dateline == page.dateline and byline == page.byline
        assert not [leak for leak in page.leaks if leak in body]
        if page.precision == "day":  # the page's day, the feed's time on that day
            assert published == page.published.astimezone(UTC) and precision == "second"
        else:
            assert published == expected_published(page) and precision in ("minute", "second")
        assert not [w for w in warnings if "differs from the feed" in w]
    _, rows = query(settings.catalog, "select count(*) from template_stats")
    assert rows[0][0] > 0

    # The same raw pages cleaned in another order (a backfill, newest day first, in a
    # new lake fed from the same server) give the same articles.
    other = _settings(tmp_path / "backfill", layout_server, monkeypatch)
    _run(other, list(reversed(days)), "backfill")
    again = _articles_in(other)
    assert {u: r[7] for u, r in again.items()} == {u: r[7] for u, r in found.items()}
