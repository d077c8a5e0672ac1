//! Food & Drink: restaurant and bar reviews, first looks, cheap eats, roundups and closings,
//! all about fictional places.

use crate::common::{person, HOODS, STREETS};
use crate::gen::{capitalize, second_refs, surname, Body, Ctx, Pool, G};
use crate::{article, staff, DemoArticle};
use std::collections::HashSet;

const SECTION: &str = "food-drink";
const COUNT: usize = 66;

struct Cuisine {
    tag: &'static str,
    /// Lowercase noun for running text ("Oaxacan food").
    food: &'static str,
    /// Title-case noun for headlines.
    title: &'static str,
    /// The dish people come for, as it would appear in a headline.
    signature: &'static str,
    dishes: Pool,
    drinks: Pool,
}

const CUISINES: &[Cuisine] = &[
    Cuisine {
        tag: "Mexican food",
        food: "Oaxacan food",
        title: "Oaxacan Food",
        signature: "Mole Negro",
        dishes: &[
            "the mole negro over roasted chicken",
            "a tlayuda crackling from the comal",
            "tetelas stuffed with black beans and queso fresco",
            "chapulines with lime and chile, for the brave",
            "tamales steamed in banana leaf",
            "memelas topped with asiento and salsa verde",
        ],
        drinks: &[
            "a mezcal flight",
            "a tall agua de jamaica",
            "a michelada with a salted rim",
        ],
    },
    Cuisine {
        tag: "Vietnamese food",
        food: "Vietnamese food",
        title: "Vietnamese Food",
        signature: "Pho",
        dishes: &[
            "the pho, with a broth that tastes like it started yesterday",
            "a bánh xèo the size of a hubcap",
            "bún chả with smoky grilled pork",
            "broken rice with a fried egg and a lemongrass pork chop",
            "a bánh mì on bread baked in-house",
            "fresh rolls with a peanut sauce worth hoarding",
        ],
        drinks: &[
            "an iced coffee with condensed milk",
            "a salty lemonade",
            "a cold lager",
        ],
    },
    Cuisine {
        tag: "Ethiopian food",
        food: "Ethiopian food",
        title: "Ethiopian Food",
        signature: "Doro Wat",
        dishes: &[
            "the doro wat, which has been simmering since morning",
            "misir wat made with red lentils and berbere",
            "a vegetarian platter spread across spongy injera",
            "kitfo, served raw or barely warmed",
            "gomen, collard greens cooked down with garlic",
            "shiro, a silky chickpea stew",
        ],
        drinks: &[
            "a glass of honey wine",
            "spiced tea",
            "a coffee ceremony for the table",
        ],
    },
    Cuisine {
        tag: "Pizza",
        food: "pizza",
        title: "Pizza",
        signature: "Margherita",
        dishes: &[
            "a blistered margherita",
            "a white pie with clams and a lot of garlic",
            "a sausage and fennel pie with honey",
            "garlic knots glossy with butter",
            "a Sicilian square with crispy, cheesy edges",
            "a chopped salad that is better than it needs to be",
        ],
        drinks: &[
            "a house lager",
            "natural wine by the glass",
            "a bottle of Lambrusco",
        ],
    },
    Cuisine {
        tag: "Korean food",
        food: "Korean food",
        title: "Korean Food",
        signature: "Galbi",
        dishes: &[
            "galbi grilled at the table",
            "kimchi jjigae that bubbles for a full minute after it lands",
            "bibimbap in a sizzling stone bowl",
            "a seafood pancake with a crackly edge",
            "banchan that keep on coming",
            "fried chicken glazed in gochujang",
        ],
        drinks: &["a bottle of soju", "a bowl of makgeolli", "barley tea"],
    },
    Cuisine {
        tag: "Barbecue",
        food: "barbecue",
        title: "Barbecue",
        signature: "Brisket",
        dishes: &[
            "brisket with a peppery bark",
            "pulled pork shoulder",
            "burnt ends that vanish in minutes",
            "smoked turkey that somehow isn't dry",
            "mac and cheese with a crust",
            "collard greens with smoked pork",
        ],
        drinks: &["a sweet tea", "a local pale ale", "a bourbon, neat"],
    },
    Cuisine {
        tag: "Chinese food",
        food: "Sichuan food",
        title: "Sichuan Food",
        signature: "Mapo Tofu",
        dishes: &[
            "mapo tofu with real numbing heat",
            "dan dan noodles",
            "dry-fried green beans",
            "fish poached in a lake of chili oil",
            "cumin lamb",
            "wontons in red oil",
        ],
        drinks: &[
            "a cold Tsingtao",
            "chrysanthemum tea",
            "a soy milk for the heat",
        ],
    },
    Cuisine {
        tag: "Middle Eastern food",
        food: "Lebanese food",
        title: "Lebanese Food",
        signature: "Hummus",
        dishes: &[
            "hummus with a pool of olive oil",
            "man'oushe with za'atar",
            "fried kibbeh",
            "fattoush with shards of crisp pita",
            "shish taouk with a punchy garlic sauce",
            "baklava that isn't too sweet",
        ],
        drinks: &[
            "arak over ice",
            "a mint lemonade",
            "a glass of Lebanese red",
        ],
    },
    Cuisine {
        tag: "Diners",
        food: "diner food",
        title: "Diner Food",
        signature: "Patty Melt",
        dishes: &[
            "a patty melt on rye",
            "hash browns with properly crispy edges",
            "buttermilk pancakes",
            "a slice of lemon meringue pie",
            "biscuits and sausage gravy",
            "a chili cheese omelet",
        ],
        drinks: &[
            "bottomless drip coffee",
            "a chocolate malt",
            "fresh orange juice",
        ],
    },
    Cuisine {
        tag: "Peruvian food",
        food: "Peruvian food",
        title: "Peruvian Food",
        signature: "Ceviche",
        dishes: &[
            "ceviche in a sharp leche de tigre",
            "lomo saltado with fries tucked in",
            "pollo a la brasa",
            "ají de gallina",
            "a layered causa",
            "anticuchos hot off the grill",
        ],
        drinks: &[
            "a pisco sour",
            "a glass of chicha morada",
            "an Inca Kola, for nostalgia",
        ],
    },
    Cuisine {
        tag: "Pubs",
        food: "pub food",
        title: "Pub Food",
        signature: "Fish & Chips",
        dishes: &[
            "fish & chips with malt vinegar",
            "a Scotch egg with a jammy yolk",
            "shepherd's pie",
            "mushy peas, which are better than they sound",
            "a ploughman's plate with sharp cheddar",
            "sticky toffee pudding",
        ],
        drinks: &["a cask ale", "a proper pint of bitter", "a cider"],
    },
    Cuisine {
        tag: "Japanese food",
        food: "ramen",
        title: "Ramen",
        signature: "Tonkotsu",
        dishes: &[
            "a tonkotsu ramen that coats your lips",
            "shoyu ramen with a clean, deep broth",
            "gyoza with a lacy, crisp skirt",
            "karaage with a squeeze of lemon",
            "a marinated soft-boiled egg",
            "tsukemen for dipping",
        ],
        drinks: &["a Japanese lager", "a cold sake", "a yuzu soda"],
    },
    Cuisine {
        tag: "Bakeries",
        food: "baking",
        title: "Pastry",
        signature: "Croissant",
        dishes: &[
            "a croissant that shatters all over your shirt",
            "a cardamom bun",
            "a sourdough loaf with a dark, blistered crust",
            "a morning bun rolled in orange sugar",
            "a savory hand pie",
            "a slab of olive oil cake",
        ],
        drinks: &["a cortado", "a drip coffee", "a chai"],
    },
    Cuisine {
        tag: "Vegetarian",
        food: "vegan cooking",
        title: "Vegan Food",
        signature: "Mushroom Steak",
        dishes: &[
            "a cashew cheese plate",
            "smoked carrot lox on a bagel",
            "jackfruit tacos",
            "a mushroom steak that earns its name",
            "a chocolate tart with no butter and no apologies",
            "a grain bowl that somehow isn't boring",
        ],
        drinks: &["a turmeric tonic", "an orange wine", "a shrub soda"],
    },
    Cuisine {
        tag: "Filipino food",
        food: "Filipino food",
        title: "Filipino Food",
        signature: "Sisig",
        dishes: &[
            "chicken adobo",
            "lumpia that shatter when you bite them",
            "pancit",
            "sisig on a sizzling plate",
            "halo-halo piled high",
            "lechon kawali",
        ],
        drinks: &["a calamansi soda", "a San Miguel", "a ube latte"],
    },
];

