//! News: City Hall, housing, transit and neighborhood fights in a fictional city.

use crate::common::{person, HOODS, STREETS};
use crate::gen::{capitalize, second_refs, surname, Body, Ctx, Pool, G};
use crate::{article, staff, DemoArticle};
use std::collections::HashSet;

const SECTION: &str = "news";

struct Issue {
    tag: &'static str,
    agency: &'static str,
    /// Noun phrase in running text, starting lowercase ("the ...").
    name: &'static str,
    /// Title-case short name for headlines.
    title: &'static str,
    /// What the plan "would" do.
    action: &'static str,
    heads: Pool,
}

const ISSUES: &[Issue] = &[
    Issue {
        tag: "Housing",
        agency: "the Planning Commission",
        name: "the proposed rezoning of {street} in {hood}",
        title: "{hood} Rezoning",
        action: "allow apartment buildings of up to {five|six|seven} stories along a {six-block|half-mile|mile-long} stretch of {street}",
        heads: &[
            "Who Gets to Live on {street}? The {hood} Rezoning Fight",
            "Neighbors Split Over Plan to Build Up {street}",
            "Taller Buildings for {street}? {hood} Isn't Sure",
        ],
    },
    Issue {
        tag: "Transit",
        agency: "the Metro Transit Authority",
        name: "the Route {route} bus redesign",
        title: "Route {route} Redesign",
        action: "pull the {route} bus off its loop through {hood} and run it every {ten|twelve} minutes on {street} instead of every {twenty|thirty}",
        heads: &[
            "Riders Push Back on Plan to Reroute the {route} Bus",
            "The {route} Bus Is Leaving {hood}. Riders Want to Know Why.",
            "Faster Buses, Longer Walks: The Route {route} Trade-Off",
        ],
    },
    Issue {
        tag: "Biking",
        agency: "the Department of Public Works",
        name: "the {street} protected bike lane",
        title: "{street} Bike Lane",
        action: "replace {a lane of traffic|a row of street parking} on {street} with a curb-protected bike lane from {hood} to downtown",
        heads: &[
            "Merchants and Cyclists Square Off Over {street} Bike Lane",
            "The {street} Bike Lane Is Finally Happening. Maybe.",
            "Parking or Safety? The {street} Bike Lane Fight Lands Downtown",
        ],
    },
    Issue {
        tag: "Renters",
        agency: "the Housing Department",
        name: "the tenant protection ordinance",
        title: "Rent Cap",
        action: "cap annual rent increases at {five|seven} percent and require {sixty|ninety} days' written notice before any increase",
        heads: &[
            "{hood} Tenants Pack Chambers for Rent Cap Hearing",
            "Landlords Warn Rent Cap Will Backfire; {hood} Renters Have Heard That Before",
            "What a Rent Cap Would Mean on {street}",
        ],
    },
    Issue {
        tag: "Parks",
        agency: "the Parks & Recreation Department",
        name: "the {park} renovation",
        title: "{park} Makeover",
        action: "tear out the aging playground at {park} and replace it with {a splash pad|a small skate park|a community garden} and new lighting",
        heads: &[
            "{park} Makeover Pits Skaters Against Gardeners",
            "What Should {park} Be? {hood} Can't Agree",
            "{park} Makeover Plan Draws a Crowd",
        ],
    },
    Issue {
        tag: "Libraries",
        agency: "the Public Library board",
        name: "the plan to cut hours at the {hood} branch library",
        title: "{hood} Library Plan",
        action: "close the {hood} branch on {Sundays and Mondays|Mondays|weekends} to save about {small_amount} a year",
        heads: &[
            "{hood} Library Hours on the Chopping Block",
            "Budget Cuts Could Close the {hood} Library Two Days a Week",
            "Readers Rally to Save Sunday Hours in {hood}",
        ],
    },
    Issue {
        tag: "Policing",
        agency: "the Police Accountability Commission",
        name: "the proposal to give the civilian police review board subpoena power",
        title: "Review Board Subpoena Plan",
        action: "give the {nine|seven}-member civilian review board the power to subpoena records and compel officers to testify",
        heads: &[
            "Police Review Board Could Finally Get Teeth",
            "{hood} Residents Demand Answers as Police Review Stalls",
            "Subpoena Power for Civilian Board Splits Council",
        ],
    },
    Issue {
        tag: "Environment",
        agency: "the city's Office of Sustainability",
        name: "the {creek} cleanup plan",
        title: "{creek} Cleanup",
        action: "spend {amount} over five years removing contaminated sediment from {creek} near {hood}",
        heads: &[
            "Decades of Sludge: The Long Fight to Clean Up {creek}",
            "Residents Near {creek} Say the Cleanup Can't Wait Another Summer",
            "{creek} Cleanup Wins State Money, With Strings Attached",
        ],
    },
    Issue {
        tag: "Environment",
        agency: "the city's Office of Sustainability",
        name: "the {hood} tree canopy program",
        title: "{hood} Tree Plan",
        action: "plant {n} street trees in {hood}, which runs up to {eight|ten|twelve} degrees hotter than the leafiest parts of the city on summer afternoons",
        heads: &[
            "Why {hood} Is the Hottest Neighborhood in Town",
            "{n} Trees, One Very Hot Neighborhood",
            "City Promises Shade for {hood}. Residents Want It in Writing.",
        ],
    },
    Issue {
        tag: "Education",
        agency: "the school board",
        name: "the plan to close {school}",
        title: "{school} Closure",
        action: "close {school} in {hood} at the end of the school year and send its {n3} students to two other campuses",
        heads: &[
            "Parents Fight to Keep {school} Open",
            "Inside the Last Year at {school}",
            "{school} Families Ask: Why Us?",
        ],
    },
    Issue {
        tag: "Development",
        agency: "the Planning Commission",
        name: "the proposed redevelopment of the {business} building",
        title: "{business} Redevelopment",
        action: "replace the {business} storefront with a {five|six}-story building with {n3} apartments over ground-floor shops",
        heads: &[
            "Farewell, Maybe, to {business}",
            "A Developer Wants the {business} Block. {hood} Has Questions.",
            "The {business} Building Sale Stirs Up {hood}",
        ],
    },
    Issue {
        tag: "City budget",
        agency: "the mayor's budget office",
        name: "the mayor's proposed budget",
        title: "Mayor's Budget",
        action: "trim {three|four|five} percent from most city departments while adding {n3} positions to the fire department",
        heads: &[
            "Budget Hearings Begin, and {hood} Wants Its Sidewalks",
            "The Mayor's Budget, Seen From {street}",
            "{hood} Groups Brace for Cuts in Mayor's Budget",
        ],
    },
    Issue {
        tag: "Housing",
        agency: "the Housing Department",
        name: "the short-term rental crackdown",
        title: "Short-Term Rental Rules",
        action: "require short-term rental hosts to live on site and register with the city, with fines of up to {$1,000|$2,500} a night for violators",
        heads: &[
            "City Moves to Rein In Short-Term Rentals in {hood}",
            "The {hood} Party House Problem Lands at City Hall",
            "Short-Term Rental Hosts on {street} Say New Rules Go Too Far",
        ],
    },
    Issue {
        tag: "Homelessness",
        agency: "the Department of Human Services",
        name: "the proposed shelter on {street}",
        title: "{street} Shelter Plan",
        action: "convert a vacant motel on {street} into a {sixty|eighty|hundred}-bed shelter with case workers on site",
        heads: &[
            "A Shelter on {street}? {hood} Weighs In",
            "Motel-to-Shelter Plan Draws a Crowd in {hood}",
            "The Fight Over the {street} Shelter Is About More Than One Motel",
        ],
    },
    Issue {
        tag: "Development",
        agency: "the Economic Development Office",
        name: "the soccer stadium proposal in {hood}",
        title: "{hood} Stadium Deal",
        action: "put a {12,000|15,000}-seat stadium on city-owned land in {hood}, with {amount} in public money for roads and parking",
        heads: &[
            "Stadium Dreams, Public Money: The {hood} Pitch",
            "Who Pays for the {hood} Stadium?",
            "Stadium Backers Promise Jobs; {hood} Neighbors Promise a Fight",
        ],
    },
    Issue {
        tag: "Nightlife",
        agency: "the Office of Nightlife",
        name: "the proposed noise ordinance",
        title: "Noise Ordinance",
        action: "lower the nighttime noise limit for bars and venues in {hood} and let police issue fines on the spot",
        heads: &[
            "Venues Say New Noise Rules Could Turn Down {hood}",
            "Too Loud for {hood}? Noise Rules Head to Council",
            "Musicians Rally Against Noise Limits in {hood}",
        ],
    },
    Issue {
        tag: "Street safety",
        agency: "the Department of Public Works",
        name: "the speed camera pilot",
        title: "Speed Camera Pilot",
        action: "install speed cameras near {n3} schools, {two|three} of them along {street} in {hood}",
        heads: &[
            "Speed Cameras Are Coming to {street}",
            "Do Speed Cameras Work? {hood} Is About to Find Out",
            "Parents on {street} Wanted Crossing Guards. They're Getting Cameras.",
        ],
    },
    Issue {
        tag: "Small business",
        agency: "the Economic Development Office",
        name: "the plan to reopen the old {hood} market hall",
        title: "{hood} Market Hall Plan",
        action: "lease the shuttered market hall to a nonprofit that would run it as a food hall with {twenty|thirty} vendor stalls",
        heads: &[
            "The {hood} Market Hall Could Live Again",
            "Vendors Line Up for a Stall in the Reborn {hood} Market",
            "Old Market, New Plan in {hood}",
        ],
    },
    Issue {
        tag: "Infrastructure",
        agency: "the Department of Public Works",
        name: "the {hood} sidewalk repair backlog",
        title: "Sidewalk Repair Plan",
        action: "spend {amount} fixing {n3} blocks of broken sidewalk in {hood}, where some complaints date back a decade",
        heads: &[
            "{hood}'s Broken Sidewalks Finally Get a Budget Line",
            "Mind the Gap: {hood} Residents Map Their Worst Sidewalks",
            "Ten Years of Complaints on {street}, One Repair Plan",
        ],
    },
];

