//! Music: album reviews, show previews, profiles, live reviews and venue news about fictional
//! local acts.

use crate::common::{person, HOODS};
use crate::gen::{second_refs, surname, title_case, Body, Ctx, Pool, G};
use crate::{article, staff, DemoArticle};
use std::collections::HashSet;

const SECTION: &str = "music";
const COUNT: usize = 66;

struct Genre {
    tag: &'static str,
    noun: &'static str,
    /// What a group in this genre is called, and what a solo act is called.
    group: &'static str,
    solo: &'static str,
    /// Chance the act is a solo artist.
    solo_odds: f64,
    /// Mostly instrumental: no lyrics to talk about.
    instrumental: bool,
    lines: Pool,
}

const GENRES: &[Genre] = &[
    Genre {
        tag: "Indie rock",
        noun: "indie rock",
        group: "band",
        solo: "songwriter",
        solo_odds: 0.15,
        instrumental: false,
        lines: &[
            "The guitars {jangle|chime|fight each other} the way they did when you first fell for this stuff, but there's {grit|something restless} underneath.",
            "It's guitar music that remembers {college radio|the basement show|the nineties} without living there.",
            "The drums and bass {lock in|push and pull} like people who have shared a van for years.",
            "The hooks arrive {late|sideways|just when you've stopped waiting for them}, which makes them land harder.",
            "Fuzz is used {like punctuation|sparingly|as a color rather than a wall}.",
        ],
    },
    Genre {
        tag: "Punk",
        noun: "punk",
        group: "band",
        solo: "songwriter",
        solo_odds: 0.05,
        instrumental: false,
        lines: &[
            "Most songs are over before the two-minute mark, and none of them waste a second.",
            "It's {loud|fast|snotty}, sure, but it's also {funny|smart|surprisingly tender} about {rent|landlords|bad jobs|a city that keeps changing}.",
            "The drummer plays like {the kit owes them money|the building is on fire}.",
            "Shouted gang vocals turn every chorus into a group project.",
            "There's a real melody buried under the {noise|distortion} of nearly every track.",
        ],
    },
    Genre {
        tag: "Jazz",
        noun: "jazz",
        group: "quartet",
        solo: "saxophonist",
        solo_odds: 0.35,
        instrumental: true,
        lines: &[
            "The players leave room for each other, which is harder than it sounds.",
            "The solos unfold like {conversations|short stories|arguments between friends} rather than displays of technique.",
            "The bass and drums {swing hard|breathe|keep a light touch} under everything.",
            "There are ballad-tempo moments here, but nothing that sounds like a museum.",
            "The recording is close enough that you can hear {the room|breath on the reed|the piano bench creak}.",
        ],
    },
    Genre {
        tag: "Hip-hop",
        noun: "hip-hop",
        group: "crew",
        solo: "rapper",
        solo_odds: 0.75,
        instrumental: false,
        lines: &[
            "The production is built from {dusty samples|warped soul loops|thick, rubbery bass}, flipped with real patience.",
            "The delivery switches gears without warning, from conversational to {breathless|razor-sharp}.",
            "The verses are packed with local detail: {street} corners, {hood} bus stops, a {corner store|taco truck} you might recognize.",
            "Guest verses from a couple of friends keep the record moving and never overstay.",
            "The hooks lodge in your head whether you want them there or not.",
        ],
    },
    Genre {
        tag: "Folk",
        noun: "folk",
        group: "trio",
        solo: "songwriter",
        solo_odds: 0.6,
        instrumental: false,
        lines: &[
            "It's mostly {fingerpicked guitar|banjo and fiddle|acoustic guitar} and {voice|close harmonies}, and it doesn't need anything else.",
            "The songs are plainspoken in a way that takes real skill.",
            "The harmonies are close enough to suggest family.",
            "There's a {murder ballad|drinking song|lullaby} tucked in the middle that {feels a hundred years old|sounds like it was written last week}.",
            "Room noise bleeds into the tracks, and nobody cleaned it up, thank goodness.",
        ],
    },
    Genre {
        tag: "Country",
        noun: "country",
        group: "band",
        solo: "songwriter",
        solo_odds: 0.5,
        instrumental: false,
        lines: &[
            "The pedal steel {aches|glides} exactly where you want it to, and in a few places you don't expect.",
            "It's honky-tonk for people who still miss a bar that closed.",
            "The songs tell stories with real characters, which feels old-fashioned in the best way.",
            "The twang is earned, not a costume.",
            "One {heartbreak|drinking} song manages to be funny and devastating at the same time.",
        ],
    },
    Genre {
        tag: "Electronic",
        noun: "electronic music",
        group: "duo",
        solo: "producer",
        solo_odds: 0.6,
        instrumental: true,
        lines: &[
            "The synths {pulse|shimmer|churn} like weather.",
            "It works {at three in the morning|on headphones|on a dance floor} and, more surprisingly, in the kitchen on a Sunday.",
            "Tracks build over {six|eight|ten} minutes, layer by layer, and the payoff is earned.",
            "There's a human wobble in the machines, {tape hiss|slightly detuned keys} and all.",
            "Snippets of voices drift in and out like radio from another room.",
        ],
    },
    Genre {
        tag: "Metal",
        noun: "metal",
        group: "band",
        solo: "guitarist",
        solo_odds: 0.05,
        instrumental: false,
        lines: &[
            "The riffs are {enormous|glacial|serrated}, and the drums pound without mercy.",
            "It's crushing, but it's also {melodic|patient|strange} in ways that reward close listening.",
            "The vocals swing from a guttural roar to an unexpectedly pretty melody without losing the thread.",
            "Songs stretch past the {eight|ten}-minute mark and earn every one of them.",
            "The production leaves room to breathe, so every bass note lands in your chest.",
        ],
    },
    Genre {
        tag: "Soul",
        noun: "soul",
        group: "band",
        solo: "singer",
        solo_odds: 0.5,
        instrumental: false,
        lines: &[
            "The horns {punch|swell|sway} right on cue, and the bass line struts like it owns the block.",
            "{^member}'s voice is {rich|worn-in|warm} in a way no plugin can fake.",
            "It's soul music that remembers {church|old 45s|Sunday mornings}, made for a Friday night.",
            "The arrangements leave room for the backing singers to talk back to every line.",
            "Slow jams sit beside floor-fillers and the record never sags.",
        ],
    },
    Genre {
        tag: "Experimental",
        noun: "experimental music",
        group: "collective",
        solo: "composer",
        solo_odds: 0.5,
        instrumental: true,
        lines: &[
            "Pieces dissolve into {noise|silence|drones} and come back together as something else.",
            "Found sounds ({a bus door|a dishwasher|rain on a skylight}) share space with {cello|modular synth|prepared piano}.",
            "It isn't background music, but it turns out to be {welcoming|beautiful} once you stop waiting for a chorus.",
            "Its logic is closer to a walk through the city than to songwriting.",
            "Long stretches hover near silence, and the room you're listening in becomes part of the piece.",
        ],
    },
];

