//! Movie reviews: one hand-written review ("Rust and Bone") and one generated review for each
//! film below. The films, years, directors and casts are facts; every opinion is the demo's own.

use crate::gen::{Body, Ctx, Pool, G};
use crate::{article, staff, DemoArticle};
use std::collections::HashSet;

const SECTION: &str = "movie-review";

struct Film {
    title: &'static str,
    year: u16,
    director: &'static str,
    /// Empty when the review should not name the (voice) cast.
    cast: &'static str,
    genre: &'static str,
    premise: &'static str,
    deck: &'static str,
    tags: &'static [&'static str],
}

const FILMS: &[Film] = &[
    Film {
        title: "Fargo",
        year: 1996,
        director: "Joel and Ethan Coen",
        cast: "Frances McDormand, William H. Macy and Steve Buscemi",
        genre: "crime",
        premise: "a pregnant small-town police chief in Minnesota works a roadside triple homicide that leads back to a car salesman's botched plan to have his own wife kidnapped",
        deck: "Polite people, impolite woodchipper.",
        tags: &["Crime", "Coen brothers"],
    },
    Film {
        title: "The Big Lebowski",
        year: 1998,
        director: "Joel and Ethan Coen",
        cast: "Jeff Bridges, John Goodman and Julianne Moore",
        genre: "comedy",
        premise: "a Los Angeles slacker who calls himself the Dude is mistaken for a millionaire with the same name, and a ruined rug drags him into a kidnapping scheme he is in no condition to solve",
        deck: "Bowling as a way of life.",
        tags: &["Comedy", "Coen brothers", "Cult classics"],
    },
    Film {
        title: "Pulp Fiction",
        year: 1994,
        director: "Quentin Tarantino",
        cast: "John Travolta, Samuel L. Jackson and Uma Thurman",
        genre: "crime",
        premise: "two hit men, a boxer who won't throw a fight and a gangster's restless wife cross paths in a Los Angeles told out of order",
        deck: "Chronology is for squares.",
        tags: &["Crime", "Nineties"],
    },
    Film {
        title: "Jaws",
        year: 1975,
        director: "Steven Spielberg",
        cast: "Roy Scheider, Robert Shaw and Richard Dreyfuss",
        genre: "thriller",
        premise: "a police chief who is afraid of the water has to persuade a resort town to close its beaches when a great white shark starts hunting off Amity Island",
        deck: "Summer, canceled.",
        tags: &["Thrillers", "Steven Spielberg", "Summer movies"],
    },
    Film {
        title: "Alien",
        year: 1979,
        director: "Ridley Scott",
        cast: "Sigourney Weaver, Tom Skerritt and Ian Holm",
        genre: "horror",
        premise: "the crew of the commercial towing ship Nostromo answers a distress signal on a dead planet and brings something back aboard",
        deck: "Read the fine print on the distress call.",
        tags: &["Horror", "Science fiction"],
    },
    Film {
        title: "Blade Runner",
        year: 1982,
        director: "Ridley Scott",
        cast: "Harrison Ford, Rutger Hauer and Sean Young",
        genre: "scifi",
        premise: "a burned-out cop in a rain-soaked future Los Angeles is sent to hunt four fugitive replicants who want more life than they were built to have",
        deck: "It's always raining in the future.",
        tags: &["Science fiction", "Cult classics"],
    },
    Film {
        title: "The Shining",
        year: 1980,
        director: "Stanley Kubrick",
        cast: "Jack Nicholson, Shelley Duvall and Danny Lloyd",
        genre: "horror",
        premise: "a blocked writer takes a winter caretaking job at a snowbound Colorado hotel with his wife and young son, and the hotel takes an interest in him",
        deck: "Worst writing residency ever.",
        tags: &["Horror", "Stanley Kubrick"],
    },
    Film {
        title: "Taxi Driver",
        year: 1976,
        director: "Martin Scorsese",
        cast: "Robert De Niro, Jodie Foster and Cybill Shepherd",
        genre: "drama",
        premise: "a sleepless Vietnam veteran drives a night cab through a decaying New York and curdles into something dangerous",
        deck: "The night shift never ends.",
        tags: &["Drama", "Martin Scorsese", "New York"],
    },
    Film {
        title: "Goodfellas",
        year: 1990,
        director: "Martin Scorsese",
        cast: "Ray Liotta, Robert De Niro, Joe Pesci and Lorraine Bracco",
        genre: "crime",
        premise: "Henry Hill rises through a New York crime family from errand boy to earner, then watches it come apart in a paranoid, sleepless final act",
        deck: "Watch the sauce, watch the helicopter.",
        tags: &["Crime", "Martin Scorsese"],
    },
    Film {
        title: "Casablanca",
        year: 1942,
        director: "Michael Curtiz",
        cast: "Humphrey Bogart, Ingrid Bergman and Claude Rains",
        genre: "romance",
        premise: "a cynical American nightclub owner in wartime Morocco holds the letters of transit that could get the woman who left him, and her husband, out of the country",
        deck: "Still the best bar in town.",
        tags: &["Classic Hollywood", "Romance"],
    },
    Film {
        title: "Groundhog Day",
        year: 1993,
        director: "Harold Ramis",
        cast: "Bill Murray and Andie MacDowell",
        genre: "comedy",
        premise: "a sour television weatherman sent to cover a small-town Pennsylvania festival wakes up to the same February 2 again and again",
        deck: "Same time tomorrow.",
        tags: &["Comedy", "Bill Murray"],
    },
    Film {
        title: "Back to the Future",
        year: 1985,
        director: "Robert Zemeckis",
        cast: "Michael J. Fox, Christopher Lloyd and Lea Thompson",
        genre: "scifi",
        premise: "a teenager is sent thirty years into the past in a time-traveling DeLorean and accidentally gets in the way of his parents' first meeting",
        deck: "Mind the flux capacitor.",
        tags: &["Science fiction", "Eighties", "Family films"],
    },
    Film {
        title: "The Silence of the Lambs",
        year: 1991,
        director: "Jonathan Demme",
        cast: "Jodie Foster, Anthony Hopkins and Scott Glenn",
        genre: "thriller",
        premise: "an FBI trainee asks an imprisoned psychiatrist and cannibal for help catching a serial killer",
        deck: "A very polite monster.",
        tags: &["Thrillers"],
    },
    Film {
        title: "Toy Story",
        year: 1995,
        director: "John Lasseter",
        cast: "Tom Hanks, Tim Allen and Don Rickles",
        genre: "animation",
        premise: "a pull-string cowboy doll's place as favorite toy is threatened by a space ranger action figure who has no idea he is a toy",
        deck: "Nobody tell Buzz.",
        tags: &["Animation", "Family films"],
    },
    Film {
        title: "Spirited Away",
        year: 2001,
        director: "Hayao Miyazaki",
        cast: "",
        genre: "animation",
        premise: "a sulky ten-year-old girl is trapped in a bathhouse for spirits after her parents are turned into pigs",
        deck: "Bath time for the gods.",
        tags: &["Animation", "Japanese cinema", "Studio Ghibli"],
    },
    Film {
        title: "Children of Men",
        year: 2006,
        director: "Alfonso Cuarón",
        cast: "Clive Owen, Julianne Moore and Michael Caine",
        genre: "scifi",
        premise: "in a Britain where no child has been born in eighteen years, a worn-out bureaucrat is drafted to get a pregnant young woman to safety",
        deck: "Hope, in very long takes.",
        tags: &["Science fiction", "Dystopias"],
    },
    Film {
        title: "No Country for Old Men",
        year: 2007,
        director: "Joel and Ethan Coen",
        cast: "Josh Brolin, Javier Bardem and Tommy Lee Jones",
        genre: "crime",
        premise: "a Texas welder finds a satchel of drug money at a desert shootout and is hunted by a killer with a cattle gun and a coin",
        deck: "Bad haircut, worse intentions.",
        tags: &["Crime", "Coen brothers", "Westerns"],
    },
    Film {
        title: "Lost in Translation",
        year: 2003,
        director: "Sofia Coppola",
        cast: "Bill Murray and Scarlett Johansson",
        genre: "romance",
        premise: "a fading American movie star and a young newlywed, both awake at the wrong hours in a Tokyo hotel, form a brief and unclassifiable bond",
        deck: "Jet lag as a love language.",
        tags: &["Drama", "Bill Murray", "Tokyo"],
    },
    Film {
        title: "Eternal Sunshine of the Spotless Mind",
        year: 2004,
        director: "Michel Gondry",
        cast: "Jim Carrey, Kate Winslet and Mark Ruffalo",
        genre: "romance",
        premise: "a heartbroken man pays a clinic to erase an ex-girlfriend from his memory, then tries to hide her inside it while the procedure is under way",
        deck: "Delete history? Are you sure?",
        tags: &["Romance", "Science fiction"],
    },
    Film {
        title: "Amélie",
        year: 2001,
        director: "Jean-Pierre Jeunet",
        cast: "Audrey Tautou and Mathieu Kassovitz",
        genre: "comedy",
        premise: "a shy waitress in Montmartre decides to quietly improve the lives of the people around her while carefully avoiding her own",
        deck: "Crème brûlée diplomacy.",
        tags: &["French cinema", "Comedy", "Paris"],
    },
    Film {
        title: "Ratatouille",
        year: 2007,
        director: "Brad Bird",
        cast: "Patton Oswalt, Lou Romano and Peter O'Toole",
        genre: "animation",
        premise: "a rat with a refined palate teams up with a hapless kitchen hand to cook at a famous Paris restaurant",
        deck: "Kitchen pest, redeemed.",
        tags: &["Animation", "Pixar", "Food on film"],
    },
    Film {
        title: "WALL-E",
        year: 2008,
        director: "Andrew Stanton",
        cast: "Ben Burtt, Elissa Knight and Jeff Garlin",
        genre: "animation",
        premise: "a trash-compacting robot left alone on an abandoned Earth falls for a sleek probe sent to look for signs of plant life",
        deck: "Love among the garbage.",
        tags: &["Animation", "Pixar", "Science fiction"],
    },
    Film {
        title: "The Incredibles",
        year: 2004,
        director: "Brad Bird",
        cast: "Craig T. Nelson, Holly Hunter and Samuel L. Jackson",
        genre: "animation",
        premise: "a family of superheroes forced into suburban anonymity suits up again when the father takes a suspicious freelance job",
        deck: "Midlife crisis, with spandex.",
        tags: &["Animation", "Pixar", "Superheroes"],
    },
    Film {
        title: "Inception",
        year: 2010,
        director: "Christopher Nolan",
        cast: "Leonardo DiCaprio, Joseph Gordon-Levitt and Marion Cotillard",
        genre: "scifi",
        premise: "a thief who steals secrets from inside people's dreams is hired to plant an idea instead",
        deck: "Dreams, stacked like Jenga blocks.",
        tags: &["Science fiction", "Christopher Nolan"],
    },
    Film {
        title: "Memento",
        year: 2000,
        director: "Christopher Nolan",
        cast: "Guy Pearce, Carrie-Anne Moss and Joe Pantoliano",
        genre: "thriller",
        premise: "a man who can no longer form new memories hunts his wife's killer with Polaroids, handwritten notes and tattoos, and the film runs backward with him",
        deck: "Take notes. He does.",
        tags: &["Thrillers", "Christopher Nolan"],
    },
    Film {
        title: "The Matrix",
        year: 1999,
        director: "Lana and Lilly Wachowski",
        cast: "Keanu Reeves, Laurence Fishburne and Carrie-Anne Moss",
        genre: "scifi",
        premise: "a hacker learns that the world he knows is a simulation built to keep humanity asleep, and that he may be the one who can break it",
        deck: "Red pill, black coat.",
        tags: &["Science fiction", "Action", "Nineties"],
    },
    Film {
        title: "Se7en",
        year: 1995,
        director: "David Fincher",
        cast: "Brad Pitt, Morgan Freeman and Gwyneth Paltrow",
        genre: "thriller",
        premise: "two detectives, one a week from retirement and one newly transferred, track a killer who stages murders after the seven deadly sins",
        deck: "Sin, in seven installments.",
        tags: &["Thrillers", "David Fincher"],
    },
    Film {
        title: "Fight Club",
        year: 1999,
        director: "David Fincher",
        cast: "Edward Norton, Brad Pitt and Helena Bonham Carter",
        genre: "drama",
        premise: "an insomniac office worker meets a soap salesman, and together they start an underground fighting club that grows into something much worse",
        deck: "We're not supposed to talk about it.",
        tags: &["Drama", "David Fincher", "Cult classics"],
    },
    Film {
        title: "Raiders of the Lost Ark",
        year: 1981,
        director: "Steven Spielberg",
        cast: "Harrison Ford, Karen Allen and Paul Freeman",
        genre: "action",
        premise: "an archaeologist races Nazi agents across the globe to find the Ark of the Covenant",
        deck: "Fedora, whip, bad attitude about snakes.",
        tags: &["Action", "Steven Spielberg", "Adventure"],
    },
    Film {
        title: "E.T. the Extra-Terrestrial",
        year: 1982,
        director: "Steven Spielberg",
        cast: "Henry Thomas, Drew Barrymore and Dee Wallace",
        genre: "scifi",
        premise: "a lonely suburban boy finds a stranded alien and hides it in his closet",
        deck: "Long-distance charges apply.",
        tags: &["Family films", "Steven Spielberg", "Science fiction"],
    },
    Film {
        title: "The Godfather",
        year: 1972,
        director: "Francis Ford Coppola",
        cast: "Marlon Brando, Al Pacino and Diane Keaton",
        genre: "crime",
        premise: "the youngest son of a New York crime family, the one who was supposed to stay out of it, becomes its coldest and most capable leader",
        deck: "Family business.",
        tags: &["Crime", "Seventies"],
    },
    Film {
        title: "Apocalypse Now",
        year: 1979,
        director: "Francis Ford Coppola",
        cast: "Martin Sheen, Marlon Brando and Robert Duvall",
        genre: "epic",
        premise: "an Army captain is sent upriver from Vietnam into Cambodia to find and kill a colonel who has gone rogue",
        deck: "The river goes somewhere bad.",
        tags: &["War films", "Seventies"],
    },
    Film {
        title: "Do the Right Thing",
        year: 1989,
        director: "Spike Lee",
        cast: "Spike Lee, Danny Aiello and Ruby Dee",
        genre: "drama",
        premise: "the hottest day of the summer on one Brooklyn block builds toward a confrontation at the neighborhood pizzeria",
        deck: "Heat index: critical.",
        tags: &["Drama", "Spike Lee", "New York"],
    },
    Film {
        title: "Moonlight",
        year: 2016,
        director: "Barry Jenkins",
        cast: "Trevante Rhodes, Mahershala Ali and Naomie Harris",
        genre: "drama",
        premise: "a young Black man growing up in Miami is seen in three chapters, from boyhood to adulthood, working out who he is allowed to be",
        deck: "Three lives, one tide.",
        tags: &["Drama", "Miami"],
    },
    Film {
        title: "Parasite",
        year: 2019,
        director: "Bong Joon-ho",
        cast: "Song Kang-ho, Cho Yeo-jeong and Choi Woo-shik",
        genre: "thriller",
        premise: "a struggling family cons its way, one job at a time, into the household of a wealthy family in Seoul",
        deck: "Mind the basement.",
        tags: &["Korean cinema", "Thrillers"],
    },
    Film {
        title: "Mad Max: Fury Road",
        year: 2015,
        director: "George Miller",
        cast: "Charlize Theron, Tom Hardy and Nicholas Hoult",
        genre: "action",
        premise: "a rebel commander flees a desert warlord in an armored war rig, smuggling out the wives he kept prisoner, with a captured drifter along for the ride",
        deck: "Two hours, one chase, no brakes.",
        tags: &["Action", "Dystopias"],
    },
    Film {
        title: "Get Out",
        year: 2017,
        director: "Jordan Peele",
        cast: "Daniel Kaluuya, Allison Williams and Catherine Keener",
        genre: "horror",
        premise: "a young Black photographer spends a weekend with his white girlfriend's parents and finds their hospitality deeply, specifically wrong",
        deck: "Meet the parents. Then run.",
        tags: &["Horror", "Jordan Peele"],
    },
    Film {
        title: "The Grand Budapest Hotel",
        year: 2014,
        director: "Wes Anderson",
        cast: "Ralph Fiennes, Tony Revolori and Saoirse Ronan",
        genre: "comedy",
        premise: "a fastidious concierge and his lobby boy are caught up in the theft of a priceless painting and a brawl over a dowager's fortune",
        deck: "Pastel, with teeth.",
        tags: &["Comedy", "Wes Anderson"],
    },
    Film {
        title: "Rear Window",
        year: 1954,
        director: "Alfred Hitchcock",
        cast: "James Stewart, Grace Kelly and Thelma Ritter",
        genre: "thriller",
        premise: "a photographer laid up with a broken leg watches his neighbors across the courtyard and becomes convinced one of them has committed a murder",
        deck: "Nosy neighbor, vindicated.",
        tags: &["Alfred Hitchcock", "Classic Hollywood", "Thrillers"],
    },
    Film {
        title: "Vertigo",
        year: 1958,
        director: "Alfred Hitchcock",
        cast: "James Stewart and Kim Novak",
        genre: "thriller",
        premise: "a retired San Francisco detective with a fear of heights is hired to follow an old acquaintance's wife and falls for her",
        deck: "Spiral staircase, spiraling man.",
        tags: &["Alfred Hitchcock", "Classic Hollywood", "San Francisco"],
    },
    Film {
        title: "Psycho",
        year: 1960,
        director: "Alfred Hitchcock",
        cast: "Anthony Perkins, Janet Leigh and Vera Miles",
        genre: "horror",
        premise: "a secretary on the run with stolen cash checks into a remote motel run by a young man devoted to his mother",
        deck: "Check out early.",
        tags: &["Alfred Hitchcock", "Horror", "Classic Hollywood"],
    },
    Film {
        title: "2001: A Space Odyssey",
        year: 1968,
        director: "Stanley Kubrick",
        cast: "Keir Dullea and Gary Lockwood",
        genre: "scifi",
        premise: "a journey from prehistoric apes to a crewed mission to Jupiter follows a series of black monoliths and a very calm computer called HAL",
        deck: "The computer is fine. Totally fine.",
        tags: &["Science fiction", "Stanley Kubrick"],
    },
    Film {
        title: "Singin' in the Rain",
        year: 1952,
        director: "Gene Kelly and Stanley Donen",
        cast: "Gene Kelly, Debbie Reynolds and Donald O'Connor",
        genre: "musical",
        premise: "a silent-film star and his studio scramble to survive the arrival of talking pictures, with a leading lady whose voice is a problem",
        deck: "Soaked and smiling.",
        tags: &["Musicals", "Classic Hollywood"],
    },
    Film {
        title: "Some Like It Hot",
        year: 1959,
        director: "Billy Wilder",
        cast: "Marilyn Monroe, Tony Curtis and Jack Lemmon",
        genre: "comedy",
        premise: "two Chicago musicians who witness a gangland massacre hide from the mob by joining an all-women band headed for Florida",
        deck: "Disguise, delightfully.",
        tags: &["Comedy", "Billy Wilder", "Classic Hollywood"],
    },
    Film {
        title: "The Apartment",
        year: 1960,
        director: "Billy Wilder",
        cast: "Jack Lemmon, Shirley MacLaine and Fred MacMurray",
        genre: "comedy",
        premise: "an insurance clerk climbs the corporate ladder by lending his apartment to executives for their affairs, until he falls for the elevator operator one of them is seeing",
        deck: "Lend a key, lose your soul.",
        tags: &["Billy Wilder", "Classic Hollywood", "Comedy"],
    },
    Film {
        title: "Heat",
        year: 1995,
        director: "Michael Mann",
        cast: "Al Pacino, Robert De Niro and Val Kilmer",
        genre: "crime",
        premise: "an obsessive Los Angeles detective and a meticulous professional thief circle each other across the city",
        deck: "Coffee with the enemy.",
        tags: &["Crime", "Los Angeles"],
    },
    Film {
        title: "Jurassic Park",
        year: 1993,
        director: "Steven Spielberg",
        cast: "Sam Neill, Laura Dern and Jeff Goldblum",
        genre: "action",
        premise: "a billionaire invites scientists to preview his island theme park of cloned dinosaurs just before the power goes out",
        deck: "Theme park, poorly fenced.",
        tags: &["Steven Spielberg", "Adventure", "Summer movies"],
    },
    Film {
        title: "Titanic",
        year: 1997,
        director: "James Cameron",
        cast: "Leonardo DiCaprio, Kate Winslet and Billy Zane",
        genre: "epic",
        premise: "a penniless artist and an engaged first-class passenger fall in love aboard the ocean liner on its first and last voyage",
        deck: "Iceberg ahead, feelings too.",
        tags: &["Romance", "James Cameron"],
    },
    Film {
        title: "Terminator 2: Judgment Day",
        year: 1991,
        director: "James Cameron",
        cast: "Arnold Schwarzenegger, Linda Hamilton and Edward Furlong",
        genre: "action",
        premise: "a reprogrammed cyborg is sent back to protect a teenage John Connor and his mother from a shape-shifting liquid-metal assassin",
        deck: "Upgrade complete.",
        tags: &["Action", "James Cameron", "Science fiction"],
    },
    Film {
        title: "The Lord of the Rings: The Fellowship of the Ring",
        year: 2001,
        director: "Peter Jackson",
        cast: "Elijah Wood, Ian McKellen and Viggo Mortensen",
        genre: "epic",
        premise: "a hobbit inherits a ring of terrible power and sets out with eight companions to destroy it",
        deck: "Long walk, excellent scenery.",
        tags: &["Fantasy", "Adventure"],
    },
    Film {
        title: "Spider-Man 2",
        year: 2004,
        director: "Sam Raimi",
        cast: "Tobey Maguire, Kirsten Dunst and Alfred Molina",
        genre: "action",
        premise: "Peter Parker, broke and losing his powers, faces a brilliant scientist fused to four mechanical arms",
        deck: "Rent's due, Spidey.",
        tags: &["Superheroes", "Action"],
    },
    Film {
        title: "The Dark Knight",
        year: 2008,
        director: "Christopher Nolan",
        cast: "Christian Bale, Heath Ledger and Aaron Eckhart",
        genre: "action",
        premise: "Batman, a crusading district attorney and a police lieutenant try to break Gotham's mob just as the Joker arrives to make things worse",
        deck: "Chaos, carefully planned.",
        tags: &["Superheroes", "Christopher Nolan"],
    },
    Film {
        title: "Shaun of the Dead",
        year: 2004,
        director: "Edgar Wright",
        cast: "Simon Pegg, Nick Frost and Kate Ashfield",
        genre: "comedy",
        premise: "an aimless London electronics salesman tries to win back his girlfriend and rescue his mum during a zombie outbreak",
        deck: "The pub as fortress.",
        tags: &["Comedy", "Horror", "British cinema"],
    },
    Film {
        title: "Little Miss Sunshine",
        year: 2006,
        director: "Jonathan Dayton and Valerie Faris",
        cast: "Abigail Breslin, Toni Collette, Steve Carell and Greg Kinnear",
        genre: "comedy",
        premise: "a frayed New Mexico family drives a failing Volkswagen bus to California so the youngest can compete in a children's beauty pageant",
        deck: "Push-start the van.",
        tags: &["Comedy", "Road movies"],
    },
    Film {
        title: "Slumdog Millionaire",
        year: 2008,
        director: "Danny Boyle",
        cast: "Dev Patel, Freida Pinto and Anil Kapoor",
        genre: "drama",
        premise: "a young man from the Mumbai slums is one question away from winning a television quiz show, and the police want to know how",
        deck: "Final answer?",
        tags: &["Drama", "Danny Boyle"],
    },
    Film {
        title: "Trainspotting",
        year: 1996,
        director: "Danny Boyle",
        cast: "Ewan McGregor, Ewen Bremner and Robert Carlyle",
        genre: "drama",
        premise: "a group of heroin users in Edinburgh lurch from one bad decision to the next",
        deck: "Choose a review.",
        tags: &["British cinema", "Danny Boyle", "Nineties"],
    },
    Film {
        title: "Brokeback Mountain",
        year: 2005,
        director: "Ang Lee",
        cast: "Heath Ledger, Jake Gyllenhaal and Michelle Williams",
        genre: "romance",
        premise: "two ranch hands who meet herding sheep in 1963 Wyoming carry on a love affair across twenty years",
        deck: "Twenty years, one summer.",
        tags: &["Romance", "Ang Lee", "Westerns"],
    },
    Film {
        title: "Crouching Tiger, Hidden Dragon",
        year: 2000,
        director: "Ang Lee",
        cast: "Chow Yun-fat, Michelle Yeoh and Zhang Ziyi",
        genre: "action",
        premise: "a legendary sword and the people who want it bring together an aging warrior, his longtime companion and a restless young aristocrat",
        deck: "Gravity, optional.",
        tags: &["Martial arts", "Ang Lee"],
    },
    Film {
        title: "Pan's Labyrinth",
        year: 2006,
        director: "Guillermo del Toro",
        cast: "Ivana Baquero, Sergi López and Maribel Verdú",
        genre: "epic",
        premise: "in Spain in 1944, the stepdaughter of a brutal fascist captain escapes into a world of fauns, tests and terrible bargains",
        deck: "Fairy tale, sharp edges.",
        tags: &["Fantasy", "Spanish cinema", "Guillermo del Toro"],
    },
    Film {
        title: "City of God",
        year: 2002,
        director: "Fernando Meirelles and Kátia Lund",
        cast: "Alexandre Rodrigues, Leandro Firmino and Phellipe Haagensen",
        genre: "crime",
        premise: "a young would-be photographer grows up in a Rio de Janeiro housing project as the drug trade swallows his friends",
        deck: "Shutter speed, survival.",
        tags: &["Brazilian cinema", "Crime"],
    },
    Film {
        title: "Oldboy",
        year: 2003,
        director: "Park Chan-wook",
        cast: "Choi Min-sik, Yoo Ji-tae and Kang Hye-jung",
        genre: "thriller",
        premise: "a man is locked in a shabby room for fifteen years without explanation, then released and given five days to find out why",
        deck: "Room service, revenge.",
        tags: &["Korean cinema", "Thrillers"],
    },
    Film {
        title: "My Neighbor Totoro",
        year: 1988,
        director: "Hayao Miyazaki",
        cast: "",
        genre: "animation",
        premise: "two young sisters who move to the countryside while their mother is in the hospital befriend the forest spirits near their new house",
        deck: "Catbus, please.",
        tags: &["Animation", "Japanese cinema", "Studio Ghibli"],
    },
    Film {
        title: "The Princess Bride",
        year: 1987,
        director: "Rob Reiner",
        cast: "Cary Elwes, Robin Wright and Mandy Patinkin",
        genre: "comedy",
        premise: "a grandfather reads his sick grandson a storybook full of pirates, giants, swordfights and true love",
        deck: "Fencing, storytelling, true love.",
        tags: &["Comedy", "Fantasy", "Family films"],
    },
    Film {
        title: "Being John Malkovich",
        year: 1999,
        director: "Spike Jonze",
        cast: "John Cusack, Cameron Diaz and Catherine Keener",
        genre: "comedy",
        premise: "a struggling puppeteer takes a filing job and finds a small door that leads into the head of the actor John Malkovich",
        deck: "Floor seven and a half.",
        tags: &["Comedy", "Spike Jonze"],
    },
    Film {
        title: "Boyhood",
        year: 2014,
        director: "Richard Linklater",
        cast: "Ellar Coltrane, Patricia Arquette and Ethan Hawke",
        genre: "drama",
        premise: "filmed a little at a time over twelve years, it follows a Texas boy from first grade to his first days of college",
        deck: "Twelve years, no makeup department.",
        tags: &["Drama", "Richard Linklater", "Texas"],
    },
    Film {
        title: "Her",
        year: 2013,
        director: "Spike Jonze",
        cast: "Joaquin Phoenix, Scarlett Johansson and Amy Adams",
        genre: "romance",
        premise: "a lonely writer of other people's letters in near-future Los Angeles falls in love with his computer's operating system",
        deck: "Software update: feelings.",
        tags: &["Romance", "Science fiction", "Spike Jonze"],
    },
    Film {
        title: "Whiplash",
        year: 2014,
        director: "Damien Chazelle",
        cast: "Miles Teller and J.K. Simmons",
        genre: "drama",
        premise: "a young jazz drummer at an elite New York conservatory is pushed to bleeding by a tyrannical bandleader",
        deck: "Tempo as a weapon.",
        tags: &["Drama", "Jazz", "Music on film"],
    },
    Film {
        title: "The Social Network",
        year: 2010,
        director: "David Fincher",
        cast: "Jesse Eisenberg, Andrew Garfield and Justin Timberlake",
        genre: "drama",
        premise: "the founding of Facebook is told through two lawsuits and a great many hostile depositions",
        deck: "Add friend. Lose friend.",
        tags: &["Drama", "David Fincher"],
    },
    Film {
        title: "Arrival",
        year: 2016,
        director: "Denis Villeneuve",
        cast: "Amy Adams, Jeremy Renner and Forest Whitaker",
        genre: "scifi",
        premise: "a linguist is recruited to talk with the aliens whose ships have appeared at twelve sites around the world",
        deck: "Hello, in circles.",
        tags: &["Science fiction", "Denis Villeneuve"],
    },
    Film {
        title: "Ghostbusters",
        year: 1984,
        director: "Ivan Reitman",
        cast: "Bill Murray, Dan Aykroyd, Sigourney Weaver and Harold Ramis",
        genre: "comedy",
        premise: "three disgraced parapsychologists open a ghost-removal business in New York just as the city's supernatural activity peaks",
        deck: "Small business, big slime.",
        tags: &["Comedy", "Bill Murray", "Eighties"],
    },
    Film {
        title: "Rocky",
        year: 1976,
        director: "John G. Avildsen",
        cast: "Sylvester Stallone, Talia Shire and Burgess Meredith",
        genre: "drama",
        premise: "a small-time Philadelphia boxer gets a long-shot chance to fight the heavyweight champion of the world",
        deck: "Raw eggs, raw nerves.",
        tags: &["Sports movies", "Seventies"],
    },
    Film {
        title: "The Wizard of Oz",
        year: 1939,
        director: "Victor Fleming",
        cast: "Judy Garland, Ray Bolger and Margaret Hamilton",
        genre: "musical",
        premise: "a Kansas farm girl is carried off by a tornado to a land in Technicolor and follows a yellow brick road in search of a way home",
        deck: "Tornado as travel agent.",
        tags: &["Musicals", "Classic Hollywood", "Family films"],
    },
    Film {
        title: "Seven Samurai",
        year: 1954,
        director: "Akira Kurosawa",
        cast: "Takashi Shimura and Toshiro Mifune",
        genre: "epic",
        premise: "a village of farmers hires seven masterless samurai to defend it against bandits who will return after the harvest",
        deck: "Three and a half hours, none wasted.",
        tags: &["Japanese cinema", "Akira Kurosawa"],
    },
];