const STATUSES: &[&str] = &["delayed", "advanced", "proposed", "contested"];

fn status_heads(status: &str) -> Pool {
    match status {
        "delayed" => &[
            "Council Delays Vote on {title}",
            "{title} Stalls at City Hall",
            "{title} Vote Pushed Back, Again",
            "No Decision Yet on {title} After Marathon Hearing",
        ],
        "advanced" => &[
            "{title} Clears First Vote",
            "{title} Moves Forward Over Objections",
            "Council Advances {title}",
            "{title} Survives a Long Night at City Hall",
        ],
        "proposed" => &[
            "City Unveils {title}",
            "What's in the {title}",
            "First Look: The {title}",
            "The {title}, Explained",
        ],
        _ => &[
            "{title} Divides {hood}",
            "The Fight Over the {title}",
            "{hood} Takes Sides on the {title}",
        ],
    }
}

fn status_ledes(status: &str) -> Pool {
    match status {
        "delayed" => &[
            "After {three|four|nearly five} hours of public comment on {day} night, the City Council put off a decision on {issue}{, again|, for the second time this year| until next month}.",
            "{^issue} will have to wait a little longer: council members sent it back to committee on {day} {rather than take a vote|instead of voting|after a procedural fight nobody seemed to enjoy}.",
            "The vote on {issue} that was supposed to happen this week didn't, and depending on who you ask that is either prudence or stalling.",
        ],
        "advanced" => &[
            "The City Council voted {6-3|5-4|7-2|8-1} on {day} to advance {issue}{, over the objections of a vocal group of {hood} residents|, setting up a final vote next month|}.",
            "{^issue} cleared its first real hurdle on {day}, though the hard part may be just starting.",
            "It took {two|three} meetings, {forty|sixty|dozens of} public speakers and one {fire alarm|power outage|recess that ran an hour long}, but {issue} is moving forward.",
        ],
        "proposed" => &[
            "{^agency} on {day} unveiled {issue}, a plan that would {action}.",
            "A proposal circulating at City Hall would {action}, and {hood} is already choosing sides.",
            "{^issue}, released this week after {months|more than a year} of closed-door meetings, is {more ambitious|more modest|more complicated} than {anyone expected|its backers had hinted}.",
        ],
        _ => &[
            "Nobody in the packed {community room|church basement|library meeting room} in {hood} on {day} night was neutral about {issue}.",
            "Depending on who you ask in {hood}, {issue} is either {long overdue|a lifeline|common sense} or {a giveaway|a disaster in the making|a solution in search of a problem}.",
            "Lawn signs have started appearing on {street}, and they don't agree with each other: {issue} has split {hood} down the middle.",
        ],
    }
}