const VENUES: Pool = &[
    "the Tin Lantern",
    "Spokeshave Hall",
    "the Copper Owl",
    "the Wren Room",
    "Lowlight Lounge",
    "the Ironclad Ballroom",
    "the Gravel Pit",
    "Basement 8",
    "the Quarry Street Armory",
    "the Velvet Mousetrap",
    "Cinder Club",
    "the Marigold Social",
    "the Fog Bell",
    "Halvorsen Square Bandshell",
];

const LABELS: Pool = &[
    "Spare Room Tapes",
    "Gravel Road Records",
    "Lowercase Records",
    "Pocket Moth Recordings",
    "Habit Forming",
    "Northbound Sound",
    "Little Ferris Records",
];

const BAND_ADJ: Pool = &[
    "Velvet",
    "Rusted",
    "Paper",
    "Neon",
    "Feral",
    "Holy",
    "Tender",
    "Quiet",
    "Silver",
    "Burnt",
    "Lonesome",
    "Lucky",
    "Static",
    "Midnight",
    "Cheap",
    "Electric",
    "Hollow",
    "Golden",
    "Gentle",
    "Bitter",
    "Northern",
    "Second-Hand",
    "Radio",
    "Fever",
    "Damp",
    "Polite",
];
const BAND_NOUN: Pool = &[
    "Saints",
    "Pilots",
    "Orchards",
    "Mirrors",
    "Wolves",
    "Machines",
    "Daughters",
    "Ghosts",
    "Telephones",
    "Lanterns",
    "Horses",
    "Receipts",
    "Satellites",
    "Sparrows",
    "Raccoons",
    "Librarians",
    "Dentists",
    "Antennas",
    "Kites",
    "Parakeets",
    "Bruises",
    "Weekends",
    "Harbors",
    "Landlords",
];
const SINGLE_NAMES: Pool = &[
    "Mothwing",
    "Glass Harbor",
    "Quietus",
    "Lowfield",
    "Pale Signal",
    "Tidewater",
    "Orrery",
    "Soft Arithmetic",
    "Gutter Choir",
    "Palisade",
    "Heron Club",
    "Fernhouse",
    "Dovetail",
    "Brightwork",
];
const STAGE_PREFIX: Pool = &[
    "Kid",
    "Lady",
    "Deacon",
    "Young",
    "Big",
    "Saint",
    "Baby",
    "Professor",
];
const STAGE_WORD: Pool = &[
    "Sable", "Quarry", "Flint", "Marigold", "Ferris", "Cinder", "Harbor", "Vireo", "Rook",
    "Tolliver", "Lydgate", "Kestrel",
];

