//! Arts: exhibitions, theater, books, dance and arts news, all about fictional artists,
//! companies and venues.

use crate::common::{HOODS, STREETS};
use crate::gen::{capitalize, second_refs, surname, Body, Ctx, Pool, G};
use crate::{article, staff, DemoArticle};
use std::collections::HashSet;

const SECTION: &str = "arts";
const COUNT: usize = 66;

struct Medium {
    tag: &'static str,
    /// "paintings", "photographs"...
    works: &'static str,
    /// A single work: "painting".
    work: &'static str,
    material: &'static str,
    lines: Pool,
}

const MEDIA: &[Medium] = &[
    Medium {
        tag: "Painting",
        works: "paintings",
        work: "painting",
        material: "linen and oil",
        lines: &[
            "The paint is {thick enough to cast shadows|scraped back to the weave in places|laid down in thin, patient glazes}.",
            "Color does most of the talking: {sour greens and bruised purples|a sunburned orange that recurs like a chorus|whites that turn out to be a dozen different whites}.",
            "The figures are {half-dissolved|crowded to the edges|tiny in enormous rooms}, and you end up filling in their stories yourself.",
            "Up close the canvases are {messy|furious|surprisingly funny}; from across the room they snap into {calm|order|focus}.",
        ],
    },
    Medium {
        tag: "Photography",
        works: "photographs",
        work: "photograph",
        material: "silver gelatin",
        lines: &[
            "The photographs are {black and white|washed in faded color|printed tiny and hung low}, and they ask you to lean in.",
            "Most were made within a few blocks of {street}, over {years} years, and the patience shows.",
            "Nobody in the pictures is posing, exactly, but nobody is caught off guard either; there's trust in every frame.",
            "The {printing|sequencing} is {immaculate|unfussy|quietly brilliant}, moving from {crowded streets to empty rooms|day to night|strangers to family}.",
        ],
    },
    Medium {
        tag: "Sculpture",
        works: "sculptures",
        work: "sculpture",
        material: "steel, plaster and salvaged wood",
        lines: &[
            "The sculptures are built from {salvaged lumber|rebar and plaster|things found on {street}}, and they wear their history openly.",
            "Scale is the trick: {some pieces tower|some pieces sit on the floor like dropped luggage|one fits in your palm}, and you keep recalibrating.",
            "You're allowed to walk around everything, and you should; the backs are often better than the fronts.",
            "There's a {precariousness|tenderness|menace} to the way the pieces lean on walls and each other.",
        ],
    },
    Medium {
        tag: "Textiles",
        works: "textiles",
        work: "quilt",
        material: "wool, cotton and thread",
        lines: &[
            "The quilts and weavings use {family clothing|thrifted uniforms|hand-dyed wool}, and the seams tell stories of their own.",
            "Textile work still gets called craft, as if that were an insult; this show makes the argument moot.",
            "The {stitching|weaving} is {obsessive|loose|deliberate}, with loose threads left hanging like unfinished sentences.",
            "Colors are drawn from {the river at dusk|old bus seat upholstery|a grandmother's kitchen curtains}, and somehow you can tell.",
        ],
    },
    Medium {
        tag: "Ceramics",
        works: "ceramics",
        work: "vessel",
        material: "stoneware",
        lines: &[
            "The vessels are {lopsided on purpose|thin as eggshells|heavy and pitted like river stones}, and every one begs to be picked up. Don't.",
            "Glazes run and pool {like weather|like spilled tea|in colors you want to eat}.",
            "There's a joke running through the work about usefulness: {a cup with no bottom|a vase full of holes|a teapot with three spouts}.",
            "Hundreds of small pieces cover one long table, and together they read like a crowd.",
        ],
    },
    Medium {
        tag: "Printmaking",
        works: "prints",
        work: "print",
        material: "ink on paper",
        lines: &[
            "The prints are {woodcuts|screen prints|etchings} with {a bold, graphic punch|a fine, nervous line|colors layered like posters on a construction fence}.",
            "Editions are small and the hand shows: every impression is a little different, and the differences matter.",
            "There's a long tradition of protest in printmaking, and this work {sits proudly in it|nods to it without shouting}.",
            "Text creeps into many of the prints: {street names|overheard phrases|fragments of eviction notices}.",
        ],
    },
    Medium {
        tag: "Video art",
        works: "video installations",
        work: "video",
        material: "projection and sound",
        lines: &[
            "The videos are {slow|looped|projected on the floor}, and the benches are comfortable, which is a hint to stay.",
            "Sound bleeds between rooms, so the show works like one long piece.",
            "Most of the footage was shot {on the bus|from a window on {street}|at the river at dawn}, and the ordinary becomes {strange|hypnotic|tender}.",
            "It asks for more patience than most visitors give a gallery; it pays back every minute.",
        ],
    },
    Medium {
        tag: "Drawing",
        works: "drawings",
        work: "drawing",
        material: "graphite and ink",
        lines: &[
            "The drawings are {tiny and obsessive|wall-sized and fast|made with a single continuous line}, and the pencil pressure tells you everything about mood.",
            "There's an erased drawing under nearly every finished one, ghosting through the paper.",
            "Subjects are humble: {chairs|hands|the view from a bus window|dishes in a drying rack}. The attention is not.",
            "It's the kind of work that makes you want to go home and draw your kitchen.",
        ],
    },
];

