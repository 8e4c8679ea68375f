"""Scraping-debris removal for already-extracted article text.

Text extracted from news pages keeps bits of the page around the article: image
placeholders and credits, app and newsletter promotions, badge file names, share
buttons and toolbars, "read also" / "read next" cross-links, agency credit lines
("Kaynak: İHA", "Con información de EFE"), "developing story" boilerplate, site
notices (end-of-story markers, copyright, cookie and ad-blocker notices), consent and
access walls (cookie and privacy paragraphs in the site's own voice, rate-limit, robot-check
and JavaScript pages, whatever their length), and cut-off fragments. :func:`clean_text` removes them line by line
with language-aware patterns (en, fr, de, es, it, pl, ru, tr, pt, nl, some ar and zh,
plus language-neutral ones), strips inline image credits inside paragraphs, and
splits a debris token glued to the start of real text. A trailing footer block
(short, unpunctuated lines after the last real paragraph) is dropped when it
contains at least one recognised piece of debris. Cleaning is idempotent.

:class:`RepeatedLineModel` learns, per source, lines that recur across articles
(site footers, bylines); pass its ``repeated(source)`` set to :func:`clean_text`.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

#: Lines longer than this are never removed by a debris *pattern*: real paragraphs
#: may quote such phrases; debris lines are short.
MAX_DEBRIS_LINE_CHARS = 220
#: A trailing footer line is at most this long.
MAX_FOOTER_LINE_CHARS = 120


def _alternation(phrases: Iterable[str]) -> str:
    return "|".join(phrases)


_I = re.IGNORECASE

# --- patterns (line-level; each matched at the start of a stripped line) -----------

_IMAGE_WORDS = _alternation([
    "image", "images", "photo", "photos", "picture", "video", "credit", "credits", "illustration",
    "bild", "bilder", "foto", "fotos", "imagen", "immagine", "zdjęcie", "fot", "фото", "изображение",
    "resim", "fotoğraf", "imagem", "afbeelding", r"cr[ée]dits?\s+photos?", r"photo\s+credits?",
    "bildquelle", r"źródło\s+zdjęcia",
])

_PROMO = _alternation([
    # en
    r"download (?:the|our) .{0,40}\bapp\b", r"get (?:the|our) .{0,40}\bapp\b", r"i subscribe\b",
    r"subscribe (?:now|today|here|to (?:our|the))", r"subscribe$", r"sign up (?:for|to) (?:our|the)",
    r"sign up\s*!?$",
    r"already a subscriber", r"follow us on\b", r"click here\b", r"become a (?:member|subscriber)",
    r"support (?:our|independent) journalism",
    # fr
    r"t[ée]l[ée]chargez l['’]application", r"je m['’]abonne", r"abonnez-vous", r"inscrivez-vous",
    r"recevez (?:notre|la) newsletter", r"suivez-nous", r"d[ée]j[àa] abonn[ée]",
    # de
    r"abonnieren sie", r"jetzt abonnieren", r"laden sie (?:die|unsere) .{0,40}app", r"folgen sie uns",
    r"newsletter abonnieren", r"jetzt registrieren",
    # es
    r"descarg(?:a|ue) la (?:app|aplicaci[óo]n)", r"susc[rí]ribete", r"suscr[íi]bete", r"s[íi]guenos",
    r"reg[íi]strate", r"[úu]nete (?:a|al)\b", r"puedes seguir\b", r"tambi[ée]n estamos en\b",
    r"ten la informaci[óo]n al instante",
    # it
    r"scarica l['’]app", r"iscriviti alla newsletter", r"abbonati\b", r"seguici\b",
    # pl
    r"pobierz aplikacj[ęe]", r"zapisz si[ęe] do newslettera", r"subskrybuj", r"obserwuj nas",
    # ru
    r"скачайте (?:наше )?приложение", r"подпишитесь", r"подписывайтесь", r"оформите подписку",
    # tr
    r"uygulamay[ıi] indirin", r"abone ol", r"bizi takip edin",
    # ar: subscribe (not bare "اشترك", which also means "took part"), follow us, the app
    r"اشترك (?:الآن|لتصلك|ليصلك)", r"تابعونا\b", r"حمل(?:وا)? تطبيق",
    # pt
    r"baixe o (?:app|aplicativo)", r"descarregue a aplica[çc][ãa]o", r"assine (?:j[áa]|agora)",
    r"inscreva-se", r"siga-nos",
    # nl
    r"download de app", r"abonneer je", r"schrijf je in voor", r"volg ons",
])

_CROSS_LINK = _alternation([
    r"read (?:also|more)\b", r"see also\b", r"also read\b", r"related:", r"more on this",
    r"(?:à|a) lire (?:aussi|également)", r"lire aussi", r"(?:à|a) voir (?:aussi|également)",
    r"voir aussi", r"lesen sie (?:auch|mehr)", r"mehr zum thema", r"auch interessant",
    r"le(?:er|e|a) tambi[ée]n", r"te puede interesar", r"leggi anche", r"czytaj (?:także|też|również)",
    r"zobacz (?:także|też|również)", r"читайте (?:также|тоже)", r"смотрите также",
    r"ayr[ıi]ca (?:okuyun|bak[ıi]n[ıi]z)", r"ilgili haber", r"leia (?:também|mais)",
    r"veja (?:também|mais)", r"lees ook", r"bekijk ook", r"to see:", r"watch:",
    r"read next\b", r"most read\b", r"related (?:news|stories|articles)\b", r"lire la suite\b",
    r"den vollst[äa]ndigen artikel lesen", r"weiterlesen\b", r"noticias relacionadas\b",
    r"leer m[áa]s\b", r"m[áa]s en \w+$", r"читать (?:далее|также)", r"devam[ıi]n[ıi] oku",
    r"haberin devam[ıi]", r"ilgili haberler", r"(?:إ|ا)قرأ (?:المزيد|أيضا|أيضاً)",
])

_AGENCIES = (r"(?:AFP|Reuters|AP|dpa|DPA|ANSA|EFE|PAP|Lusa|ТАСС|TASS|РИА Новости|AA|ANP|Belga|APA|"
             r"İHA|IHA|DHA|ANKA|Notimex|Xinhua|Europa Press|Télam|Kyodo|Yonhap|Interfax|Интерфакс|"
             r"UNIAN|Ukrinform|Andina|Agencia Brasil|MENA|أ ش أ|بترا|واس|وام|سانا)")
_CREDIT = _alternation([
    rf"(?:with|avec|mit|con|z|с|ile|com|met)\s+{_AGENCIES}(?:\s*(?:and|et|und|y|e|i|и|ve|en|,)\s*{_AGENCIES})*",
    r"(?:with|avec|mit|con|com|met)\s+(?:agencies|agences|agenturen|agencias|agenzie|agências|agentschappen)",
    rf"[(\-–—]*{_AGENCIES}[)\-–—]*", rf"(?:source|sources|quelle|fuente|fonte|źródło|источник|kaynak|bron)\s*:\s*{_AGENCIES}",
    rf"(?:with information from|con informaci[óo]n de|avec des informations de|mit material von)\s+{_AGENCIES}",
])

_DEVELOPING = _alternation([
    r"this is a (?:developing|breaking) (?:news )?story", r"this story is developing",
    r"please check back (?:later )?for updates", r"this (?:article|story) will be updated",
    r"c['’]est une histoire en d[ée]veloppement", r"veuillez v[ée]rifier les mises [àa] jour",
    r"cet article (?:sera|va [êe]tre) mis [àa] jour", r"article en cours d['’]actualisation",
    r"dies ist eine sich entwickelnde geschichte", r"diese meldung wird (?:laufend )?aktualisiert",
    r"esta es una (?:historia|noticia) en desarrollo", r"noticia en desarrollo",
    r"notizia in aggiornamento", r"questa (?:è|e) una notizia in (?:via di )?sviluppo",
    r"artyku[łl] jest aktualizowany", r"to jest rozwijaj[ąa]ca si[ęe] (?:historia|wiadomo[śs][ćc])",
    r"новость дополняется", r"это развивающаяся (?:история|новость)",
    r"haber g[üu]ncelleniyor", r"bu (?:bir )?geli[şs]en (?:bir )?haber",
    r"esta (?:é|e) uma (?:hist[óo]ria|not[íi]cia) em desenvolvimento", r"not[íi]cia em atualiza[çc][ãa]o",
    r"dit is een zich ontwikkelend (?:verhaal|nieuwsbericht)", r"dit artikel wordt (?:nog )?bijgewerkt",
])

#: Site furniture and notices that are never article text: end-of-story markers, player and
#: "save" buttons, copyright, cookie and ad-blocker notices (matched anywhere in a short line).
_NOTICE = _alternation([
    r"^-?\s*fin de (?:la )?nota\s*-?$", r"^escuchar (?:nota|noticia)$", r"^haberi kaydet$", r"^haber videosu$",
    r"^yukar[ıi] [çc][ıi]k$", r"^no ad for you$", r"^\[email(?:&#160;|\s)protected\]$",
    r"auto-generated from a syndicated feed", r"all rights reserved", r"tous droits r[ée]serv[ée]s",
    r"alle rechte vorbehalten", r"todos los derechos reservados", r"tutti i diritti riservati",
    r"wszelkie prawa zastrze[żz]one", r"все права защищены", r"t[üu]m haklar[ıi] sakl[ıi]d[ıi]r",
    r"جميع الحقوق محفوظة",
    r"(?:copyright|derechos de autor|droits d['’]auteur|urheberrecht)\b.{0,40}\b(?:prohib|proh[íi]be|interdit|verbiet)",
    (r"(?:we use|wir (?:setzen|verwenden|nutzen)|nous utilisons|utilizamos|usamos|utilizziamo|używamy|"
     r"мы используем)\b.{0,60}\bcook"),
    (r"(?:disable|turn off|d[ée]sactivez|deaktivieren|desactiva|disattiva|wy[łl][ąa]cz|отключите)\b.{0,30}"
     r"(?:ad ?-?block|bloqueur|werbeblocker|bloqueador)"),
    r"广告拦截", r"屏蔽广告", r"رسالة مرة أخرى", r"اشترك الآن", r"عبر (?:غوغل|جوجل) نيوز",
])

_ADVERT_WORDS = frozenset("""
advertisement advertising sponsored publicité publicite pub anzeige werbung publicidad pubblicità
reklama реклама reklam publicidade advertentie
""".split())

_SOCIAL_NETWORKS = frozenset("""
facebook twitter x whatsapp linkedin telegram reddit pinterest messenger vk ok viber flipboard tumblr
instagram youtube tiktok snapchat threads bluesky weibo wechat xing skype google google+ gmail
""".split())
_BUTTON_WORDS = frozenset("""
share tweet email e-mail mail print sms copy link partager partagez imprimer teilen drucken compartir
imprimir condividi stampa udostępnij drukuj поделиться печать paylaş yazdır compartilhar partilhar delen
comment comments comentar comentarios commenter commentaires commenta kommentieren kommentar yorum yorumlar
save guardar enregistrer speichern salva zapisz kaydet follow seguir suivre folgen segui obserwuj takip
""".split())
_SOCIAL_WORDS = _SOCIAL_NETWORKS | _BUTTON_WORDS
#: A toolbar row (byline, date and buttons run together) names at least this many
#: different networks or buttons, two of them buttons, and they are at least
#: `_TOOLBAR_SHARE` of its words: a headline that lists networks has no buttons.
_TOOLBAR_MIN_WORDS = 5
_TOOLBAR_SHARE = 0.35

_SOCIAL_CONNECTORS = frozenset("""
on this article via sur cet cette article auf diesen artikel en este artículo su questo articolo
na ten artykuł в эту статью no bu haberi este artigo op dit artikel now jetzt
""".split())

# Words a heading does not end with: articles and conjunctions (a line ending in one
# was cut off). Prepositions are left out on purpose: phrasal verbs and German/Dutch
# separable particles ("kicks in", "bestellt ... ein", "belt ... op") end real headings.
_FUNCTION_WORDS = frozenset("""
the a an of and or
le la les l de des du d et ou un une au aux
der die das den dem des und oder
el los las lo un una y o del al
il lo gli la le i un una e o di del della
oraz
и
ve
os as um uma do da dos das
het een en van
""".split())

_SENTENCE_END = re.compile(r"""[.!?…;:。！？؟»"”’')\]]$""")
_LETTER = re.compile(r"[^\W\d_]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")

