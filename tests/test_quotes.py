"""Who said what, one construction per test, on sentences written for these tests (no
third-party text): the quote and name layers without a model, as annotate runs them
after stanza."""

from __future__ import annotations

from pathlib import Path

import pytest
from newswire.nlp.entities import promote_speakers, resolve_names
from newswire.nlp.lexicon import LexiconError, lexicon, read_lexicon
from newswire.nlp.marks import find_quotations
from newswire.nlp.quotes import Quote, extract_quotes


def quotes(text: str, lang: str) -> list[Quote]:
    names = resolve_names(text, [], lang)
    found = extract_quotes(text, names.mentions, lang, people=names.people)
    for q in found:
        assert text[q.start:q.end] == q.quote
    return found


def said(text: str, lang: str) -> dict[str, str | None]:
    """Direct quotation (its first three words) -> speaker."""
    return {" ".join(q.quote.split()[:3]): q.speaker for q in quotes(text, lang)
            if q.kind == "direct"}


# -- marks -------------------------------------------------------------------------------
def test_every_kind_of_mark_and_no_apostrophes() -> None:
    text = ("Vali, \"Düz tırnak içinde söz.\" dedi. Başkan, “Kıvrık tırnak içinde söz.” dedi. "
            "Müdür, ''İki kesme işaretiyle söz.'' dedi. Şef, ‘Tek tırnak içinde söz.’ dedi. "
            "Ankara'daki toplantıda Ayşe'nin sözü uzadı.\n\n"
            "” Ters açılış işaretiyle başlık”")
    found = [text[q.start:q.end] for q in find_quotations(text)]
    assert found == ["Düz tırnak içinde söz.", "Kıvrık tırnak içinde söz.",
                     "İki kesme işaretiyle söz.", "Tek tırnak içinde söz.",
                     "Ters açılış işaretiyle başlık"]


def test_a_quotation_over_paragraphs_both_conventions() -> None:
    turkish = ("Başkan şunları kaydetti:\n\n"
               "\"Birinci paragraf burada başlıyor.\n\n"
               "İkinci paragrafta işaret yok.\n\n"
               "Üçüncü paragraf burada bitiyor.\"\n\n"
               "Toplantı akşam sona erdi.")
    parts = [turkish[q.start:q.end] for q in find_quotations(turkish)]
    assert parts == ["Birinci paragraf burada başlıyor.", "İkinci paragrafta işaret yok.",
                     "Üçüncü paragraf burada bitiyor."]
    english = ("\"The first part opens here,\" she said.\n\n"
               "\"The second paragraph reopens the mark and never closes it.\n\n"
               "\"The third does the same.\n\n"
               "The council met again in the evening.")
    parts = [english[q.start:q.end] for q in find_quotations(english)]
    assert parts[1:] == ["The second paragraph reopens the mark and never closes it.",
                         "The third does the same."]  # the last paragraph is narration


# -- Turkish -------------------------------------------------------------------------------
def test_tr_title_and_name_then_dedi() -> None:
    text = ("Sağlık Bakanı Kerem Aydınlı, \"Aşı takvimi değişmeyecek.\" dedi.\n\n"
            "Aydınlı, \"Stoklar yeterli.\" ifadelerini kullandı.")
    assert said(text, "tr") == {"Aşı takvimi değişmeyecek.": "Kerem Aydınlı",
                                "Stoklar yeterli.": "Kerem Aydınlı"}
    q = quotes(text, "tr")[0]
    assert (q.speaker_role, q.cue, q.cue_text) == ("Sağlık Bakanı", "de", "dedi")


def test_tr_participle_names_the_speaker_after_it() -> None:
    text = ("Ekonomi Bakanı Selda Korkmaz da toplantıya katıldı.\n\n"
            "\"Büyüme hedefi korunacak\" diyen Sanayi Bakanı Orhan Tekeli, yatırımların "
            "artacağını söyledi.")
    assert said(text, "tr") == {"Büyüme hedefi korunacak": "Orhan Tekeli"}


def test_tr_named_villager_and_diye_with_any_speech_verb() -> None:
    """ "X isimli çiftçi ise "…" ifadelerini kullandı": X is a person and the speaker,
    not the farmer quoted before; "…" diye bağırdı is a cue like diye sordu."""
    text = ("Köyde hasat yapan Harun Yeşiltepe isimli çiftçi, \"Bu yıl ürün çok iyi\" dedi.\n\n"
            "Tarlada çalışan Nuri Kavaklı isimli vatandaş ise \"Emeğe saygı duyulmalı\" "
            "ifadelerini kullandı.\n\n"
            "Karar üzerine Dernek Başkanı Oya Ertan, \"Sesimizi duyuracağız\" diye bağırdı.")
    model = [("ORGANIZATION", text.index(n), text.index(n) + len(n))
             for n in ("Harun Yeşiltepe", "Nuri Kavaklı", "Dernek Başkanı Oya Ertan")]
    names = resolve_names(text, model, "tr")  # the weak model's labels, as on real text
    found = extract_quotes(text, names.mentions, "tr", people=names.people)
    assert {q.quote: q.speaker for q in found if q.kind == "direct"} == {
        "Bu yıl ürün çok iyi": "Harun Yeşiltepe", "Emeğe saygı duyulmalı": "Nuri Kavaklı",
        "Sesimizi duyuracağız": "Oya Ertan"}
    assert {q.cue_text for q in found if q.kind == "direct"} >= {"diye bağırdı"}