const CINEMAS: Pool = &[
    "Bellwether Cinema",
    "Marlowe Screening Room",
    "Larkspur Twin",
    "Paragon Twin",
    "Quay Theater",
    "Orpheum on Tolliver",
    "Cinder Hollow Cinematheque",
];

const LEDE: Pool = &[
    "There are movies you watch and movies you {move into|rent a room in} for a couple of hours, and *{title}* is {firmly|squarely|happily} the second kind.",
    "Somebody at the {cinema} had the good sense to book *{title}* for {a week|a weekend run|three nights only|a midnight series}, and you should have the good sense to go.",
    "It has been a long time since {year}, and *{title}* still {plays like it was finished last Tuesday|refuses to act its age|hasn't heard that it's supposed to feel dated}.",
    "I went into *{title}* {braced for|expecting} {a museum piece|homework|a monument} and came out {grinning like an idiot|wanting to argue with strangers in the lobby|rattled in the best way}.",
    "Every few years I return to *{title}* to check whether it is as good as I remember. {It is, mostly.|It is better, which is irritating.|It is different, which is the more interesting answer.}",
    "The first thing to say about *{title}* is that it {moves|is funny|is patient|is strange}, whatever {its reputation|the poster} might suggest.",
    "Reputation is a heavy coat for a movie to wear, and *{title}* has been wearing one since {year}.",
    "*{title}* is the kind of film people {quote at parties|argue about in parking lots|recommend with a warning}, which makes it {oddly hard|surprisingly easy} to see with fresh eyes.",
    "{director} made *{title}* in {year}, and it has been {rearranging people's expectations|getting under people's skin|turning up in other people's movies} ever since.",
    "If you've only seen *{title}* {in clips|on a laptop|on a plane|in pieces on late-night cable}, {you owe yourself a big screen|consider this an intervention|the {cinema} has a proposition for you}.",
    "A confession: I put off *{title}* for years, {out of pure contrarianism|because everyone told me I had to|because I assumed I already knew what it was}. {That was a mistake.|I was wrong, and happily so.|Reader, I was a fool.}",
    "Some films earn their place in the canon {politely|on points}. *{title}* {kicks the door in|walks in like it owns the building|sneaks in through the kitchen}.",
    "Nobody needs another essay about *{title}*, so consider this a {postcard|note slipped under the door|friendly shove} instead.",
    "*{title}* turns up at the {cinema} {this week|for a short run|on a fresh print}, and the {crowd|house} I saw it with {applauded at the end|stayed through every credit|went quiet in all the right places}.",
];

