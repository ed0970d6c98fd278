"""The made-up archive of bench/scale.py: word lists per language (common words common, rare words rare),
names, outlets, and the articles built from them."""

import random
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np

ZIPF_S = 1.0
LANGUAGE_SHARES = {"fr": 0.55, "ar": 0.35, "es": 0.08, "en": 0.02}
CATEGORY_SHARES = {"actualite": 30, "politique": 15, "economie": 15, "societe": 12, "sport": 10, "culture": 6,
                   "monde": 5, "regions": 5, "technologie": 2}

# Word lists, most frequent first: grammar words, never queried, then "|", then content words.
FRENCH = """de la le les et des à en du un une que est pour qui dans a par sur au plus pas se il ne avec ce sont ont
son sa ses elle ou aux mais cette comme leur ils être été tout entre après selon depuis lors ainsi aussi également
encore déjà très sans sous contre vers chez dont où leurs ces autres même fait nous on si |
Maroc royaume gouvernement ministre année ans projet national nationale marocain marocaine pays ville président
développement secteur nouveau nouvelle programme millions milliards dirhams région conseil sécurité économie santé
politique public publique société royal Rabat Casablanca roi ministère jeunes travail eau marché prix entreprises
investissement croissance emploi économique sociale social international communes province général enfants femmes
citoyens population élections parti parlement député loi texte réforme budget finances banque crédit taux hausse
baisse semaine mois jour premier première dernier dernière grand grande important importante plusieurs nombre
cadre niveau rapport étude résultats objectif mesures décision accord partenariat coopération Afrique Europe France
Espagne monde visite mission délégation rencontre réunion séance session conférence forum festival culture culturel
patrimoine tourisme touristes hôtels sport football équipe match sélection championnat joueurs entraîneur stade
victoire Coupe Lions Atlas hôpital médecins patients vaccin école élèves enseignants université étudiants formation
justice tribunal enquête police accident victimes agriculture récolte pluie sécheresse barrage irrigation énergie
électricité solaire transport autoroute train aéroport port logement immobilier potable routes infrastructures
industrie automobile exportations importations phosphate commerce consommation inflation chômage pauvreté numérique
technologie internet données innovation environnement climat pollution déchets forêts littoral Sahara autonomie
diplomatie ambassadeur Nations unies sommet relations bilatérales Fès Marrakech Tanger Agadir Meknès Oujda Tétouan
Kénitra Laâyoune Dakhla Nador Safi Jadida Settat Mellal Errachidia Ouarzazate habitants quartier village centre
association syndicat grève salaires retraite protection couverture médicale aide directe ménages famille prochaine
prochain récemment hier demain matin soir heures trimestre période objectifs stratégie vision plan modèle chantier
lancement inauguration annonce annoncé indiqué souligné affirmé précisé ajouté expliqué estimé rappelé présenté lancé
prévu devrait pourrait permet permettre renforcer développer améliorer réduire soutenir accompagner assurer garantir
qualité services accès zones rurales urbaines territoire provinces préfecture wali gouverneur commune élus opposition
majorité coalition opinion médias presse journalistes liberté droits humains égalité réussite échec crise défi
priorité besoins demande offre volume rythme coût hausse chiffre affaires bénéfice pertes dette déficit recettes"""
FRENCH_VERB_STEMS = """annonc lanc présent développ renforc amélior accompagn organis inaugur signal consacr augment
accélér encourag mobilis particip appel adopt approuv examin analys enregistr dépass port rest pass trouv donn
demand montr laiss pens parl arriv entr continu compt chang cré utilis protég préserv valoris modernis financ équip
rénov install rassembl exprim dénonc critiqu refus accept réclam exig propos recommand confirm évalu estim calcul
compar mesur ajout expliqu précis rappel affirm indiqu soulign insist félicit salu remerci honor célébr visit
dialogu négoci sign ratifi prolong suspend annul report achev termin commenc démarr étudi form recrut embauch
employ rémunér distribu contrôl sanctionn interpell arrêt jug condamn libér transfér import export produis cultiv
irrigu pleuv stock alert mobilis rapproch réconcili soutin travaill gagn perd jou entraîn qualifi élimin"""
FRENCH_VERB_ENDINGS = "er e ent é ée és ées ait aient era eront ant ons ez erait".split()

