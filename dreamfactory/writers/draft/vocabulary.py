"""The draft writer's word tables: data, kept apart from the logic that reads the story with them."""

from __future__ import annotations

import re

SPEECH_VERBS = (
    "said says say cried cries asked asks whispered whispers shouted shouts replied replies answered answers "
    "called calls yelled yells murmured murmurs laughed laughs added exclaimed muttered sighed told began "
    "continued screamed sang declared insisted explained wondered pleaded promised warned agreed gasped snapped "
    "growled roared breathed whimpered mumbled repeated announced admitted begged boomed chuckled giggled "
    "grumbled hissed howled smiled grinned nodded sobbed stammered "
    "squeaked squeaks hooted hoots beeped beeps barked barks chirped chirps purred purrs squawked croaked piped "
    "yelped bellowed blurted whined teased joked scolded shrieked panted grunted groaned moaned cooed buzzed "
    "ordered commanded demanded suggested offered corrected interrupted responded retorted remarked observed "
    "mused reminded urged wailed cheered thundered rasped squealed trilled sniffed snorted quoth spake spoke"
).split()
SPEECH_RX = "|".join(SPEECH_VERBS)

# Capitalised words that are never a character's name on their own.
NOT_NAMES = set(
    "I A An The And But Or So Then When While After Before As At In On Of To From With Without By For Into "
    "Inside Outside Far Near All One Two Three Every Each Some Many Much More Most No Not Yes Oh Ah Hello Goodbye "
    "He She It They We You His Her Its Their Our Your My Me Him Them Us This That These Those There Here Where What "
    "Who Why How Which Once Suddenly Soon Later Now Still Just Only Even If Because Until Though Although Yet Also "
    "Above Below Over Under Up Down Out Around Across Through Behind Beyond Between Among Along During Since Like "
    "Let Do Don't Did Does Is Was Were Are Be Been Have Has Had Can Could Will Would Shall Should May Might Must "
    "Please Thank Thanks Maybe Perhaps Well Again Never Always Sometimes Every Everyone Everything Nothing Nobody "
    "Somewhere Someone Something Another Other Both Either Neither Next Last First Finally Meanwhile Together Alone "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March July August September October "
    "November December Christmas Easter Halloween God Heaven Earth Mars Moon Sun Venus Jupiter Saturn Grandfather Grandmother Grandpa Grandma Granny Mother "
    "Father Mum Mom Dad Papa Mama Sir Madam Miss Mister Master Mistress English French German Spanish Italian"
    .split()
)
TITLES = set("Mr Mrs Ms Dr Doctor Captain King Queen Prince Princess Lady Lord Sir Aunt Uncle Professor Old Little "
             "Saint St Brother Sister Father Mother Grandpa Grandma Granny Madame Señor Master".split())