const NAME_ADJ: Pool = &[
    "Gilded",
    "Hungry",
    "Copper",
    "Crooked",
    "Little",
    "Blue",
    "Salty",
    "Lucky",
    "Golden",
    "Wandering",
    "Brass",
    "Sleepy",
    "Red",
    "Tin",
    "Humble",
];
const NAME_NOUN: Pool = &[
    "Haddock", "Spoon", "Ladle", "Hen", "Fig", "Anchor", "Pig", "Radish", "Kettle", "Table",
    "Larder", "Ember", "Oyster", "Goat", "Pear", "Skillet",
];
const AMP_NAMES: Pool = &[
    "Salt & Ember",
    "Fig & Thistle",
    "Rye & Ruin",
    "Bread & Circus",
    "Smoke & Honey",
    "Knife & Fork",
    "Lime & Lantern",
    "Oak & Oyster",
    "Pickle & Pear",
    "Crumb & Copper",
];
const PLACE_WORD: Pool = &[
    "Kitchen",
    "Table",
    "Place",
    "Canteen",
    "Counter",
    "Eatery",
    "Lunch Room",
];

fn place_name(g: &mut G) -> String {
    match g.below(6) {
        0 => format!("{}'s", g.pick(crate::common::LAST)),
        1 | 2 => format!("The {} {}", g.pick(NAME_ADJ), g.pick(NAME_NOUN)),
        3 => g.pick(AMP_NAMES).to_string(),
        4 => format!("{}'s {}", g.pick(crate::common::FIRST), g.pick(PLACE_WORD)),
        _ => format!("{} {}", g.pick(NAME_ADJ), g.pick(NAME_NOUN)),
    }
}

