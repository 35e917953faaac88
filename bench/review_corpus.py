"""Synthetic but varied consumer reviews, French and English, from a seeded random generator.

Used by bench/pipeline_throughput.py to fill a store and to make fresh submissions. A review is
a title and one to ten sentences drawn from a small grammar (context, staff, delivery, product,
price, problem, outcome, conclusion), with slots filled from word pools (products, cities, first
names, numbers, durations), so that two unrelated reviews share few word 3-shingles, as real
ones do. The tone follows the rating (a few mixed ones), and a small share of texts carry what
the checks look for: a phone number, an email, a link, a promo code, an insult, capitals,
keyboard mashing, another language, an undeclared incentive. Near-duplicates are made by the
caller from an earlier text (`near_duplicate`).

Nothing here touches the database or Django.
"""

import random

# --- pools -------------------------------------------------------------------------------------

FR_PRODUCTS = [
    "canapé",
    "matelas",
    "aspirateur",
    "lave-linge",
    "réfrigérateur",
    "téléphone",
    "ordinateur",
    "portable",
    "imprimante",
    "casque",
    "vélo",
    "trottinette",
    "poussette",
    "table",
    "chaise",
    "bureau",
    "lampe",
    "cafetière",
    "bouilloire",
    "micro-ondes",
    "four",
    "plaque",
    "robot",
    "mixeur",
    "perceuse",
    "tondeuse",
    "barbecue",
    "parasol",
    "tente",
    "sac",
    "valise",
    "montre",
    "bague",
    "collier",
    "parfum",
    "crème",
    "shampoing",
    "manteau",
    "veste",
    "pantalon",
    "robe",
    "chemise",
    "pull",
    "jean",
    "baskets",
    "bottes",
    "sandales",
    "costume",
    "tapis",
    "rideau",
    "couette",
    "oreiller",
    "cadre",
    "miroir",
    "étagère",
    "armoire",
    "commode",
    "lit",
    "télévision",
    "enceinte",
    "console",
    "manette",
    "tablette",
    "liseuse",
    "objectif",
    "appareil-photo",
    "routeur",
    "box",
    "abonnement",
    "forfait",
    "assurance",
    "mutuelle",
    "crédit",
    "compte",
    "carte",
    "billet",
    "séjour",
    "chambre",
    "repas",
    "menu",
    "pizza",
    "burger",
    "gâteau",
    "pain",
    "croissant",
    "bouquet",
    "plante",
    "pneu",
    "batterie",
    "révision",
    "vidange",
    "pare-brise",
]
EN_PRODUCTS = [
    "sofa",
    "mattress",
    "vacuum",
    "washer",
    "fridge",
    "phone",
    "laptop",
    "printer",
    "headset",
    "bike",
    "scooter",
    "stroller",
    "table",
    "chair",
    "desk",
    "lamp",
    "kettle",
    "toaster",
    "microwave",
    "oven",
    "blender",
    "drill",
    "mower",
    "grill",
    "umbrella",
    "tent",
    "backpack",
    "suitcase",
    "watch",
    "ring",
    "necklace",
    "perfume",
    "cream",
    "shampoo",
    "coat",
    "jacket",
    "trousers",
    "dress",
    "shirt",
    "sweater",
    "jeans",
    "sneakers",
    "boots",
    "sandals",
    "suit",
    "rug",
    "curtain",
    "duvet",
    "pillow",
    "frame",
    "mirror",
    "shelf",
    "wardrobe",
    "dresser",
    "bed",
    "television",
    "speaker",
    "console",
    "controller",
    "tablet",
    "e-reader",
    "lens",
    "camera",
    "router",
    "plan",
    "subscription",
    "policy",
    "loan",
    "account",
    "card",
    "ticket",
    "stay",
    "room",
    "meal",
    "menu",
    "pizza",
    "burger",
    "cake",
    "bread",
    "bouquet",
    "plant",
    "tyre",
    "battery",
    "service",
    "oil-change",
    "windscreen",
]
CITIES = [
    "Paris",
    "Lyon",
    "Marseille",
    "Toulouse",
    "Nice",
    "Nantes",
    "Strasbourg",
    "Montpellier",
    "Bordeaux",
    "Lille",
    "Rennes",
    "Reims",
    "Toulon",
    "Grenoble",
    "Dijon",
    "Angers",
    "Nîmes",
    "Villeurbanne",
    "Clermont-Ferrand",
    "Aix-en-Provence",
    "Brest",
    "Tours",
    "Amiens",
    "Limoges",
    "Annecy",
    "Perpignan",
    "Metz",
    "Besançon",
    "Orléans",
    "Rouen",
    "Mulhouse",
    "Caen",
    "Nancy",
    "Argenteuil",
    "Roubaix",
    "Tourcoing",
    "Avignon",
    "Poitiers",
    "Pau",
    "Calais",
    "Cannes",
    "Antibes",
    "Colmar",
    "Bayonne",
    "Quimper",
    "Vannes",
    "Lorient",
    "Chambéry",
    "Valence",
    "Troyes",
    "Niort",
    "Chartres",
    "Laval",
    "Belfort",
    "Évreux",
    "London",
    "Manchester",
    "Bristol",
    "Leeds",
    "Glasgow",
    "Edinburgh",
    "Dublin",
    "Brussels",
    "Geneva",
    "Montreal",
]
NAMES = [
    "Sophie",
    "Julie",
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Emma",
    "Sarah",
    "Laura",
    "Marie",
    "Nathalie",
    "Isabelle",
    "Sandrine",
    "Céline",
    "Audrey",
    "Pauline",
    "Claire",
    "Inès",
    "Nadia",
    "Fatima",
    "Amina",
    "Yasmine",
    "Thomas",
    "Nicolas",
    "Julien",
    "Maxime",
    "Kevin",
    "Alexandre",
    "Antoine",
    "Romain",
    "Pierre",
    "Paul",
    "Jean",
    "Marc",
    "Olivier",
    "Sébastien",
    "David",
    "Mehdi",
    "Karim",
    "Yann",
    "Loïc",
    "Hugo",
    "Lucas",
    "Théo",
    "Mathieu",
    "Vincent",
    "Florian",
    "Jérôme",
    "Bruno",
    "Patrick",
    "Eric",
    "Steve",
    "Mike",
    "James",
    "Emily",
    "Jack",
    "Olivia",
    "Harry",
    "Amelia",
    "George",
    "Grace",
    "Oscar",
    "Chloe",
    "Charlie",
    "Ruby",
]
FR_WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
EN_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
FR_MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
EN_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
FR_COLOURS = ["noir", "blanc", "gris", "bleu", "rouge", "vert", "beige", "marron", "rose", "jaune"]
EN_COLOURS = ["black", "white", "grey", "blue", "red", "green", "beige", "brown", "pink", "yellow"]