const CONTEXT: Pool = &[
    "{^agency} estimates the {plan|work} would cost {amount}{ over five years| in the first year|}, money that would come from {the general fund|a state grant|a bond measure voters approved in 2019|new fees}.",
    "Supporters say it is {overdue|the least the city can do|a modest fix for a big problem}; critics call it {rushed|too expensive|the wrong fix|an overreach|a half-measure}.",
    "The idea isn't new. A similar version {stalled in committee|died on a tie vote|was shelved during the pandemic} in {2016|2018|2019|2021}, and {several of the same people are still arguing about it|some of the same speakers were back at the microphone this week}.",
    "According to a staff report released ahead of the meeting, about {n} {residents|households|people} live in the affected area.",
    "{hood}, {@hood_desc}, has weathered more than its share of these fights.",
    "{Similar programs|Versions of this idea} in {other cities|other mid-sized cities|a handful of other cities} have produced {mixed|uneven|hotly disputed} results, which both sides {have been quoting selectively|cite as proof|are happy to cherry-pick}.",
    "The {plan|proposal} has been revised {twice|three times} since it was first floated, each time {shrinking|growing} a little.",
    "City data complicate the picture: {@stat}",
];

const HOOD_DESC: Pool = &[
    "a mix of brick rowhouses and newer apartment buildings",
    "once home to the city's {tanneries|rail yards|shipyards|cigar factories}",
    "where the old {streetcar barn|brewery|bottling plant} still anchors the main drag",
    "a neighborhood of {duplexes|worker cottages|corner stores} that has changed fast in the last decade",
    "which sits {between the freeway and the river|on the hill above the rail yards|just past the end of the light rail line}",
];