const BAR_NAMES: Pool = &[
    "The {@name_adj} {@name_noun} Tavern",
    "Bar {Ostrander|Lydgate|Marigold|Kestrel|Vireo|Calloway}",
    "The {Night Heron|Last Ferry|Low Tide|Spare Key|Slow Clock|Loose Button|Velvet Hour}",
    "{@last}'s Saloon",
    "The {@name_noun} Room",
];

const COCKTAILS: Pool = &[
    "the Night Ferry (mezcal, grapefruit, a pinch of salt)",
    "the Tolliver Fizz (gin, lemon, elderflower, egg white)",
    "the Landlord's Tears (rye, a bitter amaro, orange peel)",
    "the {hood} Sour (bourbon, lemon, a float of red wine)",
    "a frozen paloma that tastes like a long weekend",
    "the Quiet Storm (dark rum, ginger, a lot of lime)",
    "the Second Shift (cold brew, vodka, a whisper of cardamom)",
    "the Rook Street Negroni, which swaps in a local vermouth",
    "a martini served with a sidecar in a little ice bath",
    "the Foghorn (aquavit, dry vermouth, a caraway-salt rim)",
    "a nonalcoholic spritz with rhubarb and tonic that doesn't feel like a consolation prize",
    "a highball of Japanese whisky and soda, poured with real ceremony",
];

const OLD_TENANT: Pool = &[
    "laundromat",
    "video store",
    "dentist's office",
    "bank branch",
    "tire shop",
    "shoe repair shop",
];

const REST_LEDE: Pool = &[
    "{place} {opened|took over the old {@old_tenant} space} on {street} {last spring|in the fall|about a year ago}, and {the line hasn't really stopped since|it already feels like it's been there forever|it took me three tries to get a table}.",
    "There's a particular kind of {hood} evening, {warm and loud|damp and gray|slow and golden}, that {place} seems to have been built for.",
    "I've eaten at {place} {three|four|five} times now, {paying full price|anonymously|once with a very picky eight-year-old}, and I'm still finding reasons to go back.",
    "The first thing to reach the table, {steaming|glistening|before you've finished your first drink}, is {dish1}. {The table goes quiet.|Conversation stops.|Someone always says \"wow\" out loud.}",
    "{^food} has {a long history|deep roots|a small, loyal following} in this city, and {place} feels like {a confident|an affectionate|a serious} new chapter.",
    "You could walk past {place} a hundred times without noticing it. {Don't.|Please stop doing that.|Many people have.}",
];

const ROOM: Pool = &[
    "The room is {narrow|cavernous|tiny} and {loud|candlelit|bright}, with {mismatched chairs|a long communal table|a counter facing the open kitchen|exposed brick nobody bothered to paint}.",
    "{A mural of old {hood}|A wall of family photos|A shelf of cookbooks and hot sauces} {runs the length of the room|watches over the dining room|greets you at the door}.",
    "It is {not a quiet place|a date spot, technically|a place for big groups}; {bring friends|the acoustics favor shouting|the music leans toward old soul}.",
    "Seating is {first come, first served|by reservation on weekends|mostly at the bar}, and {the wait can stretch past an hour|the host is generous with estimates|there's a bench outside for overflow}.",
    "The patio {out back|along {street}} is {the best seat in the house when the weather cooperates|strung with lights and heat lamps|small and always full}.",
];