const LEDE_FOLLOW: Pool = &[
    "It's playing at the {cinema} {this week|through the weekend|for a short run}, and {the popcorn is better than it needs to be|the seats alone are worth the trip}.",
    "What follows is less a review than a {nudge|plea|set of notes|case for going}.",
    "I'll try not to spoil {much|anything that matters}, though at this point the statute of limitations has arguably run out.",
    "It holds up{, and then some|, with a couple of asterisks|, mostly}.",
    "That's either high praise or a warning, depending on {your patience|how you feel about {star}|what you want from a night out}.",
    "{It still works.|The thing still works.} {That's rarer than it sounds.|That is not nothing.}",
];

const PLOT_OPEN: Pool = &[
    "{The setup|The premise|The story, briefly|Here is the setup}: {premise}.",
    "For the record, {premise}.",
    "If you somehow don't know, {premise}.",
];

const PLOT: Pool = &[
    "It sounds like a pitch {written on a napkin|scribbled on a bar napkin|you could fit on an index card}, and the film's achievement is how much it {hangs on|builds out of} {that napkin|so little}.",
    "The film treats that premise like a {trapdoor|basement door|false floor}, and keeps finding {rooms|whole floors|new rooms} underneath it.",
    "The {screenplay|script} {doles out information like a miser|trusts you to keep up|is generous with detail and stingy with explanation}.",
    "You {know|can guess} roughly where it's going; {the pleasure is in|what matters is} {the route|how it gets there|the detours}.",
    "Nothing about the plot is {especially|terribly|all that} {surprising|novel} on paper. {Paper is not where movies happen.|Then again, movies don't happen on paper.}",
    "The first {act is|twenty minutes are} all table-setting, {and it's the best table-setting in the business|but you never hear the gears|which some viewers will find slow and I find hypnotic}.",
    "There's a {lovely|sly|nasty} economy to how the story {moves|unspools|tightens}: hardly a scene {overstays its welcome|is wasted|lingers past its point}.",
    "By the midpoint the movie has {changed shape|quietly become something else|doubled its stakes} without announcing it.",
    "The plot turns just enough {to keep you leaning forward|to matter}, and rarely {for its own sake|just to show off}.",
    "A few {coincidences|contrivances} {pile up|creep in} in the second half, but the film {barrels through them|has earned the right to a few}.",
    "The story is {simple|lean} enough to explain in a sentence and {rich|strange} enough to argue about for a week.",
    "What's {remarkable|striking|bracing} is how little time the film spends explaining itself{, and how little you miss the explanations|; it would rather show you|}.",
];