_PROVIDED_BY = _alternation([
    r"provided\s+by", r"fournis?\s+par", r"bereitgestellt\s+von", r"proporcionado\s+por",
    r"fornito\s+da", r"dostarczone\s+przez", r"предоставлено", r"sa[ğg]layan", r"fornecido\s+por",
    r"aangeboden\s+door",
])
_IMAGE_LINE = re.compile(
    rf"""^(?:!\[[^\]]*\]\([^)]*\)\s*)+$
       |^\[(?:{_IMAGE_WORDS})\b[^\]]*\]$
       |^(?:{_IMAGE_WORDS})\s*:\s*\S
       |^©
       |^(?:{_PROVIDED_BY})\s+\S""", _I | re.VERBOSE)
_PROMO_LINE = re.compile(rf"^(?:{_PROMO})", _I)
_CROSS_LINK_LINE = re.compile(rf"^[\s>»►▶•*-]*(?:{_CROSS_LINK})", _I)
_ARROW_LINE = re.compile(r"^(?:>>|►|▶)")
_CREDIT_LINE = re.compile(rf"^[(\[—–-]*\s*(?:{_CREDIT})\s*[)\].]*$", _I)
_DEVELOPING_LINE = re.compile(rf"(?:{_DEVELOPING})", _I)
_NOTICE_LINE = re.compile(rf"(?:{_NOTICE})", _I)
#: A consent wall: the page a scraper gets instead of the article ("Wir setzen auf unserer
#: Website Cookies ein ... Durch die weitere Nutzung ... erklären Sie sich einverstanden").
#: Its paragraphs are long, so they pass the short-line patterns; what marks one is a
#: cookie or privacy term together with the site speaking as itself or to its reader. An
#: article *about* cookies or data protection reports ("websites must ask users") and
#: rarely says "our website" or "you agree" in the same paragraph.
_CONSENT_TERM = re.compile(
    r"cookie|çerez|куки|ملفات تعريف الارتباط|datenschutzerkl|datenschutzrichtlinie|datenschutzbestimmung|"
    r"privacy policy|politique de confidentialit|pol[íi]tica de privacidad|informativa (?:sulla )?privacy|"
    r"polityk[ai] prywatno|политик[аеи] конфиденциальн|gizlilik politikas|privacyverklaring|privacybeleid", _I)