RELATIONS = {
    "grandfather": "m", "grandpa": "m", "father": "m", "dad": "m", "brother": "m", "uncle": "m", "son": "m",
    "husband": "m", "nephew": "m", "grandson": "m", "grandmother": "f", "grandma": "f", "granny": "f",
    "mother": "f", "mum": "f", "mom": "f", "sister": "f", "aunt": "f", "daughter": "f", "wife": "f", "niece": "f",
    "granddaughter": "f", "friend": "", "cousin": "", "neighbour": "", "neighbor": "", "teacher": "",
    "master": "", "apprentice": "", "companion": "", "dog": "", "cat": "", "horse": "", "pet": "",
}
PERSON_NOUNS = {
    "girl": "f", "woman": "f", "lady": "f", "queen": "f", "princess": "f", "witch": "f", "mother": "f",
    "grandmother": "f", "daughter": "f", "sister": "f", "aunt": "f", "wife": "f", "widow": "f", "maid": "f",
    "boy": "m", "man": "m", "king": "m", "prince": "m", "wizard": "m", "father": "m", "grandfather": "m",
    "son": "m", "brother": "m", "uncle": "m", "husband": "m", "gentleman": "m", "monk": "m", "fisherman": "m",
    "child": "", "keeper": "", "traveller": "", "traveler": "", "stranger": "", "knight": "", "sailor": "",
    "farmer": "", "soldier": "", "robot": "", "detective": "", "hero": "", "captain": "", "pilot": "",
    "hunter": "", "shepherd": "", "merchant": "", "doctor": "", "teacher": "", "baker": "", "student": "",
    "explorer": "", "pirate": "", "dragon": "", "fox": "", "bear": "", "wolf": "", "cat": "", "dog": "",
    "mouse": "", "rabbit": "", "owl": "", "giant": "", "elf": "", "orphan": "", "wanderer": "", "pilgrim": "",
    "musician": "", "painter": "", "scientist": "", "astronaut": "", "keeper's": "", "creature": "",
}
BODY_WORDS = set(
    "hair beard moustache mustache eyes eye freckles skin face nose cheeks braids braid plaits curls ponytail bun "
    "scar smile teeth ears tail fur feathers wings horns whiskers spots stripes build shoulders hands arms legs "
    "limp mane paws claws beak complexion wrinkles tattoo tattoos voice forehead chin lips eyebrows scales "
    "shell quills spines antlers hooves snout muzzle ear bob plumage feather gills fins wing mane body paint".split()
)
GARMENT_WORDS = set(
    "raincoat coat overcoat boots boot shoes sweater jumper apron dress hat cap cloak cape scarf shirt trousers "
    "pants jeans jacket gloves mittens uniform robe robes gown skirt tunic armour armor helmet vest waistcoat "
    "shawl hood hoodie overalls sandals slippers socks stockings belt tie suit glasses spectacles goggles crown "
    "necklace earrings ring bracelet ribbon bonnet veil kimono sari kilt poncho blouse cardigan pyjamas pajamas "
    "nightgown mask headscarf turban bandana collar sneakers trainers clogs beret".split()
)
PROP_WORDS = set(
    "lantern lamp sword staff stick cane book bag backpack satchel basket umbrella map key compass camera flute "
    "guitar violin wand bow spear shield axe hammer pipe notebook pencil brush knife rope net rod torch candle "
    "kite ball doll teddy bucket letter box chest bottle telescope spyglass shell pendant locket medallion phone "
    "radio sketchbook paintbrush fiddle harp drum whistle bell crook lute scroll journal diary binoculars spool "
    "crowbar pliers wrench spanner flashlight microphone sack pole matches parcel slingshot trowel".split()
)
CREATURES = set("robot android fox bear wolf cat dog mouse rabbit owl dragon creature horse bird cow pig goat "
                "sheep frog toad hedgehog badger squirrel lion tiger elephant monkey duck goose swan whale fish "
                "unicorn troll".split())
ARTICLES = set("a an the his her their its my our your some one two this that these those".split())

# Where a scene takes place: specific spots, broad areas, vehicles and the parts of a building.
SPOTS = set(
    "lighthouse market marketplace workshop castle palace tower house cottage hut cabin shop bakery inn tavern "
    "library school church temple station museum factory farm barn mill garden field meadow beach shore cave "
    "bridge street square road path dock docks pier quay port classroom hospital laboratory lab office stable "
    "camp clearing ruins graveyard cemetery theatre theater arena courtyard playground park orchard "
    "chapel monastery fortress harbourside wharf lane alley plaza cafe restaurant hotel studio forge smithy "
    "greenhouse zoo circus fairground café cliff cliffs farmhouse pond scrapyard garage kitchen "
    "crossroads schoolyard quay jetty".split()
)
AREAS = {
    "sea": "on", "ocean": "on", "island": "on", "town": "in", "city": "in", "village": "in", "harbour": "in",
    "harbor": "in", "forest": "in", "woods": "in", "jungle": "in", "mountain": "on",
    "mountains": "in", "hills": "in", "hill": "on", "valley": "in", "desert": "in", "river": "on", "lake": "on",
    "coast": "on", "kingdom": "in", "countryside": "in", "space": "in", "planet": "on",
    "bay": "on", "swamp": "in", "marsh": "in", "plains": "on", "tundra": "on", "glacier": "on",
    "fjord": "by", "station": "on", "moor": "on", "meadows": "in", "fields": "in",
}
VEHICLES = set("boat ship train car bus cart raft canoe spaceship starship rocket plane balloon carriage wagon "
               "sleigh submarine ferry yacht".split())
DETAILS = {
    "window": "by", "stairs": "on", "staircase": "on", "roof": "on", "balcony": "on", "deck": "on",
    "doorway": "in", "door": "at", "room": "in", "bedroom": "in", "kitchen": "in", "attic": "in", "cellar": "in",
    "hall": "in", "hallway": "in", "corridor": "in", "basement": "in", "porch": "on", "bed": "in",
}
LIGHT_ADJECTIVES = set("dim dark bright gloomy shadowy sunny sunlit lit darkened misty".split())
# A place word after these is where someone goes, not where the scene is.
AWAY_WORDS = set("towards toward to across beyond past about for".split())
SEEING_WORDS = set("saw see sees watched watch spotted noticed remembered remember imagined dreamed dreamt thought "
                   "heard story tale".split())

