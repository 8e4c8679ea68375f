"""Hand-written cross-lingual lexicon: names whose spelling in another script cannot
be derived by transliteration (普京 is *Pujing* in pinyin, بوتين is *bwtyn* in
anyascii), and the cue words the rule extractors use.

Everything here is general knowledge typed by us (no copied text). Keys of
`PERSON_FORMS` and `ORG_FORMS` are the canonical English names; their ids are
derived from them (`per:<surname key>`, `org:<slug>`).
"""

from __future__ import annotations

from functools import lru_cache

#: canonical English full name -> spellings in scripts transliteration cannot bridge
PERSON_FORMS: dict[str, tuple[str, ...]] = {
    "Vladimir Putin": ("普京", "プーチン", "푸틴", "بوتين", "Путин", "Путін"),
    "Joe Biden": ("拜登", "バイデン", "바이든", "بايدن", "Байден"),
    "Volodymyr Zelensky": ("泽连斯基", "ゼレンスキー", "젤렌스키", "زيلينسكي", "Зеленский", "Зеленський"),
    "Emmanuel Macron": ("马克龙", "マクロン", "마크롱", "ماكرون", "Макрон"),
    "Antony Blinken": ("布林肯", "ブリンケン", "블링컨", "بلينكن", "Блинкен", "Блінкен"),
    "Sergei Lavrov": ("拉夫罗夫", "ラブロフ", "라브로프", "لافروف", "Лавров"),
    "Olaf Scholz": ("朔尔茨", "ショルツ", "숄츠", "شولتس", "Шольц"),
    "Xi Jinping": ("习近平", "習近平", "시진핑", "شي جين بينغ", "Си Цзиньпин"),
    "Recep Tayyip Erdogan": ("埃尔多安", "エルドアン", "에르도안", "أردوغان", "Эрдоган", "Erdoğan"),
    "Angela Merkel": ("默克尔", "メルケル", "메르켈", "ميركل", "Меркель"),
    "Donald Trump": ("特朗普", "トランプ", "트럼프", "ترامب", "Трамп"),
    "Kamala Harris": ("哈里斯", "ハリス", "해리스", "هاريس", "Харрис"),
    "Ursula von der Leyen": ("冯德莱恩", "フォンデアライエン", "폰데어라이엔", "فون دير لاين", "фон дер Ляйен"),
    "Antonio Guterres": ("古特雷斯", "グテーレス", "구테흐스", "غوتيريش", "Гутерриш", "Guterres"),
    "Jens Stoltenberg": ("斯托尔滕贝格", "ストルテンベルグ", "스톨텐베르그", "ستولتنبرغ", "Столтенберг"),
    "Wang Yi": ("王毅",),
    "Li Qiang": ("李强",),
    "Giorgia Meloni": ("梅洛尼", "メローニ", "멜로니", "ميلوني", "Мелони"),
    "Pedro Sanchez": ("桑切斯", "サンチェス", "산체스", "سانشيز", "Санчес", "Sánchez"),
    "Dmytro Kuleba": ("库列巴", "クレバ", "쿨레바", "كوليبا", "Кулеба"),
    "Keir Starmer": ("斯塔默", "スターマー", "스타머", "ستارمر", "Стармер"),
    "Narendra Modi": ("莫迪", "モディ", "모디", "مودي", "Моди"),
    "Benjamin Netanyahu": ("内塔尼亚胡", "ネタニヤフ", "네타냐후", "نتنياهو", "Нетаньяху"),
    "Mohammed bin Salman": ("穆罕默德·本·萨勒曼", "محمد بن سلمان"),
    "Abdel Fattah al-Sisi": ("塞西", "السيسي", "Сиси"),
    "Fumio Kishida": ("岸田文雄", "岸田", "기시다", "كيشيدا", "Кисида"),
    "Yoon Suk Yeol": ("尹锡悦", "ユン・ソンニョル", "윤석열", "يون سوك يول"),
    "Donald Tusk": ("图斯克", "トゥスク", "투스크", "توسك", "Туск"),
}