FR_POS_ADJ = [
    "aimable",
    "souriant",
    "compétent",
    "patient",
    "disponible",
    "efficace",
    "sympathique",
    "professionnel",
    "réactif",
    "attentionné",
    "agréable",
    "chaleureux",
    "serviable",
    "courtois",
    "rapide",
    "arrangeant",
]
FR_NEG_ADJ = [
    "désagréable",
    "froid",
    "incompétent",
    "pressé",
    "absent",
    "lent",
    "méprisant",
    "débordé",
    "sec",
    "distant",
    "impoli",
    "agacé",
    "injoignable",
    "expéditif",
]
EN_POS_ADJ = [
    "friendly",
    "polite",
    "helpful",
    "patient",
    "knowledgeable",
    "efficient",
    "cheerful",
    "professional",
    "responsive",
    "attentive",
    "pleasant",
    "warm",
    "courteous",
    "quick",
    "accommodating",
]
EN_NEG_ADJ = [
    "rude",
    "cold",
    "clueless",
    "rushed",
    "absent",
    "slow",
    "dismissive",
    "overwhelmed",
    "curt",
    "distant",
    "impolite",
    "annoyed",
    "unreachable",
    "abrupt",
]
FR_ADV = [
    "vraiment",
    "très",
    "plutôt",
    "assez",
    "franchement",
    "particulièrement",
    "extrêmement",
    "super",
]
EN_ADV = ["really", "very", "quite", "rather", "honestly", "particularly", "extremely", "super"]
FR_STAFF = [
    "le vendeur",
    "la vendeuse",
    "le conseiller",
    "la conseillère",
    "le livreur",
    "la caissière",
    "le technicien",
    "le responsable",
    "le gérant",
    "l'hôtesse",
    "le serveur",
    "la serveuse",
    "le réceptionniste",
    "l'équipe",
    "le service client",
    "l'agent",
    "le chauffeur",
    "le pharmacien",
    "le mécanicien",
    "la coiffeuse",
]
EN_STAFF = [
    "the salesman",
    "the saleswoman",
    "the adviser",
    "the courier",
    "the cashier",
    "the technician",
    "the manager",
    "the receptionist",
    "the waiter",
    "the waitress",
    "the team",
    "customer service",
    "the agent",
    "the driver",
    "the pharmacist",
    "the mechanic",
    "the hairdresser",
    "the host",
    "the installer",
    "the support agent",
]