ARABIC = """في من على إلى أن عن مع التي الذي هذا هذه ما لا كما بعد قبل بين حيث كان قد وقد أو ثم كل حول خلال عبر
منذ لدى ضد نحو إن أنه هو هي وفي ومن وعلى وهو لم لن الذين |
المغرب المملكة الحكومة وزير الوزير وزارة جلالة الملك محمد السادس الرباط الدار البيضاء مدينة مشروع الوطني الوطنية
المغربية المغربي سنة العام الأسبوع اليوم الشهر مليون مليار درهم الاقتصاد الاقتصادية التنمية الاستثمار القطاع البرلمان
مجلس النواب المستشارين الحزب الأحزاب الانتخابات القانون الإصلاح الميزانية المالية البنك الأسعار التضخم البطالة الشغل
الشباب النساء الأطفال الأسر المواطنين السكان الجماعة الجهة الإقليم العمالة الصحة المستشفى الأطباء المرضى التعليم
المدرسة التلاميذ الأساتذة الجامعة الطلبة التكوين العدالة المحكمة القضاء النيابة العامة الشرطة الأمن الدرك حادث ضحايا
التحقيق الفلاحة الأمطار الجفاف السدود الماء الطاقة الكهرباء المتجددة النقل الطريق السيار القطار المطار الميناء السكن
العقار الصناعة السيارات الصادرات الواردات الفوسفاط التجارة السياحة السياح الفنادق الثقافة المهرجان التراث الكتاب
السينما الموسيقى الرياضة كرة القدم المنتخب الفريق المباراة البطولة اللاعبين المدرب الملعب الفوز الهزيمة كأس أسود
الأطلس الصحراء الحكم الذاتي الدبلوماسية السفير الأمم المتحدة القمة العلاقات الثنائية إفريقيا أوروبا فرنسا إسبانيا
الجزائر فاس مراكش طنجة أكادير مكناس وجدة تطوان القنيطرة العيون الداخلة الناظور آسفي الجديدة أكد قال أعلن أوضح أشار
أضاف كشف دعا اعتبر أفادت أفاد حسب وفق مصادر مصدر رئيس الرئيس المدير الأمين الجمعية النقابة الإضراب الأجور التقاعد
الحماية الاجتماعية التغطية الصحية الدعم المباشر البرنامج الاستراتيجية الرؤية النموذج التنموي الجديد الأول الأولى
الكبير الكبرى مهم هامة عدة عدد إطار مستوى تقرير دراسة نتائج هدف إجراءات قرار اتفاقية شراكة تعاون زيارة وفد لقاء
اجتماع دورة ندوة منتدى الرقمي التكنولوجيا الإنترنت البيانات الابتكار البيئة المناخ التلوث النفايات الغابات الساحل
جودة الخدمات المناطق القروية الحضرية الولاية العامل المعارضة الأغلبية الرأي الإعلام الصحافة الحرية الحقوق المساواة"""
# Common words as they are sometimes printed, with short vowels and shadda.
ARABIC_MARKED = dict(pair.split(":") for pair in """المغرب:المَغْرِب الحكومة:الحُكُومَة وزير:وَزِير الملك:المَلِك
مدينة:مَدِينَة المملكة:المَمْلَكَة الوطني:الوَطَنِيّ مشروع:مَشْرُوع قال:قَالَ أكد:أَكَّدَ جلالة:جَلَالَة البرلمان:البَرْلَمَان
سنة:سَنَة اليوم:اليَوْم الرياضة:الرِّيَاضَة الثقافة:الثَّقَافَة المدرسة:المَدْرَسَة الجامعة:الجَامِعَة مجلس:مَجْلِس
الشباب:الشَّبَاب الأمن:الأَمْن القانون:القَانُون الصحة:الصِّحَّة التعليم:التَّعْلِيم الاقتصاد:الاِقْتِصَاد""".split())
ARABIC_ROOTS = """كتب درس عمل علم حكم صنع نظم جمع شرك فتح دخل خرج نقل سكن زرع حصد طلب سلم عدل قدم نشر حمل رسم صدر
كشف ظهر شرح نجح رفع خفض حفظ دفع سجل فحص عرض نهض بحث سمع شهد حضر غلب ربح خسر صرف جلس كسب لعب دعم رصد نفذ ذكر فكر
شكر حفر حرس عقد ركب سبق قبض بلغ نصر خدم قسم فصل جرم سرع نتج وفر برز حسب عرف""".split()
ARABIC_PATTERNS = "فاعل مفعول تفعيل مفاعلة افتعال استفعال انفعال فعالة مفعل فعيل فعال فعول تفاعل مفعلة إفعال".split()
ARABIC_AFFIXES = [("", ""), ("ال", ""), ("و", ""), ("وال", ""), ("بال", ""), ("لل", ""), ("", "ات"), ("ال", "ات"),
                  ("", "ين"), ("ال", "ين"), ("", "ون"), ("", "ها"), ("", "هم"), ("و", "ها"), ("ب", "")]