const ALBUM_A: Pool = &[
    "Borrowed",
    "Slow",
    "Kitchen",
    "Paper",
    "Tender",
    "Low",
    "Salt",
    "Second",
    "Small",
    "Quiet",
    "Rented",
    "Winter",
    "Porchlight",
    "Static",
    "Overtime",
    "Basement",
];
const ALBUM_B: Pool = &[
    "Weather",
    "Receipts",
    "Hymns",
    "Rooms",
    "Machines",
    "Animals",
    "Light",
    "Blueprints",
    "Errands",
    "Signals",
    "Gospel",
    "Harbor",
    "Mirrors",
    "Arithmetic",
    "Fever",
    "Country",
];
const ALBUM_FORMS: Pool = &[
    "{@album_a} {@album_b}",
    "{@album_a} {@album_b}",
    "Songs for the {Night Bus|Last Ferry|Laundromat|Long Drive Home|Late Shift|Empty Lot}",
    "How to {Leave Early|Be Kind to Machines|Pay Rent in Dreams|Lose a Parade|Fold a Map}",
    "Everything Is {a Parking Lot|Fine, Mostly|on Fire, Gently|Temporary}",
];

const SONGS: Pool = &[
    "Parking Lot Hymn",
    "Dog Years",
    "Tuesday Ghost",
    "The Landlord Song",
    "Rearview",
    "Hollow Tooth",
    "Bus Transfer",
    "Salt on the Windshield",
    "Night Shift at the Bakery",
    "Pilot Light",
    "Small Hours",
    "Porch Swing Requiem",
    "Dead Houseplant",
    "Fluorescent",
    "All My Friends Moved to the Suburbs",
    "Lighthouse Keeper's Day Off",
    "Copper Wire",
    "Cheap Champagne, Expensive Rent",
    "Overpass",
    "Neon Vacancy",
    "Gravel",
    "Every Corner Store",
    "Heron",
    "The Long Way Down Tolliver",
    "Last Call at the Wren",
    "Soft Machine",
    "Kestrel",
    "Borrowed Coat",
    "Ferris Wheel in February",
    "Good Dog",
    "Satellite Dish",
    "Static Cling",
    "Water Tower",
    "Ten-Minute Warning",
    "Thrift Store Tuxedo",
    "Marigold",
    "Sleepwalker's Union",
    "Paper Boat",
    "Cold Coffee",
    "The Flood Year",
];

const SONG_DESC: Pool = &[
    "a two-minute blast of feedback and handclaps",
    "a slow-burning ballad that takes its sweet time",
    "a loop that sounds like it was recorded in a stairwell",
    "a shout-along built for closing time",
    "a slinky, bass-heavy strut",
    "a hushed track that's barely there",
    "a six-minute slow build",
];

const AL_LEDE: Pool = &[
    "*{album}* is the {second|third|fourth} record from {band}, and it sounds like {who_has|somebody has} finally stopped apologizing.",
    "It takes about {thirty seconds|one chorus|half a song} to figure out what {band} {is} after on *{album}*, and the rest of the record to realize you were wrong.",
    "*{album}* opens with “{song},” {@song_desc}, and {the rest of the record spends its time earning that opening|it rarely lets up from there|it works as a statement of intent}.",
    "{hood} {genre} fans have been waiting {a long time|years|since the last tour} for *{album}*, and {band} {has} made it worth the wait.",
    "There's a moment about {two|three} minutes into “{song}” where {everything drops out except the drums|the whole {act} seems to inhale at once|the melody cracks on purpose}, and that moment is the whole record in miniature.",
    "Every local scene has a {act} other musicians talk about in slightly hushed tones. Lately, in this city, it's {band}.",
    "Nobody was asking {band} for *{album}*, which may be exactly why it's so good.",
    "*{album}* was recorded {in a converted garage in {hood}|over {two|three} weekends at a studio on {street}|in a single long night, mostly live}, and it sounds like it, in the best way.",
];

const AL_SONGS: Pool = &[
    "“{song}” is the obvious single, {all hooks and handclaps|built around a chorus you'll hum in the shower|and it deserves to be}, but “{song2}” is the one {you'll come back to|that sticks|I keep replaying}.",
    "The middle of the record drifts a little, though “{song2}” snaps it back into focus.",
    "“{song3}” closes the album {on a question|quietly|with a crash}, {which feels right|and it's the bravest choice here}.",
    "On “{song2},” {member} {sings|shouts|half-whispers} about {a landlord|a breakup|the night bus|a dead houseplant|a friend who moved away} with such specificity that it becomes universal.",
    "The sequencing is smart: quiet and loud tracks alternate so nothing wears out its welcome.",
    "At {n_tracks} tracks and {minutes} minutes, *{album}* {never overstays|knows exactly when to leave|could lose a song or two}.",
];

const AL_SONGS_INSTR: Pool = &[
    "“{song}” is the obvious standout, {built on a figure you'll hum for days|all momentum|and it deserves to be}, but “{song2}” is the one {you'll come back to|that sticks|I keep replaying}.",
    "The middle of the record drifts a little, though “{song2}” snaps it back into focus.",
    "“{song3}” closes the album {on a question|quietly|with a crash}, {which feels right|and it's the bravest choice here}.",
    "The sequencing is smart: quiet and loud tracks alternate so nothing wears out its welcome.",
    "At {n_tracks} tracks and {minutes} minutes, *{album}* {never overstays|knows exactly when to leave|could lose a track or two}.",
];