const STAT: Pool = &[
    "{hood} has {lost|added} roughly {n} residents since the last census, while median rents rose {18|22|27|31} percent over the same period.",
    "the city logged {n4} service requests about the problem in {hood} last year, more than in any other neighborhood.",
    "a {2019|2021|2022} survey found that {four|six|seven} in ten {hood} households do not own a car.",
    "the median household in {hood} now spends {38|41|46} percent of its income on housing.",
];

const QUOTE_PRO: Pool = &[
    "We have been studying this for {years|a decade}. At some point the studying becomes the policy.",
    "Nobody is saying this fixes everything. It fixes something, and that's more than we've managed so far.",
    "If we wait for everyone to agree, we'll still be having this meeting when my grandkids are on the council.",
    "This is what people in {hood} have been asking for. I'm just the one reading their emails out loud.",
    "The status quo has a cost too. We've just gotten used to paying it.",
    "I'd rather be criticized for doing something than praised for doing nothing.",
];

const QUOTE_CON: Pool = &[
    "I'm not against the idea. I'm against voting on something we got the final numbers for at four o'clock this afternoon.",
    "Every time somebody tells me a plan pays for itself, I check my wallet.",
    "{hood} didn't ask for this. {hood} asked for {working streetlights|a bus that shows up|sidewalks you can push a stroller on}.",
    "We keep making decisions about neighborhoods without asking the people who live in them.",
    "Show me the maintenance budget. A ribbon-cutting is cheap. Year five is expensive.",
    "Good intentions don't pave streets.",
];

const QUOTE_RESIDENT: Pool = &[
    "I'm not against change. I'm against finding out about it from a sign stapled to a pole.",
    "My rent went up {$200|$350|$400} last year. Nobody held a hearing about that.",
    "They always schedule these meetings at six o'clock, like nobody in {hood} works a dinner shift.",
    "I've been to {four|five|six} of these meetings. I could give the presentation myself at this point.",
    "I want my kids to be able to afford to live here. That's it. That's my whole position.",
    "Honestly? I just want the bus to come when the app says it's coming.",
    "We were promised this exact thing in {2009|2012|2015}. I still have the flyer.",
    "People keep saying 'neighborhood character.' The character of this neighborhood is people who can't afford to move.",
    "It's not perfect. Nothing the city does is perfect. But it's something, and we've had nothing for a long time.",
    "Come stand on my corner at rush hour and then tell me it's fine.",
    "I'll believe it when I see the shovels.",
    "Everybody's for it until it's on their block.",
];