_SITE_VOICE = re.compile(
    r"\b(?:unsere[rnms]? (?:web)?(?:seite|site|website|angebot)|diese (?:web)?seite verwendet|"
    r"wir (?:setzen|verwenden|nutzen)\b|stimmen sie\b.{0,80}\bzu|sie stimmen|erklären sie sich|"
    r"our (?:web)?site|this (?:web)?site uses|we use cookies|by (?:continuing|using) (?:to use )?(?:this|our)|"
    r"you (?:agree|consent|accept)|notre site|ce site utilise|nous utilisons|vous acceptez|"
    r"nuestr[oa] (?:sitio|web|página)|este sitio|utilizamos cookies|usamos cookies|acepta[sr]? (?:el|su|nuestra)|"
    r"nostro sito|questo sito|utilizziamo|acconsenti|nasz(?:ej|a|ym) (?:stron|serwis)|używamy|wyrażasz zgodę|"
    r"наш(?:ем)? сайт|этот сайт|мы используем|вы соглашаетесь|sitemiz|kullanıyoruz|kabul etmiş olursunuz|"
    r"nosso site|este site|concorda com|onze (?:web)?site|deze (?:web)?site|w(?:ij|e) gebruiken|gaat u akkoord)", _I)
#: An access wall: a rate-limit, robot-check, ad-blocker or JavaScript page in place of the
#: article ("we recorded a huge amount of connections from the IP address you are connecting
#: from", "NIE JESTEM ROBOTEM", "To view this video please enable JavaScript"). Its phrases
#: are the site talking about the reader's browser, never news.
_ACCESS_WALL = re.compile(r"|".join([
    r"huge (?:amount|number) of connections", r"misused the ip address", r"\bi am not a robot",
    r"\bare you a robot", r"\byour ip address\s*:", r"unusual traffic from your",
    r"verify (?:that )?you are (?:a )?human",
    r"(?:please )?enable javascript", r"disable (?:your )?ad ?-?block", r"add an exception for our (?:domain|site)",
    r"ogromn\w* ilo\w+ po\w+cze", r"nadu\w+ adres\w* ip", r"nie jestem robotem", r"tw[óo]j adres ip\s*:",
    r"wy\w+cz adblock", r"dodaj wyj\w+tek dla naszej domeny",
    r"ich bin kein roboter", r"javascript aktivieren", r"werbeblocker deaktivieren", r"ihre ip-adresse\s*:",
    r"je ne suis pas un robot", r"activ(?:ez|er) (?:le )?javascript", r"votre adresse ip\s*:",
    r"no soy un robot", r"(?:habilita|activa)r? (?:el )?javascript", r"tu direcci[óo]n ip\s*:",
    r"non sono un robot", r"abilita(?:re)? (?:il )?javascript",
    r"я не робот", r"включите javascript", r"ваш ip-адрес\s*:", r"robot de[ğg]ilim", r"javascript'?i etkinle",
]), _I)
#: Sentence boundaries inside one line (scraped texts often hold a whole page on one line).
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?…])\s+(?=\S)")
#: A newsletter promotion: a newsletter word and a subscription word in one short line.
_NEWSLETTER = re.compile(r"newsletter|bolet[íi]n|infolettre|bulletin|b[üu]lten|рассылк|biuletyn|النشرة", _I)
_SUBSCRIBE = re.compile(r"subscri|suscr[íi]b|abonn|abbona|iscriviti|inscrivez|anmelden|zapisz si|подпиш|abone ol|"
                        r"\bspam\b|اشترك", _I)