# --- sentence grammar ----------------------------------------------------------------------------
# {P} product, {C} city, {N} first name, {D} weekday, {M} month, {n} small number, {k} price,
# {S} staff, {A} positive adjective, {B} negative adjective, {V} adverb, {O} colour.

FR = {
    "context": [
        "J'ai acheté un {P} {O} chez eux en {M}.",
        "Commande d'un {P} passée le {D} {n} {M} sur leur site.",
        "Nous sommes passés au magasin de {C} un {D} après-midi pour un {P}.",
        "Deuxième achat chez cette enseigne, cette fois un {P} pour mon fils.",
        "Je cherchais un {P} depuis {n} semaines et une amie m'a conseillé cette boutique.",
        "Achat d'un {P} et d'un {P} pendant les soldes de {M}.",
        "Client depuis {n} ans, je commande régulièrement mes {P}s ici.",
        "Réservation faite par téléphone pour {n} personnes le {D} soir.",
        "Suite au déménagement à {C}, j'ai souscrit un {P} chez eux.",
        "Venue avec {N} pour changer le {P} qui ne fonctionnait plus.",
        "Le {P} commandé pour l'anniversaire de {N} est arrivé hier.",
        "Petit passage à l'agence de {C} pour ouvrir un {P}.",
        "On m'a offert un bon pour un {P}, que j'ai utilisé en {M}.",
        "Premier essai avec eux pour un {P} {O} de taille {n}.",
    ],
    "staff+": [
        "{S} était {V} {A} et a pris le temps de tout m'expliquer.",
        "Accueil {A} de la part de {N}, qui connaît bien ses produits.",
        "{S} s'est montré {A} et {A}, rien à redire.",
        "Mention spéciale à {N}, {V} {A} du début à la fin.",
        "On sent que {S} aime son métier, toujours {A}.",
        "{N} a répondu à toutes nos questions sur le {P} sans jamais s'impatienter.",
        "Très bien conseillé par {S}, qui m'a orienté vers un {P} moins cher.",
    ],
    "staff-": [
        "{S} était {V} {B} et ne m'a même pas dit bonjour.",
        "Accueil {B}, on a attendu {n} minutes sans que personne ne bouge.",
        "{S} a été {B} quand j'ai demandé des précisions sur le {P}.",
        "Impossible d'avoir une réponse claire, {S} se renvoyait la balle avec ses collègues.",
        "{N} au téléphone était {B} et m'a raccroché au nez.",
        "On m'a parlé sur un ton {B}, comme si je dérangeais.",
    ],
    "delivery+": [
        "Livraison en {n} jours, colis bien protégé.",
        "Le livreur a appelé {n} minutes avant, parfait.",
        "Reçu le {D} alors qu'il était annoncé pour la semaine suivante.",
        "Retrait en magasin à {C} sans attente, le {P} était prêt.",
        "Installation faite le jour même par {N}, propre et soignée.",
    ],
    "delivery-": [
        "Livraison annoncée en {n} jours, reçue au bout de {n} semaines.",
        "Colis abîmé et {P} rayé à l'arrivée.",
        "Le transporteur a indiqué livré alors que je n'ai rien reçu le {D}.",
        "Trois rendez-vous de livraison manqués, à chaque fois sans prévenir.",
        "Il manquait la notice et une pièce du {P} dans le carton.",
    ],
    "product+": [
        "Le {P} est conforme à la description et {V} bien fini.",
        "Qualité au rendez-vous, le {P} tient toujours après {n} mois.",
        "Le {P} {O} rend encore mieux qu'en photo.",
        "Produit solide, facile à monter en {n} minutes.",
        "Le menu du {D} était copieux et les desserts faits maison.",
        "Tout fonctionne, même la garantie de {n} ans est claire.",
    ],
    "product-": [
        "Le {P} est tombé en panne au bout de {n} semaines.",
        "Finitions {V} médiocres, le {P} bouge dès qu'on s'assoit.",
        "La couleur ne correspond pas, on m'a livré un {P} {O} au lieu du {O}.",
        "Odeur de plastique tenace et une fermeture cassée dès le premier jour.",
        "Plats tièdes et portions ridicules pour le prix.",
        "Le {P} chauffe énormément et fait un bruit anormal.",
    ],
    "price+": [
        "Prix correct, {k} euros pour ce niveau de qualité.",
        "Bon rapport qualité-prix, surtout avec la remise de {n} %.",
        "Moins cher qu'à {C} pour le même {P}.",
    ],
    "price-": [
        "Facturé {k} euros alors que l'étiquette indiquait moins.",
        "Frais cachés ajoutés au dernier moment, {n} euros de plus.",
        "Beaucoup trop cher pour ce que c'est, {k} euros pour un {P} basique.",
    ],
    "problem": [
        "Il a fallu rappeler {n} fois le service après-vente pour le {P}.",
        "Le remboursement promis le {D} n'est jamais arrivé.",
        "Mon dossier a été perdu deux fois, on m'a demandé les mêmes papiers.",
        "Retour refusé alors que j'étais dans le délai de {n} jours.",
        "Le site affichait le {P} en stock mais il ne l'était pas.",
    ],
    "outcome+": [
        "Quand il y a eu un souci avec le {P}, {N} l'a réglé en {n} jours.",
        "Échange accepté sans discuter, merci à {S}.",
        "Le geste commercial de {n} euros a été apprécié.",
    ],
    "outcome-": [
        "Au final toujours pas de solution après {n} semaines.",
        "On m'a proposé un avoir de {n} euros, ce qui ne règle rien.",
        "J'attends encore une réponse de {S} depuis le {n} {M}.",
    ],
    "end+": [
        "Je recommande sans hésiter.",
        "Nous reviendrons, c'est certain.",
        "Une adresse à garder à {C}.",
        "Je repasserai commande pour le {P} de mon frère.",
        "Bravo à toute l'équipe de {C}.",
        "Merci encore à {N} !",
    ],
    "end-": [
        "Je ne recommande pas.",
        "Je vais voir ailleurs la prochaine fois.",
        "Très déçu par cette enseigne que j'aimais bien.",
        "Je déconseille cette agence de {C}.",
        "Dommage, le produit avait l'air bien.",
    ],
    "end0": [
        "Correct sans plus.",
        "À voir sur la durée.",
        "Peut mieux faire mais pas catastrophique.",
    ],
    "title+": [
        "Très bien",
        "Parfait",
        "Top",
        "Super accueil",
        "Très satisfait",
        "Je recommande",
        "Excellent {P}",
        "Bonne expérience à {C}",
        "Rien à redire",
        "Service au top",
        "Content de mon {P}",
        "Merci {N}",
    ],
    "title-": [
        "Déçu",
        "À éviter",
        "Très déçue",
        "Service client absent",
        "Mauvaise expérience",
        "Livraison catastrophique",
        "{P} défectueux",
        "Jamais plus",
        "Arnaque au SAV",
        "Pas sérieux",
    ],
    "title0": ["Moyen", "Mitigé", "Correct", "Peut mieux faire", "Bof", "Avis partagé"],
}