const DISHES: Pool = &[
    "Start with {dish1}; it {sets the tone|tells you everything about the kitchen|disappears fast}.",
    "The best thing I ate was {dish2}, {which I'm still thinking about|which I'd order again tomorrow|a dish that justifies the trip on its own}.",
    "I was less sure about {dish3}: {good but not great|a little underseasoned the night I had it|excellent, but small for the price}.",
    "Portions are {generous|sensible|on the small side}, and {nothing arrived lukewarm|the kitchen paces the meal well}.",
    "There's {a confident hand|real care} with {salt|acid|heat|fat} here; the proof is {dish4}.",
    "The menu changes with the seasons, but {the staff swear|I'm told} one thing is never coming off it: {dish5}.",
    "Vegetarians {will do fine|have plenty of options|should ask; the kitchen is accommodating}.",
    "For the table: {dish6}. Fight over the last bite like adults.",
];

const DRINKS: Pool = &[
    "To drink: {drink1}, plus {a short, smart wine list|a handful of local beers|a few nonalcoholic options that get real attention}.",
    "Get {drink2}{, especially with {dish1}|, and then probably another}.",
    "The drinks get as much care as the food, and you won't regret {drink3}.",
];

const SERVICE: Pool = &[
    "Service is {warm|brisk|a little scattered on busy nights} but {knowledgeable|never rushed|always kind}.",
    "Our server {talked us out of a second appetizer|steered us toward the special|insisted on dessert}, and was right.",
    "{owner}, who {cooked at several places around town|learned to cook from a grandmother|ran a food truck for years} before opening {place}, {still works the line most nights|calls the menu a work in progress|greets half the room by name}.",
    "{The staff clearly like each other|The crew seems to genuinely like each other|Everyone on the floor seems to be having a good time}, {which you can feel from the moment you sit down|and it's contagious|which is rarer than it should be}.",
];

const CRIT: Pool = &[
    "Not everything works: {dessert is an afterthought|the music was a little too loud|the bread costs extra, which stings}.",
    "Prices have crept up since opening; expect to spend around {dinner_price} for two with drinks.",
    "The wait on weekends is {long|brutal|real}; go early or go on a weeknight.",
    "A couple of dishes lean {sweet|salty|timid}, as if the kitchen isn't sure yet who it's cooking for.",
];

const VERDICT: Pool = &[
    "**Verdict:** {go|go soon|go hungry}, and order {dish2}.",
    "{place} isn't {reinventing anything|trying to impress critics}, and that's exactly why it works.",
    "{hood} is lucky to have it{, and should act like it|; go before the secret is out|}.",
    "It's the kind of {place|restaurant|spot} every neighborhood deserves and {few get|most never find|{hood} almost didn't get}.",
    "I'll be back. {I'll probably be back this week.|I may already be back by the time you read this.|Save me a seat at the counter.}",
];

const BAR_LEDE: Pool = &[
    "{bar} is the kind of bar you {find by accident and then guard jealously|walk into for one drink and leave three hours later|recommend only to people you trust}.",
    "Every neighborhood needs {a dive with standards|a good room to sit in alone|somewhere to go after the show}, and in {hood} that place is now {bar}.",
    "{bar} opened {quietly|with no sign to speak of|in the old {@old_tenant}} on {street}{ this spring| last fall|}, and the regulars arrived almost immediately.",
    "It's {dark|cozy|loud} in {bar}, and it smells {faintly of citrus peel|like a good decision|of old wood and bitters}.",
];

const BAR_BODY: Pool = &[
    "The drinks list is short and {confident|funny|seasonal}: try {cocktail1}, or {cocktail2}.",
    "{bartender}, who runs the bar, {spent a decade at hotel bars downtown|used to tend bar at a long-gone {hood} dive|learned the trade in a restaurant kitchen}, and it shows in {the ice|the speed|the conversation}.",
    "Beer drinkers get {a handful of local taps|a fridge of cans in perfect condition|a shot-and-a-beer special for {bar_price}}.",
    "Food is limited to {pickled eggs and a very good grilled cheese|a hot dog and a bowl of spiced nuts|whatever the taco truck outside is doing that night}, which is all you need.",
    "The jukebox leans toward {old soul and country|nineties alt-rock|jazz on Sundays}, and nobody is allowed to play the same song twice in an hour.",
    "Happy hour runs {4 to 6|5 to 7|all night on Mondays}, with {cocktails at $8|a discounted house highball|half-price snacks}.",
    "The crowd is a mix of {service-industry folks on a night off and neighbors in slippers|musicians from the club down the street and people just off a late shift|regulars and the recently curious}.",
];