const AL_INSTR: Pool = &[
    "Without words to lean on, the tracks have to carry their own weather, and they do.",
    "{^member} wrote most of the material {in a single winter|on a borrowed piano|between gigs}, and it feels {lived-in|worked over|hard-won}.",
    "Titles like “{song2}” do a lot of quiet storytelling for music without a single lyric.",
    "The back-and-forth between the players is the real subject here.",
    "It's music that {rewards headphones|fills a room without asking for attention|sounds different at midnight than at noon}.",
];

const AL_LYRICS: Pool = &[
    "{^member}'s lyrics lean toward {small details|concrete images|jokes that turn sad halfway through}: {a bus transfer and a burned pot of rice|a parking ticket and a vending machine's hum|a borrowed coat and a last call}.",
    "The words are {easy to miss under the noise|front and center|half-buried in the mix}, {and worth digging out|which suits them|and rewarding if you lean in}.",
    "There's a lot of {the city|{hood}|{street}} in these songs, and not the postcard version.",
    "{^member} delivers every line like {someone telling you a secret at a party|someone with nothing left to lose|it's the last song of the night}.",
    "Not every line lands, but the ones that do {are worth the price of the record|stick around for days|will end up scrawled on somebody's forearm}.",
];

const AL_CRIT: Pool = &[
    "If there's a weakness, it's {a sameness in the back half|a production sheen that sometimes sands off the edges|one too many slow songs in a row}.",
    "It's not a perfect record, and it doesn't try to be; the rough edges are the point.",
    "People who loved the early stuff may miss the {rawness|chaos|speed}, but this is growth, not compromise.",
    "A couple of tracks feel like {sketches|demos|ideas that needed one more pass}, though even those have a moment or two.",
];

const AL_END: Pool = &[
    "*{album}* is out {now|this Friday} on {label}, and {band} play{s} a release show at {venue} on {day}. [Listen here](https://example.org/music/{slug}).",
    "Pick up *{album}* {on vinyl|on cassette|at the merch table} or [stream it here](https://example.org/music/{slug}), and catch {band} at {venue} {this {day}|later this month}.",
    "*{album}* is out now on {label}. **Verdict:** {one of the best local records this year|a keeper|worth your time and your money}.",
];

const LYRICS: Pool = &[
    "I parked my heart on {street} / and got a ticket anyway",
    "The landlord says the walls are new / I say the cracks are coming through",
    "We were young in {hood} / when the rent was only ruinous",
    "Leave the porch light on for me / I'll be late, I always am",
    "Every bus I missed was taking me somewhere",
    "Call it weather, call it luck / call me when the river's up",
];

const PRE_LEDE: Pool = &[
    "{band} {has} been {quietly|steadily|loudly} building a following {around {hood}|in the city's basements|on the strength of one great single}, and {day}'s show at {venue} is a good chance to see why.",
    "If you only go out once this week, go see {band} at {venue}.",
    "{band} {is} {back in town|playing {venue} again} after {a long tour|a quiet year|months in the studio}, with new songs to prove it.",
    "It's been a strong season for {genre} in this city, and {band} {is} a big part of that.",
    "The room at {venue} is small, the tickets are cheap, and {band} {is} about to outgrow both.",
];

const PRE_ABOUT: Pool = &[
    "{band} started in {2015|2017|2019|2021} {around {member}'s songs|after a chance meeting at a record store|in a practice space in {hood}}.",
    "The most recent record, *{album}*, {landed on a few year-end lists|got them onto college radio|sold out its first vinyl pressing}.",
    "Live, {band} {is} {looser|louder|more unpredictable} than on record, which is saying something.",
    "Expect songs from *{album}* and, if the last few shows are any guide, a couple nobody has heard yet.",
];

const OPENER_NOTE: Pool = &[
    "worth getting there early for",
    "a local favorite in the making",
    "one of the more exciting new acts in {hood}",
    "whose set at {venue} last spring people still bring up",
];

const MEMBER_QUOTES: Pool = &[
    "We practice in a storage unit off {street}. The acoustics are terrible, which is great, because it means nothing scares us.",
    "Every song starts as a voice memo on the bus. Half of them are just me humming over the brakes.",
    "We're not trying to be the biggest thing in town. We're trying to be the one you still remember in ten years.",
    "I wrote most of the record during a very long winter. You can probably hear the space heater.",
    "Playing {venue} for the first time felt like getting invited to sit at the cool table.",
    "Our first show had eleven people, and four of them were our parents. We still count it.",
    "I don't think about genre. I think about what sounds good at two in the morning.",
    "The city keeps getting more expensive, so the music keeps getting angrier. That's just math.",
    "We recorded it live in one room. If somebody messed up, everybody started over.",
    "I just want people to dance. If they cry a little too, that's a bonus.",
];

const QA: &[(&str, &str)] = &[
    ("How did this start?", "At {a house party|an open mic|a laundromat, honestly} in {hood}. Somebody handed me a {guitar|microphone} and nobody asked for it back."),
    ("What's the scene like right now?", "Smaller than it was and louder than it should be. Rents are pushing people out, but the ones who stay are stubborn, and stubborn makes good music."),
    ("Worst gig ever?", "A {wedding|corporate holiday party|minor-league baseball game} where {the power went out twice|nobody had told them what kind of music we play}. We got paid, though."),
    ("What are you listening to?", "A lot of {old gospel|seventies funk|field recordings|my friends' demos}. Whatever gets me out of my own head."),
    ("What should people expect at {venue}?", "New songs, old jokes and {a cover nobody will guess|at least one song we haven't finished writing}."),
    ("Why {genre}?", "It chose me. I tried to quit it twice and it kept calling."),
    ("Any advice for kids starting out?", "Play every show anyone offers you, and be nice to the sound person. Mostly the second one."),
];