EN = {
    "context": [
        "I bought a {O} {P} from them in {M}.",
        "Ordered a {P} on their website on {D} the {n}th.",
        "We went to the {C} store on a {D} afternoon for a new {P}.",
        "Second purchase from this shop, this time a {P} for my son.",
        "I had been looking for a {P} for {n} weeks when a friend recommended them.",
        "Got a {P} and a {P} in the {M} sale.",
        "Customer for {n} years, I order my {P}s here regularly.",
        "Booked a table for {n} by phone for {D} evening.",
        "After moving to {C} I signed up for a {P} with them.",
        "Came in with {N} to replace the {P} that had stopped working.",
        "The {P} ordered for {N}'s birthday arrived yesterday.",
        "Quick visit to the {C} branch to open a {P}.",
    ],
    "staff+": [
        "{S} was {V} {A} and took the time to explain everything.",
        "{A} welcome from {N}, who clearly knows the products.",
        "{S} was {A} and {A}, nothing to fault.",
        "Special thanks to {N}, {V} {A} from start to finish.",
        "{N} answered all our questions about the {P} without ever rushing us.",
    ],
    "staff-": [
        "{S} was {V} {B} and did not even say hello.",
        "{B} welcome, we waited {n} minutes before anyone moved.",
        "{S} was {B} when I asked for details about the {P}.",
        "{N} on the phone was {B} and hung up on me.",
    ],
    "delivery+": [
        "Delivered in {n} days, well packed.",
        "The driver called {n} minutes ahead, perfect.",
        "Arrived on {D} although it was due the following week.",
        "Click and collect in {C} with no wait, the {P} was ready.",
    ],
    "delivery-": [
        "Delivery promised in {n} days, arrived after {n} weeks.",
        "Box damaged and the {P} scratched on arrival.",
        "The courier marked it delivered on {D} but nothing came.",
        "A part of the {P} and the manual were missing from the box.",
    ],
    "product+": [
        "The {P} matches the description and is {V} well made.",
        "Good quality, the {P} is still fine after {n} months.",
        "The {O} {P} looks even better than in the photos.",
        "Sturdy, and easy to assemble in {n} minutes.",
    ],
    "product-": [
        "The {P} broke down after {n} weeks.",
        "{V} poor finish, the {P} wobbles as soon as you sit on it.",
        "Wrong colour, they sent a {O} {P} instead of the {O} one.",
        "Food was lukewarm and the portions tiny for the price.",
    ],
    "price+": [
        "Fair price, {k} pounds for this quality.",
        "Good value, especially with the {n} % discount.",
    ],
    "price-": [
        "Charged {k} pounds when the label said less.",
        "Hidden fees added at checkout, {n} pounds more.",
    ],
    "problem": [
        "I had to call after-sales {n} times about the {P}.",
        "The refund promised on {D} never arrived.",
        "Return refused although I was within the {n} day window.",
    ],
    "outcome+": [
        "When there was an issue with the {P}, {N} sorted it in {n} days.",
        "Exchange accepted with no fuss, thanks to {S}.",
    ],
    "outcome-": [
        "Still no solution after {n} weeks.",
        "They offered a {n} pound voucher, which fixes nothing.",
    ],
    "end+": [
        "Highly recommended.",
        "We will be back.",
        "A place to remember in {C}.",
        "Thanks again {N}!",
    ],
    "end-": [
        "Would not recommend.",
        "I will shop elsewhere next time.",
        "Very disappointed with a shop I used to like.",
        "Avoid the {C} branch.",
    ],
    "end0": ["Fine, nothing more.", "We will see how it lasts.", "Could do better."],
    "title+": [
        "Great",
        "Perfect",
        "Excellent service",
        "Very happy",
        "Recommended",
        "Lovely {P}",
        "Great experience in {C}",
        "Thanks {N}",
    ],
    "title-": [
        "Disappointed",
        "Avoid",
        "Terrible service",
        "Bad experience",
        "Faulty {P}",
        "Never again",
        "Awful delivery",
    ],
    "title0": ["Average", "Mixed", "OK", "Could be better", "Meh"],
}