TIMES = [
    ("dawn", r"dawn|daybreak|sunrise|first light"),
    ("morning", r"morning|breakfast"),
    ("noon", r"noon|midday|lunchtime"),
    ("afternoon", r"afternoon"),
    ("dusk", r"dusk|sunset|twilight|nightfall"),
    ("evening", r"evening|supper"),
    ("night", r"night|midnight|tonight|moonlight|moonlit"),
]
LIGHT_OF_TIME = {
    "dawn": "pale dawn light", "morning": "soft morning light", "noon": "bright midday sun",
    "afternoon": "warm afternoon light", "dusk": "orange dusk glow", "evening": "fading evening light",
    "night": "deep night darkness",
}
WEATHER = [
    ("storm", r"storms?|stormy"), ("thunder", r"thunder\w*"), ("lightning", r"lightning"),
    ("rain", r"rain|rains|raining|rainy|drizzle"), ("snow", r"snow|snowing|snowy|snowfall"),
    ("wind", r"wind|winds|windy|gale"), ("fog", r"fog|foggy|mist|misty"), ("clouds", r"clouds?|cloudy"),
    ("sunshine", r"sunshine|sunny|sunlight"),
]
LIGHT_SOURCES = set("lamp lantern furnace fire candle candles beam torch sparks moon stars fireplace hearth lamps "
                    "lights light".split())
FEATURES = set(
    "waves lamp lens furnace sparks fish baskets nets fishermen crowd stalls seagulls gulls birds trees "
    "flowers rocks sand fire fireplace candles books shelves tables glass bubble anvil bench workbench boats "
    "ships sails cliffs snowflakes leaves puddles chimney smoke bells banners clock".split()
)