#: canonical English organisation name -> (id slug, forms in all our languages)
ORG_FORMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "NATO": ("nato", ("NATO", "OTAN", "NAVO", "НАТО", "北约", "北約", "الناتو", "حلف شمال الأطلسي", "나토",
                      "Nato", "Organizzazione del Trattato dell'Atlantico del Nord")),
    "European Union": ("eu", ("European Union", "EU", "Union européenne", "UE", "Europäische Union", "Europäischen Union",
                              "Unión Europea", "Unione europea", "Unione Europea", "Unia Europejska",
                              "Европейский союз", "Евросоюз", "ЕС", "Європейський союз", "ЄС", "欧盟",
                              "الاتحاد الأوروبي", "Avrupa Birliği", "AB", "Europese Unie", "União Europeia",
                              "欧州連合", "유럽연합")),
    "United Nations": ("un", ("United Nations", "UN", "ONU", "Nations unies", "Vereinte Nationen", "Vereinten Nationen",
                              "Naciones Unidas", "Nazioni Unite", "ONZ", "Organizacja Narodów Zjednoczonych",
                              "ООН", "联合国", "الأمم المتحدة", "Birleşmiş Milletler", "BM",
                              "Verenigde Naties", "VN", "Nações Unidas", "国連", "유엔", "Організація Об'єднаних Націй",
                              "Организация Объединённых Наций")),
    "World Health Organization": ("who", ("World Health Organization", "WHO", "OMS", "Weltgesundheitsorganisation",
                                          "Organización Mundial de la Salud", "Organizzazione mondiale della sanità",
                                          "WHO", "ВОЗ", "世卫组织", "世界卫生组织", "منظمة الصحة العالمية",
                                          "Dünya Sağlık Örgütü", "DSÖ", "Światowa Organizacja Zdrowia")),
    "International Monetary Fund": ("imf", ("International Monetary Fund", "IMF", "FMI", "Fonds monétaire international",
                                            "Internationaler Währungsfonds", "IWF", "Fondo Monetario Internacional",
                                            "Fondo monetario internazionale", "Międzynarodowy Fundusz Walutowy", "MFW",
                                            "МВФ", "Международный валютный фонд", "国际货币基金组织",
                                            "صندوق النقد الدولي", "Uluslararası Para Fonu", "IMF")),
    "European Central Bank": ("ecb", ("European Central Bank", "ECB", "BCE", "Banque centrale européenne",
                                      "Europäische Zentralbank", "EZB", "Banco Central Europeo",
                                      "Banca centrale europea", "Europejski Bank Centralny", "EBC",
                                      "Европейский центральный банк", "ЕЦБ", "欧洲央行", "欧洲中央银行",
                                      "البنك المركزي الأوروبي", "Avrupa Merkez Bankası", "AMB")),
    "World Bank": ("world-bank", ("World Bank", "Banque mondiale", "Weltbank", "Banco Mundial", "Banca mondiale",
                                  "Bank Światowy", "Всемирный банк", "世界银行", "البنك الدولي", "Dünya Bankası")),
    "Kremlin": ("kremlin", ("Kremlin", "Kreml", "Kremlino", "Кремль", "克里姆林宫", "الكرملين", "Kremlin")),
    "White House": ("white-house", ("White House", "Maison Blanche", "Maison-Blanche", "Weißes Haus", "Weißen Haus",
                                    "Casa Blanca", "Casa Bianca", "Biały Dom", "Белый дом", "Білий дім", "白宫",
                                    "البيت الأبيض", "Beyaz Saray")),
    "European Commission": ("european-commission", ("European Commission", "Commission européenne",
                                                    "EU-Kommission", "Europäische Kommission", "Comisión Europea",
                                                    "Commissione europea", "Komisja Europejska", "Еврокомиссия",
                                                    "Европейская комиссия", "欧盟委员会", "المفوضية الأوروبية",
                                                    "Avrupa Komisyonu")),
    "European Parliament": ("european-parliament", ("European Parliament", "Parlement européen",
                                                    "Europäisches Parlament",
                                                    "Europäischen Parlament", "EU-Parlament", "Europaparlament",
                                                    "Parlamento Europeo", "Parlamento europeo", "Parlament Europejski",
                                                    "Europarlament", "Европейский парламент", "Европарламент",
                                                    "Європейський парламент", "Європарламент", "欧洲议会",
                                                    "البرلمان الأوروبي", "Avrupa Parlamentosu", "Europees Parlement",
                                                    "Parlamento Europeu")),
    "State Duma": ("state-duma", ("State Duma", "Госдума", "Государственная дума", "Государственная Дума",
                                  "Staatsduma", "Duma Estatal", "Duma di Stato", "Duma Państwowa",
                                  "国家杜马", "مجلس الدوما", "Devlet Duması", "Державна дума")),
    "Federal Reserve": ("fed", ("Federal Reserve", "Fed", "US Federal Reserve", "Réserve fédérale", "Reserva Federal",
                                "Riserva Federale", "Rezerwa Federalna", "US-Notenbank", "ФРС", "Федрезерв",
                                "Федеральная резервная система", "Федеральна резервна система", "美联储",
                                "الاحتياطي الفيدرالي", "الاحتياطي الاتحادي")),
    "People's Bank of China": ("pboc", ("People's Bank of China", "PBOC", "PBoC", "中国人民银行", "人民银行",
                                        "中国央行",
                                        "Banque populaire de Chine", "Banco Popular de China", "Народный банк Китая",
                                        "Народний банк Китаю", "بنك الشعب الصيني", "Çin Merkez Bankası")),
    "Pentagon": ("pentagon", ("Pentagon", "Pentágono", "Pentagone", "Pentagono", "Пентагон", "五角大楼", "البنتاغون",
                              "البنتاجون")),
    "Bundestag": ("bundestag", ("Bundestag", "Bundestags", "Бундестаг", "联邦议院", "德国联邦议院", "البوندستاغ")),
    "Knesset": ("knesset", ("Knesset", "Kneset", "Кнессет", "Кнесет", "以色列议会", "الكنيست")),
    "Taliban": ("taliban", ("Taliban", "Talibán", "Талибан", "Талібан", "塔利班", "طالبان")),
    "Hezbollah": ("hezbollah", ("Hezbollah", "Hizbollah", "Hizbullah", "Hisbollah", "Hezbolá", "Hezbolla", "Хезболла",
                                "Хизбалла", "真主党", "حزب الله")),
    "UN Security Council": ("un-security-council", ("UN Security Council", "United Nations Security Council",
                                                    "Security Council", "Conseil de sécurité",
                                                    "Conseil de sécurité de l'ONU",
                                                    "Conseil de sécurité des Nations unies",
                                                    "Consejo de Seguridad de la ONU", "Consiglio di sicurezza dell'Onu",
                                                    "Consiglio di Sicurezza dell'ONU",
                                                    "Sicherheitsrat der Vereinten Nationen",
                                                    "UN-Sicherheitsrat", "Sicherheitsrat", "Consejo de Seguridad",
                                                    "Consiglio di sicurezza", "Rada Bezpieczeństwa ONZ",
                                                    "Совет Безопасности ООН", "Совбез ООН", "СБ ООН",
                                                    "Рада безпеки ООН",
                                                    "联合国安理会", "安理会", "مجلس الأمن", "مجلس الأمن الدولي",
                                                    "BM Güvenlik Konseyi")),
    # ("ICC" and "CPI" are left out: the cricket council and the consumer price index in English)
    "International Criminal Court": ("icc", ("International Criminal Court", "Cour pénale internationale",
                                             "Internationaler Strafgerichtshof", "IStGH", "Corte Penal Internacional",
                                             "Corte penale internazionale", "Międzynarodowy Trybunał Karny",
                                             "Международный уголовный суд", "МУС", "Міжнародний кримінальний суд",
                                             "国际刑事法院", "المحكمة الجنائية الدولية",
                                             "Uluslararası Ceza Mahkemesi")),
    "FBI": ("fbi", ("FBI", "ФБР", "联邦调查局", "مكتب التحقيقات الفيدرالي")),
    "CIA": ("cia", ("CIA", "ЦРУ", "中央情报局", "وكالة المخابرات المركزية")),
    "IAEA": ("iaea", ("IAEA", "International Atomic Energy Agency", "AIEA", "IAEO", "OIEA", "MAEA", "UAEA", "МАГАТЭ",
                      "МАГАТЕ", "国际原子能机构", "الوكالة الدولية للطاقة الذرية")),
    "World Trade Organization": ("wto", ("World Trade Organization", "WTO", "OMC", "Welthandelsorganisation", "ВТО",
                                         "СОТ", "世贸组织", "世界贸易组织", "منظمة التجارة العالمية", "DTÖ")),
    "OSCE": ("osce", ("OSCE", "OSZE", "OBWE", "AGİT", "ОБСЕ", "ОБСЄ", "欧安组织", "منظمة الأمن والتعاون في أوروبا")),
    "International Olympic Committee": ("ioc", ("International Olympic Committee", "IOC", "MKOl", "МОК",
                                                "国际奥委会", "اللجنة الأولمبية الدولية",
                                                "Uluslararası Olimpiyat Komitesi")),
    "FIFA": ("fifa", ("FIFA", "ФИФА", "ФІФА", "国际足联", "الفيفا", "فيفا")),
    "UEFA": ("uefa", ("UEFA", "УЕФА", "УЄФА", "欧足联", "يويفا")),
    "Interpol": ("interpol", ("Interpol", "Интерпол", "Інтерпол", "国际刑警组织", "الإنتربول")),
    "Google": ("google", ("Google", "Гугл", "谷歌", "جوجل", "غوغل")),
    "Facebook": ("facebook", ("Facebook", "Фейсбук", "脸书", "فيسبوك", "فيس بوك")),
    "Twitter": ("twitter", ("Twitter", "Твиттер", "Твітер", "推特", "تويتر")),
    "Microsoft": ("microsoft", ("Microsoft", "Майкрософт", "微软", "مايكروسوفت")),
    "Huawei": ("huawei", ("Huawei", "Хуавэй", "Хуавей", "华为公司", "华为", "هواوي")),
    # national societies share the movement's id: a Spanish text says "Cruz Roja Española"
    # where an English one says "the Red Cross"
    "Red Cross": ("red-cross", ("Red Cross", "International Committee of the Red Cross", "ICRC", "Croix-Rouge",
                                "Croix Rouge", "CICR", "Rotes Kreuz", "Roten Kreuz", "Rote Kreuz", "Roten Kreuzes",
                                "Deutsches Rotes Kreuz", "Deutsche Rote Kreuz", "Deutschen Roten Kreuz",
                                "Deutschen Roten Kreuzes", "DRK", "IKRK", "Cruz Roja", "Cruz Roja Española",
                                "Croce Rossa", "Croce Rossa Italiana", "Croce Rossa italiana", "Czerwony Krzyż",
                                "Polski Czerwony Krzyż", "PCK", "Красный Крест", "Российский Красный Крест",
                                "МККК", "Червоний Хрест", "红十字会", "红十字国际委员会", "الصليب الأحمر",
                                "Kızılhaç", "Rode Kruis", "Cruz Vermelha", "赤十字", "적십자")),
    "Red Crescent": ("red-crescent", ("Red Crescent", "Kızılay", "Türk Kızılay", "الهلال الأحمر", "Croissant-Rouge",
                                      "Roter Halbmond", "Roten Halbmond", "Media Luna Roja", "Mezzaluna Rossa",
                                      "Czerwony Półksiężyc", "Красный Полумесяц", "红新月会")),
    "Hamas": ("hamas", ("Hamas", "Hamás", "ХАМАС", "哈马斯", "حماس")),
    "Gazprom": ("gazprom", ("Gazprom", "Газпром", "俄罗斯天然气工业股份公司", "غازبروم")),
    "OPEC": ("opec", ("OPEC", "OPEP", "ОПЕК", "欧佩克", "أوبك")),
    "G7": ("g7", ("G7", "G-7", "Большая семёрка", "七国集团", "مجموعة السبع")),
    "G20": ("g20", ("G20", "G-20", "二十国集团", "مجموعة العشرين")),
    # Polish parties whose acronyms are words ("po" after, "pis")
    "Civic Platform": ("civic-platform", ("PO", "Platforma Obywatelska", "Platformy Obywatelskiej",
                                          "Гражданская платформа", "Plateforme civique", "Bürgerplattform")),
    "Law and Justice": ("pis", ("PiS", "Prawo i Sprawiedliwość", "Prawa i Sprawiedliwości", "Право и справедливость",
                                "Droit et justice", "Recht und Gerechtigkeit", "Ley y Justicia")),
}