def test_tr_dropped_subject_is_the_last_speaker() -> None:
    text = ("Vali Nesrin Acar, kentteki çalışmaları anlattı.\n\n"
            "Acar, \"Yollar yarın açılacak.\" dedi.\n\n"
            "\"Vatandaşlarımız dikkatli olsun.\" diye konuştu.")
    assert said(text, "tr")["Vatandaşlarımız dikkatli olsun."] == "Nesrin Acar"


def test_tr_colon_hands_the_next_paragraph_to_the_speaker() -> None:
    text = ("Belediye Başkanı Tuna Sezer, yeni parkı tanıttı.\n\n"
            "Sezer, törende şöyle konuştu:\n\n"
            "\"Bu park çocuklarımız için yapıldı. Herkesi bekliyoruz.\n\n"
            "Gelecek yıl iki park daha açacağız.\"")
    assert said(text, "tr") == {"Bu park çocuklarımız": "Tuna Sezer",
                                "Gelecek yıl iki": "Tuna Sezer"}


def test_tr_quote_subheading_takes_its_section_speaker() -> None:
    text = ("Meclis Başkanı Levent Durmaz, bütçeyi değerlendirdi.\n\n"
            "\"TASARRUF ŞART\"\n\n"
            "Muhalefet lideri Seda Karahan'ın \"Bütçe yetersiz\" sözlerini hatırlatan Durmaz, "
            "\"Bu dönemde tasarruf şart, israfa yer yok.\" dedi.")
    got = said(text, "tr")
    assert got["TASARRUF ŞART"] == "Levent Durmaz"  # the quotation it condenses
    assert got["Bütçe yetersiz"] == "Seda Karahan"  # quoting a third person


def test_tr_organisation_speaks_through_a_written_statement() -> None:
    text = ("ANKARA (AA) - Tarım Bakanlığı, hasat verileriyle ilgili açıklama yaptı.\n\n"
            "Açıklamada, \"Buğday rekoltesi beklentinin üzerinde gerçekleşti.\" denildi.\n\n"
            "Bakanlıktan yapılan yazılı açıklamada, \"Fiyatlar izleniyor.\" ifadesine yer "
            "verildi.")
    assert said(text, "tr") == {"Buğday rekoltesi beklentinin": "Tarım Bakanlığı",
                                "Fiyatlar izleniyor.": "Tarım Bakanlığı"}


def test_tr_sentence_laid_out_over_paragraphs() -> None:
    text = ("Sözcü Emre Dalkılıç,\n\n"
            "\"Görüşmeler olumlu geçti ve yeniden bir araya gelinecek.\"\n\n"
            "ifadelerini kullandı.")
    assert said(text, "tr") == {"Görüşmeler olumlu geçti": "Emre Dalkılıç"}


def test_tr_names_with_particles_and_hyphens() -> None:
    text = ("BM Temsilcisi Anna-Maria de Rossi, Cenevre'de konuştu.\n\n"
            "De Rossi, \"Taraflar masaya dönmeli.\" dedi.")
    assert said(text, "tr") == {"Taraflar masaya dönmeli.": "Anna-Maria de Rossi"}


def test_tr_title_alone_is_its_holder() -> None:
    text = ("Kurul Sözcüsü Melike Arslan, kararları açıkladı.\n\n"
            "Sözcü, \"Karar oy birliğiyle alındı.\" dedi.")
    assert said(text, "tr") == {"Karar oy birliğiyle": "Melike Arslan"}


def test_tr_names_and_terms_in_marks_are_not_speech() -> None:
    text = ("Bakan Halil Çınar, \"Kuzey Yıldızı\" adlı programa katıldı ve 'ATLAS' gemisini "
            "ziyaret etti. Ekip, \"dayanışma\" görüntüsü vermek için oradaydı.")
    assert said(text, "tr") == {}


# -- English -------------------------------------------------------------------------------
def test_tr_words_of_a_third_person_in_any_construction() -> None:
    """The genitive before a quotation said it: with a link word before the said-noun,
    in any case, and before a nominalised "demek" with a pronoun between."""
    assert said("Sevgi Ural'ın \"Köprü yıl sonunda açılacak\" şeklindeki sözlerine tepki "
                "gösteren Kerem Aslan konuştu.", "tr") == {
        "Köprü yıl sonunda": "Sevgi Ural"}
    assert said("Kerem Aslan, Sevgi Ural'ın kendisine \"Köprü yıl sonunda açılacak\" "
                "dediğini söyledi.", "tr") == {"Köprü yıl sonunda": "Sevgi Ural"}


def test_tr_genitive_comma_and_a_recalling_participle_give_the_words_to_the_genitive(
        ) -> None:
    """ 'X'in, "…" <said-noun> anımsatan Y': the words are X's whatever noun names them
    (a maxim, a principle), with no noun at all, for two quotations sharing one noun, and
    with doubled apostrophes; Y's own words stay Y's."""
    lead = "Kurucu lider Sevgi Ural törene katıldı.\n\n"
    for said_noun in ("ilkesini", "düsturunu", "vecizesini", "sözünü", "öğüdünü", ""):
        text = (f"Sevgi Ural'ın, \"Önce insan, sonra yol gelir\" {said_noun} anımsatan "
                f"Kerem Aslan, \"Bu ilkeye bağlı kalacağız.\" dedi.").replace("  ", " ")
        assert said(text, "tr") == {"Önce insan, sonra": "Sevgi Ural",
                                    "Bu ilkeye bağlı": "Kerem Aslan"}, said_noun
    text = (lead + "Ural'ın, \"Önce insan\" ve \"Sonra yol\" sözlerini hatırlatan Kerem "
            "Aslan, yatırımları anlattı.")
    assert said(text, "tr") == {"Önce insan": "Sevgi Ural", "Sonra yol": "Sevgi Ural"}
    text = ("Sevgi Ural'ın, ''Önce insan, sonra yol gelir'' sözlerini aktaran Kerem Aslan, "
            "yatırımları anlattı.")
    assert said(text, "tr") == {"Önce insan, sonra": "Sevgi Ural"}
    text = ("Kerem Aslan, Sevgi Ural'ın \"Önce insan, sonra yol gelir\" diyerek yaptığı "
            "çağrıyı anımsattı.")
    assert said(text, "tr") == {"Önce insan, sonra": "Sevgi Ural"}