const RESIDENT_ROLE: Pool = &[
    "who has lived on {street} for {n2} years",
    "a {nurse|line cook|retired teacher|bus driver|graduate student|barber|letter carrier} who lives in {hood}",
    "who owns a {bakery|laundromat|print shop|bike shop} on {street}",
    "a {hood} renter, parent and {longtime tenant organizer|PTA volunteer}",
    "who chairs the {hood} neighborhood association",
];

const COUNCIL_FOLLOW: Pool = &[
    "{councilor} acknowledged {that the plan isn't perfect|the concerns about cost|that the timeline is tight}, but argued that doing nothing is also a choice.",
    "Councilmember {councilor2}, who {voted no|has been the plan's loudest critic|called for another study}, {was blunter|sees it differently}: “{@quote_con}”",
    "Mayor {mayor} has {not taken a public position|signaled support|said only that she is \"listening\"}, which both sides are reading as a good sign for them.",
    "The mayor's office declined to comment.",
];

const RESIDENT_FOLLOW: Pool = &[
    "Others in the room agreed, loudly.",
    "{resident2}, {@resident_role2}, disagreed: “{@quote_resident}”",
    "Several speakers {brought handmade signs|read from prepared statements|went well past their two minutes}; the chair let most of them finish.",
    "More than {forty|sixty|a hundred} people signed up to speak, and the meeting ran past {10|11} p.m.",
];

const NEXT_A: Pool = &[
    "The council is expected to take up {issue} again {on {day2}|next month|after the budget hearings|before the summer recess}.",
    "A public hearing is scheduled for {day2} at {6|6:30|7} p.m. at the {hood} {branch library|community center|recreation center}; [the full staff report is online](https://example.org/documents/{slug}).",
    "{^agency} says it will publish {a revised plan|updated cost estimates|a response to public comments} {within weeks|this spring|by the end of the quarter}.",
    "[Read the proposal](https://example.org/city-hall/{slug}) and the {staff memo|public comment log|cost estimate} for yourself before the {day2} {hearing|committee meeting}.",
    "Councilmember {councilor} {plans to|wants to|intends to} {bring an amended version back {next month|within weeks|before the budget is finalized}|hold a {hood} town hall before any final vote|ask for a final vote {next month|before the summer recess}}.",
];

const NEXT: Pool = &[
    "Residents can submit written comments {online|by email|at any branch library} through the end of the month.",
    "Marquee will keep {following it|covering the fight}. {Know something we should?|Have a tip?|Live on {street}?} {Write to us.|Tell us.|We want to hear from you.}",
    "{Whatever happens, expect|Either way, expect} {a crowd|another long night|plenty of handmade signs}.",
    "{Both sides|Supporters and opponents alike} say they'll be back{, with more people| with more signs|}.",
];

const PUBLIC_COMMENT: Pool = &[
    "Please, for once, build the thing and then hold the meeting about how it went.",
    "I have attended every meeting about this since the first one. I am begging you to stop scheduling them on my bowling night.",
    "My grandmother walked these streets when they were dirt. She would not have wanted a parking garage.",
    "I support this plan, but I support it more if someone can tell me who is going to maintain it.",
    "I'm writing as a {hood} resident, a parent and someone who is very, very tired of waiting.",
];

const DECKS: Pool = &[
    "Same argument, new chairs.",
    "{Three|Four|Five} hours, {one vote|zero votes}.",
    "The fight over {hood}'s future heads downtown.",
    "Everybody has a plan. Nobody has the money.",
    "Public comment ran long. Of course it did.",
    "A small change with a big fan club, and a bigger opposition.",
    "{^street} has opinions.",
    "The neighbors showed up. The council noticed.",
    "Follow the money, then follow the bus.",
    "It's not over. It's never over.",
    "Inside a very long meeting in {hood}.",
    "The details matter, and there are a lot of them.",
    "A neighborhood, a budget line and a deadline.",
];

const WHAT_NEXT_HEAD: Pool = &[
    "What happens next",
    "What's next",
    "Next steps",
    "Where it goes from here",
];
const STAKES_HEAD: Pool = &[
    "What's at stake",
    "The backstory",
    "Why it matters",
    "How we got here",
];