#: news agencies: canonical name -> (id slug, forms). They are organisations, and linked as
#: such, but an article names its agency as a credit ("(AP)", "— EFE", "Foto: dpa"), so two
#: unrelated wire stories share it; the similarity features leave them out (`NEWS_AGENCY_IDS`).
NEWS_AGENCIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "Associated Press": ("ap", ("AP", "Associated Press", "Ассошиэйтед Пресс", "美联社", "أسوشيتد برس")),
    "Agence France-Presse": ("afp", ("AFP", "Agence France-Presse", "Agence France Presse", "Франс Пресс",
                                     "Франс-Пресс", "法新社", "فرانس برس", "وكالة فرانس برس")),
    "Reuters": ("reuters", ("Reuters", "REUTERS", "Рейтер", "Рейтерс", "路透社", "رويترز")),
    "EFE": ("efe", ("EFE", "Agencia EFE")),
    "Deutsche Presse-Agentur": ("dpa", ("dpa", "DPA", "Deutsche Presse-Agentur")),
    "Austria Presse Agentur": ("apa", ("APA", "Austria Presse Agentur")),
    "APA-OTS": ("ots", ("OTS", "APA-OTS")),
    "Keystone-SDA": ("sda", ("SDA", "Keystone-SDA")),
    "ANSA": ("ansa", ("ANSA", "Ansa")),
    "Polska Agencja Prasowa": ("pap", ("PAP", "Polska Agencja Prasowa")),
    "Anadolu Agency": ("anadolu", ("AA", "Anadolu Ajansı", "Anadolu Agency", "الأناضول", "وكالة الأناضول")),
    "İhlas Haber Ajansı": ("iha", ("İHA", "IHA", "İhlas Haber Ajansı")),
    "Demirören Haber Ajansı": ("dha", ("DHA", "Demirören Haber Ajansı", "Doğan Haber Ajansı")),
    "TASS": ("tass", ("TASS", "ТАСС", "塔斯社", "تاس")),
    "RIA Novosti": ("ria-novosti", ("РИА Новости", "RIA Novosti", "РИА")),
    "Interfax": ("interfax", ("Interfax", "Интерфакс")),
    "Xinhua": ("xinhua", ("Xinhua", "新华社", "Синьхуа", "شينخوا")),
    "Kyodo": ("kyodo", ("Kyodo", "共同通信", "共同社")),
    "Yonhap": ("yonhap", ("Yonhap", "연합뉴스", "韩联社")),
    "Press Trust of India": ("pti", ("PTI", "Press Trust of India")),
    "Asian News International": ("ani", ("ANI", "Asian News International")),
    "Indo-Asian News Service": ("ians", ("IANS",)),
    "Europa Press": ("europa-press", ("Europa Press",)),
    "Lusa": ("lusa", ("Lusa", "Agência Lusa")),
    "Ukrinform": ("ukrinform", ("Ukrinform", "Укрінформ", "Укринформ")),
    "UNIAN": ("unian", ("UNIAN", "УНІАН", "УНИАН")),
    "MENAFN": ("menafn", ("MENAFN",)),
    "Saudi Press Agency": ("spa", ("واس", "Saudi Press Agency")),
    "Emirates News Agency": ("wam", ("WAM", "Emirates News Agency")),
    "SANA": ("sana", ("SANA", "Syrian Arab News Agency")),
}