const GALLERIES: Pool = &[
    "Ninefold Gallery",
    "Halvorsen Contemporary",
    "Second Story Gallery",
    "Tannery Row Projects",
    "Pell & Vine",
    "Harbor Light Gallery",
    "Bellwether Arts Center",
    "Gallery Kestrel",
    "Foundry Hill Art Space",
    "Marsh Road Studios",
];

const SHOW_FORMS: Pool = &[
    "{Salt|Paper|Borrowed|Quiet|Low|Second|Rented|Tender|Open} {Rooms|Weather|Ground|Inventory|Houses|Hours|Water}",
    "What the {River|House|Kitchen|Street|Window} Remembers",
    "Notes Toward a {Garden|Portrait|Map|Neighborhood|Flood}",
    "Everything We {Carried|Kept|Left on the Curb|Meant to Fix}",
    "{Here, Mostly|Almost Home|Still Life, Moving|Common Ground|Load-Bearing}",
];

const WORK_TITLES: Pool = &[
    "Untitled (Kitchen Window)",
    "Self-Portrait as a Parking Ticket",
    "Grandmother's Hands, Again",
    "Flood Line",
    "All the Apartments I Almost Rented",
    "Study for a Quiet Street",
    "Night Bus, Blue",
    "Inventory",
    "What Remains",
    "Map of {hood} From Memory",
];

const FIRST_SIGHT: Pool = &[
    "a wall-sized {work} that seems to breathe",
    "a single small {work} hung at knee height",
    "a heap of {material} on the floor that turns out to be the first piece",
    "a window covered in tracing paper, so the whole room glows",
];

const EXH_LEDE: Pool = &[
    "The first thing you see at {gallery} is {@first_sight}, and it sets the tone for *{show}*, {artist_poss} {first solo show in the city|long-overdue survey|strangest and best exhibition yet}.",
    "{artist} has been {quietly|stubbornly|prolifically} making {works} in a studio in {hood} for {years} years, and *{show}* at {gallery} is {a chance to catch up|a reckoning|a revelation}.",
    "*{show}* is {small|sprawling|quiet|loud}: {n} {works} in {one room|two rooms|a converted garage}, and {not one of them is filler|only a few could go}.",
    "Go to {gallery} on a weekday afternoon, when it's empty, and give *{show}* the hour it deserves.",
];