# Short stock reviews: real platforms receive thousands of these, nearly word for word.
FR_STOCK = [
    "Très bon accueil, personnel aimable et compétent, je recommande vivement ce magasin.",
    "Livraison rapide, produit conforme à la description, rien à redire, je recommande.",
    "Service client très réactif et à l'écoute, problème réglé rapidement, merci beaucoup.",
    "Commande reçue dans les temps, emballage soigné, très satisfait de mon achat.",
    "Personnel désagréable et pas à l'écoute du client, je ne reviendrai pas dans ce magasin.",
    "Colis jamais reçu et aucune réponse du service client malgré plusieurs relances.",
    "Bon rapport qualité prix, conseils avisés, je reviendrai sans hésiter la prochaine fois.",
    "Très bonne expérience du début à la fin, équipe professionnelle et sympathique.",
]
EN_STOCK = [
    "Great service, friendly and helpful staff, would definitely recommend this shop.",
    "Fast delivery, product exactly as described, nothing to complain about, recommended.",
    "Ordered on Monday and it arrived on Wednesday, well packaged, very happy with it.",
    "Terrible customer service, nobody answers the phone and my refund never came.",
]

# What the checks look for, in a small share of texts.
FR_SPECIALS = [
    "Pour plus d'infos appelez-moi au 06 {p2} {p2} {p2} {p2}.",
    "Écrivez-moi à {n2}.{N2}@gmail.com si vous voulez des détails.",
    "J'ai trouvé moins cher sur www.promo-{n2}.fr, allez voir.",
    "Utilisez le code promo BIENVENUE{n} pour avoir une réduction.",
    "Le vendeur est un vrai connard, il m'a traité comme un moins que rien.",
    "Le magasin se trouve au {n} rue de la République, à côté de la poste.",
    "J'ai reçu le produit gratuitement en échange de mon avis.",
    "qsdfghjk azerty sdfghj",
    "EL PRODUCTO LLEGÓ ROTO Y NADIE CONTESTA, una vergüenza absoluta, no lo recomiendo para nada.",
    "Das Produkt ist nach zwei Wochen kaputt gegangen und der Kundendienst antwortet nicht.",
]
EN_SPECIALS = [
    "Call me on 07{p2}{p2} {p2}{p2}{p2} if you want details.",
    "Email me at {n2}.{N2}@hotmail.co.uk for the receipt.",
    "Found it cheaper at https://deals-{n2}.com/offer, check it out.",
    "Use code SAVE{n} at checkout for a discount.",
    "The manager is a complete idiot and an asshole.",
    "I received this product for free in exchange for an honest review.",
]


