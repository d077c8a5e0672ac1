//! Places and people of the (fictional) city the demo paper covers, shared by every section.

use crate::gen::{Pool, G};

pub(crate) const HOODS: Pool = &[
    "Tannery Row",
    "Eastgate",
    "Corliss Ridge",
    "Lower Millrace",
    "Juniper Park",
    "Old Harbor",
    "Bellwether",
    "South Ferris",
    "Kestrel Hill",
    "Dunmore",
    "Halvorsen Square",
    "Pike Bottom",
    "Cinder Hollow",
    "Marigold",
    "North Quay",
    "Foundry Hill",
    "Sable Creek",
    "Orchard Gap",
    "Vireo Yard",
    "Larchwood Terrace",
];

pub(crate) const STREETS: Pool = &[
    "Harlan Avenue",
    "Tolliver Street",
    "Ferris Boulevard",
    "Quarry Street",
    "Marsh Road",
    "Calloway Avenue",
    "Eighth Street",
    "Lydgate Avenue",
    "Old Mill Road",
    "Bellamy Street",
    "Pruett Avenue",
    "Ostrander Way",
    "Rook Street",
    "Wexler Avenue",
    "Dray Street",
    "Cortland Boulevard",
];

pub(crate) const FIRST: Pool = &[
    "Ada",
    "Abdi",
    "Beatriz",
    "Bram",
    "Carmen",
    "Cyrus",
    "Dolores",
    "Darnell",
    "Esme",
    "Emeka",
    "Farah",
    "Felix",
    "Greta",
    "Gideon",
    "Hana",
    "Hector",
    "Imani",
    "Ivo",
    "Juniper",
    "Jonah",
    "Keiko",
    "Kofi",
    "Lena",
    "Luis",
    "Marguerite",
    "Malik",
    "Noor",
    "Nikolai",
    "Odette",
    "Omar",
    "Paloma",
    "Pierce",
    "Quinn",
    "Rafael",
    "Rosa",
    "Sunil",
    "Sloane",
    "Tobias",
    "Thuy",
    "Ulla",
    "Vaughn",
    "Wanda",
    "Wes",
    "Ximena",
    "Yusuf",
    "Yara",
    "Zeke",
    "Zora",
    "Mireille",
    "Desmond",
];

pub(crate) const LAST: Pool = &[
    "Abernathy",
    "Bakshi",
    "Castellan",
    "Dragomir",
    "Esparza",
    "Fairweather",
    "Galloway",
    "Haddad",
    "Ilunga",
    "Jaramillo",
    "Kowalczyk",
    "Lindqvist",
    "Mbeki-Shaw",
    "Nakashima",
    "Okonkwo",
    "Pettibone",
    "Quartermaine",
    "Rosales",
    "Szabo",
    "Thibodeaux",
    "Umeh",
    "Varga",
    "Whitcombe",
    "Xiong",
    "Yablonski",
    "Zamora",
    "Achterberg",
    "Bellweather",
    "Culpepper",
    "Delacroix-Moss",
    "Everly",
    "Fontaine-Okafor",
    "Gutierrez",
    "Halloway",
    "Iwasaki",
    "Jankowski",
    "Kapoor",
    "Larkin",
    "Moreau",
    "Nwosu",
    "Oyelaran",
    "Pryce",
    "Rasmussen",
    "Sorensen",
    "Tran",
    "Underhill",
    "Vasquez",
    "Winslow",
    "Yilmaz",
    "Zelenko",
];

pub(crate) const DAYS: Pool = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Pools every template can use.
pub(crate) const POOLS: &[(&str, Pool)] = &[
    ("hood", HOODS),
    ("street", STREETS),
    ("first", FIRST),
    ("last", LAST),
    ("day", DAYS),
    ("person", &["{@first} {@last}"]),
];

pub(crate) fn person(g: &mut G) -> String {
    format!("{} {}", g.pick(FIRST), g.pick(LAST))
}

/// `n` people with distinct surnames.
pub(crate) fn people(g: &mut G, n: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    while out.len() < n {
        let p = person(g);
        let last = p.rsplit(' ').next().unwrap_or("").to_string();
        if !out.iter().any(|o| o.ends_with(&format!(" {last}"))) {
            out.push(p);
        }
    }
    out
}

/// A number spelled out, for small counts in prose.
pub(crate) fn spelled(n: usize) -> &'static str {
    const W: &[&str] = &[
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen",
    ];
    W.get(n).copied().unwrap_or("many")
}