const EXH_BODY: Pool = &[
    "The strongest pieces circle around {memory|the neighborhood|work and wages|family|water|houses and what happens to them}, and they reward a slow look.",
    "{artist_poss} {eye|touch|sense of color} is {restrained|generous|unsettling|tender}, and nothing feels decorative.",
    "Wall text is {minimal|mercifully brief|a little overwritten}, {which lets the work speak|so bring your own questions}.",
    "There's humor here too, {which is rare in a show this serious|in titles like “{@work_title}”|if you look for it}.",
    "One {work}, “{@work_title},” {stopped me cold|is worth the trip alone|has stayed with me for days}.",
    "The installation is {thoughtful|tight|generous with space}, {giving each piece room to breathe|guiding you through like a story|with a few surprising pairings}.",
    "Not everything lands: {a series of smaller pieces feels unfinished|the back room overstays its welcome|a few works lean too hard on their titles}.",
];

const COMPANIES: Pool = &[
    "Lantern Alley Players",
    "Crooked Stair Theatre Company",
    "Eastgate Repertory",
    "the Understudy Collective",
    "Millrace Stage",
    "Night Owl Theater Lab",
    "Tin Roof Theatre",
];

const PLAY_FORMS: Pool = &[
    "{The Last|A Short History of the|Notes on the|The Long} {Ferry|Orchard|Switchboard|Inheritance|Lighthouse|Séance|Wedding|Flood|Recital|Garage Sale|Heat Wave|Night Shift}",
    "{@first} and the {Ferry|Orchard|Switchboard|Lighthouse|Wedding|Flood|Heat Wave}",
    "A {Kitchen|Motel|Laundromat|Rooftop} in {Winter|August|the Rain}",
    "Last Ferry to {hood}",
];

const ROLES: Pool = &[
    "the widowed ferry captain",
    "a restless eldest child",
    "a fast-talking landlord",
    "the family's black sheep",
    "a retired magician",
    "the night-shift nurse",
    "an estranged sibling",
    "a small-town mayor",
];

const TH_LEDE: Pool = &[
    "{^company_poss} production of *{play}*, {playwright_poss} {new comedy|new drama|two-hander|chamber musical}, opens with {a blackout|a ringing phone|an empty stage and a single chair|the whole cast singing in the dark}, and {it never loses that charge|you're hooked from there}.",
    "*{play}* is {playwright_poss} {second|third|first} play to get a full production in this city, and {company} gives it {a staging worthy of it|a loving, scrappy staging|the ensemble it deserves}.",
    "Two hours and {ten|twenty|forty} minutes with an intermission, *{play}* at {company} {flies by|takes its time|earns nearly every minute}.",
    "Live theater is having a {strange|good|hard} year in this city, and *{play}* is a reminder of what the fuss is about.",
];

const TH_BODY: Pool = &[
    "{actor1}, as {role1}, {anchors the show|is a revelation|holds the stage with almost no visible effort}, and {actor2} {matches that beat for beat|nearly steals the second act|brings a welcome jolt of comedy} as {role2}.",
    "Director {director} {keeps things moving|lets the silences play|stages the big scenes with real flair}, though {the second act drags a little|a few transitions are clunky|the ending feels rushed}.",
    "The set, {a cramped kitchen|a crumbling lighthouse|a motel room that rotates|a bare platform and a wall of doors}, {does a lot with very little|is a marvel of thrift|tells you everything before a word is spoken}.",
    "The script is {funny|sharp|talky}, {with lines that land|with a few speeches that could be trimmed|with an ear for how families actually argue}.",
    "Lighting and sound are {subtle|inventive|precise}: {a single sodium streetlight|the hum of a refrigerator|distant traffic} does more than any monologue.",
    "The house on {street} is small enough to see the actors sweat, which is half the point.",
    "The ensemble {is tight|clearly trusts each other|never lets the energy drop}, even in the scenes where nothing much seems to happen.",
];