const PERFORMANCE: Pool = &[
    "{star} gives {a performance built out of small, exact choices|the kind of performance that looks easy and isn't|a performance you could teach a class on}.",
    "Watch {star}'s {eyes|hands|shoulders} in the quieter scenes; {that's where the movie lives|the whole film is there}.",
    "{star} plays it {straight, and the restraint pays off|close to the vest, which is exactly right|big and loose, and the film can take it|with a wink kept carefully out of sight}.",
    "The supporting cast, {led by|including} {costar}, {fills every corner|is uniformly sharp|never lets a scene go slack}.",
    "{costar} {nearly steals|walks off with} {a scene or two|the middle stretch|more than one scene}, which is no small feat in this company.",
    "It's an ensemble in the real sense: the actors {react to each other instead of waiting for their cue|actually listen to each other}, and you can feel it.",
    "{star} has {rarely|seldom} been {better|used this well}{, and I say that with a long memory|}.",
    "There's a moment {late in the film|near the end|around the hour mark} where {star} {does almost nothing|just holds still|lets a line land and sit there}, and it's {devastating|the best thing in the movie|very funny}.",
    "Not every performance is on the same wavelength; a {couple|few} of the smaller roles {feel sketched in|play broad}, though {nobody will remember them on the drive home|it hardly matters|the leads more than compensate}.",
    "Casting {star} {looks obvious in hindsight|must have seemed like a gamble at the time}, and it is exactly right.",
    "The chemistry between {star} and {costar} is {the engine|the whole ballgame|what you'll remember}, especially in scenes where they're just talking in a room.",
    "{star} makes a {difficult|prickly|thinly sketched} character {magnetic|impossible to look away from|sympathetic without begging for it}.",
    "{costar} is {wonderful|a live wire|quietly superb} in a role that {could easily have been a cliché|a lesser actor would have played too big}.",
];