_SHARE_URL = re.compile(
    r"https?://(?:www\.)?(?:facebook\.com/sharer|twitter\.com/(?:intent|share)|x\.com/intent|"
    r"wa\.me|api\.whatsapp\.com|t\.me/share|linkedin\.com/share|pinterest\.com/pin|"
    r"reddit\.com/submit|vk\.com/share)\S*", _I)

# Asset-like tokens: image file names and badge/logo/icon names.
_IMAGE_FILE = r"[\w.%-]+\.(?:png|jpe?g|gif|svg|webp|bmp|ico|avif)(?:\?\S*)?"
_BADGE = (r"[a-z0-9]+(?:[-_][a-z0-9]+)*[-_](?:badge|logo|icon|banner|btn|button|sprite|thumb|thumbnail)"
          r"(?:[-_][a-z0-9]+)*(?:[-_][A-Z]{2})?")
_ASSET_LINE = re.compile(rf"^(?:(?:{_IMAGE_FILE}|{_BADGE}|(?:IMG|DSC|img|dsc)[-_]\w+)\s*)+$", _I)
# A badge glued to the start of the next paragraph ("...badge_FRThe minister said").
_GLUED_BADGE = re.compile(rf"^(?:{_IMAGE_FILE}|{_BADGE})(?=[A-Z\"«“„][a-z]|\s+\S+\s+\S)")