SPANISH = """de la el en y que los a las del se un por con una para es no al lo su como más o pero sus le ha este esta
entre sobre también tras desde durante según ya muy sin hasta donde |
Marruecos marroquí marroquíes Gobierno ministro rey Mohamed Rabat Casablanca Tánger Tetuán Nador Ceuta Melilla
España español española país países año años millones dirhams euros economía económico desarrollo proyecto programa
ciudad región frontera migración inmigrantes pesca acuerdo cooperación relaciones bilaterales Sáhara autonomía Unión
Europea Argelia seguridad policía turismo turistas puerto aeropuerto agricultura agua sequía energía renovable
empresas inversión exportaciones mercado precios inflación empleo trabajo salud hospital educación universidad
estudiantes cultura festival fútbol selección partido Mundial Leones Atlas equipo jugadores entrenador victoria
presidente parlamento elecciones ley reforma nuevo nueva primer primera gran importante semana mes día ayer hoy
fuentes informe datos"""
SPANISH_VERB_STEMS = """anunci lanz present desarroll reforz mejor acompañ organiz inaugur señal destac aument
aceler impuls particip adopt aprob examin analiz registr super llev qued pas encontr dej habl lleg entr continu
cambi cre utiliz proteg financ equip instal expres denunci critic rechaz acept reclam propon recomend confirm
evalu estim calcul compar afirm indic insist felicit salud agradec visit dialog negoci firm ratific prolong suspend
termin comenz estudi form contrat emple control sancion arrest conden liber export import cultiv"""
SPANISH_VERB_ENDINGS = "ar a an ó aron ado ada ados adas ando ará arán aba aban e".split()

ENGLISH = """the of and to in a is for on that with as by at from was are has have be it its this an will said |
Morocco Moroccan kingdom government minister King Mohammed Rabat Casablanca Marrakech Tangier country year years
million billion dirhams economy economic development project program city region security tourism tourists football
team national World Cup Atlas Lions match president parliament elections law reform new first last week month day
today according report data Africa Europe Spain France Algeria Sahara autonomy plan energy water drought agriculture
investment exports market prices inflation jobs health hospital education university students culture festival"""

# Names of people and places, Moroccan-sounding, written in Latin letters and in Arabic: the rarest words.
NAME_STARTS = [("ben", "بن"), ("bou", "بو"), ("ou", "أو"), ("ta", "تا"), ("ka", "كا"), ("ma", "ما"), ("ra", "را"),
               ("sa", "سا"), ("ha", "حا"), ("ja", "جا"), ("za", "زا"), ("fa", "فا"), ("la", "لا"), ("na", "نا"),
               ("da", "دا"), ("ba", "با"), ("ya", "يا"), ("me", "مي"), ("ze", "زي"), ("ri", "ري"), ("mou", "مو"),
               ("ab", "عب"), ("kha", "خا"), ("cha", "شا"), ("gha", "غا"), ("ti", "تي"), ("ki", "كي"), ("sli", "سلي")]