def _fill(rng: random.Random, template: str, lang: str) -> str:
    fr = lang == "fr"
    out = template
    while "{" in out:
        start = out.index("{")
        slot = out[start + 1 : out.index("}", start)]
        value = {
            "P": lambda: rng.choice(FR_PRODUCTS if fr else EN_PRODUCTS),
            "C": lambda: rng.choice(CITIES),
            "N": lambda: rng.choice(NAMES),
            "N2": lambda: rng.choice(NAMES).lower(),
            "D": lambda: rng.choice(FR_WEEKDAYS if fr else EN_WEEKDAYS),
            "M": lambda: rng.choice(FR_MONTHS if fr else EN_MONTHS),
            "n": lambda: str(rng.randint(2, 30)),
            "n2": lambda: str(rng.randint(10, 99)),
            "p2": lambda: f"{rng.randint(0, 99):02d}",
            "k": lambda: str(rng.choice([19, 29, 49, 79, 99, 129, 199, 249, 399, 599, 899])),
            "S": lambda: rng.choice(FR_STAFF if fr else EN_STAFF),
            "A": lambda: rng.choice(FR_POS_ADJ if fr else EN_POS_ADJ),
            "B": lambda: rng.choice(FR_NEG_ADJ if fr else EN_NEG_ADJ),
            "V": lambda: rng.choice(FR_ADV if fr else EN_ADV),
            "O": lambda: rng.choice(FR_COLOURS if fr else EN_COLOURS),
        }[slot]()
        out = out[:start] + value + out[out.index("}", start) + 1 :]
    return out[0].upper() + out[1:]