@lru_cache(maxsize=1)
def organisation_forms() -> dict[str, str]:
    """Every form of `ORG_FORMS` and `NEWS_AGENCIES` as written -> its id slug. The gazetteer
    holds them folded, except those that fold to a stop word ("WHO": "who")."""
    return {form: slug for table in (ORG_FORMS, NEWS_AGENCIES) for canonical, (slug, forms) in table.items()
            for form in (canonical, *forms)}


#: entity ids of `NEWS_AGENCIES`
NEWS_AGENCY_IDS: frozenset[str] = frozenset(f"org:{slug}" for slug, _ in NEWS_AGENCIES.values())
#: the one-word names of `NEWS_AGENCIES`, lower-cased ("reuters", "afp", "тасс")
NEWS_AGENCY_WORDS: frozenset[str] = frozenset(form.lower() for _, forms in NEWS_AGENCIES.values()
                                              for form in forms if " " not in form)

#: the determiners that start a common noun phrase ("The company", "El gobierno", "La
#: policía", "Le ministère", "Die Regierung"): such a phrase is no name unless another of its
#: words is capitalised ("La Liga", "The Guardian", "Die Linke")
PHRASE_DETERMINERS: frozenset[str] = frozenset((
    "the a an el la los las lo le les l il gli i un una une der die das den dem des ein eine "
    "de het een o os as").split())