const BAR_END: Pool = &[
    "**Verdict:** pull up a stool.",
    "Go on a weeknight, sit at the bar and let {bartender} choose.",
    "{bar} is at {number} {street}; it opens at {4|5|6} p.m. and closes when it feels like it. [More here](https://example.org/bars/{slug}).",
];

const FIRST_LEDE: Pool = &[
    "{place} opens {this week|on {day}|next {day}} in {hood}, and the smell from the kitchen is already drifting down {street}.",
    "After {months of delays|a permit saga of legendary length|a very successful run of pop-ups}, {place} is finally open in {hood}.",
    "The newest restaurant on {street} is {place}, from {owner}, and it is {ambitious|modest on purpose|exactly what the block needed}.",
];

const FIRST_BODY: Pool = &[
    "{owner} {cooked for years at other people's restaurants|grew up in a family of cooks|spent a decade running pop-ups}, and this is the first place that's all theirs.",
    "The opening menu is {short|compact|a work in progress}, built around {dish1}.",
    "The {room|space} {seats about 40|has just a dozen seats|includes a small patio}, and {reservations open a week out|walk-ins are welcome|there is a counter for solo diners}.",
    "Mains top out around {main_price}, which is {reasonable|fair for what you get|a pleasant surprise}.",
    "{owner} says the plan is to {add lunch in a few months|start a weekend brunch|keep the menu small and change it often}.",
];

const CHEAP_LEDE: Pool = &[
    "The truck parks on {street} {most weekdays|Thursday through Sunday|whenever the weather is decent}, and the line forms before it opens.",
    "There are {four|five|six} stools at {place}, and on a good day you'll wait for one.",
    "Lunch at {place} costs less than the parking downtown, and it's far more satisfying.",
];

const CHEAP_BODY: Pool = &[
    "The thing to get is {dish1}. It costs less than {cheap_price}.",
    "{owner} {works the window|runs the grill|takes every order} alone most days, which makes the speed even more impressive.",
    "If you're hungry, add {dish2}. Wash it down with {drink1} if they have it that day.",
    "Cash is {preferred|appreciated|still king here}, though there's a card reader that works {most of the time|when it feels like it}.",
    "Follow the {truck|counter} online for hours; they {sell out early|change with the weather|are more of a suggestion}.",
];

const CLOSE_BODY: Pool = &[
    "{owner} cited {rising rent|a lease that wasn't renewed|plain exhaustion|the cost of just about everything} in a note posted on the door.",
    "Regulars have been lining up all week for one last taste of {dish1}.",
    "The building's owner has not said what comes next.",
    "Staff will be paid through the end of the month, {owner} said, and several already have jobs lined up nearby.",
];

const CLOSE_QUOTES: Pool = &[
    "We fed this neighborhood for a long time. I hope we did it right.",
    "I'm not sad, I'm tired. Ask me next week and I'll be sad.",
    "Thank you to everyone who ever sat at the counter. Even the guy who always asked for extra napkins. Especially him.",
    "Running a restaurant is a great way to learn how much everything costs.",
];

const ROUNDUP_NOTE: Pool = &[
    "go for",
    "don't miss",
    "cross town for",
    "the move is",
    "if you only order one thing, make it",
    "start with",
    "save room for",
    "the regulars swear by",
];

const PRICE_RANGE: Pool = &[
    "small plates $6 to $14, mains $16 to $28",
    "everything under $20",
    "mains $18 to $34",
    "$12 to $18 for most dishes",
];

const DECKS: Pool = &[
    "Order the {signature}. Thank us later.",
    "Bring an appetite and a friend.",
    "Worth the wait, and the parking.",
    "Come hungry, leave happy.",
    "A neighborhood spot, in the best sense.",
    "Small menu, big flavors.",
    "Napkins required.",
    "Eat here before everyone else finds out.",
    "The kitchen knows what it's doing.",
    "Dinner, sorted.",
    "Save room. Really.",
    "A good reason to go to {hood}.",
];