def _tone(rating: int, rng: random.Random) -> str:
    if rating >= 4:
        return "+" if rng.random() > 0.08 else "0"
    if rating <= 2:
        return "-" if rng.random() > 0.08 else "0"
    return "0"


# Variation that real reviewers bring: lead-ins, asides, synonyms, typos.
FR_LEADINS = [
    "Franchement,",
    "Bon,",
    "Alors",
    "Pour être honnête,",
    "Comme d'habitude,",
    "Cette fois-ci,",
    "Le {D},",
    "À {C},",
    "Avec {N},",
    "Au final,",
    "Par contre,",
    "En plus,",
    "Malheureusement,",
    "Heureusement,",
    "Bref,",
    "Sinon,",
    "D'ailleurs,",
    "Pour info,",
    "Petite précision,",
    "En {M},",
    "Honnêtement,",
    "Côté {P},",
    "Pour le {P},",
    "Bizarrement,",
    "Évidemment,",
    "Déjà,",
    "Ensuite,",
    "Enfin,",
]
EN_LEADINS = [
    "Honestly,",
    "Well,",
    "So",
    "To be fair,",
    "As usual,",
    "This time,",
    "On {D},",
    "In {C},",
    "With {N},",
    "In the end,",
    "However,",
    "Also,",
    "Sadly,",
    "Luckily,",
    "Anyway,",
    "Otherwise,",
    "By the way,",
    "FYI,",
    "In {M},",
    "As for the {P},",
    "Oddly,",
    "Of course,",
    "First,",
    "Then,",
    "Finally,",
]
FR_ASIDES = [
    "quand même",
    "franchement",
    "vraiment",
    "du coup",
    "en fait",
    "enfin bref",
    "il faut le dire",
    "je trouve",
    "à mon avis",
    "pour le coup",
    "comme souvent",
    "avec {N}",
    "à {C}",
    "un {D}",
    "en {M}",
    "pour un {P}",
    "selon {N}",
    "ce qui est rare",
    "vu le prix",
    "ma femme confirme",
    "mon mari aussi",
    "on verra",
    "{n}/10",
]
EN_ASIDES = [
    "to be honest",
    "really",
    "actually",
    "I think",
    "in my view",
    "as usual",
    "with {N}",
    "in {C}",
    "on a {D}",
    "in {M}",
    "for a {P}",
    "according to {N}",
    "which is rare",
    "given the price",
    "my wife agrees",
    "my husband too",
    "{n}/10",
]
FR_SYNONYMS = {
    "très": ["très", "vraiment", "super", "hyper", "trop"],
    "magasin": ["magasin", "boutique", "enseigne", "point de vente"],
    "produit": ["produit", "article", "achat"],
    "livraison": ["livraison", "livraison", "réception"],
    "rapide": ["rapide", "rapide", "express"],
    "commande": ["commande", "achat", "commande"],
    "je": ["je", "je", "perso je"],
    "bien": ["bien", "bien", "correctement", "nickel"],
    "le": ["le", "le", "ce"],
    "la": ["la", "la", "cette"],
    "et": ["et", "et", "puis", "et aussi"],
    "recommande": ["recommande", "conseille", "recommande vivement"],
    "mais": ["mais", "mais", "cependant", "par contre"],
    "jours": ["jours", "jours", "j"],
    "semaines": ["semaines", "semaines", "sem"],
    "service": ["service", "SAV", "service"],
    "client": ["client", "clientèle", "client"],
    "personnel": ["personnel", "équipe", "staff"],
    "prix": ["prix", "tarif", "coût"],
}
EN_SYNONYMS = {
    "very": ["very", "really", "super", "so"],
    "shop": ["shop", "store", "branch"],
    "product": ["product", "item", "purchase"],
    "delivery": ["delivery", "shipping"],
    "quick": ["quick", "fast", "speedy"],
    "I": ["I", "I", "I personally"],
    "good": ["good", "great", "decent"],
    "the": ["the", "the", "this"],
    "and": ["and", "and", "plus", "and also"],
    "but": ["but", "but", "though", "however"],
    "days": ["days", "days", "d"],
    "weeks": ["weeks", "wks", "weeks"],
    "staff": ["staff", "team", "people"],
    "price": ["price", "cost", "fee"],
}


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.random()
    if kind < 0.4:
        return word[:i] + word[i + 1 :]  # a letter dropped
    if kind < 0.7:
        return word[:i] + word[i] + word[i:]  # a letter doubled
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]  # two letters swapped


