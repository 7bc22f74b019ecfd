# ruff: noqa: E501  (article sentences, boilerplate strings and HTML are data: their lines stay whole)
"""Build the quality-gate pages: ``<name>.html.gz`` beside ``<name>.json``.

Run from the repository root, only to add or change a page::

    .venv/bin/python tests/quality/build_pages.py

Every article here was written by hand for this set, and so was its boilerplate (the strings
are the kind real CMSs and plugins print: WordPress comment forms, share bars, cookie
banners, newsletter boxes, "read more" teasers, author bios). The JSON holds what a person
decided the main text is (``expected_text``: the article's paragraphs,
sub-headings, list items and quotes, in page order) and snippets that must and must not
survive cleaning. Nothing is ever taken from the cleaner's output, so rebuilding cannot bless
a regression. The build is deterministic: the same source gives the same bytes.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

HERE = Path(__file__).resolve().parent

# A block of article body: a paragraph, or ("h2", text), ("ul", [items]), ("quote", text).
Block = str | tuple[str, str] | tuple[str, list[str]]


@dataclass(frozen=True)
class Story:
    name: str
    layout: str
    lang: str
    url: str
    title: str
    author: str
    published: str  # ISO 8601 with offset
    blocks: list[Block]
    #: headlines of other stories the page links to (related lists, teasers)
    related: list[str]
    #: reader comments, for layouts that show them
    comments: list[tuple[str, str]] = field(default_factory=list)
    site: str = "The Daily Example"
    description: str = ""


@dataclass(frozen=True)
class Chrome:
    """One language's boilerplate strings."""

    nav: list[str]
    share: str
    related: str
    read_more: str
    newsletter_title: str
    newsletter_text: str
    newsletter_button: str
    cookie_text: str
    cookie_accept: str
    comment_title: str
    comment_notes: str
    comment_submit: str
    ad_label: str
    bio: str  # "{author}" is filled in
    footer: str
    most_read: str