const PROF_LEDE: Pool = &[
    "{^member} shows up to our interview at a {coffee shop|taqueria|laundromat} in {hood} {ten minutes late|early|carrying a guitar case held together with tape}, apologizing for {the traffic|nothing in particular|the guitar case}.",
    "The practice space {band} share{s} with two other acts is {a converted storage unit|a basement under a bakery|a former dentist's office} off {street}, and it smells {faintly of coffee|like old carpet and ambition}.",
    "{band} {has} never played a show outside the city, and {has} no plans to. That may not last.",
    "Ask {member} about {band_poss} sound and you get a long pause, then a story about {a grandmother's record collection|a broken car radio|a summer spent working at a roller rink}.",
];

const PROF_HIST: Pool = &[
    "{^member} grew up in {hood}, {singing in church|taking piano lessons from a neighbor|sneaking into all-ages shows at {venue}}, and started writing songs {at fifteen|in college|after a bad breakup}.",
    "The whole thing came together {slowly|almost by accident}: {a flyer at a record store, a borrowed drum kit and a lot of patience|a few open mics, then a residency at {venue}}.",
    "There have been {two|three} records on {label} so far, plus {a tour of the West Coast in a borrowed van|shows in just about every room in town}.",
    "Early shows were {chaotic|tiny|mostly for friends}; by the time *{album}* came out, {venue} was selling out.",
];

const PROF_CLOSE: Pool = &[
    "{band} play{s} {venue} on {day}. [Details and tickets](https://example.org/events/{slug}).",
    "Catch {band} at {venue} {this {day}|later this month}; bring earplugs{ and dancing shoes|}.",
    "The new record is due {this fall|early next year|whenever it's done}, {member} says, and not a minute sooner.",
];

const LIVE_LEDE: Pool = &[
    "By the third song of {band_poss} set at {venue} on {day}, the room was {packed|sweating|completely theirs}.",
    "At every great show there's a moment when the room decides to follow the performer. At {venue} on {day}, it came {early|about twenty minutes in|during the second song}.",
    "{band} {has} headlined {venue} {many times|a dozen times|before}, but {day}'s show felt {different|like an event|like a homecoming}.",
    "It was {raining|freezing|uncomfortably hot} outside {venue} on {day}, and inside nobody noticed.",
];

const LIVE_SET: Pool = &[
    "The set opened with “{song}” and barely paused for breath after that.",
    "{^member} joked between songs about {{hood}|the weather|the merch table} and got real laughs, which kept things loose.",
    "The new material, {including|especially} “{song2},” went over {well|better than the old favorites}, which is a good sign.",
    "A cover of {an old country song|a nineties R&B hit|a song by another local act} midway through got {the loudest cheer of the night|a sweet, surprised roar}.",
    "The mix was {muddy|thin} for the first few songs, but it settled quickly and nobody seemed to mind.",
    "The encore was “{song3},” {stretched out to nearly ten minutes|played quiet and almost acoustic|with the opener joining on stage}.",
];

const LIVE_CROWD: Pool = &[
    "The crowd was equal parts {students and retirees|punks and parents|regulars and first-timers}, and {everyone was singing along|everyone was dancing badly and happily}.",
    "The merch table ran out of {shirts|tote bags|vinyl} before the last song.",
    "A few people were {crying|hugging strangers} by the end, which felt like the correct response.",
    "Phones stayed mostly in pockets, which tells you something.",
];

const LIVE_END: Pool = &[
    "If {band} {is} playing anywhere near you, cancel your plans.",
    "It was the kind of show people will {lie about having been at in ten years|be talking about at {venue} for a while}.",
    "{band} play{s} {venue} again next month; tickets won't last. [Find dates here](https://example.org/events/{slug}).",
];

const VENUE_HEADS: Pool = &[
    "{^venue} Gets a Reprieve",
    "{^venue} Fights to Stay Open",
    "{^venue} Changes Hands, Promises to Stay Weird",
    "{^venue} Turns {years}, and It's Throwing a Party",
    "Can {venue} Survive the Noise Complaints?",
];

const VENUE_BODY: Pool = &[
    "The owners say {rising rent|a noise complaint from a new condo building next door|an expiring lease} is the biggest problem.",
    "A {crowdfunding campaign|series of benefit shows} has raised {amount} so far{, about half of what's needed|, enough to buy some time|}.",
    "Musicians have lined up to help: {band} and {opener} have both signed on for benefit shows.",
    "The city's noise ordinance debate hangs over all of it.",
    "{^venue} plans to {keep booking shows for now|stay open through the summer|announce its plans next month}, and the calendar is {full|surprisingly full}.",
    "Regulars describe it as {a second living room|the only place in town that books teenagers and sixty-year-olds on the same bill|a dump, lovingly}.",
];

