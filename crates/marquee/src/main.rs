//! The `marquee` command: serve a site, run the demo, migrate, manage staff.

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use marquee::config::Config;
use marquee::{demo, Common};
use marquee_store::Store;
use std::path::PathBuf;

/// mimalloc rather than the C library's allocator: see ARCHITECTURE.md ("Choices").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "marquee", version, about = "Publishing for arts and alternative-weekly newspapers")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the demo site in the data directory if it is not there (SQLite), then serve it.
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        #[arg(long, default_value = "./marquee-data")]
        data_dir: PathBuf,
        /// Keep the demo in this database (e.g. postgres://...) instead of the data directory's
        /// SQLite file; the sign-in and the mail stay in the data directory.
        #[arg(long)]
        database_url: Option<String>,
        /// The paper's name, when the demo is first created (to run two demo papers side by
        /// side).
        #[arg(long, default_value = demo::DEMO_NAME)]
        name: String,
        /// Serve pages without the in-memory page cache (for comparisons).
        #[arg(long)]
        no_page_cache: bool,
        /// Render the boxes around articles from the database on every request (for comparisons).
        #[arg(long)]
        no_box_cache: bool,
    },
    /// Serve a site; migrations run on start.
    Serve {
        #[command(flatten)]
        common: Common,
        #[arg(long)]
        addr: Option<String>,
        /// A directory whose templates/ and static/ override the default theme.
        #[arg(long)]
        theme_dir: Option<PathBuf>,
    },
    /// Bring the database schema up to date and exit.
    Migrate {
        #[command(flatten)]
        common: Common,
    },
    /// Import data: `marquee import films|theaters|showtimes|events FILE`.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Write everything the paper owns (settings, staff, articles with revisions, films,
    /// theaters, showtimes, events, reports, readers, comments, subscriptions, images,
    /// federation keys and peers) into a new directory (format: docs/export-format.md).
    Export {
        #[command(flatten)]
        common: Common,
        /// The directory to create; it must be new or empty.
        #[arg(long)]
        out: PathBuf,
    },
    /// Load an export into a new, empty database of either kind (SQLite or PostgreSQL).
    Restore {
        #[command(flatten)]
        common: Common,
        /// The export's directory.
        dir: PathBuf,
    },
    /// Copy a running SQLite site into a new directory without stopping it: the database as
    /// one consistent file, and the original of every image.
    Backup {
        #[command(flatten)]
        common: Common,
        #[arg(long)]
        out: PathBuf,
    },
    /// Staff accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// API keys (the newsroom's Integrations desk makes them too).
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Make a Content API key (read-only) or an Admin API key acting as a staff member, and
    /// print it: it is shown only this once.
    Add {
        #[command(flatten)]
        common: Common,
        /// content or admin
        #[arg(long)]
        kind: String,
        /// What the key is for, as the Integrations desk lists it.
        #[arg(long)]
        name: String,
        /// The staff member an Admin key acts as (their email); the key has their role.
        #[arg(long)]
        user: Option<String>,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Films from a JSON array: the public movies.json shape or Marquee's format with credits
    /// and external ids (see docs/import-films.md). Safe to run again.
    Films {
        #[command(flatten)]
        common: Common,
        file: PathBuf,
        /// List every value that was dropped, not only the count.
        #[arg(long)]
        verbose: bool,
    },
    /// Theaters from CSV (see docs/import-showtimes.md). Safe to run again.
    Theaters {
        #[command(flatten)]
        common: Common,
        file: PathBuf,
    },
    /// Showtimes from CSV (see docs/import-showtimes.md): replaces the days the file covers
    /// for each theater in it, all at once; a file with a bad line changes nothing.
    Showtimes {
        #[command(flatten)]
        common: Common,
        file: PathBuf,
    },
    /// Events and their venues from CSV (see docs/import-events.md), added or updated by
    /// their ids; a file with a bad line changes nothing. Safe to run again.
    Events {
        #[command(flatten)]
        common: Common,
        file: PathBuf,
    },
    /// A WordPress export (Tools > Export > All content, a WXR file): posts, pages, authors,
    /// categories, tags, images, comments and custom fields, with every old address answering
    /// 301 to its new page (see docs/import-wordpress.md). Safe to run again.
    Wordpress {
        #[command(flatten)]
        common: Common,
        file: PathBuf,
        /// What WordPress categories become: `sections` (a post goes into the section of its
        /// main category, the others become tags) or `tags` (all posts go into --section).
        #[arg(long, default_value = "sections", value_parser = ["sections", "tags"])]
        categories: String,
        /// The section for posts without a category (and for all posts with --categories tags).
        #[arg(long, default_value = "news")]
        section: String,
        /// The section WordPress pages go into.
        #[arg(long, default_value = "pages")]
        pages_section: String,
        /// A copy of the site's wp-content/uploads folder, for the images.
        #[arg(long)]
        uploads: Option<PathBuf>,
        /// Download images that are not in --uploads from the old site (public addresses only).
        #[arg(long)]
        fetch: bool,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a staff account (its author profile is created with it).
    Add {
        #[command(flatten)]
        common: Common,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// contributor, editor or admin
        #[arg(long, default_value = "contributor")]
        role: String,
        /// Read the password from this environment variable instead of generating one.
        #[arg(long, value_name = "VAR")]
        password_env: Option<String>,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("MARQUEE_LOG").unwrap_or_else(|_| "warn,marquee=info".into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Demo { addr, data_dir, database_url, name, no_page_cache, no_box_cache } => demo::run(&addr, &data_dir, database_url.as_deref(), &name, !no_page_cache, !no_box_cache).await,
        Command::Serve { common, addr, theme_dir } => {
            let mut cfg = Config::load(&common)?;
            if let Some(a) = addr {
                cfg.addr = a;
            }
            if theme_dir.is_some() {
                cfg.theme_dir = theme_dir;
            }
            let store = Store::open(&cfg.database_url).await.with_context(|| format!("opening {}", cfg.database_url))?;
            if cfg.search_dir.is_some() {
                store.set_search_dir(cfg.search_dir.clone());
            }
            let web = cfg.web_config()?;
            match web.mail.mailer() {
                Some(m) => println!("Mail: {}", m.describe()),
                None => println!("Mail: not configured (set mail_transport); messages wait in the outbox."),
            }
            marquee::serve(store, &cfg.addr, web).await
        }
        Command::Migrate { common } => {
            let cfg = Config::load(&common)?;
            Store::open(&cfg.database_url).await.with_context(|| format!("migrating {}", cfg.database_url))?;
            println!("The database at {} is up to date.", marquee::redact(&cfg.database_url));
            Ok(())
        }
        Command::Import { command: ImportCommand::Films { common, file, verbose } } => {
            let cfg = Config::load(&common)?;
            let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let store = Store::open(&cfg.database_url).await?;
            let report = marquee::import::import_films(&store, &file.display().to_string(), &text, true).await?;
            for (n, why) in &report.skipped {
                println!("record {n}: skipped: {why}");
            }
            if verbose {
                for (n, note) in &report.notes {
                    println!("record {n}: {note}");
                }
            }
            println!("Films from {}: {}.", file.display(), report.summary());
            if !verbose && !report.notes.is_empty() {
                println!("Run with --verbose to list the dropped values (such as ratings outside the MPAA set).");
            }
            Ok(())
        }
        Command::Import { command: ImportCommand::Theaters { common, file } } => {
            let (store, text) = open_with_file(&common, &file).await?;
            let r = marquee::import::import_theaters(&store, &file.display().to_string(), &text).await?;
            println!("Theaters from {}: {} added, {} updated, {} unchanged.", file.display(), r.added, r.updated, r.unchanged);
            Ok(())
        }
        Command::Import { command: ImportCommand::Showtimes { common, file } } => {
            let (store, text) = open_with_file(&common, &file).await?;
            let r = marquee::import::import_showtimes(&store, &file.display().to_string(), &text).await?;
            println!("Showtimes from {}: {} screenings at {} theaters ({} earlier ones replaced).", file.display(), r.added, r.theaters, r.replaced);
            Ok(())
        }
        Command::Import { command: ImportCommand::Events { common, file } } => {
            let (store, text) = open_with_file(&common, &file).await?;
            let r = marquee::import::import_events(&store, &file.display().to_string(), &text).await?;
            println!("Events from {}: {}.", file.display(), r.summary());
            Ok(())
        }
        Command::Import { command: ImportCommand::Wordpress { common, file, categories, section, pages_section, uploads, fetch } } => {
            let cfg = Config::load(&common)?;
            let store = Store::open(&cfg.database_url).await.with_context(|| format!("opening {}", marquee::redact(&cfg.database_url)))?;
            let media = cfg.media_storage()?;
            let web = cfg.web_config()?;
            let fetcher = fetch.then(|| marquee::ImportFetcher::new(web.allow_private_fetch, web.media_limits.max_bytes));
            let mut opts = marquee::import::wordpress::Options::new(&media);
            if categories == "tags" {
                opts.categories = marquee::import::wordpress::Categories::Tags;
            }
            opts.section = section;
            opts.pages_section = pages_section;
            opts.uploads = uploads;
            opts.fetch = fetcher.as_ref().map(|f| f as &dyn marquee::import::wordpress::Fetch);
            opts.media_limits = web.media_limits;
            opts.progress = true;
            let started = std::time::Instant::now();
            let report = marquee::import::wordpress::import(&store, &file, &opts).await?;
            println!("WordPress export {}: {}", file.display(), report.details());
            let secs = started.elapsed().as_secs_f64();
            println!("{} records in {secs:.1} s ({:.0} a second).", report.records, report.records as f64 / secs.max(0.001));
            if report.images > 0 {
                println!("Image renditions are made in the background by the server (marquee serve or demo), now if it is running or when it next starts.");
            }
            Ok(())
        }
        Command::Export { common, out } => {
            let cfg = Config::load(&common)?;
            let store = Store::open(&cfg.database_url).await.with_context(|| format!("opening {}", marquee::redact(&cfg.database_url)))?;
            let media = cfg.media_storage()?;
            let r = marquee::import::backup::export(&store, &media, &out, true).await?;
            println!("Exported {} rows from {} tables and {} images into {}.", r.rows, r.tables, r.media_files, out.display());
            Ok(())
        }
        Command::Restore { common, dir } => {
            let cfg = Config::load(&common)?;
            let store = Store::open(&cfg.database_url).await.with_context(|| format!("opening {}", marquee::redact(&cfg.database_url)))?;
            let media = cfg.media_storage()?;
            let r = marquee::import::backup::restore(&store, &media, &dir, true).await?;
            println!("Restored {} rows into {} tables and {} images into {} from {}.", r.rows, r.tables, r.media_files, marquee::redact(&cfg.database_url), dir.display());
            Ok(())
        }
        Command::Backup { common, out } => {
            let cfg = Config::load(&common)?;
            let store = Store::open(&cfg.database_url).await.with_context(|| format!("opening {}", marquee::redact(&cfg.database_url)))?;
            let media = cfg.media_storage()?;
            let (bytes, images) = marquee::import::backup::backup(&store, &media, &out).await?;
            println!("Backed up the database ({:.1} MB) and {images} images into {}. To use it, serve sqlite://{}/marquee.db with media_dir {}/media.", bytes as f64 / 1e6, out.display(), out.display(), out.display());
            Ok(())
        }
        Command::User { command: UserCommand::Add { common, email, name, role, password_env } } => {
            let cfg = Config::load(&common)?;
            let (password, generated) = match password_env {
                Some(var) => (std::env::var(&var).with_context(|| format!("the environment variable {var} is not set"))?, false),
                None => (demo::random_password(), true),
            };
            let errors = marquee_web::validate_new_user(&email, &name, &role, &password);
            if !errors.is_empty() {
                let lines: Vec<String> = errors.iter().map(|(k, v)| format!("  --{}: {v}", if *k == "password" { "password-env" } else { k })).collect();
                bail!("the account was not added:\n{}", lines.join("\n"));
            }
            let store = Store::open(&cfg.database_url).await?;
            let hash = marquee_web::hash_password(&password);
            let new = marquee_store::NewUser { email: &email, name: name.trim(), password_hash: &hash, role: &role.trim().to_ascii_lowercase(), now: marquee_domain::time::now_unix() };
            match store.create_user(new, &marquee_domain::slugify(&name)).await? {
                Ok(u) => {
                    println!("Added {} <{}> as {}.", u.name, u.email, u.role);
                    if generated {
                        println!("Password: {password}");
                    }
                    Ok(())
                }
                Err(_) => bail!("a staff account with the email {email} already exists"),
            }
        }
        Command::Key { command: KeyCommand::Add { common, kind, name, user } } => add_key(&common, &kind, &name, user.as_deref()).await,
    }
}

async fn add_key(common: &Common, kind: &str, name: &str, user: Option<&str>) -> anyhow::Result<()> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        bail!("--name: name the key (up to 100 characters)");
    }
    match (kind, user) {
        ("content", Some(_)) => bail!("--user: a Content key acts as no one; leave --user out"),
        ("admin", None) => bail!("--user: an Admin key acts as a staff member; name their email"),
        ("content" | "admin", _) => {}
        (other, _) => bail!("--kind: {other:?} is not a kind of key; use content or admin"),
    }
    let cfg = Config::load(common)?;
    let db = marquee::redact(&cfg.database_url);
    let store = Store::open(&cfg.database_url).await.with_context(|| format!("opening {db}"))?;
    // The key only works on a server of this database: say which one it went into.
    eprintln!("Making the key in {db}.");
    let kind = match user {
        None => marquee_web::KeyKind::Content,
        Some(email) => match store.user_by_email(email.trim()).await? {
            Some(u) if u.active == 1 => marquee_web::KeyKind::Admin { user_id: u.id },
            Some(_) => bail!("--user: {email} is deactivated"),
            None => bail!("--user: there is no staff account with the email {email} in {db}"),
        },
    };
    let key = marquee_web::issue_key(&store, kind, name, None, marquee_domain::time::now_unix()).await?;
    println!("{key}");
    Ok(())
}

async fn open_with_file(common: &Common, file: &std::path::Path) -> anyhow::Result<(Store, String)> {
    let cfg = Config::load(common)?;
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    Ok((Store::open(&cfg.database_url).await?, text))
}

/// Hides a password in a database URL before printing it.
#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_hidden_in_printed_urls() {
        assert_eq!(marquee::redact("postgres://kim:s3cret@db/paper"), "postgres://kim:***@db/paper");
        assert_eq!(marquee::redact("postgres://kim@db/paper"), "postgres://kim@db/paper");
        assert_eq!(marquee::redact("sqlite://./a@b.db"), "sqlite://./a@b.db");
        assert_eq!(marquee::redact("@weird"), "@weird");
    }
}