CHROME: dict[str, Chrome] = {
    "en": Chrome(
        nav=["Home", "News", "Politics", "Business", "Sport", "Culture", "Opinion"],
        share="Share this article",
        related="Related stories",
        read_more="Read more",
        newsletter_title="Get the morning briefing",
        newsletter_text="Sign up for our free newsletter and get the day's top stories delivered to your inbox every morning.",
        newsletter_button="Subscribe",
        cookie_text="We use cookies to personalise content and ads, to provide social media features and to analyse our traffic.",
        cookie_accept="Accept all cookies",
        comment_title="Leave a Reply",
        comment_notes="Your email address will not be published. Required fields are marked *",
        comment_submit="Post Comment",
        ad_label="Advertisement",
        bio="{author} is a staff reporter who covers local government, transport and housing. Follow her work and send tips to the newsroom.",
        footer="© 2024 The Daily Example. All rights reserved. Privacy policy · Terms of use · Contact us",
        most_read="Most read",
    ),
    "de": Chrome(
        nav=["Startseite", "Lokales", "Politik", "Wirtschaft", "Sport", "Kultur"],
        share="Teilen mit:",
        related="Das könnte Sie auch interessieren",
        read_more="Weiterlesen",
        newsletter_title="Newsletter abonnieren",
        newsletter_text="Erhalten Sie jeden Morgen die wichtigsten Nachrichten aus der Region kostenlos per E-Mail.",
        newsletter_button="Jetzt anmelden",
        cookie_text="Diese Website verwendet Cookies, um Ihnen das beste Nutzererlebnis zu bieten und Zugriffe zu analysieren.",
        cookie_accept="Alle akzeptieren",
        comment_title="Schreibe einen Kommentar",
        comment_notes="Deine E-Mail-Adresse wird nicht veröffentlicht. Erforderliche Felder sind mit * markiert",
        comment_submit="Kommentar abschicken",
        ad_label="Anzeige",
        bio="{author} ist Redakteurin im Lokalressort und berichtet über Stadtentwicklung, Verkehr und Bildung.",
        footer="© 2024 Beispiel-Zeitung · Impressum · Datenschutz · Kontakt",
        most_read="Meistgelesen",
    ),
    "fr": Chrome(
        nav=["Accueil", "Actualités", "Politique", "Économie", "Sports", "Culture"],
        share="Partager cet article",
        related="À lire aussi",
        read_more="Lire la suite",
        newsletter_title="Inscrivez-vous à notre newsletter",
        newsletter_text="Recevez chaque matin l'essentiel de l'actualité de votre région directement dans votre boîte mail.",
        newsletter_button="Je m'inscris",
        cookie_text="Nous utilisons des cookies pour améliorer votre expérience, mesurer l'audience et vous proposer des publicités personnalisées.",
        cookie_accept="Tout accepter",
        comment_title="Laisser un commentaire",
        comment_notes="Votre adresse e-mail ne sera pas publiée. Les champs obligatoires sont indiqués avec *",
        comment_submit="Publier le commentaire",
        ad_label="Publicité",
        bio="{author} est journaliste au service local et suit les questions de transport, d'urbanisme et de commerce.",
        footer="© 2024 Le Quotidien Exemple · Mentions légales · Politique de confidentialité",
        most_read="Les plus lus",
    ),
    "es": Chrome(
        nav=["Portada", "Local", "Política", "Economía", "Deportes", "Cultura"],
        share="Compartir en redes sociales",
        related="Te puede interesar",
        read_more="Leer más",
        newsletter_title="Suscríbete a nuestro boletín",
        newsletter_text="Recibe cada mañana las noticias más importantes de tu ciudad en tu correo electrónico.",
        newsletter_button="Suscribirme",
        cookie_text="Utilizamos cookies propias y de terceros para mejorar nuestros servicios y mostrarle publicidad relacionada con sus preferencias.",
        cookie_accept="Aceptar todas",
        comment_title="Deja un comentario",
        comment_notes="Tu dirección de correo electrónico no será publicada. Los campos obligatorios están marcados con *",
        comment_submit="Publicar el comentario",
        ad_label="Publicidad",
        bio="{author} es periodista de la sección local y escribe sobre movilidad, vivienda y servicios públicos.",
        footer="© 2024 Diario Ejemplo · Aviso legal · Política de privacidad · Contacto",
        most_read="Lo más leído",
    ),
    "it": Chrome(
        nav=["Home", "Cronaca", "Politica", "Economia", "Sport", "Cultura"],
        share="Condividi questo articolo",
        related="Leggi anche",
        read_more="Continua a leggere",
        newsletter_title="Iscriviti alla newsletter",
        newsletter_text="Ricevi ogni mattina le notizie più importanti della tua città direttamente nella tua casella di posta.",
        newsletter_button="Iscriviti",
        cookie_text="Questo sito utilizza cookie tecnici e di profilazione, anche di terze parti, per migliorare la tua esperienza di navigazione.",
        cookie_accept="Accetta tutti",
        comment_title="Lascia un commento",
        comment_notes="Il tuo indirizzo email non sarà pubblicato. I campi obbligatori sono contrassegnati *",
        comment_submit="Invia commento",
        ad_label="Pubblicità",
        bio="{author} è giornalista della redazione cultura e segue musei, teatro e spettacoli.",
        footer="© 2024 Il Giornale Esempio · Note legali · Privacy · Contatti",
        most_read="I più letti",
    ),
    "nl": Chrome(
        nav=["Home", "Regio", "Politiek", "Economie", "Sport", "Cultuur"],
        share="Deel dit artikel",
        related="Lees ook",
        read_more="Lees verder",
        newsletter_title="Schrijf je in voor de nieuwsbrief",
        newsletter_text="Ontvang elke ochtend het belangrijkste nieuws uit de regio gratis in je mailbox.",
        newsletter_button="Aanmelden",
        cookie_text="Deze website gebruikt cookies om de site goed te laten werken, het gebruik te meten en advertenties te tonen.",
        cookie_accept="Alles accepteren",
        comment_title="Laat een reactie achter",
        comment_notes="Je e-mailadres wordt niet gepubliceerd. Vereiste velden zijn gemarkeerd met *",
        comment_submit="Reactie plaatsen",
        ad_label="Advertentie",
        bio="{author} is verslaggever bij de regioredactie en schrijft over verkeer, wonen en gemeentepolitiek.",
        footer="© 2024 Het Voorbeeld Dagblad · Privacy · Cookies · Contact",
        most_read="Meest gelezen",
    ),
    "pt": Chrome(
        nav=["Início", "Cidades", "Política", "Economia", "Esportes", "Cultura"],
        share="Compartilhe esta notícia",
        related="Leia também",
        read_more="Leia mais",
        newsletter_title="Assine a nossa newsletter",
        newsletter_text="Receba todas as manhãs as principais notícias da sua cidade no seu e-mail.",
        newsletter_button="Quero receber",
        cookie_text="Utilizamos cookies para melhorar a sua experiência de navegação e personalizar anúncios, conforme a nossa Política de Privacidade.",
        cookie_accept="Aceitar e fechar",
        comment_title="Deixe um comentário",
        comment_notes="O seu endereço de e-mail não será publicado. Campos obrigatórios são marcados com *",
        comment_submit="Publicar comentário",
        ad_label="Publicidade",
        bio="{author} é repórter da editoria de cidades e cobre transporte, segurança e serviços públicos.",
        footer="© 2024 Jornal Exemplo · Termos de uso · Política de privacidade",
        most_read="Mais lidas",
    ),
    "pl": Chrome(
        nav=["Strona główna", "Region", "Polityka", "Gospodarka", "Sport", "Kultura"],
        share="Udostępnij ten artykuł",
        related="Czytaj także",
        read_more="Czytaj dalej",
        newsletter_title="Zapisz się do newslettera",
        newsletter_text="Otrzymuj codziennie rano najważniejsze wiadomości z regionu prosto na swoją skrzynkę.",
        newsletter_button="Zapisz się",
        cookie_text="Ta strona używa plików cookie w celu świadczenia usług, personalizacji reklam i analizowania ruchu.",
        cookie_accept="Akceptuję wszystkie",
        comment_title="Dodaj komentarz",
        comment_notes="Twój adres e-mail nie zostanie opublikowany. Wymagane pola są oznaczone *",
        comment_submit="Opublikuj komentarz",
        ad_label="Reklama",
        bio="{author} jest dziennikarką działu miejskiego i pisze o inwestycjach, zieleni i transporcie.",
        footer="© 2024 Gazeta Przykładowa · Regulamin · Polityka prywatności",
        most_read="Najczęściej czytane",
    ),
    "sv": Chrome(
        nav=["Start", "Nyheter", "Politik", "Ekonomi", "Sport", "Kultur"],
        share="Dela artikeln",
        related="Läs också",
        read_more="Läs mer",
        newsletter_title="Prenumerera på vårt nyhetsbrev",
        newsletter_text="Få de viktigaste nyheterna från din kommun i din inkorg varje morgon.",
        newsletter_button="Prenumerera",
        cookie_text="Vi använder kakor för att ge dig en bättre upplevelse, mäta trafiken och visa relevanta annonser.",
        cookie_accept="Godkänn alla kakor",
        comment_title="Lämna ett svar",
        comment_notes="Din e-postadress kommer inte publiceras. Obligatoriska fält är märkta *",
        comment_submit="Publicera kommentar",
        ad_label="Annons",
        bio="{author} är reporter på lokalredaktionen och bevakar skola, idrott och kommunens ekonomi.",
        footer="© 2024 Exempeltidningen · Personuppgifter · Kontakta oss",
        most_read="Mest läst",
    ),
    "ru": Chrome(
        nav=["Главная", "Город", "Политика", "Экономика", "Спорт", "Культура"],
        share="Поделиться в соцсетях",
        related="Читайте также",
        read_more="Читать далее",
        newsletter_title="Подпишитесь на нашу рассылку",
        newsletter_text="Получайте главные новости города каждое утро на свою электронную почту.",
        newsletter_button="Подписаться",
        cookie_text="Мы используем файлы cookie, чтобы сайт работал лучше и показывал вам интересные материалы.",
        cookie_accept="Принять все",
        comment_title="Оставить комментарий",
        comment_notes="Ваш адрес email не будет опубликован. Обязательные поля помечены *",
        comment_submit="Отправить комментарий",
        ad_label="Реклама",
        bio="{author} — корреспондент городского отдела, пишет о культуре, образовании и благоустройстве.",
        footer="© 2024 Пример Новости · Правила использования · Политика конфиденциальности",
        most_read="Самое читаемое",
    ),
}

CHP_NOTICE = [
    "Ads Blocker Detected!!!",
    "We have detected that you are using extensions to block ads. Please support us by disabling these ads blocker.",
]


# --- the articles -----------------------------------------------------------------------------