const VENUE_QUOTES: Pool = &[
    "We are a small room with a big stage and a bathroom nobody should describe. We'd like to stay that way.",
    "Every act in this city played its first real show here. I'm not ready to be the guy who turned off the lights.",
    "The neighbors knew there was a club here when they moved in. The sign lights up. It's not subtle.",
    "We'll figure it out. We always figure it out. It's just that figuring it out keeps getting more expensive.",
];

const ALBUM_DECKS: Pool = &[
    "{Loud|Quiet}, {fast|slow} and very good.",
    "A record that rewards the second listen.",
    "Headphones on, world off.",
    "Songs for the night bus.",
    "Three chords and the truth, updated.",
    "Not background music.",
    "The local {genre} scene has a new favorite.",
    "File under: keepers.",
    "Press play, then press it again.",
];

const SHOW_DECKS: Pool = &[
    "Earplugs recommended, not required.",
    "Bring cash for the merch table.",
    "Worth leaving the house for.",
    "Small room, big sound.",
    "Sweat, feedback and a very good night.",
    "Turn it up. Then turn it up again.",
    "{hood}'s own, up close.",
    "Get there early.",
    "The night you'll brag about later.",
];

const VENUE_DECKS: Pool = &[
    "Every scene needs a home.",
    "Long live the back room.",
    "Sticky floors, big hearts.",
    "The room that raised a scene.",
];

const POOLS: &[(&str, Pool)] = &[
    ("song_desc", SONG_DESC),
    ("album_a", ALBUM_A),
    ("album_b", ALBUM_B),
    ("opener_note", OPENER_NOTE),
    ("member_quotes", MEMBER_QUOTES),
    ("venue_quotes", VENUE_QUOTES),
];

struct Act {
    name: String,
    /// Takes singular verbs ("Mothwing is", "Kid Sable plays").
    singular: bool,
    /// A single performer rather than a group.
    person: bool,
}

fn make_act(g: &mut G, genre: &Genre, used: &mut HashSet<String>) -> Act {
    loop {
        let solo = g.chance(genre.solo_odds);
        let name = if solo {
            match (genre.tag, g.below(3)) {
                ("Hip-hop", 0 | 1) => format!("{} {}", g.pick(STAGE_PREFIX), g.pick(STAGE_WORD)),
                ("Electronic", 0) => format!("DJ {}", g.pick(STAGE_WORD)),
                _ => person(g),
            }
        } else {
            match g.below(6) {
                0 | 1 => format!("The {} {}", g.pick(BAND_ADJ), g.pick(BAND_NOUN)),
                2 => format!("{} {}", g.pick(BAND_ADJ), g.pick(BAND_NOUN)),
                3 => format!("{} & the {}", person(g), g.pick(BAND_NOUN)),
                _ => g.pick(SINGLE_NAMES).to_string(),
            }
        };
        if used.insert(name.clone()) {
            // Single-word group names take singular verbs ("Mothwing is").
            let singular = solo || SINGLE_NAMES.contains(&name.as_str());
            return Act {
                name,
                singular,
                person: solo,
            };
        }
    }
}

