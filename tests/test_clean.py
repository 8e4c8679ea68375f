"""Debris removal: own multilingual examples, idempotence, and the shared seed files."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsloom.clean import Cleaned, RepeatedLineModel, clean_text, is_dangling
from newsloom.readers import read_paths

REAL = {
    "en": "The council approved the budget on Monday after a heated debate.",
    "fr": "Le conseil a adopté le budget lundi après un débat animé.",
    "de": "Der Rat hat den Haushalt am Montag nach hitziger Debatte verabschiedet.",
    "es": "El consejo aprobó el presupuesto el lunes tras un acalorado debate.",
    "it": "Il consiglio ha approvato il bilancio lunedì dopo un acceso dibattito.",
    "pl": "Rada przyjęła budżet w poniedziałek po burzliwej debacie.",
    "ru": "Совет утвердил бюджет в понедельник после бурных дебатов.",
    "tr": "Meclis, hararetli bir tartışmanın ardından bütçeyi pazartesi günü onayladı.",
    "pt": "O conselho aprovou o orçamento na segunda-feira após um debate acalorado.",
    "nl": "De raad keurde maandag na een verhit debat de begroting goed.",
}

DEBRIS = {
    "en": ["Download the Daily Planet app", "Read also: Budget talks stall again", "With AFP",
           "This is a developing story. Please check back for updates.", "Photo: John Doe/Planet",
           "Sign up for our newsletter", "Share on Facebook", "Read Next", "MOST READ", "Sign up!",
           "Copyright 2021 Daily Planet. All rights reserved.", "Facebook 12 Twitter 3 WhatsApp 0",
           "We use cookies to give you the best experience on our website.",
           "Please disable your ad blocker to keep reading."],
    "fr": ["Téléchargez l'application Le Quotidien", "À lire aussi : le budget en débat", "Avec AFP",
           "Je m'abonne", "Cet article sera mis à jour.", "Crédit photo : Jean Dupont"],
    "de": ["Lesen Sie auch: Haushaltsstreit geht weiter", "Abonnieren Sie unseren Newsletter", "Mit dpa",
           "Diese Meldung wird laufend aktualisiert.", "Bild: Max Muster", "Jetzt teilen:",
           "Weiterlesen nach der Anzeige", "Wir verwenden Cookies, um unsere Website zu verbessern."],
    "es": ["Leer también: El debate sigue", "Suscríbete a nuestro boletín", "Con EFE",
           "Noticia en desarrollo", "Descarga la app de El Diario", "-Fin de nota-", "Escuchar nota",
           "Con información de EFE", "Únete a nuestro canal de Telegram", "Noticias relacionadas",
           "Al registrarte recibirás nuestro boletín: revisa tu carpeta de spam."],
    "it": ["Leggi anche: il bilancio divide", "Scarica l'app del Giornale", "Notizia in aggiornamento"],
    "pl": ["Czytaj także: Spór o budżet", "Pobierz aplikację Gazety", "Artykuł jest aktualizowany."],
    "ru": ["Читайте также: Бюджет снова обсуждают", "Подпишитесь на наш канал", "Новость дополняется"],
    "tr": ["Ayrıca okuyun: Bütçe tartışması", "Uygulamayı indirin", "Haber güncelleniyor", "Kaynak: İHA",
           "(DHA)", "Haberi Kaydet", "Yukarı Çık"],
    "ar": ["اشترك الآن في نشرتنا اليومية", "تابعونا على فيسبوك", "اقرأ أيضا: الميزانية من جديد", "-- (بترا)"],
    "zh": ["请关闭广告拦截器，继续支持我们。"],
    "pt": ["Leia também: Orçamento em debate", "Baixe o aplicativo do Jornal", "Siga-nos no Instagram"],
    "nl": ["Lees ook: Begroting onder vuur", "Download de app van De Krant", "Dit artikel wordt bijgewerkt."],
    "neutral": ["![](https://cdn.example/img/1.jpg)", "[Image: the council chamber]", "app-store-badge",
                "google-play-badge_DE", "hero_banner_2022.png", ">> Budget: what changes for you",
                "© Example Photo Agency", "(Reuters)", "Facebook Twitter WhatsApp Email", "Advertisement",
                "https://twitter.com/intent/tweet?url=https%3A%2F%2Fexample.org",
                "Anna Berg FOLLOW Comment Share Email Twitter Facebook WhatsApp Save 3 May 2021 • 10:15",
                "Tumblr | Facebook | Pinterest | Email"],
}


@pytest.mark.parametrize("line", [
    "Facebook, Google, Twitter and YouTube face new EU rules",  # networks, but no buttons
    "Google will share its data with researchers, the company said on Monday.",
    "Según el boletín epidemiológico, se registraron 500 casos nuevos.",
    "اشترك أكثر من ألف شخص في المسيرة يوم الجمعة.",  # "took part", not "subscribe"
    "The cookies were sold out by noon, the bakers said.",
    "Reuters reported the deal late on Monday, citing two sources.",
])
def test_lines_that_look_like_debris_but_are_text_are_kept(line: str) -> None:
    text = f"{REAL['en']}\n\n{line}\n\n{REAL['en']}"
    assert line in clean_text(text).text


@pytest.mark.parametrize("lang", sorted(DEBRIS))
def test_debris_lines_are_removed_real_sentences_kept(lang: str) -> None:
    real = REAL.get(lang, REAL["en"])
    text = "\n\n".join([real, *DEBRIS[lang], real.replace("Monday", "Tuesday")])
    result = clean_text(text)
    assert isinstance(result, Cleaned)
    for debris in DEBRIS[lang]:
        assert debris not in result.text, debris
        assert debris in result.removed
    assert result.text.split("\n\n")[0] == real
    assert len(result.text.split("\n\n")) == 2


@pytest.mark.parametrize("lang", sorted(REAL))
def test_real_paragraphs_are_untouched(lang: str) -> None:
    text = f"{REAL[lang]}\n\n{REAL[lang]} {REAL['en']}"
    assert clean_text(text).text == text
    assert clean_text(text).removed == []


def test_sub_headings_are_kept_fragments_dropped() -> None:
    text = "\n".join([
        REAL["en"],
        "Opposition parties reject the spending plan",   # a heading: kept
        "Die Opposition lehnt den Plan ab",              # a heading: kept
        "The summary of the",                            # cut off after a function word
        "Budget",                                        # bare token
        REAL["fr"],
    ])
    lines = clean_text(text).text.split("\n")
    assert lines == [REAL["en"], "Opposition parties reject the spending plan",
                     "Die Opposition lehnt den Plan ab", REAL["fr"]]


@pytest.mark.parametrize("line, dangling", [
    ("The summary of the", True), ("et", True), ("Budget", True), ("—", True),
    ("Markets rally after rate decision", False), ("He said:", False), ("市议会批准预算", False),
])
def test_is_dangling(line: str, dangling: bool) -> None:
    assert is_dangling(line) is dangling


def test_inline_image_credit_and_placeholder_are_cut_from_a_paragraph() -> None:
    text = (f"{REAL['fr']} © Fournis par La Gazette Le maire a salué le vote. "
            f"![](x.jpg) Les travaux commencent en mai.")
    result = clean_text(text)
    assert result.text == f"{REAL['fr']} Le maire a salué le vote. Les travaux commencent en mai."
    assert "© Fournis par La Gazette" in result.removed
    english = clean_text(f"{REAL['en']} © Provided by Metro News The mayor welcomed the vote.")
    assert english.text == f"{REAL['en']} The mayor welcomed the vote."


def test_glued_badge_prefix_is_split_off() -> None:
    result = clean_text(f"app-store-badge_FR{REAL['en']}")
    assert result.text == REAL["en"]
    assert result.removed == ["app-store-badge_FR"]
    spaced = clean_text(f"google-play-badge {REAL['de']}")
    assert spaced.text == REAL["de"]


def test_footer_lines_among_trailing_debris_are_dropped() -> None:
    text = "\n\n".join([
        REAL["en"], "With Reuters", "Weekly digest from the Planet", "Take the Planet with you everywhere!",
        "Download the Planet app", "planet-logo_EN",
    ])
    result = clean_text(text)
    assert result.text == REAL["en"]
    assert "Weekly digest from the Planet" in result.removed


def test_closing_list_above_trailing_debris_is_kept() -> None:
    figures = ["North district : 12 cases", "South district : 30 cases"]
    text = "\n".join([REAL["en"], *figures, "Share on Facebook"])
    assert clean_text(text).text == "\n".join([REAL["en"], *figures])


def test_headings_ending_in_a_particle_are_kept() -> None:
    for heading in ["Iran bestellt Schweizer Botschafter ein", "New lockdown rules kick in"]:
        assert clean_text(f"{REAL['de']}\n{heading}\n{REAL['de']}").text.split("\n")[1] == heading


def test_trailing_heading_without_debris_is_kept() -> None:
    text = f"{REAL['en']}\n\nWhat happens next"
    assert clean_text(text).text == text


def test_debris_phrase_inside_a_long_paragraph_is_kept() -> None:
    long = ("Critics said the campaign urging people to download the city app was confusing, "
            "and that a message telling readers to read also the small print was not enough. ") * 3
    assert clean_text(long.strip()).text == long.strip()


def test_repeated_lines_are_removed() -> None:
    footer = "Planet Media Group, all rights reserved"
    result = clean_text(f"{REAL['en']}\n{footer}", repeated=frozenset({footer}))
    assert result.text == REAL["en"] and result.removed == [footer]


def test_repeated_line_model_counts_articles_per_source() -> None:
    model = RepeatedLineModel()
    for i in range(3):
        model.learn_one("planet", [f"Story {i} body.", "Planet footer", "Planet footer"])
        model.learn_one("other", ["Planet footer"] if i == 0 else [f"Other {i}."])
    assert model.repeated("planet") == frozenset({"Planet footer"})
    assert model.repeated("planet", min_count=4) == frozenset()
    assert model.repeated("other") == frozenset()
    assert model.repeated("unknown") == frozenset()


def test_repeated_line_model_docstring_example() -> None:
    import doctest

    import newsloom.clean as module

    failures, tried = doctest.testmod(module, verbose=False)
    assert tried > 0 and failures == 0


_line = st.one_of(
    st.sampled_from([*REAL.values(), *[d for ds in DEBRIS.values() for d in ds], "", "Short heading here"]),
    st.text(alphabet=st.sampled_from(list("ab .!©>-_\n")), max_size=30),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_line, max_size=12), st.sampled_from(["\n", "\n\n"]))
def test_idempotent(lines: list[str], separator: str) -> None:
    once = clean_text(separator.join(lines)).text
    assert clean_text(once).text == once


# --- the shared seed files ----------------------------------------------------------

def _seed_texts(shared_dir: Path) -> list[str]:
    articles = list(read_paths([shared_dir / "seeds"]))
    assert len(articles) == 2
    return [a.text for a in articles]


def test_seed_debris_is_removed(shared_dir: Path) -> None:
    cleaned = "\n".join(clean_text(text).text for text in _seed_texts(shared_dir))
    for debris in ["France 24 app", "badge_FR", "![]()", ">> To see", "I subscribe", "The summary of the",
                   "week invites you", "With AFP", "histoire en développement", "Fournis par"]:
        assert debris not in cleaned, debris


def test_seed_real_sentences_are_kept(shared_dir: Path) -> None:
    texts = _seed_texts(shared_dir)
    cleaned = [clean_text(text).text for text in texts]
    for fragment in ["Antony Blinken is due to meet his Russian counterpart Sergei Lavrov in Geneva",
                     "Moscow refuses military maneuvers", "No option is excluded",
                     "eastern Ukraine, the scene of a war", "Emmanuel Macron, doit s'entretenir",
                     "Vladimir Poutine, vendredi matin.", "Voici l'objectif"]:
        assert any(fragment in c for c in cleaned), fragment
    # Every line kept is a line (or part of a line) of the original.
    for original, clean in zip(texts, cleaned, strict=True):
        assert all(line[:40] in original for line in clean.splitlines() if line)
        assert clean_text(clean).text == clean


def test_an_article_published_again_is_not_erased_as_repeated_boilerplate():
    from newsloom.clean import RepeatedLineModel, clean_text

    body = ("Der Stadtrat beschloss am Montag den Bau einer neuen Brücke über den Fluss.\n"
            "Die Arbeiten sollen im Frühjahr beginnen und zwei Jahre dauern.\n"
            "Newsletter abonnieren")
    model = RepeatedLineModel()
    for _ in range(4):
        model.learn_one("Rheinblick", body.splitlines())
    cleaned = clean_text(body, model.repeated("Rheinblick"))
    assert "neuen Brücke" in cleaned.text and "Frühjahr" in cleaned.text


CONSENT_DE = ("Wir setzen auf unserer Website Cookies und andere Technologien ein, um Ihnen den vollen "
              "Funktionsumfang unseres Angebotes anzubieten. Zudem messen wir die Besuche aus. Durch die weitere "
              "Nutzung unserer Website erklären Sie sich mit dem Einsatz von Cookies einverstanden.")
STORY_DE = "Die Polizei sperrte am Montag die Brücke über die Oder. Der Bürgermeister rief zur Ruhe auf."


@pytest.mark.parametrize("wall", [
    CONSENT_DE,
    "We use cookies to ensure that we give you the best experience on our website. If you continue, we assume "
    "you are happy with it.",
    "Nous utilisons des cookies pour améliorer votre expérience sur notre site. En poursuivant, vous acceptez "
    "leur utilisation.",
    "Sizlere daha iyi bir hizmet sunabilmek için sitemizde çerezlerden faydalanıyoruz.",
])
def test_a_consent_wall_paragraph_is_removed_whatever_its_length(wall: str) -> None:
    out = clean_text(f"{wall}\n\n{STORY_DE}")
    assert out.text == STORY_DE
    assert out.removed == [wall]


def test_consent_sentences_run_together_with_the_article_are_cut_and_the_article_kept() -> None:
    # a scraped page on one line: title, article, a sign-up notice, more article
    line = (f"Brücke über die Oder gesperrt {STORY_DE} By submitting above, you agree to our privacy policy. "
            "Die Sperrung soll bis Freitag dauern, sagte ein Sprecher der Stadt am Abend.")
    out = clean_text(line)
    assert "privacy policy" not in out.text
    assert out.text.startswith("Brücke über die Oder gesperrt Die Polizei")
    assert out.text.endswith("sagte ein Sprecher der Stadt am Abend.")
    assert out.removed == ["By submitting above, you agree to our privacy policy."]
    assert clean_text(out.text).text == out.text


def test_an_article_about_cookies_is_kept() -> None:
    text = ("Die Datenschutzbehörde verhängte ein Bußgeld: Websites müssen Nutzer fragen, bevor sie Cookies "
            "setzen. Viele Seiten ignorierten die Regel bisher, sagte die Behörde.")
    assert clean_text(text).text == text


def test_an_access_wall_is_removed_and_a_video_placeholder_cut_from_the_article() -> None:
    wall = ("We are sorry, but we recorded a huge amount of connections from the IP address you are "
            "connecting from.\n\nIf you want to connect with us, select \"I AM NOT A ROBOT\".\n\n"
            "Your IP address: 192.0.2.7")
    assert clean_text(wall).text == ""
    polish = "Przykro nam, ale z adresu IP z którego się łączysz odnotowaliśmy ogromną ilość połączeń."
    assert clean_text(polish).text == ""
    paragraph = f"{STORY_DE} To view this video please enable JavaScript. Die Feuerwehr war mit 40 Kräften im Einsatz."
    out = clean_text(paragraph)
    assert out.text == f"{STORY_DE} Die Feuerwehr war mit 40 Kräften im Einsatz."
    assert out.removed == ["To view this video please enable JavaScript."]