STORIES: list[Story] = [
    Story(
        name="en_wordpress_adblock",
        layout="wordpress",
        lang="en",
        url="https://riverton-news.example/2024/03/library-extends-opening-hours/",
        title="Library extends opening hours after student petition",
        author="Maya Okafor",
        published="2024-03-12T08:30:00+00:00",
        blocks=[
            "The central library will stay open until midnight on weekdays from next month, after more than 2,000 students signed a petition asking for a quiet place to study late in the evening.",
            "The library board approved the trial at its meeting on Monday. It will run for six months and cost about 85,000 pounds, most of which will go on extra staff and security for the late shifts.",
            "Students said the reading rooms at the university were often full by early afternoon during exam season, and that many of them share small flats where it is hard to concentrate.",
            "The head librarian said the building had been designed for long opening hours in the 1970s but had closed at eight o'clock since budget cuts a decade ago.",
            "If the trial is a success, the board will consider opening on Sunday afternoons as well. Visitor numbers will be published every month on the library's website.",
        ],
        related=[
            "Council agrees budget for new sports hall",
            "Bus route 12 to be extended to the university campus",
            "Record number of applications for city scholarships",
        ],
    ),
    Story(
        name="en_newsroom_cookie_newsletter",
        layout="newsroom",
        lang="en",
        url="https://dailyexample.example/news/heatwave-water-use-record",
        title="Heatwave pushes city water use to record high",
        author="Tom Eriksen",
        published="2024-07-18T14:05:00+01:00",
        blocks=[
            "Households in the city used more water on Wednesday than on any day since records began, as temperatures passed 34 degrees for the third day in a row.",
            "The water company said demand reached 412 million litres, about 40 percent above a normal summer day, and asked customers to avoid using sprinklers and filling paddling pools in the evening.",
            "Engineers have been moving water between reservoirs overnight to keep pressure stable in the hilltop districts, where some residents reported weak taps on Tuesday evening.",
            ("h2", "No hosepipe ban yet"),
            "The company said there were no plans for a hosepipe ban, because the reservoirs were still 78 percent full after a wet spring.",
            "But it warned that the situation could change quickly if the hot weather continued into August, and urged people to report leaks as soon as they spotted them.",
            "Forecasters expect temperatures to fall slightly at the weekend, with thunderstorms possible on Saturday afternoon.",
        ],
        related=[
            "How to keep your home cool without air conditioning",
            "Beaches busy as schools break up for summer",
            "Farmers warn of poor harvest after dry June",
        ],
    ),
    Story(
        name="en_div_soup",
        layout="divsoup",
        lang="en",
        url="https://harborcity-post.example/p/1837465",
        title="Ferry service to resume after three-month repair",
        author="Luis Garcia",
        published="2024-05-02T06:45:00-04:00",
        blocks=[
            "The ferry between Harbor City and Pine Island will start running again on Monday, three months after an engine fire forced the operator to take its only vessel out of service.",
            "Islanders have relied on a temporary water taxi with room for twelve passengers and no cars, which meant that deliveries of food and building materials had to be arranged in small loads.",
            "The operator said the engine had been replaced and the ship had passed its safety inspection last week. Timetables will be the same as before the fire, with the first crossing at 6.15 in the morning.",
            "The island's residents' association welcomed the news but said the episode showed that a second vessel was needed. The county has promised to study the cost of a replacement ship by the end of the year.",
        ],
        related=[
            "Harbour dredging to start in September",
            "Island school celebrates its centenary",
        ],
    ),
    Story(
        name="en_short_brief",
        layout="newsroom",
        lang="en",
        url="https://dailyexample.example/news/road-closed-water-main",
        title="Road closed after water main burst",
        author="Nils Jensen",
        published="2024-02-06T07:10:00+00:00",
        blocks=[
            "Station Road is closed in both directions between the market square and the railway bridge after a water main burst early on Tuesday morning.",
            "Repair crews expect the road to reopen by late afternoon. Buses are being diverted through Mill Lane, and drivers are asked to avoid the area.",
        ],
        related=[
            "Roadworks planned on the ring road this spring",
            "New traffic lights for the school crossing",
            "Parking charges rise in the town centre",
        ],
    ),
    Story(
        name="en_comments_in_container",
        layout="comments_inside",
        lang="en",
        url="https://eastbrook-gazette.example/local/skate-park-approved",
        title="Council approves plan for new skate park",
        author="Rosa Dubois",
        published="2024-04-23T19:30:00+01:00",
        blocks=[
            "Eastbrook will get its first public skate park after councillors voted unanimously on Tuesday to build it on the empty land behind the leisure centre.",
            "The park will cost 240,000 pounds and include a bowl, a street section with rails and ledges, and a smaller area for beginners. Work is expected to start in the summer holidays.",
            "The plan was drawn up with a group of teenagers who had collected signatures at the weekly market for almost a year. Several of them spoke at the meeting and thanked councillors for listening.",
            "Neighbours had raised concerns about noise in the evenings. The council said the park would close at nine and that a row of trees would be planted between the ramps and the nearest houses.",
        ],
        related=[
            "Leisure centre pool to close for repairs",
            "Youth club gets new funding",
        ],
        comments=[
            (
                "Dave from Northside",
                "Brilliant news, my kids have been skating in the supermarket car park for years. About time.",
            ),
            (
                "Concerned resident",
                "Who is going to pay for the maintenance? The council can't even fix the potholes on my street.",
            ),
            (
                "Jen K",
                "Well done to the young people who campaigned for this, they showed real patience.",
            ),
        ],
    ),
    Story(
        name="en_lists_and_quotes",
        layout="newsroom",
        lang="en",
        url="https://dailyexample.example/explainers/new-recycling-rules",
        title="Five things to know about the new recycling rules",
        author="Grace Haddad",
        published="2024-09-30T09:00:00+01:00",
        blocks=[
            "New recycling rules come into force across the district on Tuesday, and the council says most households will need to change how they sort their rubbish.",
            ("h2", "What changes"),
            "From October, food waste will be collected every week in a separate caddy, and glass will no longer go in the mixed recycling bin.",
            (
                "ul",
                [
                    "Food waste goes in the small brown caddy, collected every Tuesday.",
                    "Glass bottles and jars go in the new green box.",
                    "Paper, cans and plastic bottles stay in the blue bin.",
                    "General waste will be collected every two weeks instead of every week.",
                ],
            ),
            ("h2", "Why the council is doing it"),
            "The council says the district recycles only 38 percent of its household waste, one of the lowest rates in the region, and that sending rubbish to landfill costs it more every year.",
            (
                "quote",
                "If every household sorted its food waste, we could save enough to keep two libraries open.",
            ),
            "Residents who need a larger bin because of medical needs or a big family can apply for one on the council's website. Caddies and boxes will be delivered before the end of September.",
        ],
        related=[
            "Missed bin collections: what to do",
            "Garden waste subscriptions open for next year",
            "Fly-tipping fines to double",
        ],
    ),
    Story(
        name="en_inline_related_ads",
        layout="inline_related",
        lang="en",
        url="https://westport-chronicle.example/health/maternity-wing-opens",
        title="Hospital opens new maternity wing",
        author="Karin Novak",
        published="2024-06-10T11:20:00+01:00",
        blocks=[
            "Westport General Hospital opened its new maternity wing on Monday, with 24 private rooms, two birthing pools and a neonatal unit that can care for up to ten premature babies at a time.",
            "The wing replaces wards built in the 1960s, which staff said were cramped, hard to keep warm in winter and had only shared bathrooms for new mothers.",
            "The first baby was born in the new wing just after four in the morning, a girl weighing 3.4 kilograms. Her parents said the room felt more like a hotel than a hospital.",
            "The project cost 31 million pounds and was paid for by the health service and a local charity, which raised almost two million through fun runs, cake sales and a concert in the park.",
            "Hospital managers said the old wards would be turned into a day clinic for outpatients next year.",
        ],
        related=[
            "Nurses to get free parking at city hospitals",
            "Waiting times fall at Westport emergency department",
            "Charity concert raises record sum for children's ward",
        ],
    ),
    Story(
        name="en_sports_report_bio",
        layout="wordpress",
        lang="en",
        url="https://millford-sport.example/football/late-goal-first-away-win/",
        title="Late goal gives Millford their first away win of the season",
        author="Hiro Tanaka",
        published="2024-11-03T17:55:00+00:00",
        blocks=[
            "Millford Town ended a run of nine away games without a win on Saturday, when substitute Ben Kowalski scored in the 88th minute to beat Stonebridge 2-1.",
            "Stonebridge had taken the lead just before half-time with a header from a corner, and for most of the second half they looked the more likely side to score again.",
            "Millford's manager changed the shape of his team with twenty minutes left, bringing on two forwards. Captain Olga Petrov equalised from the edge of the area in the 74th minute.",
            "Kowalski, who joined the club from a local amateur side in the summer, scored the winner with his first touch after a long throw was flicked on at the near post.",
            "The win lifts Millford out of the relegation places for the first time since August. They play at home against Clearwater next Saturday.",
        ],
        related=[
            "Stonebridge sack coach after cup defeat",
            "Millford women reach county final",
            "Ticket prices frozen for next season",
        ],
    ),
    Story(
        name="de_wordpress_freibad",
        layout="wordpress",
        lang="de",
        url="https://lokalzeitung.example/2024/05/freibad-oeffnet-frueher/",
        title="Freibad öffnet nach Sanierung früher als geplant",
        author="Elena Fischer",
        published="2024-05-08T10:15:00+02:00",
        blocks=[
            "Das Freibad am Stadtpark öffnet in diesem Jahr bereits am 18. Mai und damit zwei Wochen früher als ursprünglich geplant, wie die Stadtwerke am Mittwoch mitteilten.",
            "In den vergangenen zwei Jahren wurden die Becken vollständig saniert, die Umkleiden erneuert und eine neue Wasseraufbereitung eingebaut. Die Kosten lagen bei rund 6,3 Millionen Euro.",
            "Besonders gefreut haben sich die Schwimmvereine, die während der Bauarbeiten auf das Hallenbad im Nachbarort ausweichen mussten und dort nur wenige Bahnen nutzen durften.",
            "Die Eintrittspreise bleiben stabil: Erwachsene zahlen weiterhin vier Euro, Kinder und Jugendliche zwei Euro. Neu ist eine Saisonkarte für Familien.",
            "Bei schönem Wetter ist das Bad täglich von neun bis zwanzig Uhr geöffnet, an heißen Tagen soll es bis einundzwanzig Uhr offen bleiben.",
        ],
        related=[
            "Neue Radwege für die Innenstadt geplant",
            "Stadtfest: Das ist das Programm",
            "Hallenbad im Nachbarort schließt im Sommer",
        ],
    ),
    Story(
        name="de_div_soup_parkgebuehren",
        layout="divsoup",
        lang="de",
        url="https://kreisbote.example/artikel/8812734",
        title="Gemeinderat streitet über neue Parkgebühren",
        author="Jonas Weber",
        published="2024-10-15T18:40:00+02:00",
        blocks=[
            "Im Gemeinderat ist am Dienstagabend heftig über die geplante Erhöhung der Parkgebühren in der Innenstadt gestritten worden. Eine Entscheidung soll erst im November fallen.",
            "Die Verwaltung schlägt vor, die Gebühr für eine Stunde von einem Euro auf zwei Euro anzuheben. Mit den Mehreinnahmen sollen der Busverkehr und neue Fahrradstellplätze bezahlt werden.",
            "Vertreter des Einzelhandels warnten, höhere Gebühren würden Kunden in die Einkaufszentren am Stadtrand treiben. Schon jetzt stünden in der Fußgängerzone mehrere Läden leer.",
            "Befürworter verwiesen dagegen auf Nachbarstädte, in denen höhere Gebühren zu weniger Suchverkehr und mehr Platz für Fußgänger geführt hätten, ohne dass die Umsätze gesunken seien.",
        ],
        related=[
            "Wochenmarkt zieht auf den Rathausplatz",
            "Busfahrplan ändert sich zum Winter",
        ],
    ),
    Story(
        name="fr_newsroom_velos",
        layout="newsroom",
        lang="fr",
        url="https://quotidien-exemple.example/ville/velos-libre-service",
        title="La ville lance un service de vélos en libre-service",
        author="Camille Laurent",
        published="2024-04-02T07:30:00+02:00",
        blocks=[
            "La municipalité a inauguré lundi son premier service de vélos en libre-service, avec 400 vélos, dont la moitié à assistance électrique, répartis dans 45 stations.",
            "L'abonnement annuel coûtera 30 euros, et les trente premières minutes de chaque trajet seront gratuites. Les étudiants et les demandeurs d'emploi bénéficieront d'un tarif réduit.",
            "Selon l'adjoint chargé des mobilités, l'objectif est de réduire la circulation automobile dans le centre, où les embouteillages aux heures de pointe exaspèrent les habitants depuis des années.",
            "Les premières stations ont été installées près de la gare, de l'université et de l'hôpital. Une deuxième vague de stations est prévue dans les quartiers périphériques à l'automne.",
            "Les associations de cyclistes saluent l'initiative, mais réclament davantage de pistes cyclables sécurisées pour accompagner le projet.",
        ],
        related=[
            "Travaux sur le pont : la circulation perturbée jusqu'en juin",
            "Le marché de Noël déménage place de la République",
            "Transports : les tarifs du bus augmentent en janvier",
        ],
    ),
    Story(
        name="fr_comments_marche",
        layout="comments_inside",
        lang="fr",
        url="https://quotidien-exemple.example/commerce/marche-couvert-rouvre",
        title="Le marché couvert rouvre ses portes après deux ans de travaux",
        author="Inès Moreau",
        published="2024-09-14T09:10:00+02:00",
        blocks=[
            "Après deux ans de travaux, le marché couvert de la place Carnot a rouvert samedi matin, et les habitants se sont pressés dès sept heures devant les étals.",
            "La charpente métallique du XIXe siècle a été entièrement restaurée, et la verrière, qui laissait passer la pluie depuis des années, a été remplacée.",
            "Trente-deux commerçants sont installés sous la halle, dont huit nouveaux, parmi lesquels un fromager, une boulangerie bio et un stand de cuisine libanaise.",
            "Le marché sera ouvert du mardi au dimanche, de sept heures à treize heures, et jusqu'à vingt heures le vendredi pour un marché du soir.",
        ],
        related=[
            "Les commerçants du centre-ville inquiets pour Noël",
            "Une nouvelle librairie ouvre rue Victor-Hugo",
        ],
        comments=[
            (
                "Marie L.",
                "Enfin ! On attendait ça depuis tellement longtemps, bravo aux commerçants qui ont tenu bon.",
            ),
            ("Patrick", "Dommage que le parking soit toujours aussi difficile le samedi matin."),
        ],
    ),
    Story(
        name="es_wordpress_metro",
        layout="wordpress",
        lang="es",
        url="https://diario-ejemplo.example/2024/06/ampliacion-metro/",
        title="El ayuntamiento aprueba la ampliación de la línea 3 del metro",
        author="Carla Costa",
        published="2024-06-27T13:00:00+02:00",
        blocks=[
            "El pleno del ayuntamiento aprobó este jueves la ampliación de la línea 3 del metro hasta el barrio de Las Huertas, un proyecto que los vecinos reclaman desde hace más de una década.",
            "La obra incluye cuatro estaciones nuevas y un tramo de 5,2 kilómetros de túnel. El presupuesto asciende a 390 millones de euros, financiados entre el ayuntamiento, la comunidad autónoma y fondos europeos.",
            "Según el calendario presentado por la concejala de Movilidad, las obras comenzarán a principios del próximo año y la línea podría entrar en servicio en 2029.",
            "La oposición votó a favor, aunque pidió que se refuerce el servicio de autobuses durante las obras para evitar que los vecinos queden aislados.",
        ],
        related=[
            "Nuevos carriles bici en el centro",
            "El precio del abono de transporte se congela",
            "Cortes de tráfico por las fiestas del barrio",
        ],
    ),
    Story(
        name="es_short_cortes_agua",
        layout="divsoup",
        lang="es",
        url="https://diario-ejemplo.example/breves/cortes-agua-jueves",
        title="Cortes de agua en el centro el jueves",
        author="Samir Usman",
        published="2024-03-20T08:00:00+01:00",
        blocks=[
            "La empresa municipal de aguas cortará el suministro el jueves entre las nueve de la mañana y las dos de la tarde en varias calles del centro histórico por la sustitución de una tubería.",
            "Los vecinos afectados han recibido un aviso por carta. Habrá un camión cisterna en la plaza Mayor durante toda la mañana.",
        ],
        related=[
            "La plaza Mayor estrena iluminación",
            "Obras en la calle Real hasta el verano",
        ],
    ),
    Story(
        name="it_newsroom_museo",
        layout="newsroom",
        lang="it",
        url="https://giornale-esempio.example/cultura/museo-civico-nuova-ala",
        title="Il museo civico riapre con una nuova ala dedicata alla fotografia",
        author="Vera Rossi",
        published="2024-10-05T10:00:00+02:00",
        blocks=[
            "Dopo diciotto mesi di lavori, il museo civico ha riaperto sabato al pubblico con una nuova ala di 800 metri quadrati dedicata alla fotografia del Novecento.",
            "La collezione comprende oltre tremila stampe originali donate negli ultimi anni da fotografi e famiglie della città, molte delle quali mai esposte prima.",
            "La prima mostra racconta la trasformazione del porto tra il 1950 e il 1980, con immagini dei cantieri navali, delle partenze degli emigranti e delle feste in piazza.",
            "L'ingresso costa otto euro, ma la prima domenica di ogni mese sarà gratuito per tutti. Le scuole potranno prenotare visite guidate a partire da novembre.",
        ],
        related=[
            "Teatro comunale, presentata la nuova stagione",
            "Festival del cinema: i film in concorso",
            "Biblioteca aperta anche la domenica",
        ],
    ),
    Story(
        name="nl_div_soup_fietsbrug",
        layout="divsoup",
        lang="nl",
        url="https://voorbeeld-dagblad.example/regio/fietsbrug-rivier",
        title="Gemeente plant nieuwe fietsbrug over de rivier",
        author="Wen de Vries",
        published="2024-08-21T16:20:00+02:00",
        blocks=[
            "De gemeente wil binnen vier jaar een fietsbrug over de rivier bouwen tussen de nieuwe woonwijk aan de oostkant en het station. Dat staat in plannen die woensdag zijn gepresenteerd.",
            "Nu moeten fietsers een omweg van bijna drie kilometer maken via de drukke verkeersbrug, waar ze de weg delen met vrachtwagens en bussen.",
            "De brug gaat naar schatting 28 miljoen euro kosten. De provincie heeft toegezegd de helft te betalen als de gemeenteraad in december met het plan instemt.",
            "Bewoners kunnen tot eind september reageren op drie ontwerpen, waaronder een ophaalbrug en een hoge vaste brug waar schepen onderdoor kunnen varen.",
        ],
        related=[
            "Nieuwe parkeergarage bij het station open",
            "Veerpont vaart vaker in de zomer",
        ],
    ),
    Story(
        name="pt_wordpress_onibus",
        layout="wordpress",
        lang="pt",
        url="https://jornal-exemplo.example/2024/07/nova-linha-onibus-noturna/",
        title="Prefeitura anuncia nova linha de ônibus noturna",
        author="Ana Souza",
        published="2024-07-09T12:30:00-03:00",
        blocks=[
            "A prefeitura anunciou nesta terça-feira uma nova linha de ônibus que vai circular durante a madrugada entre o centro e os bairros da zona norte, a partir do dia 1º de agosto.",
            "Os ônibus vão passar a cada quarenta minutos entre meia-noite e cinco da manhã, atendendo principalmente trabalhadores de hospitais, restaurantes e serviços de limpeza.",
            "Segundo a secretaria de transportes, cerca de 6 mil pessoas por noite usam hoje aplicativos ou táxis para voltar para casa, o que pesa muito no orçamento das famílias.",
            "A tarifa será a mesma das linhas diurnas, e os passageiros poderão usar o bilhete único para fazer integração com outras linhas sem pagar de novo.",
        ],
        related=[
            "Obras na avenida central terminam em setembro",
            "Tarifa do metrô fica congelada em 2025",
            "Ciclovia da orla ganha novo trecho",
        ],
    ),
    Story(
        name="pl_newsroom_park",
        layout="newsroom",
        lang="pl",
        url="https://gazeta-przykladowa.example/miasto/nowy-park-fabryka",
        title="Miasto otwiera nowy park na terenie dawnej fabryki",
        author="Anna Kowalska",
        published="2024-05-25T11:00:00+02:00",
        blocks=[
            "W sobotę mieszkańcy po raz pierwszy mogli wejść do nowego parku, który powstał na terenie dawnej fabryki włókienniczej przy ulicy Ogrodowej.",
            "Na ośmiu hektarach posadzono ponad tysiąc drzew i krzewów, wytyczono ścieżki rowerowe oraz urządzono plac zabaw i boisko do koszykówki.",
            "Część dawnych hal fabrycznych zachowano. W jednej z nich ma powstać kawiarnia, a w drugiej sala wystawowa poświęcona historii przemysłu w mieście.",
            "Budowa kosztowała 47 milionów złotych, z czego większość pochodziła z funduszy unijnych. Park będzie otwarty codziennie od szóstej rano do dwudziestej drugiej.",
        ],
        related=[
            "Nowe linie tramwajowe od września",
            "Remont rynku potrwa do końca roku",
        ],
    ),
    Story(
        name="sv_wordpress_simhall",
        layout="wordpress",
        lang="sv",
        url="https://exempeltidningen.example/2024/02/ny-simhall/",
        title="Kommunen bygger ny simhall vid skolan",
        author="Zoe Lindqvist",
        published="2024-02-14T15:45:00+01:00",
        blocks=[
            "Kommunfullmäktige beslutade på måndagskvällen att bygga en ny simhall intill Norrskolan. Den gamla simhallen från 1968 stängdes i höstas efter att taket börjat läcka.",
            "Den nya simhallen får en tjugofemmetersbassäng, en undervisningsbassäng för de yngsta barnen och ett gym. Kostnaden beräknas till 210 miljoner kronor.",
            "Många föräldrar har oroat sig för att barnen inte lär sig simma i tid, eftersom skolornas simundervisning har fått flyttas till grannkommunen med långa bussresor.",
            "Byggstarten är planerad till nästa vår, och simhallen ska enligt planen kunna öppna hösten 2026.",
        ],
        related=[
            "Ny förskola öppnar i centrum",
            "Isbanan spolas för säsongen",
            "Skolmaten får bättre betyg",
        ],
    ),
    Story(
        name="ru_newsroom_biblioteka",
        layout="newsroom",
        lang="ru",
        url="https://primer-novosti.example/gorod/novaya-biblioteka",
        title="В городе открылась новая библиотека",
        author="Ольга Петрова",
        published="2024-09-01T12:00:00+03:00",
        blocks=[
            "В субботу в микрорайоне Северный открылась новая городская библиотека. Она разместилась на первом этаже бывшего кинотеатра, который пустовал больше десяти лет.",
            "В фонде библиотеки около двадцати тысяч книг, а также читальный зал на шестьдесят мест, детская комната и зал для лекций и встреч с авторами.",
            "Жители района давно просили открыть библиотеку поблизости: до ближайшей приходилось добираться на автобусе почти сорок минут.",
            "Библиотека будет работать ежедневно, кроме понедельника, с десяти утра до восьми вечера. Записаться можно бесплатно по паспорту.",
        ],
        related=[
            "В парке Победы заменят освещение",
            "Новый маршрут автобуса свяжет вокзал и университет",
        ],
    ),
]