const BOOK_FORMS: Pool = &[
    "The {Ferryman's|Landlady's|Electrician's|Night Baker's|Pharmacist's} {Daughter|Almanac|Ledger|Secret|Last Summer}",
    "{Small|Borrowed|Late|Rented|Common} {Mercies|Weather|Rooms|Hours|Saints}",
    "How to Leave {hood}",
    "Everything on {street}",
    "{Salt|Tin|Paper|River} and {Bone|Honey|Glass|Ash}",
];
const BOOK_KINDS: Pool = &[
    "novel",
    "story collection",
    "poetry collection",
    "memoir",
    "essay collection",
];
const PUBLISHERS: Pool = &[
    "Tollgate Books",
    "Small Harbor Press",
    "Gravel Road Editions",
    "Marigold & Finch",
    "Quay Street Press",
];
const BOOKSTORES: Pool = &[
    "Dog-Eared Books",
    "Ferris Street Books",
    "the Reading Room on Quay",
    "Second Printing Books",
];

const BK_LEDE: Pool = &[
    "*{book}*, the {debut|second|third} {book_kind} from {hood} writer {author}, unfolds {in a thinly disguised version of our city|on a single block of {street}|over one long, hot summer}.",
    "Some books you finish; others you start lending out before you're done. {author_poss} *{book}* is the second kind.",
    "{author} spent {years|a decade} {teaching at the community college|working nights at a hospital|running a bookstore in {hood}}, and *{book}* reads like it was written {in stolen hours|slowly, with great patience}.",
];

const BK_BODY: Pool = &[
    "The prose is {clean|lush|spare|funny}: {the kind that disappears|full of sentences you'll want to underline|with a wicked ear for dialogue}.",
    "Its people feel {specific|real|lovably difficult}: {a retired union electrician|a teenage line cook|a widowed pharmacist|two estranged sisters} you'll swear you've met.",
    "Local readers will get a kick out of spotting {landmarks|a certain {hood} bakery|a certain bus route}.",
    "The {middle section|second half} wanders a bit, but the {ending|final chapter} {lands|hits hard|earns its tears}.",
    "{author} is {wise|funny|unsentimental} about {money|grief|family|the way cities change}, and the book never preaches.",
    "It's {short|a brisk read|long, and worth it}, the kind of book you finish in {a weekend|two sittings|one very late night}.",
];

const DANCE_COS: Pool = &[
    "Threadbare Dance",
    "Orchard Gap Dance Project",
    "Second Wind Dance Company",
    "Kinetic Tannery",
    "Ferris Movement Collective",
];
const DANCE_VENUES: Pool = &[
    "the Corliss Playhouse",
    "Bellwether Arts Center",
    "the Quarry Street Armory",
    "the Halvorsen Square Bandshell",
];

const DA_LEDE: Pool = &[
    "{^dance_co_poss} new evening, *{piece}*, begins with {a single dancer in silence|the whole company running in circles|a slow procession across the stage}, and it {sets a mood it never breaks|takes off from there}.",
    "Choreographer {choreographer} built *{piece}* out of {everyday gestures|folk steps half-remembered from childhood|the movements of commuters at a bus stop}, and {the result is hypnotic|it shouldn't work, but it does}.",
    "For {runtime} minutes, {dance_co} asks you to watch {bodies|people|eight dancers} {do nothing more than walk|fall and get back up|hold each other up}, and it is riveting.",
];

const DA_BODY: Pool = &[
    "The dancers move with {astonishing|fierce|tender} {precision|abandon|unity}, especially {dancer1} in a {solo|duet} {near the end|in the second half}.",
    "The score, {live cello|a looped field recording|thundering percussion}, {drives|underpins|haunts} everything.",
    "Costumes are {simple|everyday clothes|bright and loose}, which keeps the focus on the bodies.",
    "At {runtime} minutes with no intermission, the piece feels {exactly long enough|a little long|over too soon}.",
    "A middle section loses some energy, but the finale is {breathtaking|worth the wait}.",
    "You don't need to know anything about dance to feel this; it goes straight past the part of your brain that wants to understand.",
];