const PARKS: Pool = &[
    "Greaves Park",
    "Oduya Playfield",
    "Kessler Commons",
    "Pell Street Green",
    "Millrace Park",
    "Tamsin Lowe Park",
    "Corliss Reservoir Park",
    "Halvorsen Square Park",
];
const CREEKS: Pool = &[
    "Sable Creek",
    "Millrace Canal",
    "Tannery Creek",
    "Oskawa River",
    "Foundry Slough",
];
const SCHOOLS: Pool = &[
    "Abernathy Elementary",
    "Lowell Quist Middle School",
    "Eastgate Elementary",
    "Marigold K-8",
    "Dunmore Elementary",
    "Ruth Okonjo Elementary",
    "Pike Bottom Middle School",
];
const BUSINESSES: Pool = &[
    "Fenwick's Hardware",
    "Dunmore Five & Dime",
    "Rosales Bros. Tire",
    "Kowalczyk's Deli",
    "Quay Bowl",
    "Pettibone Furniture",
    "Lark Motor Inn",
    "Sunrise Laundromat",
    "Galloway & Sons Printing",
];
const WEEKDAYS: Pool = &["Monday", "Tuesday", "Wednesday", "Thursday"];

const RESIDENT_ROLE2: Pool = &[
    "who {runs|manages} a {corner store|daycare|hair salon} {in the neighborhood|a few blocks away}",
    "a {hood} homeowner of {n2} years",
    "a {union electrician|pharmacist|college student|retired firefighter} from {hood}",
    "who moved to {street} {last year|two years ago|just before the pandemic}",
];

const COUNCIL: Pool = &[
    "Rosalind Achebe-Hart",
    "Dev Lindqvist-Rao",
    "Teresa Mbatha",
    "Colm Ferriter",
    "Yolanda Brightwater",
    "Marcus Adeyemi-Cole",
    "Hyun-joo Park-Whitley",
    "Benedict Marchetti",
    "Laila Sarkis",
];

const POOLS: &[(&str, Pool)] = &[
    ("hood_desc", HOOD_DESC),
    ("stat", STAT),
    ("quote_pro", QUOTE_PRO),
    (
        "commenter",
        &[
            "{hood} resident",
            "{street} homeowner",
            "{hood} renter",
            "small-business owner",
            "retired teacher",
            "parent of two",
        ],
    ),
    ("quote_con", QUOTE_CON),
    ("quote_resident", QUOTE_RESIDENT),
    ("resident_role", RESIDENT_ROLE),
    ("resident_role2", RESIDENT_ROLE2),
];

const COUNT: usize = 66;