NAME_MIDDLES = [("sli", "سلي"), ("ta", "تا"), ("ka", "كا"), ("ri", "ري"), ("lal", "لال"), ("mes", "مس"), ("nou", "نو"),
                ("dar", "دار"), ("ham", "حم"), ("zer", "زر"), ("bar", "بر"), ("ker", "كر"), ("fil", "فيل"),
                ("sou", "سو"), ("tal", "طال"), ("mer", "مر"), ("ouar", "ور"), ("ghar", "غر"), ("kan", "كن"),
                ("dou", "دو"), ("rah", "راح"), ("jal", "جل"), ("sal", "سال"), ("nas", "ناص"), ("mah", "مح"),
                ("bel", "بل"), ("tou", "تو"), ("zah", "زه"), ("kad", "قد"), ("sed", "سد")]
NAME_ENDS = [("mane", "مان"), ("i", "ي"), ("ani", "اني"), ("oun", "ون"), ("ane", "ان"), ("ate", "ات"), ("ine", "ين"),
             ("ou", "و"), ("ir", "ير"), ("ouni", "وني"), ("aoui", "اوي"), ("idi", "يدي"), ("ssi", "سي"),
             ("ari", "اري"), ("ami", "امي"), ("ti", "تي"), ("zi", "زي"), ("ki", "كي"), ("ach", "اش"), ("ouch", "وش"),
             ("an", "ان"), ("im", "يم"), ("ouf", "وف"), ("ab", "اب"), ("out", "وت")]
OUTLET_WORDS = ("Al Akhbar Hebdo Info Press Presse Actu News Times Diario Maroc Atlas Rif Souss Sahara Oriental Médina "
                "Tribune Écho Courrier Journal Nahar Sabah Massae Yaoum Chaab Watan Nabd Siyasa Iqtisad Sport Kora "
                "Eco Finance Business Digital Femmes Jeunes Régions Nord Sud Capitale Détroit Bladi Sahafa Hiwar").split()


@dataclass
class Vocabulary:
    """One language's words by rank, their Zipf weights, and how to draw text from them."""

    code: str
    words: list[str]
    function: int
    marked: dict[str, str] = field(default_factory=dict)
    array: np.ndarray = field(init=False)
    marked_array: np.ndarray = field(init=False)
    cumulative: np.ndarray = field(init=False)
    rank: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.words = list(dict.fromkeys(self.words))
        self.array = np.array(self.words, dtype=object)
        self.marked_array = np.array([self.marked.get(w, w) for w in self.words], dtype=object)
        self.cumulative = np.cumsum(1.0 / np.arange(1, len(self.words) + 1) ** ZIPF_S)
        self.rank = {word: rank for rank, word in enumerate(self.words)}

    def draw(self, rng: np.random.Generator, count: int) -> list[str]:
        """`count` words drawn by frequency, a few of them (Arabic) with their short vowels written."""
        index = np.searchsorted(self.cumulative, rng.random(count) * self.cumulative[-1])
        tokens = self.array[index]
        if self.marked:
            shown = rng.random(count) < 0.15
            tokens[shown] = self.marked_array[index[shown]]
        return tokens.tolist()