# --- layouts ---------------------------------------------------------------------------------


def body_html(blocks: list[Block], inline: dict[int, str] | None = None) -> str:
    """The article body; ``inline`` puts extra HTML (an ad, a teaser) after block ``i``."""
    parts = []
    for index, block in enumerate(blocks):
        if isinstance(block, str):
            parts.append(f"<p>{escape(block)}</p>")
        elif block[0] == "h2":
            parts.append(f"<h2>{escape(str(block[1]))}</h2>")
        elif block[0] == "ul":
            items = "".join(f"<li>{escape(item)}</li>" for item in block[1])
            parts.append(f"<ul>{items}</ul>")
        else:
            parts.append(f"<blockquote><p>{escape(str(block[1]))}</p></blockquote>")
        if inline and index in inline:
            parts.append(inline[index])
    return "\n".join(parts)


def head(story: Story) -> str:
    description = story.description or (story.blocks[0] if isinstance(story.blocks[0], str) else "")
    return f"""<!DOCTYPE html>
<html lang="{story.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(story.title)} | {escape(story.site)}</title>
<meta name="description" content="{escape(description[:150])}">
<meta name="author" content="{escape(story.author)}">
<meta property="og:type" content="article">
<meta property="og:title" content="{escape(story.title)}">
<meta property="og:site_name" content="{escape(story.site)}">
<meta property="article:published_time" content="{story.published}">
<link rel="canonical" href="{story.url}">
<link rel="stylesheet" href="/assets/site.css">
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({{"event": "pageview"}});</script>
</head>"""