def test_tr_honorifics_after_a_name_are_no_part_of_it() -> None:
    """ "Mustafa Kemal Paşa'nın", "Naci Bey", "Şükran Hanım'ın", "Arif Beyin" (no
    apostrophe): the honorific said after a name is dropped from the speaker and the
    entity (a rank stays as the role), a shorter form still resolves to the full name
    given earlier, and a name that only looks like one ("Hacı Bektaş-ı Veli", "Mehmet
    Ağar") keeps its words."""
    text = ("Vali Kerem Aslan, Mustafa Kemal Paşa'nın \"Yurtta barış, dünyada barış\" "
            "sözlerini hatırlattı.")
    found = [q for q in quotes(text, "tr") if q.kind == "direct"]
    assert [(q.speaker, q.speaker_role) for q in found] == [("Mustafa Kemal", "Paşa")]
    names = resolve_names(text, [], "tr")
    assert {m.canonical for m in names.mentions if m.label == "PER"} == {
        "Kerem Aslan", "Mustafa Kemal"}
    text = ("Kaymakam Arif Tuncel'in \"Okul yazın açılacak\" sözlerini anımsatan Sevgi "
            "Ural konuştu.\n\nArif Beyin \"Yol da bitecek\" sözlerini hatırlatan Ural, "
            "teşekkür etti.\n\nŞükran Hanım'ın \"Kızlar okusun\" sözlerini anımsatan "
            "Ural, \"Bu okul hepimizin.\" dedi.")
    assert said(text, "tr") == {"Okul yazın açılacak": "Arif Tuncel",
                                "Yol da bitecek": "Arif Tuncel",
                                "Kızlar okusun": "Şükran",
                                "Bu okul hepimizin.": "Sevgi Ural"}
    text = ("Naci Bey, \"Köprü yıl sonunda açılacak\" dedi.\n\nHacı Bektaş-ı Veli'nin "
            "\"Eline, diline, beline sahip ol\" sözünü anımsatan Mehmet Ağar konuştu.")
    assert said(text, "tr") == {"Köprü yıl sonunda": "Naci",
                                "Eline, diline, beline": "Hacı Bektaş-ı Veli"}
    assert "Mehmet Ağar" in {m.canonical for m in resolve_names(text, [], "tr").mentions}
    text = ("Sultan Abdülhamid Han'ın \"Bu toprak bizim\" sözlerini hatırlatan Kerem Aslan, "
            "Şair Nazım Hikmet'in \"Yaşamak bir ağaç gibi\" dizesini de okudu.")
    assert said(text, "tr") == {"Bu toprak bizim": "Sultan Abdülhamid",
                                "Yaşamak bir ağaç": "Nazım Hikmet"}


def test_tr_an_apostrophe_before_a_capital_is_part_of_the_name() -> None:
    """ "Bridget O'Keane", "O'Keane'ın": an apostrophe followed by a capitalised word is
    inside the name (Turkish case endings are lower case); the ending after it is not."""
    text = ("İrlanda Dışişleri Bakanı Bridget O'Keane, \"Barış için çalışacağız\" dedi.\n\n"
            "O'Keane'ın \"Sabırlı olun\" sözlerini hatırlatan Kerem Aslan konuştu.")
    assert said(text, "tr") == {"Barış için çalışacağız": "Bridget O'Keane",
                                "Sabırlı olun": "Bridget O'Keane"}


def test_tr_a_titled_name_does_not_swallow_the_next_persons_genitive() -> None:
    """ "Vali Kerem Aslan Atatürk'ün "…" sözlerini hatırlattı": a titled name with its
    surname and a genitive the model reads as an entity of its own are two people (the
    words are the genitive's; "Bakan Ali Kaya Türkiye'nin" is a person and a place); a
    name whose given names the model cut off ("Recep Tayyip" / "Erdoğan'ın") is one."""
    def speakers(text: str, model_words: list[str]) -> list[str | None]:
        model = [("PERSON", text.index(w), text.index(w) + len(w)) for w in model_words]
        names = resolve_names(text, model, "tr")
        return [q.speaker for q in extract_quotes(text, names.mentions, "tr",
                                                  people=names.people) if q.kind == "direct"]
    text = "Vali Kerem Aslan Atatürk'ün \"Yurtta barış, dünyada barış\" sözlerini hatırlattı."
    assert speakers(text, ["Kerem Aslan", "Atatürk'ün"]) == ["Atatürk"]
    text = ("Cumhurbaşkanı Recep Tayyip Erdoğan'ın \"Dünya beşten büyüktür\" sözlerini "
            "hatırlattı.")
    assert speakers(text, ["Recep Tayyip", "Erdoğan'ın"]) == ["Recep Tayyip Erdoğan"]
    text = "Bakan Ali Kaya Türkiye'nin \"Sıfır atık\" hedefini hatırlattı."
    assert {m.canonical for m in resolve_names(text, [], "tr").mentions} == {"Ali Kaya",
                                                                            "Türkiye"}