const PRIZES: Pool = &[
    "Corliss Fellowship",
    "Municipal Arts Prize",
    "Halvorsen Award for Emerging Artists",
    "Quay Street Residency",
];

const NEWS_ITEMS: &[(&str, &str, Pool)] = &[
    (
        "{artist} Paints {hood}'s Biggest Mural Yet",
        "{artist} has spent {six|eight|ten} weeks on a lift on the side of a {warehouse|laundromat|former bank} on {street}, and the mural, now nearly finished, is the biggest in {hood}.",
        &[
            "The design features {herons and streetcars|portraits of longtime neighbors|a river that runs the length of the wall}, drawn from {old photographs|interviews with residents|a summer of sketching on the sidewalk}.",
            "Funding came from {a city arts grant|a neighborhood crowdfunding campaign|the building's owner, who asked only that it be finished by fall}.",
            "Passersby stop to watch, offer advice and, in at least one case, bring {artist} a sandwich.",
            "Neighbors voted on the color palette at a block party in the spring.",
            "A dedication is planned for {day}, with music and a couple of food trucks.",
        ],
    ),
    (
        "Open Studios Weekend Returns to {hood}",
        "More than {forty|sixty|eighty} artists in {hood} will open their studios to the public {this weekend|next weekend}, in spaces from {converted garages|old warehouse lofts|kitchen tables} to {a former church|a shuttered school}.",
        &[
            "Maps are available at {gallery} and online; [download one here](https://example.org/arts/{slug}).",
            "Participants range from {recent art school graduates|retirees who took up painting late} to working {printmakers and potters|painters with gallery shows}, and prices run from $5 postcards to four-figure canvases.",
            "Organizers say they want people who never go to galleries to feel welcome.",
            "{artist}, one of the organizers, has kept a studio in {hood} for {years} years.",
            "Last year's event drew {hundreds|a couple thousand} visitors, many of whom had never been inside an artist's studio.",
        ],
    ),
    (
        "{artist} Wins the {prize}",
        "{artist}, whose {works} have shown at {gallery} and in {hood} storefronts for {years} years, has won this year's {prize}.",
        &[
            "The prize comes with {$10,000|$15,000|$25,000} and a solo show at {gallery} next year.",
            "{artist} plans to spend the money on {studio rent, mostly|a bigger kiln|time, which is the most expensive material there is}.",
            "The judges praised the work's {tenderness|nerve|sense of place}.",
            "Several previous winners now show far beyond the city.",
        ],
    ),
    (
        "City Arts Grants Shrink, and {hood} Groups Scramble",
        "The city's arts grant program will shrink by {a third|nearly half|a quarter} next year, and small groups in {hood} are already {canceling programs|looking for new donors|bracing for a lean season}.",
        &[
            "The cuts hit the smallest organizations hardest: {youth theater programs|community darkrooms|free summer workshops}.",
            "City officials blame a tight budget and say the program could recover next year.",
            "{artist}, who helps run a community print shop in {hood}, said the shop will {cut its hours|raise class fees|lean harder on volunteers}.",
            "Arts advocates plan to testify at the next budget hearing.",
        ],
    ),
    (
        "A New Home for {dance_co} in {hood}",
        "{dance_co}, which has rehearsed in {church basements|borrowed gyms|a member's garage} for {years} years, is moving into {a former bank|an old union hall|a converted warehouse} in {hood}.",
        &[
            "The new space has {sprung wood floors|high ceilings|real dressing rooms}, which the company has never had.",
            "Renovation costs are covered by {a capital campaign|a state grant|a landlord who turned out to be a fan}.",
            "The first performance in the new space is planned for {next month|this fall}.",
            "{artist}, a longtime company member, said the move {still doesn't feel real|changes everything}.",
        ],
    ),
    (
        "{gallery} Turns {years}",
        "{gallery} opened {years} years ago in {hood} with {a folding table|borrowed lighting|no heat}, and it has since shown {hundreds|dozens} of local artists.",
        &[
            "An anniversary show opens {this weekend|next month}, with work by artists the gallery showed early in their careers.",
            "{artist}, who had a first solo show there, said the gallery {took a chance when no one else would|still feels like home}.",
            "The founders still {hang every show themselves|answer the phone|sweep the floor on Saturday mornings}.",
            "Admission to the anniversary party is free; [RSVP here](https://example.org/arts/{slug}).",
        ],
    ),
];