#: folded texts the extractors type ORG that name no organisation: the disease (COVID-19 is
#: written like an acronym), caption and table words, currencies and units, and the two
#: halves of Spanish "EE.UU." (the United States, split at its dots)
NOT_ORGANISATIONS: frozenset[str] = frozenset([
    "covid", "covid 19", "covid19", "kovid", "kovid 19", "coronavirus", "koronavirus", "corona", "korona",
    "sars cov 2", "коронавирус", "covid 19 pandemic",
    "tv", "video", "wideo", "foto", "photo", "fotos", "photos", "fotogaleria", "galeria",
    "ee", "uu", "usd", "eur", "gmt", "utc", "cet", "pib", "iva", "gdp", "tl",
])

#: places whose names in some script the gazetteer lacks: form -> English name in geonames
#: English (and a few other) names of ISO 3166-2 subdivisions that the iso-codes
#: translations lack, by ISO code: English texts say Lower Saxony, not Niedersachsen
SUBDIVISION_FORMS: dict[str, str] = {
    # the everyday Russian names of regions, beside the official ones (`gazetteer.cyrillic_of_romanised_russian`)
    "Подмосковье": "RU-MOS", "Ленобласть": "RU-LEN", "Якутия": "RU-SA", "Кубань": "RU-KDA", "Югра": "RU-KHM",
    "Ямал": "RU-YAN", "Чечня": "RU-CE", "Удмуртия": "RU-UD", "Чувашия": "RU-CU", "Башкирия": "RU-BA",
    "Кузбасс": "RU-KEM", "Приморье": "RU-PRI", "Ставрополье": "RU-STA", "Забайкалье": "RU-ZAB", "Прикамье": "RU-PER",
    "Lower Saxony": "DE-NI", "North Rhine-Westphalia": "DE-NW", "Saxony": "DE-SN", "Thuringia": "DE-TH",
    "Rhineland-Palatinate": "DE-RP", "Saxony-Anhalt": "DE-ST", "Mecklenburg-Western Pomerania": "DE-MV",
    "Mecklenburg-Vorpommern": "DE-MV", "Bavaria": "DE-BY", "Hesse": "DE-HE",
    "Catalonia": "ES-CT", "Catalogne": "ES-CT", "Katalonien": "ES-CT", "Catalogna": "ES-CT", "Katalonia": "ES-CT",
    "Каталония": "ES-CT", "Каталонія": "ES-CT", "加泰罗尼亚": "ES-CT", "كتالونيا": "ES-CT", "Katalonya": "ES-CT",
    "Basque Country": "ES-PV", "Castile and León": "ES-CL", "Canary Islands": "ES-CN", "Balearic Islands": "ES-IB",
    "Andalusia": "ES-AN", "Aragon": "ES-AR",
    "Lombardy": "IT-25", "Sicily": "IT-82", "Sardinia": "IT-88", "Piedmont": "IT-21", "Apulia": "IT-75",
    "Brittany": "FR-BRE", "Normandy": "FR-NOR", "Flanders": "BE-VLG", "Wallonia": "BE-WAL",
    "Crimea": "UA-43", "Крым": "UA-43", "Крим": "UA-43", "Krym": "UA-43", "Krim": "UA-43", "Crimée": "UA-43",
    "克里米亚": "UA-43", "القرم": "UA-43", "Kırım": "UA-43",
    "Silesia": "PL-24", "Masovia": "PL-14", "Lesser Poland": "PL-12", "Greater Poland": "PL-30",
    "Upper Austria": "AT-4", "Lower Austria": "AT-3", "Carinthia": "AT-2", "Tyrol": "AT-7", "Styria": "AT-6",
    "Xinjiang": "CN-XJ", "新疆": "CN-XJ", "Tibet": "CN-XZ", "西藏": "CN-XZ",
    # shared with a department of Uruguay, so left out of the ISO names; the news means the state
    "Florida": "US-FL", "Флорида": "US-FL", "佛罗里达州": "US-FL", "佛罗里达": "US-FL", "فلوريدا": "US-FL",
}