def nav(chrome: Chrome, cls: str = "site-nav") -> str:
    links = "".join(
        f'<li><a href="/{i}">{escape(item)}</a></li>' for i, item in enumerate(chrome.nav)
    )
    return f'<nav class="{cls}"><ul>{links}</ul></nav>'


def share_bar(chrome: Chrome) -> str:
    return (
        f'<div class="share-bar"><span class="share-label">{escape(chrome.share)}</span>'
        '<a href="#" class="fb">Facebook</a> <a href="#" class="tw">X</a> '
        '<a href="#" class="wa">WhatsApp</a> <a href="#" class="mail">E-mail</a></div>'
    )


def related_list(chrome: Chrome, titles: list[str], cls: str = "related-posts") -> str:
    items = "".join(f'<li><a href="/story/{i}">{escape(t)}</a></li>' for i, t in enumerate(titles))
    return f'<section class="{cls}"><h3>{escape(chrome.related)}</h3><ul>{items}</ul></section>'


def newsletter_box(chrome: Chrome) -> str:
    return (
        f'<div class="newsletter-signup"><h4>{escape(chrome.newsletter_title)}</h4>'
        f"<p>{escape(chrome.newsletter_text)}</p>"
        f'<form action="/subscribe"><input type="email" placeholder="E-mail">'
        f"<button>{escape(chrome.newsletter_button)}</button></form></div>"
    )