const VOICES: Pool = &[
    "The animators give every character a {weight|specificity} that {most live-action films can't manage|you can almost feel}.",
    "The voice work is {unforced|warm|exact}{, never winking at the grown-ups in the audience|, never selling the jokes too hard|}.",
    "{Watch the backgrounds|Look at the edges of the frame}: there's more invention in a single street back there than most films manage in two hours.",
    "Kids {watch it for the jokes|love it for the characters}; adults come back for everything underneath.",
    "The character design is {simple|clean} in the best sense: every {gesture|expression} reads from the back row.",
    "The {comic|physical} timing would make a silent-film clown jealous.",
    "Not every {subplot|supporting character} gets enough room, but the central {relationship|story} is {rock solid|completely earned}.",
    "There is a stretch with almost no dialogue that {could be the best thing here|is worth the ticket on its own}.",
    "It never talks down to children, which is exactly why it works for everybody else.",
];

const CRAFT: Pool = &[
    "{director}'s {camera|direction} is {patient|restless|precise|unhurried} in ways that {reward|demand} {your full attention|a big screen}.",
    "The {cinematography|photography} {favors|leans on} {deep shadows|long takes|faces over landscapes|landscapes over faces}, and {it never feels like a stunt|it always serves the story|the effect is cumulative}.",
    "Pay attention to the sound: {what you don't hear does|the silences do} as much work as the dialogue.",
    "The editing {has a rhythm you feel in your chest|is crisp without being frantic|has the confidence to let shots run}.",
    "Nearly every {frame|composition} looks {considered|argued over|cared about}, but the film never {feels fussy|turns into a gallery|stops breathing}.",
    "The score {swells|sits} only where it needs to, and it {knows when to shut up|never tells you what to feel|does a great deal of quiet lifting}.",
    "The production design does {half the storytelling|a lot of quiet work}: {the rooms tell you who lives in them and what they won't say out loud|every set looks lived in, or lived through|you could map the characters' lives from their furniture}.",
    "In {director}'s hands, even the {throwaway|transitional|quiet} moments {carry weight|hum with tension|have a charge}.",
    "There's {a shot|an image} about {halfway|two-thirds of the way} through that I {haven't been able to shake|keep thinking about|would happily hang on my wall}.",
    "This is filmmaking by people who trust {images|an image} over {exposition|explanation|speeches}.",
    "{The film|It} {wears its budget lightly|spends its money on the screen}, and none of it is there just to impress you.",
    "{Everything|The whole thing} is {staged|blocked} with a {clarity|confidence} that {makes it look simple|younger directors still study|you only notice when you try to describe it}.",
];