PLACE_FORMS: dict[str, str] = {
    # Polish plural country names decline past what `lemma_candidates` undoes (Niemcy: Niemiec, Niemczech)
    "Niemiec": "Germany", "Niemczech": "Germany", "Niemcami": "Germany", "Węgier": "Hungary",
    "Węgrzech": "Hungary", "Włoch": "Italy", "Włoszech": "Italy", "Chin": "China", "Chinach": "China",
    "Indiach": "India", "Filipin": "Philippines", "Niderlandów": "Netherlands",
    "基辅": "Kyiv", "キーウ": "Kyiv", "키이우": "Kyiv", "كييف": "Kyiv",
    "华盛顿": "Washington", "ワシントン": "Washington", "워싱턴": "Washington", "واشنطن": "Washington",
    "哈尔科夫": "Kharkiv", "敖德萨": "Odesa", "布鲁塞尔": "Brussels", "بروكسل": "Brussels",
    "安卡拉": "Ankara", "伊斯坦布尔": "Istanbul", "إسطنبول": "Istanbul", "أنقرة": "Ankara",
    "华沙": "Warsaw", "وارسو": "Warsaw", "罗马": "Rome", "روما": "Rome", "马德里": "Madrid", "مدريد": "Madrid",
    "巴黎": "Paris", "باريس": "Paris", "伦敦": "London", "لندن": "London", "北京": "Beijing", "بكين": "Beijing",
    "上海": "Shanghai", "东京": "Tokyo", "طوكيو": "Tokyo", "القاهرة": "Cairo", "开罗": "Cairo",
    "الرياض": "Riyadh", "利雅得": "Riyadh", "دبي": "Dubai", "迪拜": "Dubai", "الدوحة": "Doha", "多哈": "Doha",
    "بيروت": "Beirut", "贝鲁特": "Beirut", "دمشق": "Damascus", "大马士革": "Damascus", "بغداد": "Baghdad",
    "غزة": "Gaza", "加沙": "Gaza", "القدس": "Jerusalem", "耶路撒冷": "Jerusalem", "عمان": "Amman",
    "طهران": "Tehran", "德黑兰": "Tehran", "برلين": "Berlin", "موسكو": "Moscow", "جنيف": "Geneva",
    "US": "United States", "U.S.": "United States", "USA": "United States", "UK": "United Kingdom",
    "UAE": "United Arab Emirates", "EAU": "United Arab Emirates", "EEUU": "United States", "EE.UU.": "United States",
    "ABD": "United States", "VS": "United States", "EUA": "United States", "США": "United States",
    "فيينا": "Vienna", "维也纳": "Vienna", "Beijing": "Beijing", "Pekin": "Beijing", "Kiev": "Kyiv",
}

#: words that announce a person name right after them (lower-cased; a name follows)
PERSON_TITLES: dict[str, tuple[str, ...]] = {
    "en": ("president", "minister", "prime minister", "chancellor", "secretary", "senator", "governor",
           "mayor", "king", "queen", "prince", "general", "spokesman", "spokeswoman", "spokesperson",
           "ambassador", "mr", "mrs", "ms", "dr", "pope", "leader", "chief", "counterpart", "premier",
           "envoy", "judge", "director", "ceo", "chairman", "chairwoman", "commissioner", "coach", "emir"),
    "fr": ("président", "présidente", "ministre", "premier ministre", "chancelier", "chancelière",
           "secrétaire", "sénateur", "gouverneur", "maire", "roi", "reine", "général", "porte-parole",
           "ambassadeur", "ambassadrice", "m", "mme", "pape", "dirigeant", "chef", "homologue", "directeur",
           "directrice", "juge", "commissaire", "émir", "patron", "patronne", "député", "députée"),
    "de": ("präsident", "präsidentin", "minister", "ministerin", "bundeskanzler", "bundeskanzlerin",
           "kanzler", "kanzlerin", "außenminister", "außenministerin", "regierungschef", "regierungschefin",
           "premierminister", "premierministerin", "bürgermeister", "bürgermeisterin", "könig", "königin",
           "sprecher", "sprecherin", "botschafter", "botschafterin", "herr", "frau", "papst", "chef", "chefin",
           "amtskollege", "amtskollegin", "generalsekretär", "vorsitzende", "vorsitzender", "general",
           "verteidigungsminister", "finanzminister", "innenminister", "staatschef", "kremlchef"),
    "es": ("presidente", "presidenta", "ministro", "ministra", "canciller", "secretario", "secretaria",
           "senador", "gobernador", "alcalde", "alcaldesa", "rey", "reina", "general", "portavoz", "embajador",
           "señor", "sr", "papa", "líder", "jefe", "jefa", "homólogo", "homóloga", "primer ministro",
           "director", "directora", "mandatario"),
    "it": ("presidente", "ministro", "premier", "cancelliere", "segretario", "senatore", "governatore",
           "sindaco", "re", "regina", "generale", "portavoce", "ambasciatore", "signor", "papa", "leader",
           "capo", "omologo", "omologa", "direttore", "direttrice", "presidentessa", "ministra"),
    "pl": ("prezydent", "minister", "premier", "kanclerz", "sekretarz", "senator", "gubernator",
           "burmistrz", "prezydenta", "król", "królowa", "generał", "rzecznik", "rzeczniczka", "ambasador",
           "pan", "pani", "papież", "przywódca", "szef", "szefowa", "ministra", "premiera", "prezes",
           "marszałek", "wiceminister", "przewodniczący", "przewodnicząca", "prezydentem", "premierem", "ministrem"),
    "ru": ("президент", "министр", "премьер", "канцлер", "госсекретарь", "секретарь", "сенатор",
           "губернатор", "мэр", "король", "королева", "генерал", "спикер", "посол", "глава", "лидер",
           "председатель", "президента", "президентом", "министра", "министром", "коллега", "пресс-секретарь"),
    "uk": ("президент", "міністр", "прем'єр", "канцлер", "держсекретар", "секретар", "мер", "генерал",
           "посол", "глава", "лідер", "президента", "міністра", "речник", "голова"),
    "tr": ("cumhurbaşkanı", "bakan", "bakanı", "başbakan", "başbakanı", "şansölye", "şansölyesi",
           "sekreter", "sekreteri", "senatör", "vali", "valisi", "belediye başkanı", "kral", "kraliçe",
           "general", "sözcü", "sözcüsü", "büyükelçi", "büyükelçisi", "lider", "lideri", "başkan", "başkanı",
           "mevkidaşı", "genel sekreteri", "bay", "bayan"),
    "nl": ("president", "minister", "premier", "kanselier", "secretaris", "burgemeester", "koning",
           "koningin", "generaal", "woordvoerder", "ambassadeur", "leider", "voorzitter", "minister-president"),
    "pt": ("presidente", "ministro", "ministra", "chanceler", "secretário", "secretária", "governador",
           "prefeito", "rei", "rainha", "general", "porta-voz", "embaixador", "líder", "primeiro-ministro",
           "homólogo", "diretor"),
}