# Inline fragments inside a paragraph.
_INLINE_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_INLINE_CREDIT = re.compile(rf"©\s*(?:{_PROVIDED_BY})\s+(\S+)", _I)
_NAME_TOKEN = re.compile(r"\s+([A-Z][\w.&'-]*)")
#: At most this many words of a provider's name follow "© Provided by".
_MAX_PROVIDER_WORDS = 3


@dataclass
class Cleaned:
    """Cleaned text and what was taken out (for audit), in order of appearance."""

    text: str
    removed: list[str] = field(default_factory=list)


def _is_cjk_line(line: str) -> bool:
    return bool(_CJK.search(line))


def is_dangling(line: str) -> bool:
    """A cut-off fragment: short, no sentence-final punctuation, and not a heading.

    Headings of several words are kept; one bare token, a line ending in a function
    word ("The summary of the"), or a short lowercase-initial line are fragments.
    """
    if _SENTENCE_END.search(line):
        return False
    if not _LETTER.search(line):
        return True
    if _is_cjk_line(line):
        return len(line) < 4
    words = line.split()
    if len(words) == 1:
        return len(line) <= 30
    if words[-1].lower().strip(",-–—") in _FUNCTION_WORDS:
        return True
    return line[0].islower() and len(words) <= 3


def _is_social(line: str) -> bool:
    """A row of share buttons: only social-network words (and "on", "this", "via", share
    counts...), or a toolbar where such words are many and make up a good part of an
    unpunctuated line ("Franco Tossi SEGUIR Comentar Compartir E-mail Twitter Facebook
    WhatsApp Guardar 1 de marzo de 2020")."""
    words = [w.lower() for w in re.split(r"[\s|·•/,:]+", line) if w]
    social = [w for w in words if w in _SOCIAL_WORDS]
    if not social:
        return False
    if all(w in _SOCIAL_WORDS or w in _SOCIAL_CONNECTORS or w.isdigit() for w in words):
        return True
    distinct = set(social)
    return (len(distinct) >= _TOOLBAR_MIN_WORDS and len(distinct & _BUTTON_WORDS) >= 2
            and len(social) >= _TOOLBAR_SHARE * len(words) and not _SENTENCE_END.search(line))