def _vary(rng: random.Random, sentence: str, lang: str) -> str:
    fr = lang == "fr"
    synonyms = FR_SYNONYMS if fr else EN_SYNONYMS
    words = []
    for word in sentence.split(" "):
        if word in synonyms and rng.random() < 0.6:
            word = rng.choice(synonyms[word])
        elif rng.random() < 0.035:
            word = _typo(rng, word)
        words.append(word)
    if rng.random() < 0.35 and len(words) > 3:
        aside = _fill(rng, rng.choice(FR_ASIDES if fr else EN_ASIDES), lang).lower()
        words.insert(rng.randrange(1, len(words)), aside)
    out = " ".join(words)
    if rng.random() < 0.4:
        lead = _fill(rng, rng.choice(FR_LEADINS if fr else EN_LEADINS), lang)
        out = lead + " " + out[0].lower() + out[1:]
    return out


def make_review(rng: random.Random, *, rating: int, lang: str) -> tuple[str, str, str]:
    """(title, text, kind): kind is "stock", "special", "short" or "composed"."""
    g = FR if lang == "fr" else EN
    tone = _tone(rating, rng)
    title_key = {"+": "title+", "-": "title-", "0": "title0"}[tone]
    title = _fill(rng, rng.choice(g[title_key]), lang)
    roll = rng.random()
    if roll < 0.02:
        stock = FR_STOCK if lang == "fr" else EN_STOCK
        pool = [
            s for s in stock if ("pas" in s or "jamais" in s or "Terrible" in s) == (rating <= 2)
        ]
        return title, rng.choice(pool or stock), "stock"
    length = rng.choices([1, 2, 3, 4, 5, 6, 8, 10], weights=[12, 18, 20, 17, 13, 10, 7, 3])[0]
    if tone == "+":
        plan = ["staff+", "delivery+", "product+", "price+", "outcome+"]
    elif tone == "-":
        plan = ["staff-", "delivery-", "product-", "price-", "problem", "outcome-"]
    else:
        plan = ["staff+", "staff-", "delivery+", "delivery-", "product+", "product-", "price-"]
    sentences = []
    if length >= 3:
        sentences.append(rng.choice(g["context"]))
    sentences += [rng.choice(g[rng.choice(plan)]) for _ in range(max(1, length - 2))]
    if length >= 2:
        sentences.append(rng.choice(g["end" + tone]))
    parts = [_vary(rng, _fill(rng, s, lang), lang) for s in sentences]
    kind = "composed" if length > 1 else "short"
    if rng.random() < 0.03:
        specials = FR_SPECIALS if lang == "fr" else EN_SPECIALS
        parts.insert(rng.randrange(len(parts) + 1), _fill(rng, rng.choice(specials), lang))
        kind = "special"
    text = " ".join(parts)
    if rng.random() < 0.005:
        text = text.upper()
        kind = "special"
    if len(text) < 20:  # the service refuses texts under 20 characters
        text += " " + _fill(rng, rng.choice(g["end" + tone]), lang)
    return title, text, kind


def near_duplicate(rng: random.Random, text: str) -> str:
    """The same text lightly edited: a word dropped or swapped, punctuation changed."""
    tokens = text.split(" ")
    edit = rng.random()
    if len(tokens) > 6 and edit < 0.4:
        del tokens[rng.randrange(len(tokens))]
    elif len(tokens) > 6 and edit < 0.8:
        i = rng.randrange(len(tokens) - 1)
        tokens[i], tokens[i + 1] = tokens[i + 1], tokens[i]
    out = " ".join(tokens)
    return (
        out.replace(".", " !", 1)
        if rng.random() < 0.5
        else out + " " + rng.choice(["!!", ":)", "."])
    )