def cookie_banner(chrome: Chrome) -> str:
    return (
        f'<div id="cookie-consent" class="cookie-banner" role="dialog"><p>{escape(chrome.cookie_text)}</p>'
        f'<button class="accept">{escape(chrome.cookie_accept)}</button></div>'
    )


def comment_form(chrome: Chrome) -> str:
    return f"""<div id="respond" class="comment-respond">
<h3 id="reply-title" class="comment-reply-title">{escape(chrome.comment_title)}</h3>
<form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form">
<p class="comment-notes">{escape(chrome.comment_notes)}</p>
<p class="comment-form-comment"><textarea id="comment" name="comment"></textarea></p>
<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="{escape(chrome.comment_submit)}"></p>
</form></div>"""


def author_bio(chrome: Chrome, author: str) -> str:
    return (
        f'<div class="author-box"><img src="/avatars/a.jpg" alt=""><div class="author-info">'
        f'<h4 class="author-name">{escape(author)}</h4>'
        f"<p>{escape(chrome.bio.format(author=author))}</p></div></div>"
    )


def comment_list(comments: list[tuple[str, str]]) -> str:
    items = "".join(
        f'<li class="comment"><div class="comment-author">{escape(who)}</div>'
        f'<div class="comment-content"><p>{escape(text)}</p></div></li>'
        for who, text in comments
    )
    return f'<ol class="comment-list">{items}</ol>'