#: words that make a capitalised span an organisation (folded, matched per token)
ORG_CUES: tuple[str, ...] = (
    "ministry", "bank", "party", "council", "commission", "committee", "union", "agency", "organization",
    "organisation", "company", "corporation", "corp", "inc", "ltd", "group", "university", "court",
    "parliament", "department", "office", "association", "federation", "fund", "army", "forces", "senate",
    "congress", "assembly", "police", "institute", "foundation", "airlines", "league", "club", "board",
    "ministere", "banque", "parti", "conseil", "comite", "agence", "organisation", "societe", "universite",
    "cour", "parlement", "assemblee", "departement", "armee", "senat", "federation", "fonds", "institut",
    "ministerium", "bundesministerium", "partei", "rat", "kommission", "agentur", "bundestag", "bundesrat",
    "gericht", "bundesregierung", "universitat", "konzern", "gruppe", "bundeswehr", "verband", "stiftung",
    "zentralbank", "bundesbank", "regierung", "ag", "gmbh",
    "ministerio", "banco", "partido", "consejo", "comision", "comite", "agencia", "universidad", "tribunal",
    "parlamento", "congreso", "ejercito", "fundacion", "gobierno", "sa",
    "ministero", "banca", "partito", "consiglio", "commissione", "agenzia", "universita", "corte", "governo",
    "esercito", "fondazione", "spa", "camera", "procura",
    "ministerstwo", "bank", "partia", "rada", "komisja", "agencja", "uniwersytet", "sad", "sejm", "senat",
    "trybunal", "rzad", "prawo", "platforma", "fundacja", "policja", "kancelaria",
    "министерство", "минобороны", "мид", "банк", "партия", "совет", "комиссия", "агентство", "университет",
    "суд", "дума", "госдума", "правительство", "армия", "фонд", "компания", "служба", "минфин",
    "міністерство", "партія", "рада", "уряд", "служба",
    "bakanligi", "bankasi", "bahn", "policia", "polizia", "polizei", "parlament", "gerichtshof", "gericht", "airlines", "airways", "regione", "region", "provincia", "comune", "partisi", "meclisi", "konseyi", "komisyonu", "ajansi", "universitesi",
    "mahkemesi", "hukumeti", "ordusu", "vakfi", "sirketi", "birligi", "tbmm", "baskanligi", "kurumu",
    "ministerie", "partij", "raad", "commissie", "universiteit", "regering",
    "ministerio", "partido", "conselho", "comissao", "universidade", "governo",
)

#: single words that name an institution by themselves (Bundestag, Sejm, Senato)
INSTITUTIONS: tuple[str, ...] = (
    "Bundestag", "Bundesrat", "Bundesregierung", "Bundesbank", "Bundeswehr", "Bundesverfassungsgericht",
    "Sejm", "Senat", "Senate", "Sénat", "Senado", "Senato", "Congress", "Congrès", "Congreso", "Kongres",
    "Parliament", "Parlement", "Parlamento", "Bundesamt", "Knesset", "Duma", "Дума", "Госдума", "Рада",
    "Verkhovna", "Pentagon", "Pentágono", "Pentagone", "Kremlin", "Elysée", "Élysée", "Quirinale", "Bundestags",
    "Eurostat", "Europol", "Interpol", "Frontex", "Bundeskartellamt", "Bundesgerichtshof", "Meclis", "TBMM",
)