pub(crate) fn write(g: &mut G, heads: &mut HashSet<String>, out: &mut Vec<DemoArticle>) {
    let mut used = HashSet::new();
    let mut made = 0;
    let mut tries = 0;
    let mut heart_done = false;
    while made < COUNT {
        tries += 1;
        assert!(tries < COUNT * 50, "music: ran out of unique headlines");
        let genre = &GENRES[g.below(GENRES.len())];
        let act = make_act(g, genre, &mut used);
        let mut c = Ctx::new(POOLS);
        c.set("band", &act.name);
        let poss = if act.name.ends_with('s') {
            format!("{}'", act.name)
        } else {
            format!("{}'s", act.name)
        };
        c.set("band_poss", &poss);
        c.set("s", if act.singular { "s" } else { "" });
        c.set("is", if act.singular { "is" } else { "are" });
        c.set("Is", if act.singular { "Is" } else { "Are" });
        c.set("has", if act.singular { "has" } else { "have" });
        c.set(
            "who_has",
            if act.person {
                "the artist has"
            } else {
                "the band has"
            },
        );
        c.set("act", if act.person { genre.solo } else { genre.group });
        c.set("genre", genre.noun);
        c.set("Genre", &title_case(genre.noun));
        // Groups get a named member, introduced by role; a solo act is its own member.
        let (member, member_name) = if act.person {
            (act.name.clone(), act.name.clone())
        } else if let Some((leader, _)) = act.name.split_once(" & the ") {
            (leader.to_string(), leader.to_string())
        } else {
            let name = person(g);
            let role = g.pick(&[
                "singer",
                "guitarist",
                "drummer",
                "bassist",
                "keyboardist",
                "frontperson",
            ]);
            (format!("{role} {name}"), name)
        };
        c.set("member", &member);
        c.set("member_name", &member_name);
        let og = g.below(GENRES.len());
        let opener = make_act(g, &GENRES[og], &mut used);
        c.set("opener", &opener.name);
        let hood = g.pick(HOODS);
        c.set("hood", hood);
        c.set("street", g.pick(crate::common::STREETS));
        c.set("venue", g.pick(VENUES));
        c.set("label", g.pick(LABELS));
        c.set("day", g.pick(crate::common::DAYS));
        let album = g.xp(&c, ALBUM_FORMS);
        c.set("album", &album);
        let songs = g.pick_n(SONGS, 3);
        c.set("song", songs[0]);
        c.set("song2", songs[1]);
        c.set("song3", songs[2]);
        c.set("n_tracks", crate::common::spelled(8 + g.below(7)));
        c.set("minutes", &(28 + g.below(30)).to_string());
        c.set("years", &(5 + g.below(40)).to_string());
        c.set(
            "amount",
            &format!("${},{:03}", 8 + g.below(90), g.below(1000)),
        );
        c.set("price", &format!("${}", 8 + g.below(20)));
        c.set(
            "time",
            g.pick(&["7 p.m.", "7:30 p.m.", "8 p.m.", "8:30 p.m.", "9 p.m."]),
        );

        let kind = match g.below(20) {
            0..=6 => "album",
            7..=11 => "preview",
            12..=14 => "profile",
            15..=17 => "live",
            _ => "venue",
        };
        let head_t: &str = match kind {
            "album" => g.pick(&[
                "Review: {band}, ‘{album}’",
                "{band} {Grow{s} Up|Slow{s} Down|Get{s} Loud|Get{s} Weird|Strip{s} It Back|Swing{s} Big} on ‘{album}’",
                "‘{album}’ Is {band_poss} {Best|Boldest|Strangest|Loudest} Record Yet",
                "{band_poss} ‘{album}’ {Rewards Patience|Sounds Like {hood} at Night|Was Worth the Wait}",
            ]),
            "preview" => g.pick(&[
                "{band} Bring{s} {Genre} to {venue}",
                "Don't Miss {band} at {venue}",
                "{band} Headline{s} {venue} This {day}",
                "This Week: {band}, With {opener}",
            ]),
            "profile" => g.pick(&[
                "Meet {band}, {hood}'s {Best-Kept Secret|Loudest Export|Next Big Thing}",
                "{band} Would Like a Word",
                "Q&A: {band}",
                "{band} {Is} Not in a Hurry",
            ]),
            "live" => g.pick(&[
                "{band} Leave{s} {venue} {Ringing|Sweaty|Speechless}",
                "Live: {band} at {venue}",
                "{band} Turn{s} {venue} Into a {Sauna|Church|Dance Party}",
            ]),
            _ => g.pick(VENUE_HEADS),
        };
        let headline = g.x(&c, head_t);
        if !heads.insert(headline.clone()) {
            continue;
        }
        g.fresh();
        made += 1;
        c.set("slug", &crate::slugify(&headline));

        let mut b = Body::default();
        let mut tags = vec![genre.tag.to_string()];
        match kind {
            "album" => {
                tags.push("Album reviews".into());
                let mut p = g.xp(&c, AL_LEDE);
                p.push(' ');
                p.push_str(&g.para(&c, genre.lines, 1));
                b.p(p);
                let sub = g.chance(0.35);
                if sub {
                    b.h(g.pick(&["The sound", "What it sounds like", "Under the hood"]));
                }
                let n = 2 + g.below(2);
                b.p(g.para(&c, genre.lines, n));
                if sub {
                    b.h(g.pick(&["The songs", "Highlights", "Track by track, sort of"]));
                }
                let n = 2 + g.below(2);
                let (songs, words) = if genre.instrumental {
                    (AL_SONGS_INSTR, AL_INSTR)
                } else {
                    (AL_SONGS, AL_LYRICS)
                };
                b.p(g.para(&c, songs, n));
                if !genre.instrumental && g.chance(0.35) {
                    b.quote(&g.xp(&c, LYRICS), &g.x(&c, "from “{song2}”"));
                }
                let n = 2 + g.below(2);
                b.p(g.para(&c, words, n));
                if g.chance(0.6) {
                    let n = 1 + g.below(2);
                    b.p(g.para(&c, AL_CRIT, n));
                }
                if g.chance(0.3) {
                    b.list(&[
                        g.x(&c, "**Start with:** “{song}”"),
                        g.x(&c, "**Stay for:** “{song2}”"),
                        g.x(&c, "**Save for last:** “{song3}”"),
                    ]);
                }
                b.p(g.xp(&c, AL_END));
            }
            "preview" => {
                tags.push("Live music".into());
                let mut p = g.xp(&c, PRE_LEDE);
                if g.chance(0.5) {
                    p.push(' ');
                    p.push_str(&g.para(&c, genre.lines, 1));
                }
                b.p(p);
                let n = 2 + g.below(2);
                b.p(g.para(&c, PRE_ABOUT, n));
                let n = 1 + g.below(2);
                b.p(g.para(&c, genre.lines, n));
                b.p(g.x(&c, "“{@member_quotes}” {member} said{ by phone| over coffee in {hood}|}. Opening the show is {opener}, {@opener_note}."));
                if g.chance(0.6) {
                    b.list(&[
                        g.x(&c, "**When:** {day}, doors at {time}"),
                        g.x(&c, "**Where:** {venue}, {hood}"),
                        g.x(&c, "**Tickets:** {price}{, a few more at the door|}"),
                        g.x(&c, "**Ages:** {All ages|21 and over|18 and over}"),
                    ]);
                } else {
                    b.p(g.x(&c, "Doors at {time}; tickets are {price}. [Get them here](https://example.org/events/{slug})."));
                }
            }
            "profile" => {
                tags.push("Interviews".into());
                b.p(g.xp(&c, PROF_LEDE));
                let n = 2 + g.below(2);
                b.p(g.para(&c, PROF_HIST, n));
                if headline.starts_with("Q&A") || g.chance(0.35) {
                    let mut idx: Vec<usize> = (0..QA.len()).collect();
                    g.shuffle(&mut idx);
                    for &i in idx.iter().take(3 + g.below(2)) {
                        let q = g.x(&c, QA[i].0);
                        let a = g.x(&c, QA[i].1);
                        b.p(format!(
                            "**Marquee:** {q}\n\n**{member}:** {a}",
                            member = c.get("member_name")
                        ));
                    }
                } else {
                    b.p(g.x(&c, "“{@member_quotes}” {member} says. “{@member_quotes}”"));
                    let n = 2 + g.below(2);
                    b.p(g.para(&c, genre.lines, n));
                }
                b.p(g.xp(&c, PROF_CLOSE));
            }
            "live" => {
                tags.push("Live music".into());
                b.p(g.xp(&c, LIVE_LEDE));
                let n = 2 + g.below(2);
                b.p(g.para(&c, LIVE_SET, n));
                let n = 1 + g.below(2);
                let mut crowd = g.para(&c, LIVE_CROWD, n);
                if !heart_done {
                    heart_done = true;
                    crowd.push_str(&g.x(&c, " Someone near the front held up a cardboard sign that said “{hood} <3 {band}” in glitter."));
                }
                b.p(crowd);
                if g.chance(0.4) {
                    b.p("**Setlist highlights:**".to_string());
                    b.list(&[
                        g.x(&c, "“{song}”"),
                        g.x(&c, "“{song2}”"),
                        g.x(&c, "“{song3}” (encore)"),
                    ]);
                }
                let n = 1 + g.below(2);
                b.p(g.para(&c, genre.lines, n));
                b.p(g.xp(&c, LIVE_END));
            }
            _ => {
                tags = vec!["Venues".into(), "Nightlife".into()];
                let owner = person(g);
                c.set("owner", &owner);
                let mut intro = g.x(&c, "{^venue}, the {200|300|450|600}-capacity room in {hood} that has hosted just about every local act of note for {years} years, is at a crossroads.");
                intro.push(' ');
                intro.push_str(&g.para(&c, VENUE_BODY, 1));
                b.p(intro);
                b.p(g.x(&c, "“{@venue_quotes}” said {owner}, who has {run|booked} the {room|club} for {years} years."));
                let n = 2 + g.below(2);
                b.p(g.para(&c, VENUE_BODY, n));
                if g.chance(0.4) {
                    b.quote(&g.xp(&c, VENUE_QUOTES), &owner);
                }
                b.p(g.x(&c, "Upcoming shows include {band} on {day} and {opener} later in the month; [see the full calendar](https://example.org/venues/{slug})."));
            }
        }
        tags.push(if g.chance(0.5) {
            "Local music".to_string()
        } else {
            hood.to_string()
        });
        let author = if g.chance(0.7) {
            staff::MUSIC
        } else {
            staff::AT_LARGE
        };
        let authors: Vec<&str> = if kind == "venue" && g.chance(0.5) {
            vec![author, staff::DRINKS]
        } else {
            vec![author]
        };
        let deck = match kind {
            "album" => g.xp(&c, ALBUM_DECKS),
            "venue" => g.xp(&c, VENUE_DECKS),
            _ => g.xp(&c, SHOW_DECKS),
        };
        let mut refs = Vec::new();
        let stage_name =
            act.name.starts_with("DJ ") || STAGE_PREFIX.iter().any(|p| act.name.starts_with(p));
        if !stage_name {
            refs.push((member.clone(), surname(&member_name)));
            refs.push((member_name.clone(), surname(&member_name)));
        }
        if let Some(owner) = c.var_opt("owner") {
            refs.push((owner.to_string(), surname(owner)));
        }
        // Keep "Ada Szabo & the Kites" whole while shortening Ada Szabo herself.
        let body = if act.name.contains(" & ") {
            let masked = b
                .finish()
                .replace(poss.as_str(), "\u{2}")
                .replace(act.name.as_str(), "\u{1}");
            second_refs(&masked, &refs)
                .replace('\u{2}', &poss)
                .replace('\u{1}', &act.name)
        } else {
            second_refs(&b.finish(), &refs)
        };
        out.push(article(SECTION, headline, deck, body, &authors, &tags));
    }
}