def byline(story: Story) -> str:
    return (
        f'<div class="entry-meta"><span class="byline">{escape(story.author)}</span> · '
        f'<time datetime="{story.published}">{story.published[:10]}</time></div>'
    )


def wordpress(story: Story, chrome: Chrome) -> str:
    """A WordPress theme: entry-content, share bar, bio, related posts, comment form, sidebar,
    plus an ad-blocker modal (English pages) and a cookie banner."""
    inline = {
        1: f'<div class="ad-slot"><span class="ad-label">{escape(chrome.ad_label)}</span></div>'
    }
    modal = ""
    if story.lang == "en":
        modal = (
            '<div id="chp_ads_blocker-modal" class="chp_ads_blocker-modal"><div class="chp_ads_blocker-content">'
            f'<h2 class="chp_ads_blocker-title">{CHP_NOTICE[0]}</h2><p>{CHP_NOTICE[1]}</p>'
            '<div class="chp_ads_blocker-buttons"><a href="#">Refresh</a></div></div></div>'
        )
    return f"""{head(story)}
<body class="post-template-default single single-post">
<a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<header id="masthead" class="site-header"><div class="site-branding"><p class="site-title"><a href="/">{escape(story.site)}</a></p></div>{nav(chrome, "main-navigation")}</header>
<div id="content" class="site-content"><div id="primary" class="content-area"><main id="main" class="site-main">
<article id="post-4711" class="post-4711 post type-post status-publish">
<header class="entry-header"><h1 class="entry-title">{escape(story.title)}</h1>{byline(story)}</header>
<div class="entry-content">
{body_html(story.blocks, inline)}
</div>
<footer class="entry-footer"><span class="cat-links">{escape(chrome.nav[1])}</span>{share_bar(chrome)}</footer>
</article>
{author_bio(chrome, story.author)}
{related_list(chrome, story.related)}
{comment_form(chrome)}
</main></div>
<aside id="secondary" class="widget-area"><section class="widget widget_recent_entries"><h2 class="widget-title">{escape(chrome.most_read)}</h2><ul>{"".join(f"<li><a href='#'>{escape(t)}</a></li>" for t in reversed(story.related))}</ul></section>{newsletter_box(chrome)}</aside>
</div>
<footer id="colophon" class="site-footer"><div class="site-info">{escape(chrome.footer)}</div></footer>
{cookie_banner(chrome)}
{modal}
</body></html>"""