const ARTS_NEWS_QUOTES: Pool = &[
    "Art shouldn't need a special trip. It should be on the way to the grocery store.",
    "Every wall in this city is a canvas somebody hasn't asked permission for yet.",
    "We're small, we're broke and we're not going anywhere.",
    "I want a kid walking past to think, I could do that. Because they could.",
];

const SHOW_DECKS: Pool = &[
    "Look closer.",
    "Worth the trip across town.",
    "Go before it closes.",
    "Small show, big ideas.",
    "The good kind of uncomfortable.",
    "An hour well spent.",
    "Quiet, and all the better for it.",
    "Bring a friend and argue about it afterward.",
];

const STAGE_DECKS: Pool = &[
    "Curtain up.",
    "Worth the cramped seats.",
    "Bring a friend and argue about it at intermission.",
    "Live, and very much alive.",
    "Go before it closes.",
    "The good kind of uncomfortable.",
];

const BOOK_DECKS: Pool = &[
    "Read it on the bus. Miss your stop.",
    "A local book worth lending out.",
    "Clear your weekend.",
    "Underline liberally.",
];

const NEWS_DECKS: Pool = &[
    "Art for the rest of us.",
    "The scene, seen.",
    "Good news, mostly.",
    "Mark your calendar.",
];

const POOLS: &[(&str, Pool)] = &[
    ("first_sight", FIRST_SIGHT),
    ("work_title", WORK_TITLES),
    ("arts_news_quotes", ARTS_NEWS_QUOTES),
];

fn poss(name: &str) -> String {
    if name.ends_with('s') {
        format!("{name}'")
    } else {
        format!("{name}'s")
    }
}