def test_tr_a_genitive_the_model_took_for_a_place_still_owns_the_words() -> None:
    """The weak model tags "Ural'ın" before a quotation as a place: a name not in the
    gazetteer is still the person whose words they are; a known place is not."""
    text = ("Ural'ın, \"Önce insan, sonra yol gelir\" düsturunu anımsatan Kerem Aslan, "
            "yatırımları anlattı.")
    model = [("LOCATION", 0, len("Ural'ın")), ("PERSON", text.index("Kerem"),
                                                text.index("Kerem") + len("Kerem Aslan"))]
    names = resolve_names(text, model, "tr")
    found = extract_quotes(text, names.mentions, "tr", people=names.people)
    assert [(q.quote, q.speaker) for q in found if q.kind == "direct"] == [
        ("Önce insan, sonra yol gelir", "Ural")]
    text = text.replace("Ural'ın", "Ankara'nın")
    model[0] = ("LOCATION", 0, len("Ankara'nın"))
    model[1] = ("PERSON", text.index("Kerem"), text.index("Kerem") + len("Kerem Aslan"))
    names = resolve_names(text, model, "tr")
    found = extract_quotes(text, names.mentions, "tr", people=names.people)
    assert [q.speaker for q in found if q.kind == "direct"] == ["Kerem Aslan"]


def test_tr_a_genitive_owning_another_noun_does_not_own_the_quotation() -> None:
    """ 'X, Y'nin tutumunu "…" ifadesiyle eleştirdi': Y owns "tutumunu", the words are
    X's; a passive with no author named is the person the sentence before was about, not
    the last name mentioned."""
    text = "Bakan Sevgi Ural, Tomas Berg'in tutumunu \"kabul edilemez\" ifadesiyle eleştirdi."
    assert said(text, "tr") == {"kabul edilemez": "Sevgi Ural"}
    text = ("Bakan Sevgi Ural, Tomas Berg ile görüştü. Görüşmede iki ülkenin \"stratejik "
            "ortak\" olduğu vurgulandı.")
    assert said(text, "tr") == {"stratejik ortak": "Sevgi Ural"}


def test_tr_a_partial_quotation_recalled_in_reported_speech_stays_the_speakers() -> None:
    """ 'Y, X'in "…yaptığını" hatırlattı': Y describes what X did, in Y's words."""
    text = ("Kerem Aslan, Sevgi Ural'ın \"kentin bütün yollarını yenilediğini\" "
            "hatırlattı.")
    assert said(text, "tr") == {"kentin bütün yollarını": "Kerem Aslan"}


def test_tr_words_said_with_no_subject_go_to_the_person_named_around_them() -> None:
    """Nobody is the subject anywhere before: a sentence whose only quotation marks hold
    a name still says who the article is about; else the person last named in any case
    ("X'in katılımıyla", "X'e göre"), for a cue, a colon and the block after it."""
    text = ("Vali Sevgi Ural, \"Güvenli Okul\" projesini tanıttı.\n\n"
            "\"Okullarımızda tüm önlemleri aldık\" ifadesini kullandı.")
    assert said(text, "tr") == {"Okullarımızda tüm önlemleri": "Sevgi Ural"}
    text = ("Projenin tanıtımı Vali Sevgi Ural'ın katılımıyla yapıldı. \"Okullarımızda "
            "tüm önlemleri aldık\" ifadesini kullandı.")
    assert said(text, "tr") == {"Okullarımızda tüm önlemleri": "Sevgi Ural"}
    text = ("Vali Sevgi Ural'a göre kentte yeni dönem başlıyor. Yaptığı açıklamada şunları "
            "söyledi:\n\n\"Okullarımızda tüm önlemleri aldık.\n\nYeni dönemde daha çok "
            "çalışacağız.\"")
    assert said(text, "tr") == {"Okullarımızda tüm önlemleri": "Sevgi Ural",
                                "Yeni dönemde daha": "Sevgi Ural"}


def test_tr_dropped_subject_is_not_a_name_that_only_modifies_or_joins() -> None:
    """ "X yönetiminin", "X ile Y arasındaki", "X döneminde": a name before a noun that
    owns it is no subject; "Törene X de katıldı" adds X to the scene; "Toplantıda," is
    an adverbial, not a bare name. The verb with no subject is still the minister's."""
    lead = "Dışişleri Bakanı Kerem Aslan, Cenevre'de temaslarda bulundu.\n\n"
    for middle in ("Sevgi Ural yönetiminin kararlarına değinerek",
                   "Sevgi Ural ile Tomas Berg arasındaki görüşmeye değinerek,",
                   "Sevgi Ural döneminde başlatılan projeleri anarak",
                   "Toplantıda,"):
        text = lead + middle + " \"Bu tutum kabul edilemez\" ifadesini kullandı."
        assert said(text, "tr") == {"Bu tutum kabul": "Kerem Aslan"}, middle
    text = (lead + "Görüşmeye Büyükelçi Sevgi Ural da katıldı.\n\n"
            "\"Bu tutum kabul edilemez\" ifadesini kullandı.")
    assert said(text, "tr") == {"Bu tutum kabul": "Kerem Aslan"}
    for words in ("konusunda", "nedeniyle", "aracılığıyla"):  # after the subject too
        text = f"Vali Sevgi Ural, Tomas Berg {words} \"Süreç uzadı\" dedi."
        assert said(text, "tr") == {"Süreç uzadı": "Sevgi Ural"}, words
    # A name with a bare possessive reads as an object: the subject is still the name.
    text = lead + "Sevgi Ural hükümeti eleştirerek \"Bu tutum kabul edilemez\" dedi."
    assert said(text, "tr") == {"Bu tutum kabul": "Sevgi Ural"}