fn genre_pool(genre: &str) -> Pool {
    match genre {
        "crime" => &[
            "Crime movies live or die on texture, and this one is steeped in {its world|cigarette smoke and bad decisions|the details of work}.",
            "The violence is {sudden|ugly|blunt} and over fast, and the film doesn't linger on it, which makes it land harder.",
            "{Money|Greed|Loyalty} {drives|poisons} every relationship here, and the film {is clear-eyed about|doesn't flinch from} what that does to people.",
            "It's a crime picture that is {secretly|also} {a comedy of manners|a family drama|a study in bad judgment}.",
            "You'll find yourself {rooting for|liking} exactly the wrong characters, which is {the point|the trap}.",
            "It understands that most criminals are {bad at their jobs|just tired people with worse options}, and it is funnier and sadder for it.",
        ],
        "comedy" => &[
            "The jokes come {fast|in layers|sideways}, and {the best ones|a lot of them} {sneak up on you|land on the second viewing}.",
            "Comedy dates faster than almost any other genre, and this one has barely a wrinkle.",
            "The secret is {that nobody on screen thinks they're in a comedy|the sadness underneath it|the precision of the timing}.",
            "The audience I saw it with laughed {hard enough to miss the next line|out loud, repeatedly}, which is the only review a comedy really needs.",
            "There's real {melancholy|warmth|anger} beneath the gags, and the film lets it surface {at the right moments|exactly when it should}.",
            "It is {silly|absurd} in {the most disciplined way|a way that takes enormous skill}, with every ridiculous beat built on something true.",
        ],
        "thriller" => &[
            "The tension is {built brick by brick|ratcheted up in tiny increments}, so that by the last act {you're holding your breath without meaning to|the theater was dead silent}.",
            "The film understands that {anticipation|what you can't see} is scarier than any payoff it could show you.",
            "Some reveals hit harder than others, but {none of them feel cheap|the film never cheats}.",
            "It's a thriller with an actual {moral|human} center, which is rarer than it should be.",
            "You'll want to check the locks when you get home{, and maybe your own motives|}.",
            "{Every|Each} scene {tightens the screw|adds a little weight to the pile} until the whole thing {groans|snaps}.",
        ],
        "horror" => &[
            "Good horror is {really about something else|about what it's afraid of}, and this one is frightened of something real.",
            "The scares are {earned|sparing}; the few jolts are {well placed|placed with a watchmaker's care}.",
            "It takes its time, and the dread it builds becomes {almost physical|hard to shake|the point}.",
            "I watched a good chunk of the last act through my fingers, which is the highest compliment I know.",
            "Horror rarely gets respect at awards season, and films like this are the rebuttal.",
            "It is {funnier|sadder|stranger} than its reputation, which only makes the frightening parts worse.",
        ],
        "scifi" => &[
            "The best science fiction uses the future as a mirror, and this one knows exactly what it is reflecting.",
            "The world on screen feels {lived-in|grimy|specific} rather than shiny, which sells everything else.",
            "The effects have {aged a little|dated in spots}, but the ideas haven't, and that turns out to matter more.",
            "Beneath the {hardware|gadgetry|spectacle}, it's an intimate movie about {loneliness|what makes a person a person|memory and loss}.",
            "It raises big questions and is smart enough to leave some of them open.",
            "It imagines {tomorrow|the future} with {enough|just enough} {dirt|detail|sadness} under the fingernails to make you believe it.",
        ],
        "action" => &[
            "The action is legible: you always know where everyone is, which sounds basic and is apparently very hard.",
            "It runs like a {freight train|well-oiled machine|pinball}, but there's a {real heart|sense of humor} under the chrome.",
            "The set pieces feel {physical|dangerous|real} in a way computer-made mayhem rarely does.",
            "Strip away the spectacle and you still have characters worth caring about.",
            "You may need a {nap|drink|stretch} afterward. That's a compliment.",
            "It knows that a great action scene is {a short story|a piece of music|a joke with a punch line}, with a beginning, a middle and an end.",
        ],
        "animation" => &[
            "Animation isn't a genre, it's a set of tools, and this film uses every one of them.",
            "Grown-ups who come without kids may be surprised by how much it {hurts|gets to them}.",
            "The story is simple the way fables are simple, which is the hardest kind of simple to pull off.",
            "It trusts children with {sadness|silence|mystery}, and they repay that trust.",
        ],
        "drama" => &[
            "It is honest about {how people actually behave|ambition|family|failure} in a way that {stings|leaves a mark}.",
            "Little happens in the conventional sense, and yet the stakes feel enormous.",
            "The dialogue sounds overheard rather than typed.",
            "It lets scenes play out, trusting you to sit with discomfort, which is its own kind of nerve.",
            "By the end you feel you've spent {years|a lifetime} with these people.",
            "It refuses {easy answers|to tidy anything up}, and the film is stronger for it.",
        ],
        "romance" => &[
            "Love stories are easy to fake, and this one earns every {glance|beat}.",
            "The longing is specific, never greeting-card.",
            "It understands that bad timing is the real villain of most love stories.",
            "It's romantic without ever getting {sappy|saccharine|soft}.",
            "The film is at its best in the pauses, when two people almost say the thing.",
        ],
        "musical" => &[
            "The numbers are pure {joy|invention}, and you can see the rehearsal only if you go looking for it.",
            "It's proof that people in motion are the most cinematic thing there is.",
            "A couple of songs stop the story cold, and that is the deal you make with a musical.",
            "You will leave humming. Consider yourself warned.",
            "The dancing is {athletic|giddy|precise} enough to make you forgive any stretch of plot.",
        ],
        "epic" => &[
            "It is vast on screen, but its most memorable moments are small and quiet.",
            "It's long, sure, and it earns most of every minute; the sweep is genuinely thrilling.",
            "It was made on a scale that hardly gets attempted anymore.",
            "It never loses sight of the people inside the spectacle.",
            "The landscapes are {a character|characters} of their own, {indifferent|beautiful|hostile} to everyone in them.",
        ],
        other => panic!("unknown genre {other}"),
    }
}