pub(crate) fn write(g: &mut G, heads: &mut HashSet<String>, out: &mut Vec<DemoArticle>) {
    let mut c = Ctx::new(POOLS);
    c.set("mayor", "Yvonne Castellane");
    let mut made = 0;
    let mut tries = 0;
    while made < COUNT {
        tries += 1;
        assert!(tries < COUNT * 50, "news: ran out of unique headlines");
        let issue = &ISSUES[g.below(ISSUES.len())];
        let status = g.pick(STATUSES);
        let hood = g.pick(HOODS);
        c.set("hood", hood);
        c.set("street", g.pick(STREETS));
        c.set("route", &(2 + g.below(80)).to_string());
        c.set("park", g.pick(PARKS));
        c.set("creek", g.pick(CREEKS));
        c.set("school", g.pick(SCHOOLS));
        c.set("business", g.pick(BUSINESSES));
        c.set(
            "amount",
            &format!("${}.{} million", 1 + g.below(40), g.below(10)),
        );
        c.set("n", &format!("{},{:03}", 1 + g.below(9), g.below(1000)));
        c.set("n2", &(3 + g.below(40)).to_string());
        c.set("n4", &(120 + g.below(800)).to_string());
        c.set("n3", &(40 + g.below(300)).to_string());
        c.set("small_amount", &format!("${},000", 120 + 10 * g.below(80)));
        let title = g.x(&c, issue.title);
        c.set("title", &title);
        let name = g.x(&c, issue.name);
        c.set("issue", &name);
        let action = g.x(&c, issue.action);
        c.set("action", &action);
        c.set("agency", issue.agency);
        let head_t = if g.chance(0.5) {
            g.pick(issue.heads)
        } else {
            g.pick(status_heads(status))
        };
        let headline = g.x(&c, head_t);
        if headline.matches(hood).count() > 1 || !heads.insert(headline.clone()) {
            continue;
        }
        g.fresh();
        made += 1;
        c.set("slug", &crate::slugify(&headline));
        let councilor = g.pick(COUNCIL);
        let mut councilor2 = g.pick(COUNCIL);
        while councilor2 == councilor {
            councilor2 = g.pick(COUNCIL);
        }
        c.set("councilor", councilor);
        c.set("councilor2", councilor2);
        c.set("resident", &person(g));
        let mut resident2 = person(g);
        while surname(&resident2) == surname(c.get("resident")) {
            resident2 = person(g);
        }
        c.set("resident2", &resident2);
        c.set("day", g.pick(WEEKDAYS));
        c.set("day2", g.pick(WEEKDAYS));

        let mut b = Body::default();
        let mut lede = g.xp(&c, status_ledes(status));
        if status != "proposed" && g.chance(0.6) {
            lede.push_str(&g.x(&c, " The {proposal|plan} would {action}."));
        }
        b.p(lede);

        let subheads = g.chance(0.4);
        if subheads {
            b.h(g.pick(STAKES_HEAD));
        }
        let mut ctx_p = String::new();
        if status != "proposed" && g.chance(0.5) {
            ctx_p.push_str(&g.x(&c, "At issue is {issue}. "));
        }
        let n = 2 + g.below(2);
        ctx_p.push_str(&g.para(&c, CONTEXT, n));
        b.p(capitalize(&ctx_p));

        let mut council = g.x(
            &c,
            "“{@quote_pro}” said Councilmember {councilor}, who represents {hood} and {has championed the plan|supports the proposal|is its lead sponsor}.",
        );
        if g.chance(0.8) {
            council.push(' ');
            council.push_str(&g.para(&c, COUNCIL_FOLLOW, 1));
        }
        b.p(council);

        let mut res = g.x(&c, "{resident}, {@resident_role}, {said|told Marquee|put it more plainly}: “{@quote_resident}”");
        if g.chance(0.7) {
            res.push(' ');
            res.push_str(&g.para(&c, RESIDENT_FOLLOW, 1));
        }
        b.p(res);

        if g.chance(0.3) {
            let who = g.x(
                &c,
                "{@first} {@last}, {@commenter}, in written comment to the council",
            );
            b.quote(&g.xp(&c, PUBLIC_COMMENT), &who);
        }
        if g.chance(0.35) {
            let items = [
                g.x(
                    &c,
                    "**{amount}:** estimated cost{, according to city staff|}",
                ),
                g.x(&c, "**{n}:** {residents|households} in the affected area"),
                g.x(
                    &c,
                    "**{2014|2016|2018|2019}:** the year the idea first came up at City Hall",
                ),
                g.x(
                    &c,
                    "**{Two|Three|Four}:** council members still publicly undecided",
                ),
            ];
            let k = 3 + g.below(2);
            b.list(&items[..k]);
        }
        if subheads {
            b.h(g.pick(WHAT_NEXT_HEAD));
        }
        let mut next = g.xp(&c, NEXT_A);
        if g.chance(0.6) {
            next.push(' ');
            next.push_str(&g.xp(&c, NEXT));
        }
        b.p(next);

        let authors: Vec<&str> = match g.below(10) {
            0..=3 => vec![staff::HALL],
            4..=7 => vec![staff::HOUSING],
            8 => vec![staff::HALL, staff::HOUSING],
            _ => vec![staff::HOUSING, staff::HALL],
        };
        let mut tags = vec![issue.tag.to_string(), hood.to_string()];
        if g.chance(0.6) {
            tags.push("City Council".to_string());
        }
        let deck = g.xp(&c, DECKS);
        let mut refs = Vec::new();
        for key in ["councilor", "councilor2", "resident", "resident2"] {
            let name = c.get(key).to_string();
            let short = surname(&name);
            refs.push((name, short));
        }
        let body = second_refs(&b.finish(), &refs);
        out.push(article(SECTION, headline, deck, body, &authors, &tags));
    }
}