def debris_reason(line: str, repeated: frozenset[str] = frozenset()) -> str | None:
    """Why ``line`` (stripped) is debris, or None when it should be kept."""
    if line in repeated:
        return "repeated"
    if _ARROW_LINE.match(line):
        return "cross-link"
    if _ASSET_LINE.match(line):
        return "asset"
    if _SHARE_URL.search(line) and len(_SHARE_URL.sub("", line).split()) <= 3:
        return "share"
    if len(line) > MAX_DEBRIS_LINE_CHARS:
        return None
    if _IMAGE_LINE.match(line):
        return "image"
    if _CROSS_LINK_LINE.match(line):
        return "cross-link"
    if _PROMO_LINE.match(line):
        return "promotion"
    if _CREDIT_LINE.match(line):
        return "credit"
    if _DEVELOPING_LINE.search(line) or _NOTICE_LINE.search(line):
        return "boilerplate"
    if _NEWSLETTER.search(line) and _SUBSCRIBE.search(line):
        return "promotion"
    if line.lower().strip(" .-—:") in _ADVERT_WORDS:
        return "advert"
    if _is_social(line):
        return "share"
    if is_dangling(line):
        return "dangling"
    return None


def _is_wall(text: str) -> bool:
    """A consent wall (`_CONSENT_TERM` and `_SITE_VOICE` together) or an access wall."""
    return bool(_CONSENT_TERM.search(text) and _SITE_VOICE.search(text)) or bool(_ACCESS_WALL.search(text))


def _strip_walls(line: str, removed: list[str]) -> str:
    """Remove the consent- and access-wall sentences of a line (`_is_wall`); the whole line
    when they are at least half of it, since the rest of such a wall ("Zudem messen wir die
    Besuche aus") names no cookie. Sentence by sentence because a scraped page often runs
    title, article and wall together on one line."""
    if not _is_wall(line):
        return line
    sentences = _SENTENCE_SPLIT.split(line)
    wall = [_is_wall(x) for x in sentences]
    if 2 * sum(len(x) for x, w in zip(sentences, wall) if w) >= len(line):
        removed.append(line)
        return ""
    removed.extend(x for x, w in zip(sentences, wall) if w)
    return " ".join(x for x, w in zip(sentences, wall) if not w)


def _strip_inline(line: str, removed: list[str]) -> str:
    """Remove image placeholders, credits and wall sentences inside a line; split a glued
    badge prefix."""
    line = _strip_walls(line, removed)
    if not line:
        return line
    for match in _INLINE_IMAGE.finditer(line):
        removed.append(match.group(0))
    line = _INLINE_IMAGE.sub(" ", line)
    line = _strip_inline_credits(line, removed)
    glued = _GLUED_BADGE.match(line)
    if glued:
        removed.append(glued.group(0))
        line = line[glued.end():]
    return re.sub(r"[ \t]{2,}", " ", line).strip()


def _credit_end(line: str, match: re.Match[str]) -> int:
    """End of "© Provided by Name": the name's capitalised words, up to a function word."""
    end = match.end()
    words = 1
    while words < _MAX_PROVIDER_WORDS and not _SENTENCE_END.search(line[:end]):
        token = _NAME_TOKEN.match(line, end)
        if not token or token.group(1).lower() in _FUNCTION_WORDS:
            break
        end = token.end()
        words += 1
    return end


def _strip_inline_credits(line: str, removed: list[str]) -> str:
    while match := _INLINE_CREDIT.search(line):
        end = _credit_end(line, match)
        removed.append(line[match.start():end])
        line = f"{line[:match.start()]} {line[end:]}"
    return line


def _is_footer_candidate(line: str) -> bool:
    """Short lines that can belong to a page footer: unpunctuated, or a short exclamation."""
    if len(line) > MAX_FOOTER_LINE_CHARS:
        return False
    return not _SENTENCE_END.search(line) or (line.endswith("!") and len(line) <= 80)


#: Other line and paragraph separators (vertical tab, form feed, NEL, U+2028/2029) become newlines.
_LINE_BREAKS = re.compile("[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
#: Invisible characters that carry no text: C0/C1 controls (tab and newline excepted), zero-width
#: space, word joiner, BOM, and bidi embeddings/overrides/isolates, which can make text display
#: in another order than it reads ("Trojan Source", CVE-2021-42574). ZWJ/ZWNJ stay: scripts need them.
_INVISIBLE = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\u200b\u2060\ufeff\u202a-\u202e\u2066-\u2069]")


