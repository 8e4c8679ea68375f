"""Enrichment stage, part two: when.

`resolve_dates(article)` finds date expressions in each sentence of an article and
resolves them against the article's publication date, in the article's language:

* explicit dates -- "19 janvier 2022", "January 19", "19.01.2022", "2022-01-19",
  "19 января", "1月19日" -- by regular expressions over CLDR month names (Babel);
  candidate spans our patterns cannot read are handed to `dateparser` (slow, so
  only the short span is parsed, never a sentence). A date without a year takes
  the year that puts it nearest to the publication date.
* weekdays -- "on Friday", "ce mercredi", "am Donnerstag", "в пятницу", "周五",
  "الجمعة" -- the publication weekday itself is the publication day; any other
  weekday is the coming one when a future cue (will, is due to, doit, prévu, wird,
  -ecek, 将, سوف...) or a "this/next" modifier is nearer to it than a past cue (said,
  a déclaré, hat, 曾...), else the past one (news mostly reports what happened).
* relative words -- yesterday/today/tomorrow, the day before yesterday, last/next
  week, in every supported language; parts of day (matin, morning, Abend, вечером,
  上午...) attach to the date they follow or precede.

Without a publication date only explicit dates that carry a year are resolved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from newsloom.model import Article, Sentence, TimeEvent

# -- language data ----------------------------------------------------------------------
#: weekday forms, Monday first; several forms where the language inflects the name
WEEKDAYS: dict[str, tuple[tuple[str, ...], ...]] = {
    "en": (("monday",), ("tuesday",), ("wednesday",), ("thursday",), ("friday",), ("saturday",), ("sunday",)),
    "fr": (("lundi",), ("mardi",), ("mercredi",), ("jeudi",), ("vendredi",), ("samedi",), ("dimanche",)),
    "de": (("montag",), ("dienstag",), ("mittwoch",), ("donnerstag",), ("freitag",), ("samstag", "sonnabend"),
           ("sonntag",)),
    "es": (("lunes",), ("martes",), ("miércoles", "miercoles"), ("jueves",), ("viernes",), ("sábado", "sabado"),
           ("domingo",)),
    "it": (("lunedì", "lunedi"), ("martedì", "martedi"), ("mercoledì", "mercoledi"), ("giovedì", "giovedi"),
           ("venerdì", "venerdi"), ("sabato",), ("domenica",)),
    "pt": (("segunda-feira", "segunda"), ("terça-feira", "terça"), ("quarta-feira", "quarta"),
           ("quinta-feira", "quinta"), ("sexta-feira", "sexta"), ("sábado",), ("domingo",)),
    "nl": (("maandag",), ("dinsdag",), ("woensdag",), ("donderdag",), ("vrijdag",), ("zaterdag",), ("zondag",)),
    "pl": (("poniedziałek", "poniedziałku"), ("wtorek", "wtorku"), ("środę", "środa", "środy"),
           ("czwartek", "czwartku"), ("piątek", "piątku"), ("sobotę", "sobota", "soboty"),
           ("niedzielę", "niedziela", "niedzieli")),
    "ru": (("понедельник",), ("вторник",), ("среду", "среда"), ("четверг",), ("пятницу", "пятница"),
           ("субботу", "суббота"), ("воскресенье",)),
    "uk": (("понеділок",), ("вівторок",), ("середу", "середа"), ("четвер",), ("п'ятницю", "п’ятницю", "п'ятниця"),
           ("суботу", "субота"), ("неділю", "неділя")),
    "tr": (("pazartesi",), ("salı",), ("çarşamba",), ("perşembe",), ("cuma",), ("cumartesi",), ("pazar",)),
    "zh": (("周一", "星期一", "礼拜一"), ("周二", "星期二"), ("周三", "星期三"), ("周四", "星期四"), ("周五", "星期五"),
           ("周六", "星期六"), ("周日", "星期日", "星期天", "周天")),
    "ja": (("月曜日", "月曜"), ("火曜日", "火曜"), ("水曜日", "水曜"), ("木曜日", "木曜"), ("金曜日", "金曜"),
           ("土曜日", "土曜"), ("日曜日", "日曜")),
    "ko": (("월요일",), ("화요일",), ("수요일",), ("목요일",), ("금요일",), ("토요일",), ("일요일",)),
    "ar": (("الاثنين", "الإثنين"), ("الثلاثاء",), ("الأربعاء", "الاربعاء"), ("الخميس",), ("الجمعة",), ("السبت",),
           ("الأحد", "الاحد")),
}

#: day offsets from the publication date
RELATIVE_DAYS: dict[str, dict[str, int]] = {
    "en": {"the day before yesterday": -2, "yesterday": -1, "today": 0, "tonight": 0, "this morning": 0,
           "this afternoon": 0, "this evening": 0, "tomorrow": 1, "the day after tomorrow": 2},
    "fr": {"avant-hier": -2, "hier": -1, "aujourd'hui": 0, "aujourd’hui": 0, "ce matin": 0, "ce soir": 0,
           "cet après-midi": 0, "demain": 1, "après-demain": 2},
    "de": {"vorgestern": -2, "gestern": -1, "heute": 0, "morgen": 1, "übermorgen": 2},
    "es": {"anteayer": -2, "antes de ayer": -2, "ayer": -1, "hoy": 0, "esta mañana": 0, "esta noche": 0,
           "esta tarde": 0, "mañana": 1, "pasado mañana": 2},
    "it": {"l'altro ieri": -2, "ieri": -1, "oggi": 0, "stamattina": 0, "stasera": 0, "stanotte": 0, "domani": 1,
           "dopodomani": 2},
    "pt": {"anteontem": -2, "ontem": -1, "hoje": 0, "amanhã": 1, "depois de amanhã": 2},
    "nl": {"eergisteren": -2, "gisteren": -1, "vandaag": 0, "vanavond": 0, "vanochtend": 0, "morgen": 1,
           "overmorgen": 2},
    "pl": {"przedwczoraj": -2, "wczoraj": -1, "dzisiaj": 0, "dziś": 0, "jutro": 1, "pojutrze": 2},
    "ru": {"позавчера": -2, "вчера": -1, "сегодня": 0, "завтра": 1, "послезавтра": 2},
    "uk": {"позавчора": -2, "вчора": -1, "учора": -1, "сьогодні": 0, "завтра": 1, "післязавтра": 2},
    "tr": {"evvelsi gün": -2, "dün": -1, "bugün": 0, "yarın": 1},
    "zh": {"前天": -2, "昨天": -1, "昨日": -1, "今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2},
    "ja": {"一昨日": -2, "昨日": -1, "今日": 0, "明日": 1},
    "ko": {"그제": -2, "어제": -1, "오늘": 0, "내일": 1, "모레": 2},
    "ar": {"أول أمس": -2, "أمس": -1, "الأمس": -1, "اليوم": 0, "غدا": 1, "غداً": 1},
}

#: week offsets (the date is that week's Monday, granularity "week")
RELATIVE_WEEKS: dict[str, dict[str, int]] = {
    "en": {"last week": -1, "this week": 0, "next week": 1},
    "fr": {"la semaine dernière": -1, "la semaine passée": -1, "cette semaine": 0, "la semaine prochaine": 1},
    "de": {"letzte woche": -1, "vergangene woche": -1, "vergangenen woche": -1, "letzten woche": -1,
           "diese woche": 0, "dieser woche": 0, "nächste woche": 1, "nächsten woche": 1, "kommende woche": 1,
           "kommenden woche": 1},
    "es": {"la semana pasada": -1, "esta semana": 0, "la próxima semana": 1, "la semana que viene": 1},
    "it": {"la settimana scorsa": -1, "settimana scorsa": -1, "questa settimana": 0, "la prossima settimana": 1,
           "settimana prossima": 1},
    "pt": {"semana passada": -1, "esta semana": 0, "próxima semana": 1},
    "nl": {"vorige week": -1, "deze week": 0, "volgende week": 1},
    "pl": {"w zeszłym tygodniu": -1, "w ubiegłym tygodniu": -1, "w tym tygodniu": 0, "w przyszłym tygodniu": 1},
    "ru": {"на прошлой неделе": -1, "на этой неделе": 0, "на следующей неделе": 1},
    "uk": {"минулого тижня": -1, "цього тижня": 0, "наступного тижня": 1},
    "tr": {"geçen hafta": -1, "bu hafta": 0, "gelecek hafta": 1, "önümüzdeki hafta": 1},
    "zh": {"上周": -1, "上星期": -1, "本周": 0, "这周": 0, "下周": 1, "下星期": 1},
    "ja": {"先週": -1, "今週": 0, "来週": 1},
    "ko": {"지난주": -1, "이번 주": 0, "다음 주": 1},
    "ar": {"الأسبوع الماضي": -1, "هذا الأسبوع": 0, "الأسبوع المقبل": 1, "الأسبوع القادم": 1},
}

#: part-of-day words -> part
PARTS_OF_DAY: dict[str, dict[str, str]] = {
    "en": {"morning": "morning", "afternoon": "afternoon", "evening": "evening", "night": "night",
           "tonight": "evening"},
    "fr": {"matin": "morning", "matinée": "morning", "après-midi": "afternoon", "soir": "evening",
           "soirée": "evening", "nuit": "night"},
    "de": {"morgen": "morning", "vormittag": "morning", "nachmittag": "afternoon", "abend": "evening",
           "nacht": "night", "morgens": "morning", "abends": "evening"},
    "es": {"por la mañana": "morning", "por la tarde": "afternoon", "por la noche": "night", "esta mañana": "morning",
           "esta tarde": "afternoon", "esta noche": "evening"},
    "it": {"mattina": "morning", "mattinata": "morning", "stamattina": "morning", "pomeriggio": "afternoon",
           "sera": "evening", "serata": "evening", "stasera": "evening", "notte": "night"},
    "pt": {"manhã": "morning", "tarde": "afternoon", "noite": "night"},
    "nl": {"ochtend": "morning", "middag": "afternoon", "avond": "evening", "nacht": "night",
           "vanavond": "evening", "vanochtend": "morning"},
    "pl": {"rano": "morning", "po południu": "afternoon", "wieczorem": "evening", "w nocy": "night"},
    "ru": {"утром": "morning", "днём": "afternoon", "днем": "afternoon", "вечером": "evening", "ночью": "night"},
    "uk": {"вранці": "morning", "зранку": "morning", "вдень": "afternoon", "ввечері": "evening", "увечері": "evening",
           "вночі": "night"},
    "tr": {"sabah": "morning", "öğleden sonra": "afternoon", "akşam": "evening", "gece": "night"},
    "zh": {"上午": "morning", "早上": "morning", "清晨": "morning", "下午": "afternoon", "晚上": "evening",
           "晚间": "evening", "夜间": "night", "凌晨": "night"},
    "ja": {"午前": "morning", "朝": "morning", "午後": "afternoon", "夜": "night"},
    "ko": {"오전": "morning", "아침": "morning", "오후": "afternoon", "저녁": "evening", "밤": "night"},
    "ar": {"صباح": "morning", "صباحا": "morning", "ظهر": "afternoon", "مساء": "evening", "مساءً": "evening",
           "ليلة": "night", "ليلا": "night"},
}

#: words that point a bare weekday forward (regexes, case-insensitive)
FUTURE_CUES: dict[str, str] = {
    "en": r"\bwill\b|\bwon't\b|\bis (?:due|expected|set|scheduled|to)\b|\bare (?:due|expected|set|scheduled|to)\b|"
          r"\bplans? to\b|\bcoming\b|\bnext\b|\bis going to\b|\bwould\b|\bupcoming\b",
    "fr": r"\b\w+(?:ra|ront|rai|ras|rez|rons)\b|\bdoit\b|\bdoivent\b|\bdevra\b|\bpr[ée]vue?s?\b|\battendue?s?\b|"
          r"\bprochaine?\b|\bva\b|\bvont\b|\bce\b|\bcette\b",
    "de": r"\bwird\b|\bwerden\b|\bsoll\b|\bsollen\b|\bwill\b|\bkommenden\b|\bnächsten\b|\bgeplant\b|\berwartet\b",
    "es": r"\b\w+(?:rá|rán|remos)\b|\bva a\b|\bvan a\b|\bprevist[oa]s?\b|\bpróximo\b|\bespera\b|\beste\b|\besta\b",
    "it": r"\b\w+(?:rà|ranno|remo)\b|\bprevist[oaie]\b|\bprossim[oa]\b|\bquesto\b|\bdovrebbe\b|\batteso\b",
    "pt": r"\b\w+(?:rá|rão|remos)\b|\bvai\b|\bvão\b|\bprevist[oa]\b|\bpróxim[oa]\b|\bdeve\b",
    "nl": r"\bzal\b|\bzullen\b|\bgaat\b|\bgaan\b|\bvolgende\b|\bkomende\b|\bverwacht\b",
    "pl": r"\bbędzie\b|\bbędą\b|\bma się\b|\bmają się\b|\bplanuje\b|\bprzyszł\w*|\bzamierza\b|\bpoleci\b|"
          r"\bspotka się\b|\bodwiedzi\b|\bprzyjedzie\b|\bweźmie\b",
    "ru": r"\bбудет\b|\bбудут\b|\bпланирует\b|\bнамерен\w*|\bожидается\b|\bсостоится\b|\bследующ\w*|"
          r"\bпроведет\b|\bпроведёт\b|\bвстретится\b|\bпосетит\b|\bприлетит\b|\bотправится\b|\bдолжен\b",
    "uk": r"\bбуде\b|\bбудуть\b|\bпланує\b|\bмає\b|\bнаступн\w*|\bзустрінеться\b|\bвідвідає\b|\bвідбудеться\b",
    "tr": r"\w+(?:ecek|acak|ecekler|acaklar|ecektir|acaktır)\b|\bgelecek\b|\bönümüzdeki\b|\bplanlanan\b|\bbu\b",
    "zh": r"将|计划|预计|准备|下周|即将|打算|会见将",
    "ja": r"予定|する見通し|来週",
    "ko": r"예정|할 계획|다음 주",
    "ar": r"سوف|(?<!\w)س[يتأن]\w{3,}|المقبل|القادم|من المقرر|من المتوقع",
}

#: words that point a bare weekday back
PAST_CUES: dict[str, str] = {
    "en": r"\bsaid\b|\bwas\b|\bwere\b|\bhad\b|\bdid\b|\bmet\b|\blast\b|\bearlier\b|\bago\b|\btold\b|"
          r"\bheld\b|\bspoke\b|\bgave\b|\btook\b|\bwent\b|\bcame\b|\bleft\b|\bsent\b|\bbegan\b|"
          r"(?<!\bis )(?<!\bare )(?<!\bbe )(?<!\bbeen )\b(?!(?:un)?(?:expected|scheduled|planned|changed)\b)\w+ed\b",
    "fr": r"\ba\b|\bont\b|\bavait\b|\bétait\b|\bdernier\b|\bdernière\b|\best \w+é\b|\bfut\b",
    "de": r"\bhat\b|\bhatte\b|\bhaben\b|\bwar\b|\bwaren\b|\bvergangenen\b|\bletzten\b|\bsagte\b|\btraf\b|"
          r"\bvom\b|\bwurde\b|\bwurden\b|\bgab\b|\bkam\b|\bsprach\b|\b(?!heute\b)\w{3,}(?:te|ten)\b",
    "es": r"\bha\b|\bhan\b|\bhabía\b|\bfue\b|\bpasado\b|\b\w+ó\b|\bdijo\b",
    "it": r"\bha\b|\bhanno\b|\bera\b|\bscorso\b|\bè \w+[oa]\b|\bsono \w+[ie]\b",
    "pt": r"\bfoi\b|\bpassad[oa]\b|\b\w+ou\b|\bdisse\b",
    "nl": r"\bheeft\b|\bhad\b|\bwas\b|\bwerd\b|\bwerden\b|\bvorige\b|\bzei\b|\bkondigde\b|\bbezocht\b",
    "pl": r"(?-i:\b[a-ząćęłńóśźż]\w*(?:ł|ła|ło|li|ły)\b)|\bzeszł\w*|\bubiegł\w*|\bpowiedział\w*",
    "ru": r"(?-i:\b[а-яё]\w*(?:л|ла|ли|ло|лся|лась|лись)\b)|\bпрошл\w*",
    "uk": r"(?-i:\b[а-яіїєґ']\w*(?:в|ла|ли|ло|вся|лася|лися|лося)\b)|\bминул\w*",
    "tr": r"\w+(?:dı|di|du|dü|tı|ti|tu|tü)\b|\bgeçen\b|\w+mıştı\b|\w+mişti\b",
    "zh": r"了|曾|上周|表示|说",
    "ja": r"した|先週",
    "ko": r"했다|지난",
    "ar": r"قال|قالت|أعلن|أعلنت|الماضي|أكد|التقى|زار",
}

#: direction of a bare weekday when no cue at all is found: forward in languages whose
#: present tense announces scheduled events (Scholz reist am Freitag; Дума рассмотрит
#: в четверг) and whose past tense our cues catch reliably; back elsewhere
DEFAULT_FORWARD = frozenset({"de", "nl", "pl", "ru", "uk"})

#: words in front of a weekday that fix its direction
WEEKDAY_MODIFIERS: dict[str, dict[str, int]] = {
    "en": {"last": -1, "next": 1, "this": 0, "this coming": 1, "coming": 1},
    "fr": {"ce": 0, "dernier": -1, "prochain": 1},
    "de": {"letzten": -1, "vergangenen": -1, "nächsten": 1, "kommenden": 1, "diesen": 0},
    "es": {"el pasado": -1, "el próximo": 1, "este": 0, "pasado": -1, "próximo": 1},
    "it": {"scorso": -1, "prossimo": 1, "questo": 0},
    "pt": {"passado": -1, "próximo": 1, "próxima": 1, "nesta": 0, "neste": 0},
    "nl": {"vorige": -1, "afgelopen": -1, "volgende": 1, "komende": 1, "deze": 0},
    "pl": {"w zeszły": -1, "w ubiegły": -1, "w przyszły": 1, "w najbliższy": 1, "w ten": 0, "w tę": 0},
    "ru": {"в прошлый": -1, "в прошлую": -1, "в следующий": 1, "в следующую": 1, "в эту": 0, "в этот": 0},
    "uk": {"минулого": -1, "минулої": -1, "наступного": 1, "наступної": 1, "цього": 0, "цієї": 0},
    "tr": {"geçen": -1, "gelecek": 1, "önümüzdeki": 1, "bu": 0},
    "zh": {"上": -1, "下": 1, "本": 0, "这": 0},
    "ja": {"先週": -1, "来週": 1, "今週": 0},
    "ko": {"지난": -1, "다음": 1, "이번": 0},
    "ar": {"الماضي": -1, "المقبل": 1, "القادم": 1},
}
#: modifiers that follow the weekday (vendredi dernier, el viernes pasado, الجمعة الماضي)
_POSTPOSED = {"fr", "es", "it", "pt", "ar"}

_NUMERIC_DMY = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4}|\d{2})\b")
#: day + word + year or word + day + year: handed to dateparser when our patterns miss it
_DATE_CANDIDATE = re.compile(r"\b\d{1,2}\.?\s+[^\W\d_]{3,}\.?\s+\d{4}\b|\b[^\W\d_]{3,}\.?\s+\d{1,2},?\s+\d{4}\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_CJK_DATE = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})[日号]")
_KO_DATE = re.compile(r"(?:(\d{4})년\s*)?(\d{1,2})월\s*(\d{1,2})일")


@dataclass
class _Found:
    start: int  # offsets in the sentence text
    end: int
    date: date
    granularity: str = "day"
    part_of_day: str | None = None
    explicit: bool = False



#: a date in a URL path: /2022/01/19/, /2022-01-19-, _20220119_ (not inside a longer number)
_URL_DATE = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})([/_-]?)(0[1-9]|1[0-2])\2(0[1-9]|[12][0-9]|3[01])(?![0-9])")


def date_from_url(url: str | None) -> date | None:
    """The publication day a news URL spells in its path, e.g. ``/2022/01/19/slug``.

    Many outlets put the day in the path; feeds and scraped pages often lack any other
    date, and undated articles resolve no relative dates. Only the path is read (never
    the host or query), the separators must agree (``2022/01/19``, ``2022-01-19``,
    ``20220119``), and the day must exist. Returns None when there is no such date.

    >>> date_from_url("https://example.org/world/2022/01/19/talks-in-geneva")
    datetime.date(2022, 1, 19)
    >>> date_from_url("https://example.org/item?id=20220119") is None
    True
    """
    if not url:
        return None
    from urllib.parse import urlsplit

    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    for m in _URL_DATE.finditer(path):
        try:
            return date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
        except ValueError:
            continue
    return None


def _fold(word: str) -> str:
    """Lower-case for lookups, Turkish-safe: "NİSAN".lower() is "ni̇san" (i + combining dot)
    and "ARALIK".lower() is "aralik", so dotted and dotless i fold to a plain i on both sides."""
    return word.lower().replace("i\u0307", "i").replace("ı", "i")

def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _bounded(pattern: str, lang: str) -> str:
    if lang in ("zh", "ja", "ko"):
        return f"(?:{pattern})"
    return rf"(?<![\w])(?:{pattern})(?![\w])"


@cache
def _month_names(lang: str) -> dict[str, int]:
    from babel import Locale, UnknownLocaleError

    names: dict[str, int] = {}
    try:
        loc = Locale.parse(lang)
    except (ValueError, UnknownLocaleError):  # pragma: no cover - every supported locale is in CLDR
        return names
    for context in ("format", "stand-alone"):
        for month, name in loc.months[context]["wide"].items():
            names[_fold(name)] = month
        if lang in ("en", "de", "nl"):
            for month, name in loc.months[context]["abbreviated"].items():
                if len(name.rstrip(".")) >= 3:
                    names[_fold(name.rstrip(".")) + "."] = month
    if lang == "ar":  # Levantine month names, common in the press
        for month, name in enumerate(("كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب",
                                      "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول"), start=1):
            names[name] = month
    return names


@cache
def _patterns(lang: str) -> dict[str, re.Pattern[str]]:
    months = _month_names(lang)
    month_alt = _alternation(list(months))
    day = r"(\d{1,2})(?:st|nd|rd|th|er|\.|º|°)?"
    year = r"(?:,?\s*(\d{4}))?"
    weekdays = [form for forms in WEEKDAYS.get(lang, ()) for form in forms]
    pats: dict[str, re.Pattern[str]] = {
        # 19 janvier 2022, 19. Januar, 19 января 2022 г., 19 de enero de 2022
        "dmy": re.compile(_bounded(rf"{day}\s+(?:de\s+)?({month_alt})(?:\s+(?:de\s+|del\s+)?(\d{{4}}))?", lang),
                          re.IGNORECASE),
        # January 19, 2022
        "mdy": re.compile(_bounded(rf"({month_alt})\s+{day}{year}", lang), re.IGNORECASE),
    }
    if weekdays:
        pats["weekday"] = re.compile(_bounded(_alternation(weekdays), lang), re.IGNORECASE)
    rel = RELATIVE_DAYS.get(lang, {})
    if rel:
        pats["relday"] = re.compile(_bounded(_alternation(list(rel)), lang), re.IGNORECASE)
    weeks = RELATIVE_WEEKS.get(lang, {})
    if weeks:
        pats["relweek"] = re.compile(_bounded(_alternation(list(weeks)), lang), re.IGNORECASE)
    parts = PARTS_OF_DAY.get(lang, {})
    if parts:
        pats["part"] = re.compile(_bounded(_alternation(list(parts)), lang), re.IGNORECASE)
    pats["future"] = re.compile(FUTURE_CUES.get(lang, r"(?!x)x"), re.IGNORECASE)
    pats["past"] = re.compile(PAST_CUES.get(lang, r"(?!x)x"), re.IGNORECASE)
    return pats


def _nearest_year(month: int, day_: int, published: date) -> date | None:
    best: date | None = None
    for y in (published.year - 1, published.year, published.year + 1):
        try:
            d = date(y, month, day_)
        except ValueError:
            continue
        if best is None or abs((d - published).days) < abs((best - published).days):
            best = d
    return best


def _make_date(y: int | None, month: int, day_: int, published: date | None) -> date | None:
    if y is not None:
        if y < 100:
            y += 2000
        try:
            return date(y, month, day_)
        except ValueError:
            return None
    if published is None:
        return None
    return _nearest_year(month, day_, published)


_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class DayMonth:
    """A calendar day named without needing a year ("8 ноября", "November 16"), and where."""

    month: int
    day: int
    start: int
    end: int
    year: int | None = None  # as written, when the text gives one

    @property
    def key(self) -> str:
        return f"dm:{self.month}-{self.day}"


def day_month_mentions(text: str, lang: str | None) -> list[DayMonth]:
    """The day-and-month-name dates of `text` in `lang` (`8 November`, `November 8th`,
    `8 ноября 2020`, `le 8 novembre`), with or without a year, in text order. Unlike
    `resolve_dates` it needs no publication date: it is for comparing which day two
    texts name ("forecast for 8 November" / "for 16 November"), not for placing it."""
    if not lang or not _DIGIT.search(text) or not _month_names(lang):
        return []  # no digit, no day; a language CLDR does not know names no months
    pats, months = _patterns(lang), _month_names(lang)
    out = []
    for name, day_group, month_group in (("dmy", 1, 2), ("mdy", 2, 1)):
        for m in pats[name].finditer(text):
            month, day_ = months.get(_fold(m.group(month_group))), int(m.group(day_group))
            if month and 1 <= day_ <= 31:
                out.append(DayMonth(month, day_, m.start(), m.end(), int(m.group(3)) if m.group(3) else None))
    return sorted(out, key=lambda d: d.start)


def _explicit_dates(s: str, lang: str, published: date | None) -> list[_Found]:
    if not _DIGIT.search(s):
        return []  # every explicit pattern below has a day or year in digits
    out: list[_Found] = []
    for dm in day_month_mentions(s, lang):
        d = _make_date(dm.year, dm.month, dm.day, published)
        if d:
            out.append(_Found(dm.start, dm.end, d, explicit=True))
    for m in _ISO.finditer(s):
        d = _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), published)
        if d:
            out.append(_Found(m.start(), m.end(), d, explicit=True))
    for m in _NUMERIC_DMY.finditer(s):
        first, second = int(m.group(1)), int(m.group(2))
        day_, month = (second, first) if lang == "en" and first <= 12 < second else (first, second)
        if lang == "en" and first <= 12 and second <= 12:
            day_, month = second, first  # US order by default in English
        if 1 <= month <= 12:
            d = _make_date(int(m.group(3)), month, day_, published)
            if d:
                out.append(_Found(m.start(), m.end(), d, explicit=True))
    # spans that look like a date our month table could not read ("19 janv. 2022", "Jan. 19, 2022")
    for m in _DATE_CANDIDATE.finditer(s):
        if any(f.start <= m.start() < f.end or m.start() <= f.start < m.end() for f in out):
            continue
        d = parse_with_dateparser(m.group(), lang, None)
        if d is not None:
            out.append(_Found(m.start(), m.end(), d, explicit=True))
    for rx in (_CJK_DATE, _KO_DATE):
        for m in rx.finditer(s):
            d = _make_date(int(m.group(1)) if m.group(1) else None, int(m.group(2)), int(m.group(3)), published)
            if d:
                out.append(_Found(m.start(), m.end(), d, explicit=True))
    return out


def parse_with_dateparser(span: str, lang: str, published: datetime | None) -> date | None:
    """Fallback for a candidate span our patterns could not read (slow: spans only)."""
    import dateparser

    settings: dict[str, object] = {"PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["day", "month"]}
    if published is not None:
        settings["RELATIVE_BASE"] = published.replace(tzinfo=None)
    try:
        parsed = dateparser.parse(span, languages=[lang], settings=settings)
    except Exception:  # noqa: BLE001 - dateparser raises assorted errors on odd spans; a miss is no date
        return None
    return parsed.date() if parsed else None


def _direction(s: str, start: int, end: int, lang: str) -> int:
    """+1 if the nearest tense cue around the expression points forward, else -1."""
    pats = _patterns(lang)
    future_spans = [(m.start(), m.end()) for m in pats["future"].finditer(s)]

    def nearest(spans: list[tuple[int, int]]) -> int:
        best = 10_000
        for a, b in spans:
            if start <= a < end:
                continue
            dist = start - b if b <= start else a - end
            best = min(best, abs(dist))
        return best

    # a past cue inside a future one ("is expected") is no past cue
    past_spans = [(m.start(), m.end()) for m in pats["past"].finditer(s)
                  if not any(a <= m.start() < b for a, b in future_spans)]
    future, past = nearest(future_spans), nearest(past_spans)
    if future == past == 10_000:
        if lang == "ar":
            # verb-first sentences: an imperfect (يـ/تـ) announces, a perfect (شهدت، فاز) reports
            first = s.strip().split(" ", 1)[0] if s.strip() else ""
            return 1 if first[:1] in ("ي", "ت") and len(first) >= 3 else -1
        return 1 if lang in DEFAULT_FORWARD else -1
    return 1 if future < past else -1


def _modifier(s: str, start: int, end: int, lang: str) -> int | None:
    mods = WEEKDAY_MODIFIERS.get(lang, {})
    before = s[max(0, start - 16):start].lower().rstrip()
    after = s[end:end + 12].lower().lstrip()
    for word, value in sorted(mods.items(), key=lambda kv: -len(kv[0])):
        if lang in ("zh", "ja", "ko"):
            if before.endswith(word):
                return value
            continue
        if re.search(rf"(?:^|\W){re.escape(word)}$", before):
            return value
        if lang in _POSTPOSED and value != 0 and re.match(rf"{re.escape(word)}(?:\W|$)", after):
            return value
    return None


def _weekday_date(weekday: int, published: date, direction: int, modifier: int | None) -> date:
    delta = (weekday - published.weekday()) % 7
    if modifier == 0:
        # "ce jeudi", "this Thursday": the one of this week, looking forward from a past-less day
        return published + timedelta(days=delta) if direction > 0 or delta == 0 else \
            published - timedelta(days=(7 - delta) % 7)
    if modifier == 1:
        return published + timedelta(days=delta or 7)
    if modifier == -1:
        return published - timedelta(days=(7 - delta) or 7)
    if delta == 0:
        return published
    return published + timedelta(days=delta) if direction > 0 else published - timedelta(days=7 - delta)


@cache
def _weekday_index(lang: str) -> dict[str, int]:
    return {_fold(form): i for i, forms in enumerate(WEEKDAYS[lang]) for form in forms}


@cache
def _relative_day_offsets(lang: str) -> dict[str, int]:
    return {_fold(k): v for k, v in RELATIVE_DAYS[lang].items()}


def _relative_dates(s: str, lang: str, published: date) -> list[_Found]:
    pats = _patterns(lang)
    out: list[_Found] = []
    if "weekday" in pats:
        index = _weekday_index(lang)
        for m in pats["weekday"].finditer(s):
            weekday = index[_fold(m.group())]
            d = _weekday_date(weekday, published, _direction(s, m.start(), m.end(), lang),
                              _modifier(s, m.start(), m.end(), lang))
            out.append(_Found(m.start(), m.end(), d))
    if "relday" in pats:
        rel = _relative_day_offsets(lang)
        for m in pats["relday"].finditer(s):
            word = _fold(m.group())
            if lang == "de" and word == "morgen" and re.search(r"\b(?:heute|gestern)\s+$", s[:m.start()], re.IGNORECASE):
                continue  # "heute Morgen" is this morning, not tomorrow
            if lang == "de" and word == "morgen" and s[m.start()].isupper() and m.start() > 0:
                continue  # der Morgen (noun) vs morgen (adverb)
            if lang == "es" and word == "mañana" and re.search(r"(?:la|esta|por la)\s+$", s[:m.start()], re.IGNORECASE):
                continue
            out.append(_Found(m.start(), m.end(), published + timedelta(days=rel[word])))
    if "relweek" in pats:
        weeks = {k.lower(): v for k, v in RELATIVE_WEEKS[lang].items()}
        for m in pats["relweek"].finditer(s):
            monday = published - timedelta(days=published.weekday())
            out.append(_Found(m.start(), m.end(), monday + timedelta(weeks=weeks[m.group().lower()]),
                              granularity="week"))
    return out


def _attach_parts_of_day(s: str, found: list[_Found], lang: str) -> None:
    pats = _patterns(lang)
    if "part" not in pats:
        return
    parts = {k.lower(): v for k, v in PARTS_OF_DAY[lang].items()}
    for m in pats["part"].finditer(s):
        for f in found:
            if f.granularity != "day":
                continue
            gap = s[f.end:m.start()] if m.start() >= f.end else s[m.end():f.start] if m.end() <= f.start else ""
            inside = f.start <= m.start() and m.end() <= f.end
            if inside or (len(gap) <= 12 and not re.search(r"[,.;:!?]", gap)):
                f.part_of_day = parts[m.group().lower()]
                if not inside and len(gap.split()) <= 2:
                    f.start, f.end = min(f.start, m.start()), max(f.end, m.end())
                break


def _drop_overlaps(found: list[_Found]) -> list[_Found]:
    """Explicit dates beat weekdays/relative words they overlap or touch ("Wednesday January 19")."""
    found.sort(key=lambda f: (not f.explicit, -(f.end - f.start), f.start))
    kept: list[_Found] = []
    for f in found:
        clash = next((k for k in kept if f.start < k.end + 2 and k.start < f.end + 2), None)
        if clash is None:
            kept.append(f)
        elif clash.explicit and not f.explicit:
            clash.start, clash.end = min(clash.start, f.start), max(clash.end, f.end)
    return sorted(kept, key=lambda f: f.start)


def resolve_sentence(s: str, lang: str, published: date | None) -> list[_Found]:
    """Date expressions of one sentence, resolved (offsets are in `s`)."""
    found = _explicit_dates(s, lang, published)
    if published is not None:
        found.extend(_relative_dates(s, lang, published))
    found = _drop_overlaps(found)
    _attach_parts_of_day(s, found, lang)
    return found


def resolve_dates(article: Article) -> list[TimeEvent]:
    """Time events of `article`, one per resolved date expression (see module docstring).

    Uses `article.sentences` (or the whole clean text as one sentence), `article.lang`
    and `article.published`; entity ids come from `article.mentions` in that sentence.
    """
    lang = article.lang or "en"
    published = article.published.date() if article.published else None
    sentences = article.sentences or [Sentence(0, article.clean_text, 0, len(article.clean_text))]
    ids_by_sentence: dict[int, set[str]] = {}
    for m in article.mentions:
        if m.entity_id:
            ids_by_sentence.setdefault(m.sentence, set()).add(m.entity_id)
    events: list[TimeEvent] = []
    for sent in sentences:
        found = resolve_sentence(sent.text, lang, published)
        ids = sorted(ids_by_sentence.get(sent.index, ())) if found else []
        for f in found:
            events.append(TimeEvent(date=f.date, expression=sent.text[f.start:f.end].strip(), sentence=sent.index,
                                    sentence_text=sent.text, granularity=f.granularity, part_of_day=f.part_of_day,
                                    article_id=article.id, lang=lang, entity_ids=ids))
    return events