pub(crate) fn write(g: &mut G, heads: &mut HashSet<String>, out: &mut Vec<DemoArticle>) {
    let mut made = 0;
    let mut tries = 0;
    while made < COUNT {
        tries += 1;
        assert!(tries < COUNT * 50, "arts: ran out of unique headlines");
        let kind = match g.below(20) {
            0..=6 => "exhibition",
            7..=11 => "theater",
            12..=14 => "book",
            15..=16 => "dance",
            _ => "news",
        };
        let medium = &MEDIA[g.below(MEDIA.len())];
        let mut c = Ctx::new(POOLS);
        let hood = g.pick(HOODS);
        c.set("hood", hood);
        c.set("street", g.pick(STREETS));
        let cast = crate::common::people(g, 8);
        let artist = cast[0].clone();
        c.set("artist", &artist);
        c.set("artist_poss", &poss(&artist));
        c.set("gallery", g.pick(GALLERIES));
        c.set("works", medium.works);
        c.set("work", medium.work);
        c.set("material", medium.material);
        let show = g.xp(&c, SHOW_FORMS);
        c.set("show", &show);
        let company = g.pick(COMPANIES);
        c.set("company", company);
        c.set("company_poss", &poss(company));
        let play = g.xp(&c, PLAY_FORMS);
        c.set("play", &play);
        let playwright = cast[1].clone();
        c.set("playwright", &playwright);
        c.set("playwright_poss", &poss(&playwright));
        c.set("director", &cast[2]);
        c.set("actor1", &cast[3]);
        c.set("actor2", &cast[4]);
        let roles = g.pick_n(ROLES, 2);
        c.set("role1", roles[0]);
        c.set("role2", roles[1]);
        let book = g.xp(&c, BOOK_FORMS);
        c.set("book", &book);
        let author = cast[5].clone();
        c.set("author", &author);
        c.set("author_poss", &poss(&author));
        c.set("book_kind", g.pick(BOOK_KINDS));
        c.set("publisher", g.pick(PUBLISHERS));
        c.set("bookstore", g.pick(BOOKSTORES));
        let dance_co = g.pick(DANCE_COS);
        c.set("dance_co", dance_co);
        c.set("dance_co_poss", &poss(dance_co));
        c.set("dance_venue", g.pick(DANCE_VENUES));
        let piece = g.xp(&c, SHOW_FORMS);
        c.set("piece", &piece);
        c.set("choreographer", &cast[6]);
        c.set("dancer1", &cast[7]);
        c.set("runtime", &(45 + 5 * g.below(12)).to_string());
        c.set("prize", g.pick(PRIZES));
        c.set("years", &(3 + g.below(30)).to_string());
        c.set("n", &(6 + g.below(40)).to_string());
        c.set("number", &(100 + g.below(4800)).to_string());
        c.set("price", &format!("${}", 15 + g.below(14)));
        c.set("day", g.pick(crate::common::DAYS));

        let news_i = g.below(NEWS_ITEMS.len());
        let head_t: &str = match kind {
            "exhibition" => g.pick(&[
                "Review: {artist}, ‘{show}’",
                "{artist_poss} ‘{show}’ Rewards a Slow Look",
                "At {gallery}, {artist} Makes {Works} That {Breathe|Bite|Linger}",
                "‘{show}’ Is the Show to See This {Month|Season}",
            ]),
            "theater" => g.pick(&[
                "Review: ‘{play}’ at {company}",
                "{company} Finds the Heart of ‘{play}’",
                "‘{play}’ Is {Messy, Loud and Wonderful|a Quiet Knockout|Worth the Cramped Seats}",
            ]),
            "book" => g.pick(&[
                "Review: ‘{book},’ by {author}",
                "{author_poss} ‘{book}’ Puts {hood} on the Page",
                "Local Shelf: ‘{book}’",
            ]),
            "dance" => g.pick(&[
                "Review: {dance_co}, ‘{piece}’",
                "{dance_co} Moves Into New Territory With ‘{piece}’",
            ]),
            _ => NEWS_ITEMS[news_i].0,
        };
        let works_title = crate::gen::title_case(medium.works);
        c.set("Works", &works_title);
        let headline = capitalize(&g.x(&c, head_t));
        if !heads.insert(headline.clone()) {
            continue;
        }
        g.fresh();
        made += 1;
        c.set("slug", &crate::slugify(&headline));

        let mut b = Body::default();
        let mut tags: Vec<String>;
        let mut authors = vec![if g.chance(0.75) {
            staff::ARTS
        } else {
            staff::AT_LARGE
        }];
        match kind {
            "exhibition" => {
                tags = vec!["Visual art".into(), medium.tag.into()];
                b.p(g.xp(&c, EXH_LEDE));
                b.p(g.para(&c, medium.lines, 2));
                let sub = g.chance(0.3);
                if sub {
                    b.h(g.pick(&["The work", "What to look for", "Standouts"]));
                }
                let n = 2 + g.below(2);
                b.p(g.para(&c, EXH_BODY, n));
                if g.chance(0.35) {
                    b.quote(&g.x(&c, "“{I make things so I don't have to explain them.|Every piece starts as something I almost threw away.|I wanted the room to feel like a held breath.|My grandmother would say this is a mess. She'd be right, and she'd hang it anyway.}”"), &artist);
                }
                b.p(g.para(&c, medium.lines, 1));
                b.p(g.x(&c, "*{show}* is on view at {gallery}, {number} {street}, through the end of next month. {Admission is free.|Suggested donation $5.|Closed Mondays.} [Details](https://example.org/arts/{slug})."));
            }
            "theater" => {
                tags = vec!["Theater".into()];
                b.p(g.xp(&c, TH_LEDE));
                let n = 2 + g.below(2);
                b.p(g.para(&c, TH_BODY, n));
                if g.chance(0.3) {
                    b.h(g.pick(&["The production", "On stage", "Behind the curtain"]));
                }
                let n = 2 + g.below(2);
                b.p(g.para(&c, TH_BODY, n));
                if g.chance(0.35) {
                    b.list(&[
                        g.x(&c, "**Running time:** about {two hours|two and a half hours|ninety minutes}"),
                        g.x(&c, "**Tickets:** {price}, pay-what-you-can on {day}s"),
                        g.x(&c, "**Best for:** {anyone who grew up in a loud family|people who like a good argument|a date with someone who cries easily}"),
                    ]);
                }
                b.p(g.x(&c, "*{play}* runs for {two|three|four} more weeks at {company_poss} space on {street}. Tickets are {price}; [buy them here](https://example.org/arts/{slug})."));
            }
            "book" => {
                tags = vec!["Books".into(), "Local authors".into()];
                authors = vec![staff::AT_LARGE];
                b.p(g.xp(&c, BK_LEDE));
                let n = 2 + g.below(2);
                b.p(g.para(&c, BK_BODY, n));
                if g.chance(0.3) {
                    b.quote(&g.x(&c, "{The river didn't care about us, which was the most honest thing in town.|My father kept receipts the way other men kept grudges.|We lived above the bakery, so every morning smelled like a promise someone else was keeping.|On {street} the buses ran late and the gossip ran early.}"), &g.x(&c, "from *{book}*"));
                }
                let n = 2 + g.below(2);
                b.p(g.para(&c, BK_BODY, n));
                b.p(g.x(&c, "*{book}* is out now from {publisher} ({price}). {author} reads at {bookstore} on {day} at 7 p.m. [More info](https://example.org/books/{slug})."));
            }
            "dance" => {
                tags = vec!["Dance".into()];
                b.p(g.xp(&c, DA_LEDE));
                let n = 2 + g.below(2);
                b.p(g.para(&c, DA_BODY, n));
                b.p(g.x(&c, "“{Dance is the only art where you can't hide the effort, so we stopped trying.|I wanted to make something my neighbors would recognize from their own lives.|Every step in this piece came from someone who isn't a dancer.}” {choreographer} said {in a rehearsal break|after the premiere|by phone}."));
                let n = 1 + g.below(2);
                b.p(g.para(&c, DA_BODY, n));
                b.p(g.x(&c, "*{piece}* runs {this weekend|through Sunday} at {dance_venue}. Tickets are {price}; [get them here](https://example.org/arts/{slug})."));
            }
            _ => {
                tags = vec!["Arts news".into()];
                if headline.contains("Mural") {
                    tags.push("Public art".into());
                }
                let item = &NEWS_ITEMS[news_i];
                b.p(g.x(&c, item.1));
                b.p(g.para(&c, item.2, 2));
                b.quote(&g.x(&c, "“{@arts_news_quotes}”"), &artist);
                b.p(g.para(&c, item.2, 2));
            }
        }
        tags.push(hood.to_string());
        let deck = match kind {
            "exhibition" => g.xp(&c, SHOW_DECKS),
            "theater" | "dance" => g.xp(&c, STAGE_DECKS),
            "book" => g.xp(&c, BOOK_DECKS),
            _ => g.xp(&c, NEWS_DECKS),
        };
        let mut refs = Vec::new();
        for key in [
            "artist",
            "author",
            "playwright",
            "director",
            "actor1",
            "actor2",
            "choreographer",
            "dancer1",
        ] {
            let name = c.get(key).to_string();
            let short = surname(&name);
            refs.push((name, short));
        }
        let body = second_refs(&b.finish(), &refs);
        out.push(article(SECTION, headline, deck, body, &authors, &tags));
    }
}