def newsroom(story: Story, chrome: Chrome) -> str:
    """A news site template: story body with a newsletter box and a "read more" teaser in the
    middle, a most-read rail, a related grid and a cookie dialog."""
    teaser = (
        f'<aside class="inline-teaser"><a href="/story/t"><span class="kicker">{escape(chrome.read_more)}</span> '
        f"{escape(story.related[0])}</a></aside>"
    )
    middle = max(1, len(story.blocks) // 2)
    inline = {0: teaser, middle: newsletter_box(chrome)}
    rail = "".join(f"<li><a href='#'>{escape(t)}</a></li>" for t in story.related[::-1])
    return f"""{head(story)}
<body>
<header class="masthead"><a class="logo" href="/">{escape(story.site)}</a>{nav(chrome)}</header>
<div class="page">
<main class="story-page">
<article class="story">
<div class="story-header"><h1>{escape(story.title)}</h1><p class="story-byline">{escape(story.author)}</p><time datetime="{story.published}">{story.published[:10]}</time></div>
{share_bar(chrome)}
<div class="story-body">
{body_html(story.blocks, inline)}
</div>
</article>
{related_list(chrome, story.related, "related-grid")}
</main>
<aside class="rail"><h3>{escape(chrome.most_read)}</h3><ol>{rail}</ol><div class="ad-slot"><span>{escape(chrome.ad_label)}</span></div></aside>
</div>
<footer class="site-footer"><p>{escape(chrome.footer)}</p></footer>
{cookie_banner(chrome)}
</body></html>"""


def divsoup(story: Story, chrome: Chrome) -> str:
    """No article, main, header or footer elements; class names that say nothing."""
    paragraphs = []
    for index, block in enumerate(story.blocks):
        assert isinstance(block, str), "div-soup stories are plain paragraphs"
        paragraphs.append(f'<div class="t-9x">{escape(block)}</div>')
        if index == 1:
            paragraphs.append(
                f'<div class="q2"><span>{escape(chrome.ad_label)}</span><div class="q2a"></div></div>'
            )
    links = "".join(
        f'<div class="n4"><a href="/{i}">{escape(n)}</a></div>' for i, n in enumerate(chrome.nav)
    )
    related = "".join(
        f'<div class="r7"><a href="/s/{i}">{escape(t)}</a></div>'
        for i, t in enumerate(story.related)
    )
    return f"""{head(story)}
<body>
<div class="w0"><div class="l1"><a href="/">{escape(story.site)}</a></div><div class="n3">{links}</div></div>
<div class="w1">
<div class="c5">
<div class="h8">{escape(story.title)}</div>
<div class="m2">{escape(story.author)} · {story.published[:10]}</div>
{chr(10).join(paragraphs)}
<div class="s6"><span>{escape(chrome.share)}</span> <a href="#">Facebook</a> <a href="#">X</a></div>
</div>
<div class="c6"><div class="h9">{escape(chrome.related)}</div>{related}
<div class="b3"><div>{escape(chrome.newsletter_title)}</div><div>{escape(chrome.newsletter_text)}</div><a href="/nl">{escape(chrome.newsletter_button)}</a></div></div>
</div>
<div class="f0">{escape(chrome.footer)}</div>
<div class="k1"><div>{escape(chrome.cookie_text)}</div><a href="#" class="k2">{escape(chrome.cookie_accept)}</a></div>
</body></html>"""


def comments_inside(story: Story, chrome: Chrome) -> str:
    """The article element also holds the share bar, the reader comments and the form."""
    return f"""{head(story)}
<body>
<header>{nav(chrome)}</header>
<main>
<article class="node node-article">
<h1>{escape(story.title)}</h1>
{byline(story)}
<div class="field-body">
{body_html(story.blocks)}
</div>
{share_bar(chrome)}
<section class="comments" id="comments">
<h2 class="comments-title">{len(story.comments)} comments</h2>
{comment_list(story.comments)}
{comment_form(chrome)}
</section>
</article>
{related_list(chrome, story.related)}
</main>
<footer><p>{escape(chrome.footer)}</p></footer>
{cookie_banner(chrome)}
</body></html>"""


def inline_related(story: Story, chrome: Chrome) -> str:
    """Links to other stories between paragraphs ("Related: ..."), ad labels, a share bar on top."""
    inline = {
        0: f'<p class="related-inline"><strong>Related:</strong> <a href="/story/1">{escape(story.related[0])}</a></p>',
        1: f'<div class="advert"><p class="advert-label">{escape(chrome.ad_label)}</p><div class="advert-slot"></div></div>',
        2: f'<p class="related-inline"><strong>Related:</strong> <a href="/story/2">{escape(story.related[1])}</a></p>',
        3: f'<div class="advert"><p class="advert-label">{escape(chrome.ad_label)}</p><div class="advert-slot"></div></div>',
    }
    return f"""{head(story)}
<body>
<header class="top">{nav(chrome)}</header>
<main id="main">
<div class="article-container">
{share_bar(chrome)}
<h1 class="headline">{escape(story.title)}</h1>
<p class="byline">By {escape(story.author)}</p>
<div class="article-body">
{body_html(story.blocks, inline)}
</div>
{author_bio(chrome, story.author)}
</div>
{related_list(chrome, story.related[2:], "more-news")}
</main>
<footer><p>{escape(chrome.footer)}</p></footer>
{cookie_banner(chrome)}
</body></html>"""


LAYOUTS = {
    "wordpress": wordpress,
    "newsroom": newsroom,
    "divsoup": divsoup,
    "comments_inside": comments_inside,
    "inline_related": inline_related,
}


# --- expectations ------------------------------------------------------------------------------


def expected_text(story: Story) -> str:
    """The main text a person reads: every block in page order (the headline is the
    article's title, not a line of its text)."""
    parts: list[str] = []
    for block in story.blocks:
        if isinstance(block, str):
            parts.append(block)
        elif block[0] == "ul":
            parts.append("\n".join(block[1]))
        else:
            parts.append(str(block[1]))
    return "\n\n".join(parts)


def paragraphs_of(story: Story) -> list[str]:
    return [b for b in story.blocks if isinstance(b, str)]


def must_contain(story: Story) -> list[str]:
    """The first, a middle and the last paragraph: losing the lead or the end is typical."""
    paragraphs = paragraphs_of(story)
    picks = [paragraphs[0], paragraphs[len(paragraphs) // 2], paragraphs[-1]]
    return list(dict.fromkeys(picks))


def must_not_contain(story: Story, chrome: Chrome) -> list[str]:
    """Boilerplate this page really shows (no single common words: they occur in articles)."""
    shown = {
        "wordpress": [
            chrome.comment_title,
            chrome.comment_notes,
            chrome.share,
            chrome.newsletter_text,
            chrome.cookie_text,
            chrome.bio.format(author=story.author),
            *story.related,
        ]
        + (CHP_NOTICE if story.lang == "en" else []),
        "newsroom": [
            chrome.newsletter_title,
            chrome.newsletter_text,
            chrome.cookie_text,
            chrome.share,
            *story.related,
        ],
        "divsoup": [
            chrome.newsletter_text,
            chrome.cookie_text,
            chrome.share,
            chrome.footer,
            *story.related,
        ],
        "comments_inside": [
            chrome.comment_title,
            chrome.comment_notes,
            chrome.share,
            chrome.cookie_text,
            *(text for _, text in story.comments),
            *story.related,
        ],
        "inline_related": [
            chrome.share,
            chrome.cookie_text,
            chrome.bio.format(author=story.author),
            *story.related,
        ],
    }
    return shown[story.layout]


def build(story: Story) -> tuple[bytes, dict[str, object]]:
    chrome = CHROME[story.lang]
    html = LAYOUTS[story.layout](story, chrome)
    case = {
        "name": story.name,
        "layout": story.layout,
        "language": story.lang,
        "url": story.url,
        "content_type": "text/html; charset=utf-8",
        "expected_text": expected_text(story),
        "must_contain": must_contain(story),
        "must_not_contain": must_not_contain(story, chrome),
    }
    return html.encode("utf-8"), case


def main() -> None:
    names = [story.name for story in STORIES]
    assert len(names) == len(set(names)), "page names must be unique"
    for old in HERE.glob("*.html.gz"):
        old.unlink()
    for old in HERE.glob("*.json"):
        if old.name != "floors.json":
            old.unlink()
    for story in STORIES:
        html, case = build(story)
        # mtime=0: the same page gives the same bytes, so a rebuild shows no spurious diff
        (HERE / f"{story.name}.html.gz").write_bytes(gzip.compress(html, mtime=0))
        (HERE / f"{story.name}.json").write_text(
            json.dumps(case, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    print(f"wrote {len(STORIES)} pages to {HERE}")


if __name__ == "__main__":
    main()