const BAR_DECKS: Pool = &[
    "Pull up a stool.",
    "One more round.",
    "Good drinks, no attitude.",
    "Last call comes too soon.",
    "Your new regular spot.",
];

const POOLS: &[(&str, Pool)] = &[
    ("old_tenant", OLD_TENANT),
    ("name_adj", NAME_ADJ),
    ("name_noun", NAME_NOUN),
    ("price_range", PRICE_RANGE),
    ("roundup_note", ROUNDUP_NOTE),
    ("owner_quotes", OWNER_QUOTES),
    ("bar_quotes", BAR_QUOTES),
    ("close_quotes", CLOSE_QUOTES),
];

pub(crate) fn write(g: &mut G, heads: &mut HashSet<String>, out: &mut Vec<DemoArticle>) {
    let mut made = 0;
    let mut tries = 0;
    while made < COUNT {
        tries += 1;
        assert!(tries < COUNT * 50, "food: ran out of unique headlines");
        // The first two are pinned: a bakery (with a bit of raw HTML) and a pub (with "&").
        let (cuisine, kind) = match made {
            0 => (
                CUISINES.iter().find(|c| c.tag == "Bakeries").unwrap(),
                "review",
            ),
            1 => (CUISINES.iter().find(|c| c.tag == "Pubs").unwrap(), "fish"),
            _ => {
                let kind = match g.below(20) {
                    0..=8 => "review",
                    9..=11 => "bar",
                    12..=14 => "first",
                    15..=16 => "cheap",
                    17..=18 => "roundup",
                    _ => "closing",
                };
                (&CUISINES[g.below(CUISINES.len())], kind)
            }
        };
        let mut c = Ctx::new(POOLS);
        let hood = g.pick(HOODS);
        c.set("hood", hood);
        c.set("street", g.pick(STREETS));
        let place = place_name(g);
        c.set("place", &place);
        let place_poss = if place.ends_with("'s") {
            place.clone()
        } else if place.ends_with('s') {
            format!("{place}'")
        } else {
            format!("{place}'s")
        };
        c.set("place_poss", &place_poss);
        let bar = g.xp(&c, BAR_NAMES);
        c.set("bar", &bar);
        c.set("owner", &person(g));
        let mut bartender = person(g);
        while surname(&bartender) == surname(c.get("owner")) {
            bartender = person(g);
        }
        c.set("bartender", &bartender);
        c.set("food", cuisine.food);
        c.set("Food", cuisine.title);
        c.set("signature", cuisine.signature);
        let d = g.pick_n(cuisine.dishes, 6);
        for (k, dish) in ["dish1", "dish2", "dish3", "dish4", "dish5", "dish6"]
            .into_iter()
            .zip(d)
        {
            c.set(k, dish);
        }
        let dr = g.pick_n(cuisine.drinks, 3);
        c.set("drink1", dr[0]);
        c.set("drink2", dr[1]);
        c.set("drink3", dr[2]);
        let ck = g.pick_n(COCKTAILS, 2);
        c.set("cocktail1", &g.x(&c, ck[0]));
        c.set("cocktail2", &g.x(&c, ck[1]));
        c.set("dinner_price", &format!("${}", 45 + 5 * g.below(20)));
        c.set("main_price", &format!("${}", 16 + g.below(20)));
        c.set("cheap_price", &format!("${}", 9 + g.below(7)));
        c.set("bar_price", &format!("${}", 6 + g.below(4)));
        c.set("number", &(100 + g.below(4800)).to_string());
        c.set("years", &(4 + g.below(45)).to_string());
        c.set("day", g.pick(crate::common::DAYS));

        let head_t: &str = match kind {
            "review" => g.pick(&[
                "Review: {place} in {hood}",
                "At {place}, the {signature} Is the Reason to Go",
                "{place} Brings {Food} to {hood}",
                "{place} Is {Worth the Wait|the Neighborhood Spot {hood} Needed|Better Than It Needs to Be}",
                "The {signature} at {place} and Other Good Decisions",
            ]),
            "fish" => "The Fish & Chips at {place} Are Worth the Drive to {hood}",
            "bar" => g.pick(&[
                "{bar} Is {hood}'s New Favorite Bar",
                "Last Call at {bar}",
                "Drinks: {bar}, {street}",
                "{bar} Makes a Case for the Weeknight Cocktail",
            ]),
            "first" => g.pick(&["First Look: {place}", "{place} Opens in {hood}", "Now Open: {place} on {street}"]),
            "cheap" => g.pick(&[
                "Cheap Eats: {place}",
                "The Best Lunch on {street} Comes From {place}",
                "{place_poss} {signature} Is the Best Deal in {hood}",
            ]),
            "roundup" => g.pick(&[
                "Where to Eat {Food} in {hood}",
                "{Four|Five|Six} Great {Food} Spots Near {hood}",
                "A Field Guide to {Food} in {hood}",
            ]),
            _ => g.pick(&["{place} Closes After {years} Years", "Farewell, {place}", "{place} Says Goodbye to {hood}"]),
        };
        let headline = capitalize(&g.x(&c, head_t));
        if !heads.insert(headline.clone()) {
            continue;
        }
        g.fresh();
        made += 1;
        c.set("slug", &crate::slugify(&headline));

        let mut b = Body::default();
        let mut tags = vec![cuisine.tag.to_string()];
        let mut authors = vec![staff::FOOD];
        let mut deck = g.xp(&c, DECKS);
        match kind {
            "review" | "fish" => {
                tags.push("Restaurant reviews".into());
                let mut lede = g.xp(&c, REST_LEDE);
                if kind == "fish" {
                    lede = g.x(&c, "The fish & chips at {place} come wrapped in paper, the batter shattering and the fish steaming inside, with a squeeze bottle of malt vinegar on every table. It's worth the drive to {hood}, and I say that as someone who hates driving to {hood}.");
                    deck = "Batter up.".to_string();
                }
                b.p(lede);
                let sub = g.chance(0.4);
                if sub {
                    b.h(g.pick(&["The room", "The setting", "First impressions"]));
                }
                let n = 2 + g.below(2);
                b.p(g.para(&c, ROOM, n));
                if sub {
                    b.h(g.pick(&["What to order", "The food", "On the plate"]));
                }
                let n = 3 + g.below(2);
                let mut dishes = g.para(&c, DISHES, n);
                if made == 1 {
                    dishes.push_str(" The menu insists, in italics, that the savory hand pie is <em>not</em> a quiche, and after two bites I stopped arguing.");
                }
                b.p(dishes);
                if g.chance(0.7) {
                    let n = 1 + g.below(2);
                    b.p(g.para(&c, DRINKS, n));
                }
                let n = 1 + g.below(2);
                b.p(g.para(&c, SERVICE, n));
                if g.chance(0.3) {
                    b.quote(
                        &g.x(&c, "“{@owner_quotes}”"),
                        &g.x(&c, "{owner}, on opening {place}"),
                    );
                }
                if g.chance(0.5) {
                    let n = 1 + g.below(2);
                    b.p(g.para(&c, CRIT, n));
                }
                if g.chance(0.5) {
                    b.list(&[
                        g.x(&c, "**{place}**, {number} {street}, {hood}"),
                        g.x(&c, "**Hours:** {Tuesday through Sunday, 5 to 10 p.m.|daily, 11 a.m. to 9 p.m.|Wednesday through Saturday, dinner only|7 a.m. to 3 p.m., closed Mondays}"),
                        g.x(&c, "**Prices:** {@price_range}"),
                        g.x(&c, "**Good for:** {date night|big groups|solo dinners at the bar|kids|late-night cravings}"),
                    ]);
                } else {
                    b.p(g.x(&c, "{place} is at {number} {street} in {hood}. [See the menu](https://example.org/food/{slug})."));
                }
                if sub {
                    b.h("The verdict");
                }
                let n = 1 + g.below(2);
                b.p(g.para(&c, VERDICT, n));
                if g.chance(0.1) {
                    authors.push(staff::DRINKS);
                }
            }
            "bar" => {
                tags = vec!["Bars".into(), "Cocktails".into()];
                authors = vec![staff::DRINKS];
                deck = g.xp(&c, BAR_DECKS);
                b.p(g.xp(&c, BAR_LEDE));
                let n = 2 + g.below(2);
                b.p(g.para(&c, BAR_BODY, n));
                if g.chance(0.4) {
                    b.list(&[g.x(&c, "**Order:** {cocktail1}"), g.x(&c, "**Or:** {cocktail2}"), g.x(&c, "**Snack:** {the grilled cheese|the spiced nuts|whatever is on the chalkboard}")]);
                }
                let n = 2 + g.below(2);
                b.p(g.para(&c, BAR_BODY, n));
                b.p(g.x(&c, "“{@bar_quotes}” {bartender} said, {polishing a glass|not looking up from the jigger|already reaching for the bitters}."));
                b.p(g.xp(&c, BAR_END));
            }
            "first" => {
                tags.push("First look".into());
                b.p(g.xp(&c, FIRST_LEDE));
                let n = 2 + g.below(2);
                b.p(g.para(&c, FIRST_BODY, n));
                b.p(g.x(&c, "“{@owner_quotes}” {owner} said."));
                let n = 1 + g.below(2);
                b.p(g.para(&c, ROOM, n));
                b.p(g.x(&c, "{place} is at {number} {street}; hours are {dinner Wednesday through Sunday|11 a.m. to 9 p.m. daily|breakfast and lunch only, for now}. [Follow along here](https://example.org/food/{slug})."));
            }
            "cheap" => {
                tags.push("Cheap eats".into());
                b.p(g.xp(&c, CHEAP_LEDE));
                let n = 2 + g.below(2);
                b.p(g.para(&c, CHEAP_BODY, n));
                b.p(g.x(&c, "“{@owner_quotes}” {owner} said, {handing over|wrapping up|plating} another order."));
                let n = 2 + g.below(2);
                b.p(g.para(&c, CHEAP_BODY, n));
                if g.chance(0.5) {
                    authors = vec![staff::DRINKS];
                }
            }
            "roundup" => {
                tags.push("Guides".into());
                b.p(g.x(&c, "{^food} in {hood} {has quietly gotten very good|is better than its reputation|rewards the curious}. {Here's where to start.|These are the places we keep going back to.|This list is not complete, and that's the point.}"));
                let mut items = Vec::new();
                let k = 4 + g.below(3);
                let picks = g.pick_n(cuisine.dishes, k.min(cuisine.dishes.len()));
                let notes = g.pick_n(ROUNDUP_NOTE, picks.len());
                let mut places = HashSet::new();
                for (dish, note) in picks.into_iter().zip(notes) {
                    let mut place = place_name(g);
                    while !places.insert(place.clone()) {
                        place = place_name(g);
                    }
                    items.push(format!("**{place}**: {note} {dish}."));
                }
                b.list(&items);
                b.p(g.x(&c, "Prices range from {a few dollars for a snack|about $10 for lunch} to {$30|$40} or so for a full dinner. Most take cards; a couple are cash only."));
                b.p(g.x(&c, "Did we miss your favorite? We probably did on purpose, but [tell us anyway](https://example.org/food/{slug})."));
                b.p(g.x(&c, "{For more, see our|Looking for more? Browse our} [{hood} dining guide](https://example.org/guides/{slug})."));
            }
            _ => {
                tags.push("Closings".into());
                deck = "The end of an era.".to_string();
                let mut p = g.x(
                    &c,
                    "{place} will serve its last meal on {day} after {years} years in {hood}.",
                );
                let n = 1 + g.below(2);
                p.push(' ');
                p.push_str(&g.para(&c, CLOSE_BODY, n));
                b.p(p);
                b.quote(&g.x(&c, "“{@close_quotes}”"), &g.x(&c, "{owner}"));
                let n = 1 + g.below(2);
                b.p(g.para(&c, CLOSE_BODY, n));
                b.p(g.x(
                    &c,
                    "Go {this week|while you can|before {day}}. Order {dish1}. Tip well.",
                ));
            }
        }
        tags.push(hood.to_string());
        let mut refs = Vec::new();
        for key in ["owner", "bartender"] {
            let name = c.get(key).to_string();
            let short = surname(&name);
            refs.push((name, short));
        }
        let body = second_refs(&b.finish(), &refs);
        out.push(article(SECTION, headline, deck, body, &authors, &tags));
    }
}

const OWNER_QUOTES: Pool = &[
    "I wanted a place where my aunties would feel at home and my friends would want to drink. So far, so good.",
    "We make everything we can in-house. It's slower. It's also the only way I know how to do it.",
    "If people leave full and a little happier than they came in, I did my job.",
    "The menu is short because I want to cook every dish myself on a bad night.",
    "This neighborhood fed me when I was a kid. Now it's my turn.",
];

const BAR_QUOTES: Pool = &[
    "A good bar is a good room first. The drinks just have to not ruin it.",
    "I'll make you anything you want. I'll also tell you if there's something better.",
    "We don't do a drink with smoke under a glass. If you want smoke, go stand outside.",
    "Regulars are the whole business. Everybody else is a regular who hasn't happened yet.",
];