GENRES = [
    ("fantasy", "dragon magic witch wizard spell fairy enchanted knight princess unicorn troll elf potion sorcerer "
                "curse wand"),
    ("science fiction", "robot space spaceship planet alien galaxy rocket android laser starship orbit asteroid "
                        "cyborg"),
    ("mystery", "detective murder clue mystery suspect thief stolen crime investigate police vanished"),
    ("horror", "ghost haunted monster vampire zombie terror corpse"),
    ("comedy", "silly joke funny prank giggle"),
    ("romance", "love kiss wedding romance sweetheart"),
    ("adventure", "storm sea journey voyage island treasure quest ship explore mountain sail rowed expedition "
                  "jungle wave"),
]
TONES = [
    ("tense", "storm thunder danger afraid fear cracked scream flicker dark trembl"),
    ("hopeful", "hope light new dawn shone shine bright together rescue"),
    ("warm", "smile laugh home hug grandfather grandmother friend warm kind"),
    ("wistful", "remember old memory far away alone lonely"),
    ("eerie", "ghost shadow whisper fog mist silent cold"),
    ("playful", "giggle play dance joke silly"),
    ("sombre", "died death grief tears funeral lost"),
]
LOOKS = {
    "fantasy": "storybook watercolour", "adventure": "storybook watercolour",
    "science fiction": "cinematic digital painting", "mystery": "moody ink and wash illustration",
    "horror": "dark gothic illustration", "comedy": "bright cartoon illustration",
    "romance": "soft pastel illustration", "drama": "painterly cinematic illustration",
}
LENSES = {
    "fantasy": "35mm, eye level, soft depth of field", "adventure": "28mm wide, eye level, deep focus",
    "science fiction": "24mm wide, symmetrical framing, crisp focus", "mystery": "50mm, low angle, deep shadows",
    "horror": "35mm, low angle, heavy vignette", "comedy": "35mm, eye level, even framing",
    "romance": "85mm, eye level, shallow depth of field", "drama": "50mm, eye level, natural framing",
}
PALETTES = {
    "fantasy": ["#3b6e5a", "#d9b45a", "#7f5aa2", "#f3e9d2", "#2c3e50"],
    "adventure": ["#1f4e5f", "#f2c94c", "#c0392b", "#d9c7a7", "#2c3e50"],
    "science fiction": ["#0f1c2e", "#2a9d8f", "#e9c46a", "#b8bcc2", "#6b3fa0"],
    "mystery": ["#1c1c1e", "#36454f", "#8a8d91", "#c28e3a", "#6e2c2c"],
    "horror": ["#121212", "#4a0e0e", "#5b6b5a", "#b8b2a7", "#2b2d42"],
    "comedy": ["#f2c94c", "#e07b39", "#40b5ad", "#e8a0b4", "#f6f1e1"],
    "romance": ["#e8a0b4", "#f6f1e1", "#d77a8f", "#9ab8c8", "#c9a66b"],
    "drama": ["#3b4a5a", "#c9a66b", "#8a5a44", "#e6dccb", "#5b6b5a"],
}
MONOCHROME = ["#1c1c1e", "#4a4a4a", "#8a8d91", "#c8c8c8", "#f4f4f0"]
COLOURS = {
    "red": "#b33a3a", "crimson": "#9e1b32", "scarlet": "#c21807", "orange": "#e07b39", "amber": "#e8a33d",
    "gold": "#d4a017", "golden": "#d4a017", "yellow": "#f2c94c", "green": "#4f7f4f", "emerald": "#2e8b57",
    "teal": "#2a7f7f", "turquoise": "#40b5ad", "blue": "#3b6ea5", "navy": "#1f2f57", "indigo": "#3f3d8f",
    "violet": "#7f5aa2", "purple": "#6b3fa0", "pink": "#e8a0b4", "rose": "#d77a8f", "brown": "#7a5230",
    "sepia": "#704214", "ochre": "#c28e3a", "beige": "#d9c7a7", "cream": "#f3e9d2", "ivory": "#f6f1e1",
    "white": "#f4f4f0", "grey": "#8a8d91", "gray": "#8a8d91", "silver": "#b8bcc2", "black": "#1c1c1e",
    "charcoal": "#36454f", "lilac": "#b695c0", "lavender": "#a99bd0", "mauve": "#b784a7", "plum": "#6e3b5e",
    "maroon": "#6d1f2a", "burgundy": "#7a1f33", "ginger": "#c8642a", "rust": "#a8501f", "copper": "#b5652f",
    "bronze": "#a8712e", "tawny": "#b0753c", "tan": "#b58a5a", "camel": "#b08a5b", "khaki": "#a89f6a",
    "olive": "#6b7a34", "lime": "#8cc63f", "mustard": "#d4a92a", "peach": "#f2b48c", "coral": "#e8735f",
    "magenta": "#c2307f", "auburn": "#8a3b24", "chestnut": "#7b3f1e", "ebony": "#2a2420", "sandy": "#d8b987",
}
NEGATIVE = "text, watermark, signature, deformed hands, extra limbs, blurry, duplicate characters"

# Camera moves read from the verbs of a beat (first match in this order wins).
CAMERA_VERBS = [
    ("tilt_down", r"\b(?:climbed|climbs|went|ran|fell|dived|dove|looked) down\b|\bdescend\w*|\bfell\b|\bdived\b"),
    ("tilt_up", r"\bclimb\w*|\bascend\w*|\brose\b|\bflew up\b|\blooked up\b"),
    ("zoom_in", r"\bfound\b|\bfinds\b|\bdiscover\w*|\bnoticed\b|\bspotted\b|\bsaw\b|\brevealed\b|\buncovered\b"),
    ("travel", r"\b(?:rowed|rows|walked|ran|rode|sailed|travell?ed|drove|flew|journeyed|crossed|swam|hurried|"
               r"marched|wandered|set off|set out|raced)\b"),
]
RETURNING = r"\b(?:home|back|homeward|returned|returns)\b"

