"""The sample sources' archive: short generated reports for the 30 days before the
bundled articles, reachable through the sitemaps only (a live feed holds recent items),
so a backfill over days whose pages were never fetched works offline."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from newswire.sample_site.articles import SampleArticle

ARCHIVE_DAYS = 30
_ASCII = str.maketrans("çğıöşüÇĞİÖŞÜ", "cgiosuCGIOSU")
FIRST_BUNDLED_DAY = date(2017, 12, 4)

_TR_PEOPLE = [("Ticaret Bakanı", "Bülent Tüfenkci"), ("Ekonomi Bakanı", "Nihat Zeybekci"),
              ("Dışişleri Bakanlığı Sözcüsü", "Hüseyin Müftüoğlu"),
              ("Enerji ve Tabii Kaynaklar Bakanı", "Berat Albayrak"),
              ("Sağlık Bakanı", "Ahmet Demircan"), ("Ankara Valisi", "Ercan Topaca")]
_TR_CITIES = ["ANKARA", "İSTANBUL", "İZMİR", "BURSA", "ANTALYA", "KONYA"]
_TR_TOPICS = [("ihracat", "ihracatın geçen aya göre arttığını"),
              ("yatırım", "yeni yatırımların bölgeye istihdam getireceğini"),
              ("enerji", "enerji arz güvenliğinin güçlendirildiğini"),
              ("sağlık", "hastanelerdeki kapasitenin artırıldığını"),
              ("ulaşım", "yeni hattın yıl sonunda açılacağını")]
_EN_PEOPLE = [("European Commission spokesman", "Margaritis Schinas"),
              ("German Chancellor", "Angela Merkel"), ("French President", "Emmanuel Macron"),
              ("IMF Managing Director", "Christine Lagarde"),
              ("Bank of England Governor", "Mark Carney")]
_EN_CITIES = ["BRUSSELS", "BERLIN", "PARIS", "LONDON", "WASHINGTON"]
_EN_TOPICS = [("trade", "trade talks were making steady progress"),
              ("budget", "the budget plan would be presented next month"),
              ("growth", "growth had picked up in the third quarter"),
              ("energy", "energy prices had stabilised after a volatile summer")]


def _tr_article(day: date, n: int, rng: random.Random) -> SampleArticle:
    role, name = rng.choice(_TR_PEOPLE)
    topic, claim = rng.choice(_TR_TOPICS)
    city = rng.choice(_TR_CITIES)
    surname = name.split()[-1]
    amount = rng.randint(2, 90) * 10
    published = datetime(day.year, day.month, day.day, 9 + 3 * n, 15, tzinfo=UTC)
    return SampleArticle(
        source="sample_aa", number=2_000_000 + day.toordinal() * 10 + n,
        slug=f"arsiv-{topic.translate(_ASCII)}-{day.isoformat()}-{n}", lang="tr",
        published_at=published,
        modified_at=None, category="ekonomi", title=f"{surname}: {topic.capitalize()} "
        f"alanında yeni dönem başlıyor", lead=f"{role} {name}, {topic} alanındaki "
        "gelişmeleri değerlendirdi.", byline="AA Muhabiri", dateline=city,
        sections=[{"heading": None, "paragraphs": [
            f"{role} {name}, {city.capitalize()}'da düzenlenen toplantıda {claim} söyledi.",
            f"{surname}, bu yıl {topic} alanında {amount} milyon liralık kaynak "
            "ayrıldığını ve çalışmaların planlandığı şekilde sürdüğünü belirtti.",
            f"\"Hedeflerimize adım adım ulaşıyoruz. Vatandaşlarımız sonuçlarını yakında "
            f"görecek.\" diyen {surname}, yeni adımların önümüzdeki ay açıklanacağını "
            "kaydetti."]}],
        tags=["arşiv", topic], gold={})


def _en_article(day: date, n: int, rng: random.Random) -> SampleArticle:
    role, name = rng.choice(_EN_PEOPLE)
    topic, claim = rng.choice(_EN_TOPICS)
    city = rng.choice(_EN_CITIES)
    surname = name.split()[-1]
    published = datetime(day.year, day.month, day.day, 10 + 4 * n, 40, tzinfo=UTC)
    return SampleArticle(
        source="sample_wire", number=3_000_000 + day.toordinal() * 10 + n,
        slug=f"archive-{topic}-{day.isoformat()}-{n}", lang="en", published_at=published,
        modified_at=None, category="world",
        title=f"{surname} says {topic} outlook is improving",
        lead=f"{role} {name} said {claim}.", byline="Sample Wire staff", dateline=city,
        sections=[{"heading": None, "paragraphs": [
            f"{role} {name} said on {published:%A} that {claim}, in remarks to reporters "
            f"in {city.title()}.",
            f"\"We are not there yet, but the direction is clear,\" {surname} said.",
            f"Officials expect further details on {topic} policy before the end of the "
            "year, according to a statement."]}],
        tags=["archive", topic], gold={})


def archive_articles(source: str, last_day: date = FIRST_BUNDLED_DAY - timedelta(days=1),
                     days: int = ARCHIVE_DAYS) -> list[SampleArticle]:
    """Deterministic: the same days always give the same articles."""
    out = []
    for offset in range(days):
        day = last_day - timedelta(days=offset)
        rng = random.Random(f"{source}-{day.isoformat()}")
        make = _tr_article if source == "sample_aa" else _en_article
        out += [make(day, n, rng) for n in range(1 + day.toordinal() % 2)]
    return sorted(out, key=lambda a: a.published_at)