def test_tr_a_dropped_subject_of_ifadesini_kullandi_is_the_last_subject() -> None:
    """ '"…" ifadesini kullandı.' with no subject: the subject of the sentence before,
    whoever spoke earlier: named after a clause with no comma, joining the scene to make
    a speech ("X de bir konuşma yaptı"), or an organisation; one who only joins the
    scene ("Törene X de katıldı") leaves the speaker as it was."""
    lead = "Bakan Sevgi Ural, \"Yatırımlar sürecek\" dedi.\n\n"
    tail = "\n\n\"Kimse mağdur olmayacak\" ifadesini kullandı."
    for middle, speaker in (
            ("Programın ardından okulları gezen Vali Kerem Aslan öğrencilerle sohbet etti.",
             "Kerem Aslan"),
            ("Törende Vali Kerem Aslan da bir konuşma yaptı.", "Kerem Aslan"),
            ("Törene Vali Kerem Aslan da katıldı.", "Sevgi Ural"),
            ("Vali Kerem Aslan da bir konuşma yaptı. Bakan Ural başta olmak üzere "
             "herkese teşekkür etti.", "Kerem Aslan"),
            ("Orman Genel Müdürlüğü, yangınla ilgili yazılı açıklama yaptı. Müdürlük, "
             "ekiplerin bölgede olduğunu belirtti.", "Orman Genel Müdürlüğü")):
        assert said(lead + middle + tail, "tr") == {
            "Yatırımlar sürecek": "Sevgi Ural", "Kimse mağdur olmayacak": speaker}, middle


def test_tr_words_with_no_cue_go_to_the_person_their_paragraph_names() -> None:
    """A quotation with no cue after "X'e göre", "X'in değerlendirmesine göre", "X'in
    ifadesiyle" is X's; after a sentence of its paragraph whose subject is a person it is
    that person's, not the last speaker's; "X'in yorumu ise şöyle:" gives it to X; a
    source ("AA'nın haberine göre") and "Buna göre" give nothing."""
    lead = ("Bakan Sevgi Ural, \"Yatırımlar sürecek\" dedi.\n\n"
            "Toplantıya Vali Kerem Aslan da katıldı.\n\n")
    words = "\"Faizlerin düşmesi için enflasyonun kalıcı olarak gerilemesi gerekiyor.\""
    for before in ("Ekonomist Tomas Berg'e göre, ", "Ekonomist Tomas Berg'in "
                   "değerlendirmesine göre ", "Ekonomist Tomas Berg'in ifadesiyle ",
                   "Ekonomist Tomas Berg, faizler konusunda karamsar. ",
                   "Ekonomist Tomas Berg'in yorumu ise şöyle: "):
        assert said(lead + before + words, "tr") == {
            "Yatırımlar sürecek": "Sevgi Ural",
            "Faizlerin düşmesi için": "Tomas Berg"}, before
    for before in ("Buna göre, ", "Kerem Aslan'ın haberine göre, "):
        assert said(lead + before + words, "tr")["Faizlerin düşmesi için"] == "Sevgi Ural"


def test_tr_a_short_quotation_named_by_a_said_noun_is_speech() -> None:
    """ '"…" mesajı' in a subheading: two words are speech when a said-noun names them,
    and the subheading takes the speaker of its section; a short phrase in marks with
    no said-noun stays a term."""
    text = ("Teknik direktör Kerem Aslan maçın ardından konuştu.\n\n"
            "Soyunma odasında \"Büyük kupa\" mesajı\n\n"
            "Aslan, \"Oyunculara büyük kupa için geldik dedim\" şeklinde konuştu.")
    assert said(text, "tr") == {"Büyük kupa": "Kerem Aslan",
                                "Oyunculara büyük kupa": "Kerem Aslan"}
    text = text.replace("\"Büyük kupa\" mesajı", "\"Büyük kupa\" sevinci")
    assert "Büyük kupa" not in said(text, "tr")


def test_tr_organisation_subject_with_no_comma_issues_the_statement() -> None:
    text = ("Orman Genel Müdürlüğü yazılı açıklama yaptı. Açıklamada, \"Yangın kontrol "
            "altına alındı\" denildi.")
    assert said(text, "tr") == {"Yangın kontrol altına": "Orman Genel Müdürlüğü"}
    text = ("Kerem Aslan'ın hesabından yaptığı paylaşımda, \"Yangın kontrol altına alındı\" "
            "ifadeleri yer aldı.")
    assert said(text, "tr") == {"Yangın kontrol altına": "Kerem Aslan"}


def test_tr_dropped_subject_is_the_person_the_sentence_before_opened_with() -> None:
    text = ("Vali Kerem Aslan konuştu. Sevgi Ural törene katıldı. Burada \"Köprü yıl sonunda "
            "açılacak\" değerlendirmesinde bulundu.")
    assert said(text, "tr") == {"Köprü yıl sonunda": "Sevgi Ural"}