IRREGULAR_PAST = {
    "found": "find", "saw": "see", "went": "go", "came": "come", "ran": "run", "took": "take", "made": "make",
    "gave": "give", "told": "tell", "said": "say", "shook": "shake", "flew": "fly", "swam": "swim", "rode": "ride",
    "drove": "drive", "fell": "fall", "rose": "rise", "woke": "wake", "wrote": "write", "sang": "sing",
    "began": "begin", "brought": "bring", "bought": "buy", "caught": "catch", "thought": "think", "felt": "feel",
    "kept": "keep", "left": "leave", "lost": "lose", "met": "meet", "sat": "sit", "stood": "stand",
    "slept": "sleep", "won": "win", "held": "hold", "led": "lead", "heard": "hear", "knew": "know", "grew": "grow",
    "threw": "throw", "drew": "draw", "hid": "hide", "broke": "break", "spoke": "speak", "stole": "steal",
    "chose": "choose", "froze": "freeze", "got": "get", "set": "set", "put": "put", "cut": "cut", "hit": "hit",
    "let": "let", "shut": "shut", "lit": "light", "was": "be", "were": "be", "had": "have", "did": "do",
    "ate": "eat", "fought": "fight", "sought": "seek", "taught": "teach", "built": "build", "sent": "send",
    "spent": "spend", "lay": "lie", "dug": "dig", "wore": "wear", "tore": "tear", "swept": "sweep",
    "crept": "creep", "wept": "weep", "leapt": "leap", "shone": "shine", "struck": "strike", "hung": "hang",
    "rang": "ring", "sank": "sink", "drank": "drink", "became": "become", "forgot": "forget", "blew": "blow",
    "understood": "understand", "created": "create", "spun": "spin", "swung": "swing", "stuck": "stick",
    "bit": "bite", "sped": "speed", "fed": "feed", "bled": "bleed", "fled": "flee", "slid": "slide",
    "strode": "stride", "awoke": "awake", "paid": "pay", "laid": "lay", "sold": "sell", "meant": "mean",
    "knelt": "kneel", "lent": "lend", "bent": "bend", "stung": "sting", "swore": "swear", "clung": "cling",
    "flung": "fling", "bound": "bind", "wound": "wind", "beat": "beat", "sprang": "spring", "stank": "stink",
    "shot": "shoot", "slept": "sleep", "stole": "steal", "ground": "grind", "dealt": "deal", "dreamt": "dream",
}
MODALS = {"could": "can", "would": "will", "should": "should", "might": "may"}
STOPWORDS = set(
    "the a an and or but of to in on at by for with from into onto over under his her their its was were is are "
    "be been had has have he she they it them him i we you that this there then when as so not no all one".split()
)

# The tables as regex alternations ('said|says|...'), and every noun the tables know.
NOUNS_RX = "|".join(list(PERSON_NOUNS) + list(RELATIONS))
COMMON_NOUNS = (set(PERSON_NOUNS) | set(RELATIONS) | BODY_WORDS | GARMENT_WORDS | PROP_WORDS | SPOTS | set(AREAS)
                | VEHICLES | set(DETAILS) | LIGHT_SOURCES | FEATURES | CREATURES
                | set(re.findall(r"[a-z]+", " ".join(rx for _, rx in WEATHER + TIMES))))
CARRIED_RX = "|".join(sorted(PROP_WORDS))
WORN_RX = "|".join(sorted(GARMENT_WORDS | BODY_WORDS))
# Where a list of looks ends: 'a yellow raincoat and green boots| wherever she went', '... tail| and wore ...'.
LIST_END = (r"(?=[.;]|,\s*(?:and|but)\b|\s+(?:and|but)\s+(?:wore|had|has|was|carried|held|kept|[a-z]+ed)\b|"
            r"\s+(?:who|which|that|wherever|when|while|as|because|to|until)\b|,\s*(?:he|she|they)\b|$)")

# A full stop after these does not end a sentence.
ABBREVIATIONS = set("mr mrs ms dr st mt prof sr jr capt lt gen col sgt vs etc".split())
# A place word after these is where the scene is.
LOCATIVE = ("in", "inside", "at", "on", "by", "near", "beside", "outside", "under", "within")