def strip_invisible(text: str) -> str:
    """``text`` without control and bidi-override characters; other separators become newlines."""
    return _INVISIBLE.sub("", _LINE_BREAKS.sub("\n", text))


def clean_text(text: str, repeated: frozenset[str] = frozenset()) -> Cleaned:
    """Remove scraping debris from ``text``; ``repeated`` are known boilerplate lines.

    Control, zero-width-space and bidi-override characters are dropped first (see
    :func:`strip_invisible`). Paragraph breaks are kept (runs of blank lines become
    one blank line); ``Cleaned.removed`` lists every removed line or inline fragment.

    Repeated lines are boilerplate only while they are a minority of the article:
    when more than half of its lines repeat, the article itself was published
    again (a wire story re-run, an update), and its lines are content.
    """
    removed: list[str] = []
    if repeated:
        body = [ln.strip() for ln in text.splitlines() if ln.strip()]
        if sum(ln in repeated for ln in body) * 2 > len(body):
            repeated = frozenset()
    lines: list[str | None] = []  # None marks a paragraph break
    reasons: list[str | None] = []
    text = strip_invisible(text.replace("\r\n", "\n").replace("\r", "\n"))
    for raw in text.split("\n"):
        stripped = raw.strip()
        if not stripped:
            lines.append(None)
            reasons.append(None)
            continue
        line = _strip_inline(stripped, removed)
        reason = debris_reason(line, repeated) if line else "inline-only"
        lines.append(line)
        reasons.append(reason)
    _mark_footer(lines, reasons)
    kept: list[str] = []
    for line, reason in zip(lines, reasons, strict=True):
        if line is None:
            if kept and kept[-1] != "":
                kept.append("")
        elif reason is None:
            kept.append(line)
        elif line:
            removed.append(line)
    while kept and kept[-1] == "":
        kept.pop()
    return Cleaned(text="\n".join(kept), removed=removed)


def _mark_footer(lines: list[str | None], reasons: list[str | None]) -> None:
    """Mark footer-like lines interleaved with known debris at the end of the text.

    Scanning up from the end over debris and short footer-like lines, the
    footer-like lines *below the topmost recognised debris line* are marked: they
    sit among promotions and badges. Lines above it (a closing list of figures,
    a last sub-heading) are left alone.
    """
    candidates: list[int] = []
    topmost_debris: int | None = None
    for index in range(len(lines) - 1, -1, -1):
        line = lines[index]
        if line is None:
            continue
        if reasons[index] is not None:
            if reasons[index] not in {"dangling", "inline-only"}:
                topmost_debris = index
            continue
        if _is_footer_candidate(line):
            candidates.append(index)
            continue
        break
    if topmost_debris is None:
        return
    for index in candidates:
        if index > topmost_debris:
            reasons[index] = "footer"


class RepeatedLineModel:
    """Learns lines that repeat across the articles of one source.

    Algorithm: for each source, count in how many articles each (stripped,
    non-empty) line occurs — once per article. A line seen in at least
    ``min_count`` articles of the same source is boilerplate (a footer, a
    standard byline, a promo) and can be removed by :func:`clean_text`.

    Parameters: ``max_line_chars`` — longer lines are not counted (real paragraphs
    rarely repeat verbatim, and this bounds memory).

    >>> model = RepeatedLineModel()
    >>> for body in ("First story.\\nShare this", "Second story.\\nShare this", "Third.\\nShare this"):
    ...     model.learn_one("example.org", body.splitlines())
    >>> sorted(model.repeated("example.org"))
    ['Share this']
    >>> clean_text("Fourth story.\\nShare this", model.repeated("example.org")).text
    'Fourth story.'
    """

    def __init__(self, max_line_chars: int = 300) -> None:
        self.max_line_chars = max_line_chars
        self._counts: dict[str, Counter[str]] = defaultdict(Counter)

    def learn_one(self, source: str, lines: Iterable[str]) -> None:
        distinct = {line.strip() for line in lines}
        self._counts[source].update(
            line for line in distinct if line and len(line) <= self.max_line_chars)

    def repeated(self, source: str, min_count: int = 3) -> frozenset[str]:
        counts = self._counts.get(source)
        if not counts:
            return frozenset()
        return frozenset(line for line, count in counts.items() if count >= min_count)