def test_tr_dropped_subject_is_the_subject_before_the_first_comma_of_the_sentence_before(
        ) -> None:
    """ "X'i ziyaret eden Vali Y, bilgi verdi. "…" ifadesini kullandı.": Y, the subject
    named before the comma, however many words open the sentence."""
    text = ("Bakan Sevgi Ural, kentteki çalışmaları inceledi.\n\n"
            "Ural'ı makamında ziyaret eden Vali Kerem Aslan, çalışmalar hakkında bilgi "
            "verdi.\n\n\"Çalışmalar hızla sürüyor\" ifadesini kullandı.")
    assert said(text, "tr") == {"Çalışmalar hızla sürüyor": "Kerem Aslan"}


def test_tr_a_third_person_quoted_does_not_become_the_dropped_subject() -> None:
    """ 'X'in "…" sözlerini hatırlatan Y, … belirtti. "…" ifadesini kullandı.': X is
    quoted, Y speaks; the verb with no subject is Y's, in the same sentence or after."""
    lead = "Dışişleri Bakanı Sevgi Ural, Cenevre'de konuştu.\n\n"
    for middle in ("Tomas Berg'in \"Barış yakın\" sözlerini hatırlatan Ural, sürecin "
                   "uzadığını belirtti.\n\n",
                   "Ayrıca Tomas Berg'in \"Barış yakın\" sözlerine atıfta bulundu. "):
        text = lead + middle + "\"Bu sözlerin arkası gelmedi\" ifadesini kullandı."
        assert said(text, "tr") == {"Barış yakın": "Tomas Berg",
                                    "Bu sözlerin arkası": "Sevgi Ural"}, middle


def test_tr_subject_before_an_abbreviation_or_a_particle() -> None:
    """ "X Bakanlığı (XB), … ifadelerine yer verdi": the organisation, its abbreviation
    between it and the comma; "Aslan ise "…"": a name the model missed, before a subject
    particle, is the subject rather than the speaker before."""
    text = ("Orman Genel Müdürlüğü (OGM), sosyal medya hesabından yaptığı paylaşımda, "
            "\"Yangın kontrol altına alındı\" ifadelerine yer verdi.")
    assert said(text, "tr") == {"Yangın kontrol altına": "Orman Genel Müdürlüğü"}
    text = ("Vali Sevgi Ural, \"Yollar açık\" dedi.\n\n"
            "Aslan ise \"Köprü yıl sonunda açılacak\" ifadesini kullandı.")
    names = resolve_names(text, [("PERSON", 5, 15)], "tr")  # the model missed "Aslan"
    found = extract_quotes(text, names.mentions, "tr", people=names.people)
    assert {q.quote: q.speaker for q in found} == {"Yollar açık": "Sevgi Ural",
                                                   "Köprü yıl sonunda açılacak": "Aslan"}


def test_tr_genitive_and_its_said_noun_before_a_colon() -> None:
    assert said("Sevgi Ural'ın açıklaması şöyle: \"Köprü yıl sonunda açılacak.\"",
                "tr") == {"Köprü yıl sonunda": "Sevgi Ural"}


def test_tr_message_and_post_phrases_are_cues() -> None:
    text = ("Kerem Aslan, Sevgi Ural ile görüştü.\n\nGörüşmede \"Köprü yıl sonunda "
            "açılacak\" mesajı verdi.")
    assert said(text, "tr") == {"Köprü yıl sonunda": "Kerem Aslan"}
    text = "Kerem Aslan, hesabından \"Köprü yıl sonunda açılacak\" paylaşımını yaptı."
    assert said(text, "tr") == {"Köprü yıl sonunda": "Kerem Aslan"}


def test_en_attribution_after_the_quotation() -> None:
    text = ("LISBON (Reuters) - Transport Minister Rui Valente said the bridge would reopen.\n\n"
            "\"We expect traffic on Monday,\" Valente told Reuters.\n\n"
            "\"The repairs are finished,\" said Valente.\n\n"
            "\"It was a hard winter,\" he said.")
    assert set(said(text, "en").values()) == {"Rui Valente"}


def test_en_colon_and_partial_quotation() -> None:
    text = ("Central bank governor Ines Moreau said inflation was \"coming down slowly\" "
            "and added: \"We will not hesitate to act.\"")
    assert said(text, "en") == {"coming down slowly": "Ines Moreau",
                                "We will not": "Ines Moreau"}


def test_en_organisation_and_role_nouns() -> None:
    text = ("The Maritime Ministry confirmed the closure of the port.\n\n"
            "\"Ships will be redirected,\" the ministry said in a statement.\n\n"
            "Foreign Minister Tomas Berg met his counterpart.\n\n"
            "\"Talks were frank,\" the state news agency quoted the foreign minister as saying.")
    got = said(text, "en")
    assert got["Ships will be"] == "Maritime Ministry"
    assert got["Talks were frank,"] == "Tomas Berg"


def test_en_unclosed_quotation_ending_in_its_attribution() -> None:
    text = "\"The archive will open to the public next year, said Culture Minister Lena Ford."
    q = quotes(text, "en")[0]
    assert (q.quote, q.speaker) == ("The archive will open to the public next year,",
                                    "Lena Ford")


def test_en_surname_with_particle_resolves_to_the_full_name() -> None:
    text = ("Commission President Ursula von der Leyen arrived in Rome.\n\n"
            "\"We stand ready,\" von der Leyen said. Iraqi Prime Minister Haider al-Abadi "
            "agreed. \"It is a good day,\" Abadi said.")
    assert said(text, "en") == {"We stand ready,": "Ursula von der Leyen",
                                "It is a": "Haider al-Abadi"}