def vocabularies(seed: int) -> dict[str, Vocabulary]:
    shuffle = random.Random(seed).shuffle
    latin_names = [(s + m + e).capitalize() for s, _ in NAME_STARTS for m, _ in NAME_MIDDLES for e, _ in NAME_ENDS]
    arabic_names = [s + m + e for _, s in NAME_STARTS for _, m in NAME_MIDDLES for _, e in NAME_ENDS]
    french_tail = [s + e for s in FRENCH_VERB_STEMS.split() for e in FRENCH_VERB_ENDINGS]
    french_tail += [w + "s" for w in FRENCH.split("|")[1].split() if w.islower() and not w.endswith(("s", "x"))]
    arabic_tail = [prefix + pattern.replace("ف", root[0]).replace("ع", root[1]).replace("ل", root[2]) + suffix
                   for root in ARABIC_ROOTS for pattern in ARABIC_PATTERNS for prefix, suffix in ARABIC_AFFIXES]
    spanish_tail = [s + e for s in SPANISH_VERB_STEMS.split() for e in SPANISH_VERB_ENDINGS]
    tails = {"fr": french_tail + latin_names, "ar": arabic_tail + arabic_names,
             "es": spanish_tail + latin_names[::2], "en": latin_names[1::3]}
    result = {}
    for code, text in {"fr": FRENCH, "ar": ARABIC, "es": SPANISH, "en": ENGLISH}.items():
        grammar, content = (list(dict.fromkeys(part.split())) for part in text.split("|"))
        head = grammar + [w for w in content if w not in set(grammar)]
        tail = list(dict.fromkeys(w for w in tails[code] if w not in set(head)))
        shuffle(tail)
        result[code] = Vocabulary(code, head + tail, len(grammar), ARABIC_MARKED if code == "ar" else {})
    return result


def strip_marks(text: str) -> str:
    """The text as a hurried reader types it: no accents, no tashkeel, hamza-less alef."""
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare).translate(str.maketrans("أإآ", "ااا"))


# -- the articles --------------------------------------------------------------------------------------------


@dataclass
class OutletPlan:
    slug: str
    name: str
    language: str
    host: str
    category: str


def plan_outlets(rng: random.Random, count: int) -> list[OutletPlan]:
    from akhbar.sources.services import RESERVED_SLUGS

    languages = rng.choices(list(LANGUAGE_SHARES), weights=list(LANGUAGE_SHARES.values()), k=count)
    for code in LANGUAGE_SHARES:  # every language has outlets, whatever the draw
        languages[list(LANGUAGE_SHARES).index(code)] = code
    outlets, seen = [], set()
    for n, language in enumerate(languages):
        name = " ".join(rng.sample(OUTLET_WORDS, rng.choice((1, 2, 2, 3))))
        slug = re.sub(r"[^a-z0-9]+", "-", strip_marks(name).lower()).strip("-")
        slug = slug if slug not in seen and slug not in RESERVED_SLUGS else f"{slug}-{n}"
        seen.add(slug)
        category = rng.choices(list(CATEGORY_SHARES), weights=list(CATEGORY_SHARES.values()))[0]
        outlets.append(OutletPlan(slug, name.title(), language, f"www.{slug}.ma", category))
    return outlets


def outlet_weights(outlets: list[OutletPlan]) -> np.ndarray:
    """Each outlet's share of all articles: its language's share, split unequally (1/rank) within the language."""
    weights = np.zeros(len(outlets))
    for code, share in LANGUAGE_SHARES.items():
        members = [i for i, o in enumerate(outlets) if o.language == code]
        ranked = 1.0 / np.arange(1, len(members) + 1) ** 0.9
        weights[members] = share * ranked / ranked.sum()
    return weights


@dataclass
class ArticleText:
    title: str
    summary: str
    html: str
    words: int


def article_text(vocabulary: Vocabulary, rng: np.random.Generator, sizes: random.Random) -> ArticleText:
    """A title, a lede as summary, and 3-8 paragraphs of about 600-1,500 characters in all."""
    title_words, body_words = sizes.randint(6, 12), sizes.randint(90, 210)
    tokens = vocabulary.draw(rng, title_words + body_words)
    latin = vocabulary.code != "ar"
    title = " ".join(tokens[:title_words])
    sentences, position = [], title_words
    while position < len(tokens):
        length = sizes.randint(7, 24)
        sentence = " ".join(tokens[position:position + length])
        sentences.append((sentence[0].upper() + sentence[1:] if latin else sentence) + ".")
        position += length
    paragraphs, start = [], 0
    while start < len(sentences):
        step = sizes.randint(2, 4)
        paragraphs.append(" ".join(sentences[start:start + step]))
        start += step
    html = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    summary = " ".join(sentences[:2])
    return ArticleText(title[0].upper() + title[1:] if latin else title, summary, html, body_words)


# -- filling the database --------------------------------------------------------------------------------------

# The columns written here; any other takes its model default (see other_columns).