const RESERVATIONS: Pool = &[
    "Not all of it has aged gracefully; a couple of {scenes|lines|attitudes} land {differently|awkwardly} now.",
    "If I have a {complaint|quibble}, it's {the ending, which feels a little too tidy|the last ten minutes, which feel rushed|the running time, which is a beat too long|a subplot that goes nowhere}.",
    "The film {occasionally|now and then} mistakes {volume|noise|bigness} for feeling, but those moments are {rare|few} and it {corrects course quickly|never stays there long}.",
    "Viewers who need {everything explained|tidy answers|a likable hero} may leave grumbling. Let them.",
    "Its {reputation|legend|place on every list} can oversell it; {go in as cold as you can|try to forget what you've heard|lower your expectations a notch, then let it raise them}.",
    "{One|A single} {sequence|subplot} in the middle {drags|wanders off}, and you can feel the film {checking its watch|waiting to get back to the good stuff}.",
];

const CONTEXT: Pool = &[
    "The {cinema} is showing it as part of its {@series} series, which has a few more titles worth circling.",
    "Tickets are {$9|$10|$12}, {$6 for students|cheaper on Tuesdays|cash or card}, and the concession stand {uses real butter|sells a suspiciously good hot dog|has a very serious licorice selection}.",
    "Shows start at {7 p.m.|7:30 p.m.|9:15 p.m.} {nightly|Thursday through Sunday|with a late show on Saturday}; [check showtimes](https://example.org/showtimes/{slug}).",
    "Get there early: {@cinema_quirk}.",
    "The print {is|looks} {gorgeous|a little scratched in the best way|newly restored}, and the sound system {finally got the upgrade it deserved|is louder than you'll expect}.",
];

const SERIES: Pool = &[
    "Summer Rewind",
    "Second Look",
    "Midnight Matinee",
    "Directors in Focus",
    "Cheap Seats Tuesday",
    "Date Night Classics",
    "Films That Made Us Cry in Public",
    "Sunday Double Feature",
];

const CINEMA_QUIRK: Pool = &[
    "the seats are beloved, lumpy and first come, first served",
    "the projectionist introduces every show with a short, unrehearsed speech",
    "the balcony fills up first and the good sightlines go with it",
    "the lobby bar closes at showtime and takes its cocktails very seriously",
    "the house cat occasionally patrols the front row",
];

const VERDICT: Pool = &[
    "**Verdict:** {See it|Go|Don't miss it}, {preferably on the biggest screen you can find|ideally with a crowd|and bring someone who likes to argue}.",
    "Go. Bring {a friend|a date|your most skeptical friend}, and leave time for {a drink|pie|a long walk} afterward, because you'll want to talk about it.",
    "Whatever you thought of it back in {year}, *{title}* is worth {a fresh look|another look|your evening} now.",
    "It's {not perfect|flawed|a little lumpy}, and it is still {essential|one of the great ones|better than almost anything opening this month}.",
    "It's the kind of movie that {reminds you why you go to the movies|makes you want to keep going to the movies|justifies sitting in the dark with strangers}.",
    "Skip the couch version. It was made for the big screen, and the {cinema} has one.",
    "**Rating:** {four stars out of four, with no regrets|four stars out of four; not a minute wasted|three and a half stars out of four, and I'm still arguing with myself about the missing half}.",
];

const OVERHEARD: Pool = &[
    "I forgot it was this good. I'm a little mad about it.",
    "Okay, but who was the guy in the hat?",
    "I need to sit in the car for a minute.",
    "My dad cried at this and I thought he was being dramatic. He was not being dramatic.",
    "Nobody tell me anything. I'm coming back tomorrow.",
    "Is it weird that I want to move there? Don't answer that.",
    "That's the best two hours I've spent in this building, and I had my first date in this building.",
    "I thought I knew how it ended. I did not know how it ended.",
    "Every time I see it, it's about something different.",
    "We should have gotten the large popcorn.",
    "I've seen it on TV a dozen times. I have never actually seen it.",
    "Remind me never to go camping. Or anywhere.",
    "Why is nobody making movies like this anymore? Rhetorical. Don't answer.",
    "Okay. Okay. I get it now.",
    "That was either the best or the worst date idea I've ever had.",
];

const SEE_IF: Pool = &[
    "you like movies that trust you",
    "you've only ever seen the parodies",
    "you need a reason to leave the house this week",
    "you want to remember what a full theater sounds like",
    "you've been meaning to for years",
];

const SKIP_IF: Pool = &[
    "you need every loose end tied",
    "you're in the mood for something light",
    "you've seen it nine times already (actually, go anyway)",
    "you can't sit still for two hours",
];

const BRING: Pool = &[
    "tissues",
    "a sweater; the {cinema} runs its air conditioning like a meat locker",
    "someone who has never seen it",
    "snacks the ushers won't notice",
    "your patience and your phone on silent",
];

const SUBHEAD_CAST: Pool = &[
    "The performances",
    "The cast",
    "Who's in it",
    "The people on screen",
];
const SUBHEAD_CRAFT: Pool = &[
    "How it's made",
    "The craft",
    "Behind the camera",
    "How it looks and sounds",
];
const SUBHEAD_VERDICT: Pool = &["The verdict", "Bottom line", "Should you go?", "So: go?"];

const POOLS: &[(&str, Pool)] = &[("series", SERIES), ("cinema_quirk", CINEMA_QUIRK)];