#: capitalised words that start sentences or name days/months and are never entities
NOT_NAMES: frozenset[str] = frozenset(["the", "a", "an", "in", "on", "at", "of", "and", "but", "or", "for", "with", "from", "to", "by", "as", "it", "he", "she", "they", "we", "i", "this", "that", "these", "those", "his", "her", "their", "its", "after", "before", "while", "when", "where", "what", "who", "why", "how", "there", "here", "if", "then", "so", "also", "yet", "still", "even", "just", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december", "mr", "mrs", "ms", "le", "la", "les", "un", "une", "des", "du", "de", "en", "au", "aux", "et", "ou", "mais", "pour", "avec", "dans", "sur", "par", "ce", "cet", "cette", "ces", "il", "elle", "ils", "elles", "nous", "vous", "on", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre", "novembre", "decembre", "selon", "apres", "avant", "pendant", "lors", "depuis", "secondo", "segun", "laut", "according", "despite", "malgre", "trotz", "tras", "durante", "der", "die", "das", "ein", "eine", "einen", "einem", "einer", "und", "oder", "aber", "fur", "mit", "von", "zu", "im", "am", "an", "auf", "aus", "bei", "nach", "vor", "uber", "unter", "er", "sie", "es", "wir", "ihr", "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag", "januar", "februar", "marz", "juni", "juli", "oktober", "dezember", "laut", "nachdem", "wahrend", "seit", "el", "los", "las", "unos", "unas", "y", "o", "pero", "para", "con", "por", "del", "al", "lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo", "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre", "segun", "tras", "il", "lo", "gli", "i", "uno", "una", "e", "o", "ma", "per", "con", "da", "di", "del", "della", "dei", "nel", "nella", "lunedi", "martedi", "mercoledi", "giovedi", "venerdi", "sabato", "domenica", "gennaio", "febbraio", "aprile", "maggio", "giugno", "luglio", "settembre", "ottobre", "novembre", "dicembre", "dopo", "w", "we", "z", "ze", "i", "a", "o", "na", "do", "od", "po", "za", "dla", "jak", "to", "ten", "ta", "poniedzialek", "wtorek", "sroda", "czwartek", "piatek", "sobota", "niedziela", "stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "wrzesnia", "pazdziernika", "listopada", "grudnia", "styczen", "wedlug", "в", "во", "на", "с", "со", "и", "а", "но", "по", "за", "к", "от", "до", "из", "у", "о", "об", "для", "как", "это", "он", "она", "они", "мы", "понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье", "января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря", "по-прежнему", "однако", "bu", "bir", "ve", "ile", "ama", "icin", "da", "de", "o", "biz", "onlar", "pazartesi", "sali", "carsamba", "persembe", "cuma", "cumartesi", "pazar", "ocak", "subat", "mart", "nisan", "mayis", "haziran", "temmuz", "agustos", "eylul", "ekim", "kasim", "aralik", "dun", "bugun", "yarin", "de", "het", "een", "en", "of", "maar", "voor", "met", "van", "op", "in", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag", "o", "os", "as", "um", "uma", "e", "ou", "mas", "para", "com", "em", "no", "na", "do", "da", "segunda", "terca", "quarta", "quinta", "sexta", "sabado", "domingo"])

#: Folded one-word names of towns that in the news are something else first: the virus
#: (Corona, California, in every script) and people or brands a town shares its name with
#: (Obama, Japan; Google, the name Topeka took for a month in 2010). `gazetteer.lookup`
#: never reads them as a city (`gazetteer.is_common_word_homograph`).
NOT_PLACES: frozenset[str] = frozenset([
    "corona", "korona", "كورونا", "كرونا", "корона", "коронавирус", "科罗纳", "코로나", "コロナ",
    "obama", "google", "clinton", "carrefour",
])

#: Common Arabic given names (written without diacritics; matched after `arabic_letter_key`).
#: A token from this list followed by a name-like word starts a person's name (أحمد فتحي,
#: معمر الإرياني), since Arabic script marks names with no capitals. Given names that are also
#: frequent common words (نور light, أمل hope, كريم generous, نصر victory, صالح valid, سلطان
#: sultan, مالك owner...) are left out on purpose: they would turn phrases into people.
ARABIC_GIVEN_NAMES: frozenset[str] = frozenset("""
محمد أحمد محمود مصطفى علي حسن حسين عمر عثمان خالد سعد سلمان فيصل إبراهيم يوسف يعقوب إسماعيل موسى
عيسى هارون داود سليمان طارق ياسر نادر هشام وليد وائل عمرو طه ماجد مجدي حمدي فتحي صلاح عماد إياد زياد
رامي سامح شادي هاني حازم حاتم حمزة معمر مراد ناصر أنور أيمن أسامة باسم بسام بشار بشير جابر جعفر جلال
حمد راشد رشيد زيد سالم سمير طلال عاطف عاصم عدنان عزت علاء عمار غسان فاروق فؤاد قاسم لؤي ماهر محسن
مروان معاذ منصور مهدي نايف نجيب نزار ياسين يحيى يونس إسحاق أكرم أنس توفيق ثامر جاسم حسام خليل رياض
زهير شكري صبري عبدالرحمن عبدالعزيز عبدالفتاح عبدالمجيد عبدالله ضياء عصام عوض غازي فهد قيس لطفي ممدوح
مؤمن نعمان هاشم تميم منذر جمال حمدان مشعل بندر تركي نواف عبدالملك عبدالكريم عبدالحميد عبدالسلام
فاطمة عائشة مريم زينب خديجة سارة ليلى سلمى رانيا دينا ياسمين هالة نادية سميرة سعاد رشا غادة لبنى نسرين
شيماء إيمان أسماء هند رنا ريم نجلاء عبير سهير نهى دعاء
""".split())


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    """Folded given names (Latin and Cyrillic script) from the name lists that Faker ships
    for all its locales (`faker.providers.person.<locale>.Provider`; MIT; no network).

    A lexicon, not a model: it tells a person's name (*Olaf Scholz*, *Karin Müller*) from a
    capitalised German noun phrase (*Gefährliche Manöver*, *Beide Lenker*)."""
    import importlib
    import pkgutil

    from faker.providers import person

    from newsloom.entities.normalize import fold

    names: set[str] = set()
    for info in pkgutil.iter_modules(person.__path__):
        try:
            provider = getattr(importlib.import_module(f"{person.__name__}.{info.name}"), "Provider", None)
        except ImportError:  # one broken locale module must not take the others with it
            continue
        for attr in ("first_names", "first_names_male", "first_names_female"):
            listed = getattr(provider, attr, ())
            if not isinstance(listed, (tuple, list, dict)):
                continue  # a few locales compute the attribute (a property)
            for name in listed:  # tuples, or dicts of name -> weight
                # cased scripts only: the rules look names up for capitalised words
                if isinstance(name, str) and name[:1].isupper():
                    names.add(fold(name))
    return frozenset(names)