def test_en_title_case_name_in_marks_is_not_speech() -> None:
    text = "The minister said the \"Plan for Rural Roads and Bridges\" would be published."
    assert said(text, "en") == {}


def test_pull_quote_before_anyone_speaks_and_short_quoted_sentences() -> None:
    """A quotation standing alone at the top of an article is the next speaker's; a short
    quoted sentence after a speaker's quotation is that speaker's too."""
    text = ("\"We will rebuild every school before winter.\"\n\n"
            "Education Minister Carla Benning made the pledge during a visit on Tuesday.\n\n"
            "\"The children cannot wait,\" Benning told reporters. \"Every week counts.\n\n"
            "\"We have the money and the builders.\"")
    assert said(text, "en") == {"We will rebuild": "Carla Benning",
                                "The children cannot": "Carla Benning",
                                "Every week counts.": "Carla Benning",
                                "We have the": "Carla Benning"}
    text = ("“Ülkemiz bu zorluğu da aşacak.”\n\n"
            "Sağlık Bakanı Levent Aksoy, hastanede incelemelerde bulundu.\n\n"
            "Aksoy, “Tüm ekiplerimiz sahada” dedi.")
    assert said(text, "tr") == {"Ülkemiz bu zorluğu": "Levent Aksoy",
                                "Tüm ekiplerimiz sahada": "Levent Aksoy"}


def test_en_capitalised_title_is_not_part_of_the_speaker() -> None:
    text = ("\"We call on all sides to show restraint,\" Foreign Ministry spokesperson Lin "
            "Haowen said.\n\n"
            "Spokesman Lin Haowen made the remarks at a daily briefing.\n\n"
            "Seismologist Tomas Ferreira of the National Geophysics Institute told AFP that "
            "\"more tremors are likely in the coming days.\"")
    assert said(text, "en") == {"We call on": "Lin Haowen", "more tremors are": "Tomas Ferreira"}


def test_en_organisation_before_a_titled_person_is_the_role() -> None:
    """The sentence's subject is the person the organisation employs, not the company."""
    text = ("Nordwave Group CEO Elin Dahl has admitted the launch was 'rushed' but said the "
            "company would recover.")
    assert said(text, "en") == {"rushed": "Elin Dahl"}


def test_en_quotation_introduced_by_an_unlisted_verb() -> None:
    """ 'X shared, "…"': any past-tense verb right before a comma and the quotation."""
    text = ("In a message to staff, Marcus Thorne shared, \"Our colleague is recovering and "
            "we are with his family.\"")
    assert said(text, "en") == {"Our colleague is": "Marcus Thorne"}


def test_en_short_partial_quotation_after_termed() -> None:
    text = "Floods displaced thousands in what Governor Amara Osei has termed a \"grave crisis\"."
    assert said(text, "en") == {"grave crisis": "Amara Osei"}



def test_en_pronoun_means_the_person_a_sentence_since_was_about() -> None:
    """ '"…," he said' after a sentence whose subject is a person who has not spoken yet:
    that person, whether or not someone spoke before; a person in an object or a
    prepositional phrase since leaves "he" to the one who spoke."""
    text = ("\"The water is safe to drink,\" Mayor Lena Ford said.\n\n"
            "Chief scientist Tomas Ferreira, a hydrologist, inspected the plant on Friday.\n\n"
            "\"We found no trace of the bacteria,\" he said.")
    assert said(text, "en") == {"The water is": "Lena Ford", "We found no": "Tomas Ferreira"}
    text = ("After the vote, Okafor, a Nigerian, addressed the delegates in French.\n\n"
            "\"This is a day for all of Africa,\" he said.")
    assert said(text, "en") == {"This is a": "Okafor"}
    text = ("\"The water is safe to drink,\" Mayor Lena Ford said.\n\n"
            "The council sent a letter to engineer Tomas Ferreira on Friday.\n\n"
            "Police questioned Pia Lund about the leak.\n\n"
            "The Tomas Ferreira campaign rejected the plan.\n\n"
            "\"We found no trace of the bacteria,\" she said.")
    assert said(text, "en") == {"The water is": "Lena Ford", "We found no": "Lena Ford"}
    # A subject paragraphs back is no longer what the pronoun means; nor is a heading.
    text = ("\"The water is safe to drink,\" Mayor Lena Ford said.\n\n"
            "Chief scientist Tomas Ferreira, a hydrologist, inspected the plant on Friday.\n\n"
            "The plant supplies water to 40,000 homes.\n\nIt was built in 1972.\n\n"
            "Tomas Ferreira Reports\n\n"
            "\"We will publish every test result,\" she said.")
    assert said(text, "en") == {"The water is": "Lena Ford", "We will publish": "Lena Ford"}


def test_en_quotation_paragraph_goes_on_with_the_last_reporter_indirect_too() -> None:
    """A paragraph that is only a quotation continues whoever reported last, in
    quotation marks or in reported speech."""
    text = ("\"Every school will reopen,\" Education Minister Carla Benning said.\n\n"
            "Chief Medical Officer Marcus Thorne says testing in schools is essential.\n\n"
            "\"We are checking every classroom twice a week.\"")
    assert said(text, "en") == {"Every school will": "Carla Benning",
                                "We are checking": "Marcus Thorne"}
    text = ("\"Every school will reopen,\" Education Minister Carla Benning said.\n\n"
            "Chief Medical Officer Marcus Thorne visited a school in the capital.\n\n"
            "\"We are checking every classroom twice a week.\"")
    assert said(text, "en") == {"Every school will": "Carla Benning",
                                "We are checking": "Carla Benning"}