fn split_cast(cast: &str) -> Vec<&str> {
    cast.split(", ")
        .flat_map(|p| p.split(" and "))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

pub(crate) fn write(g: &mut G, heads: &mut HashSet<String>, out: &mut Vec<DemoArticle>) {
    out.push(rust_and_bone());
    heads.insert("Rust and Bone".to_string());
    for film in FILMS {
        assert!(
            heads.insert(film.title.to_string()),
            "film listed twice: {}",
            film.title
        );
        out.push(review(g, film));
    }
}

/// How a performer is named on second reference.
fn short_name(name: &str) -> String {
    match name {
        "Robert De Niro" => "De Niro".into(),
        "Helena Bonham Carter" => "Bonham Carter".into(),
        "Guillermo del Toro" => "del Toro".into(),
        // Korean and Chinese names: family name first.
        "Song Kang-ho" | "Cho Yeo-jeong" | "Choi Woo-shik" | "Chow Yun-fat" | "Zhang Ziyi"
        | "Choi Min-sik" | "Yoo Ji-tae" | "Kang Hye-jung" => {
            name.split(' ').next().unwrap_or(name).into()
        }
        _ => crate::gen::surname(name),
    }
}

fn review(g: &mut G, f: &Film) -> DemoArticle {
    g.fresh();
    let mut c = Ctx::new(POOLS);
    let names = split_cast(f.cast);
    c.set("title", f.title);
    c.set("year", &f.year.to_string());
    c.set("director", f.director);
    c.set("cinema", g.pick(CINEMAS));
    c.set("slug", &crate::slugify(f.title));
    c.set("premise", f.premise);
    let animated = f.genre == "animation";
    if !names.is_empty() {
        c.set("star", names[0]);
        c.set("costar", names[1]);
    } else {
        c.set("star", "the cast");
    }

    let mut b = Body::default();
    let mut lede = g.xp(&c, LEDE);
    if g.chance(0.7) {
        lede.push(' ');
        lede.push_str(&g.xp(&c, LEDE_FOLLOW));
    }
    b.p(lede);

    let mut plot = g.xp(&c, PLOT_OPEN);
    let plot_n = 1 + g.below(3);
    plot.push(' ');
    plot.push_str(&g.para(&c, PLOT, plot_n));
    b.p(crate::gen::capitalize(&plot));

    let heads = g.chance(0.45);
    if heads {
        b.h(g.pick(SUBHEAD_CAST));
    }
    if animated || names.is_empty() {
        let n = 2 + g.below(2);
        b.p(g.para(&c, VOICES, n));
    } else {
        let n = 2 + g.below(2);
        b.p(g.para(&c, PERFORMANCE, n));
    }

    if heads {
        b.h(g.pick(SUBHEAD_CRAFT));
    }
    let craft_n = 2 + g.below(2);
    let mut craft = g.para(&c, CRAFT, craft_n);
    let genre = genre_pool(f.genre);
    if g.chance(0.5) {
        craft.push(' ');
        craft.push_str(&g.para(&c, genre, 1));
        b.p(craft);
    } else {
        b.p(craft);
        let n = 2 + g.below(2);
        b.p(g.para(&c, genre, n));
    }

    if g.chance(0.3) {
        b.quote(
            &format!("“{}”", g.pick(OVERHEARD)),
            &g.x(&c, "overheard {in the lobby of|outside|in the restroom line at|at the concession stand of} the {cinema}{, {@day} night|}"),
        );
    }
    if g.chance(0.55) {
        let n = 1 + g.below(2);
        b.p(g.para(&c, RESERVATIONS, n));
    }
    if g.chance(0.5) {
        let n = 2 + g.below(2);
        b.p(g.para(&c, CONTEXT, n));
    }
    if g.chance(0.25) {
        let items = [
            format!("**See it if:** {}", g.pick(SEE_IF)),
            format!("**Skip it if:** {}", g.pick(SKIP_IF)),
            format!("**Bring:** {}", g.xp(&c, BRING)),
        ];
        b.list(&items);
    }
    if heads {
        b.h(g.pick(SUBHEAD_VERDICT));
    }
    let verdict_n = 1 + g.below(2);
    b.p(g.para(&c, VERDICT, verdict_n));

    let mut refs = Vec::new();
    for name in &names {
        refs.push((name.to_string(), short_name(name)));
    }
    let mut body = crate::gen::second_refs(&b.finish(), &refs);
    let mut facts = format!("**{}** ({}) · Directed by {}", f.title, f.year, f.director);
    if !f.cast.is_empty() {
        facts.push_str(&format!(" · With {}", f.cast));
    }
    facts.push_str(&g.x(&c, " · {At|Now playing at|Showing at} the {cinema}"));
    body.push('\n');
    body.push_str(&facts);
    body.push('\n');

    let author = if g.chance(0.7) {
        staff::FILM
    } else {
        staff::AT_LARGE
    };
    let mut tags: Vec<String> = f.tags.iter().map(|t| t.to_string()).collect();
    if g.chance(0.3) {
        tags.push("Repertory".to_string());
    }
    article(
        SECTION,
        f.title.to_string(),
        f.deck.to_string(),
        body,
        &[author],
        &tags,
    )
}

fn rust_and_bone() -> DemoArticle {
    let body = "\
Jacques Audiard makes movies about bodies under pressure, and *Rust and Bone* (*De rouille et d'os*) is the most literal of them. Its two lovers (if that is even the word, and for a long time the film isn't sure) meet in a nightclub in Antibes, where one of them is working the door and the other has just been caught in a scuffle on the dance floor.

Marion Cotillard plays Stéphanie, who trains orcas at a marine park on the Côte d'Azur. Matthias Schoenaerts is Ali, a broke drifter who has come south with his five-year-old son, Sam, to stay with his sister. Ali is not a good father. He isn't a cruel one, exactly; he just forgets the boy is there for long stretches, the way you forget a coat on a hook. Then an accident during a show at the park costs Stéphanie both her legs, and a movie that had been shrugging along suddenly has a pulse.

The obvious version of this story is a weepie about a patient man nursing a broken woman back to life, and Audiard has no interest in the obvious version. Ali doesn't pity Stéphanie; he barely seems to register what happened to her. He takes her to the beach, swims while she watches, and then asks, as if it were nothing, whether she wants to go in. His bluntness turns out to be a kind of respect, and Cotillard plays her astonishment at being treated as a person rather than a tragedy with real wit. When the two of them start sleeping together, they negotiate it with the flat practicality of a business arrangement, and the film is smart enough to find that both funny and sad.

Ali makes money in bare-knuckle fights staged in parking lots and vacant lots, and Audiard shoots them without a shred of glamour: gravel, blood, men circling each other in the heat while a small crowd shouts. Stéphanie starts coming along, and then starts helping run the business. There is something unsettling in how alive she looks at the edge of that circle, and the film lets it stay unsettling instead of explaining it away.

The digital work that removes Cotillard's legs is so seamless that you stop thinking about it within a scene, which is the point: *Rust and Bone* never turns her body into a spectacle, even as it keeps asking what a body is for. Stéphane Fontaine's camera stays close and sun-struck, all lens flare and sweat. The music choices are bold to the edge of recklessness, and one of them, a Katy Perry single playing while Stéphanie runs through her old orca routine from her wheelchair using only her arms, should be ridiculous. It is the best scene in the movie.

Not all of it works. The last act leans on a melodramatic turn involving Sam and a frozen lake, and Audiard, usually so allergic to tidy catharsis, reaches for it hard. Schoenaerts is so good at playing a man who cannot say what he feels that when the film finally forces the feelings out of him, you can hear the gears. It's a fair trade for everything that came before, but it is a trade.

Still: Cotillard, working mostly from the waist up and often in silence, gives a performance of enormous control, and Schoenaerts matches her with a kind of animal innocence that never tips into cuteness. This is a film about two people who only know how to talk with their bodies, and then one of them loses half of hers. What they build out of the wreckage isn't pretty and isn't a lesson. It's just life, which keeps going whether or not you're ready. **See it.**

**Rust and Bone** (2012) · Directed by Jacques Audiard · With Marion Cotillard and Matthias Schoenaerts · In French with English subtitles
";
    let mut a = article(
        SECTION,
        "Rust and Bone".to_string(),
        "Physical therapy.".to_string(),
        body.to_string(),
        &[staff::FILM],
        &[
            "French cinema".to_string(),
            "Drama".to_string(),
            "Jacques Audiard".to_string(),
        ],
    );
    a.slug = "rust-and-bone".to_string();
    a.age_minutes = 90;
    a
}

/// The reviewed films as facts: title, year, directors, cast (billing order) and genre.
pub fn film_facts() -> Vec<crate::DemoFilm> {
    FILMS
        .iter()
        .map(|f| crate::DemoFilm {
            title: f.title.to_string(),
            year: f.year as i64,
            directors: split_directors(f.director),
            cast: split_names(f.cast),
            genre: crate::gen::capitalize(f.genre),
        })
        .collect()
}

/// "A, B and C" -> [A, B, C].
fn split_names(s: &str) -> Vec<String> {
    s.split(", ").flat_map(|p| p.split(" and ")).map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).collect()
}

/// Like [`split_names`], and "Joel and Ethan Coen" -> [Joel Coen, Ethan Coen].
fn split_directors(s: &str) -> Vec<String> {
    let names = split_names(s);
    if names.len() == 2 && !names[0].contains(' ') {
        if let Some((_, surname)) = names[1].rsplit_once(' ') {
            return vec![format!("{} {surname}", names[0]), names[1].clone()];
        }
    }
    names
}