# What a character is (screenplay Character.kind), from the noun the story calls it by.
KINDS = {
    **dict.fromkeys("cat kitten kitty tomcat".split(), "cat"),
    **dict.fromkeys("dog puppy pup hound terrier spaniel sheepdog".split(), "dog"),
    **dict.fromkeys("fox vixen".split(), "fox"), **dict.fromkeys("wolf wolves".split(), "wolf"),
    **dict.fromkeys("owl owlet".split(), "owl"),
    **dict.fromkeys("bird sparrow robin crow raven magpie parrot seagull gull swan duck duckling goose eagle hawk "
                    "hen chicken rooster blackbird pigeon dove wren finch penguin stork heron".split(), "bird"),
    **dict.fromkeys("rabbit bunny".split(), "rabbit"), "hedgehog": "hedgehog",
    **dict.fromkeys("mouse mice rat dormouse".split(), "mouse"),
    **dict.fromkeys("horse pony mare stallion foal".split(), "horse"),
    **dict.fromkeys("fish goldfish trout salmon carp".split(), "fish"), **dict.fromkeys("bear cub".split(), "bear"),
    **dict.fromkeys("dragon dragonet wyvern".split(), "dragon"),
    **dict.fromkeys("robot android droid automaton cyborg machine".split(), "robot"),
    **dict.fromkeys("creature monster beast troll goblin unicorn donkey frog toad badger squirrel otter beaver lion tiger "
                    "elephant monkey deer stag cow pig goat sheep lamb whale dolphin snake spider bee ant beetle "
                    "butterfly turtle tortoise crab snail mole weasel ferret lizard griffin phoenix".split(), "creature"),
}
# People the story may not name: 'the old postwoman', 'a harbour guard'.
ACTOR_NOUNS = set(PERSON_NOUNS) | set(KINDS) | set(
    "postwoman postman postmistress guard watchman policeman policewoman officer nurse driver ferryman boatman "
    "fisherwoman cook chef waiter waitress clerk shopkeeper grocer butcher blacksmith smith miller weaver tailor "
    "gardener servant butler nanny priest nun vicar mayor judge sheriff ranger warden janitor porter conductor "
    "lady gentleman stranger visitor guest neighbour neighbor friend boy girl man woman kid toddler baby teenager "
    "lad lass youth elder hermit beggar thief burglar bandit guide host landlord landlady innkeeper librarian "
    "inventor engineer mechanic builder carpenter potter glassblower jeweller jeweler fairy ghost witch wizard "
    "giant knight squire queen king prince princess emperor empress sailor captain soldier pilot doctor "
    "grandfather grandmother grandpa grandma granny mother father mum mom dad uncle aunt".split())
# Verbs only a living (or robotic) being does: their subject is a character even when the tables do not know it.
ANIMATE_VERBS = set(
    "smile laugh nod wave walk sigh weep cry sleep wake eat drink think know want decide grin frown hug "
    "dance sing shout whisper call ask reply answer say tell shrug stare listen "
    "greet bow kneel pray beckon knock chuckle giggle mutter murmur scream yell squeak bark growl purr howl "
    "hoot chirp meow beep".split()
)
FIRST_PERSON_WORDS = ("i", "me", "my", "myself", "mine", "we", "us", "our", "ourselves")
# Every noun a character may be called by, for 'Tomas, an old keeper' and 'a young librarian named Oliver'.
NOUNS_RX = "|".join(sorted(set(PERSON_NOUNS) | set(RELATIONS) | ACTOR_NOUNS - {"machine"}, key=len, reverse=True))
# Kinship words that name a character when the story uses them as a name ('Papa cut a hole in the ice').
KIN_NAMES = set("Papa Mama Mum Mom Dad Daddy Mummy Mommy Grandpa Grandma Granny Nana Gran Mother Father "
                "Grandfather Grandmother".split())
# Things a scene may show that a story names: what it carries, uses, eats, finds.
OBJECT_WORDS = PROP_WORDS | set(
    "crate crowbar oven stove bread raft sack pliers cake lemonade programme program microphone lanterns stone "
    "spool binoculars reins signpost berries meat salt honey cart wheelbarrow bowl cup teapot kettle plate table "
    "chair ladder bucket barrel shovel spade hoe seed seeds pumpkin apple apples loaf loaves parcel parcels "
    "envelope stamp ticket cheese pie soup jar tin matches pole fence post gate flowers orchids key keys coin "
    "coins bag blanket pillow quilt mirror photograph painting radio panel hatch flag treasure egg eggs nest "
    "crown ring necklace gift present toy boat kite bicycle bike".split())
OBJECTS_RX = "|".join(sorted(OBJECT_WORDS, key=len, reverse=True))
# Nouns that are no thing to show: parts of a body or a place, people, times, words for words.
NOT_OBJECTS = (BODY_WORDS | GARMENT_WORDS | ACTOR_NOUNS | set(RELATIONS) | set(KINDS) | SPOTS | set(AREAS) | set(DETAILS)
               | set(re.findall(r"[a-z]+", " ".join(rx for _, rx in WEATHER + TIMES))) | set(
    "edge top end side middle bottom front back way story stories tale time times day days week year years hour "
    "minute moment while thing things something nothing everything lot kind sort part piece rest place home "
    "head feet foot hand hands arm arms eye eyes face heart mind breath voice name word words idea question "
    "answer help light darkness dark air ground floor wall walls sky water land world life work turn".split()))