def test_en_name_after_the_verb_is_not_the_speaker_a_pronoun_names() -> None:
    """ 'He said Nordwave had "…"': the pronoun before the verb is the speaker (the
    subject of the sentence before), even when the model calls the company after the
    verb a person."""
    text = ("Shares of Nordwave fell sharply on Thursday.\n\n"
            "Chief executive Elin Dahl appealed for patience. He said Nordwave, unlike its "
            "rivals, had \"lost its way\" in Asia.")
    at = text.index("Nordwave, unlike")
    names = resolve_names(text, [("PERSON", at, at + 8)], "en")
    found = extract_quotes(text, names.mentions, "en", people=names.people)
    assert {q.quote: q.speaker for q in found if q.kind == "direct"} == {
        "lost its way": "Elin Dahl"}
    text = ("Chief executive Elin Dahl appealed for patience. He said Nordwave had lost its "
            "way in Asia.")
    at = text.index("Nordwave had")
    names = resolve_names(text, [("PERSON", at, at + 8)], "en")
    found = extract_quotes(text, names.mentions, "en", people=names.people)
    assert [(q.kind, q.speaker) for q in found] == [("indirect", "Elin Dahl")]


# -- names ---------------------------------------------------------------------------------
def test_speakers_are_people_in_the_names_table() -> None:
    text = "Okonkwo, \"Hazırız.\" dedi. Okonkwo daha sonra ayrıldı."
    names = resolve_names(text, [("ORGANIZATION", 0, 7)], "tr")
    found = extract_quotes(text, names.mentions, "tr", people=names.people)
    promoted = promote_speakers(text, names.mentions, {q.speaker for q in found}, "tr")
    assert {m.label for m in promoted if m.canonical == "Okonkwo"} == {"PER"}


def test_dateline_and_credits_are_entities_not_speakers() -> None:
    text = "GENEVA (Reuters) - \"Aid must get through,\" said envoy Pia Lund. (AFP)"
    names = resolve_names(text, [], "en")
    assert {(m.label, m.canonical) for m in names.mentions} >= {
        ("LOC", "Geneva"), ("ORG", "Reuters"), ("PER", "Pia Lund")}
    assert said(text, "en") == {"Aid must get": "Pia Lund"}


# -- rules as data ---------------------------------------------------------------------------
def test_a_new_cue_verb_is_a_lexicon_change(tmp_path: Path) -> None:
    source = (lexicon("tr").__class__ and Path(__file__).parents[1] / "include" / "newswire"
              / "nlp" / "lexicon" / "tr.yaml").read_text("utf-8")
    assert not lexicon("tr").cue_pattern.search("müjdeledi")
    extended = source.replace("    söyle: söyle\n", "    söyle: söyle\n    müjdele: müjdele\n")
    path = tmp_path / "tr.yaml"
    path.write_text(extended, "utf-8")
    lex = read_lexicon(path)
    match = lex.cue_pattern.search("müjdeledi")
    assert match and (lex.cue_lemma(match), lex.cue_kind(match)) == ("müjdele", "finite")


def test_a_new_said_noun_is_a_lexicon_change(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """ 'X'in, "…" nakaratını anımsatan Y': Y's until "nakarat" is a said-noun."""
    text = ("Sevgi Ural'ın, \"Önce insan, sonra yol gelir\" nakaratını anımsatan Kerem "
            "Aslan, yatırımları anlattı.")
    assert said(text, "tr") == {"Önce insan, sonra": "Kerem Aslan"}
    source = (Path(__file__).parents[1] / "include" / "newswire" / "nlp" / "lexicon"
              / "tr.yaml").read_text("utf-8")
    extended = source.replace("said_nouns: [söz,", "said_nouns: [nakarat, söz,")
    assert extended != source
    path = tmp_path / "tr.yaml"
    path.write_text(extended, "utf-8")
    monkeypatch.setattr("newswire.nlp.speakers.lexicon", lambda lang: read_lexicon(path))
    assert said(text, "tr") == {"Önce insan, sonra": "Sevgi Ural"}


def test_tr_nouns_for_words_are_said_nouns() -> None:
    """ 'X'in, "…", "…" sözcüklerini anımsatan Y': nouns for the words themselves
    (kelime, sözcük, deyim) name someone's words like "söz" does."""
    for noun in ("kelimelerini", "sözcüklerini", "deyimini"):
        text = (f"Sevgi Ural'ın, \"Önce insan\", \"sonra yol\" {noun} anımsatan Kerem "
                "Aslan, yatırımları anlattı.")
        assert said(text, "tr") == {"Önce insan": "Sevgi Ural", "sonra yol": "Sevgi Ural"}, noun


def test_lexicon_words_yaml_would_misread_are_refused(tmp_path: Path) -> None:
    source = (Path(__file__).parents[1] / "include" / "newswire" / "nlp" / "lexicon"
              / "en.yaml").read_text("utf-8")
    path = tmp_path / "en.yaml"
    path.write_text(source.replace('stop_words: [a, an,', 'stop_words: [a, on, an,'), "utf-8")
    with pytest.raises(LexiconError, match="stop_words"):
        read_lexicon(path)
