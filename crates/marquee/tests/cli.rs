//! The `marquee` command as an operator runs it.

use std::process::Command;

fn marquee() -> Command {
    Command::new(env!("CARGO_BIN_EXE_marquee"))
}

#[test]
fn user_add_and_migrate_on_a_fresh_sqlite_file() {
    let dir = std::env::temp_dir().join(format!("marquee-cli-{}", std::process::id()));
    let url = format!("sqlite://{}", dir.join("site.db").display());
    let out = marquee().args(["migrate", "--database-url", &url]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("up to date"));

    let out = marquee().args(["user", "add", "--database-url", &url, "--email", "not-an-email", "--name", "Kim Lee", "--role", "editor"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--email") && err.contains("name@example.org"), "the error names the flag: {err}");

    let out = marquee().args(["user", "add", "--database-url", &url, "--email", "kim@paper.test", "--name", "Kim Lee", "--role", "boss"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--role"));

    let out = marquee()
        .args(["user", "add", "--database-url", &url, "--email", "kim@paper.test", "--name", "Kim Lee", "--role", "editor", "--password-env", "KIM_PW"])
        .env("KIM_PW", "a long password here")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Added Kim Lee <kim@paper.test> as editor."));

    let out = marquee().args(["user", "add", "--database-url", &url, "--email", "KIM@paper.test", "--name", "Kim Again"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));

    let out = marquee().args(["serve", "--database-url", "mysql://nope"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("use sqlite://PATH or postgres://"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn import_films_reports_skips_and_is_idempotent() {
    let dir = std::env::temp_dir().join(format!("marquee-cli-films-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("site.db").display());
    let file = dir.join("films.json");
    std::fs::write(&file, r#"[{"title": "Rust and Bone", "year": 2012, "certification": "Not Rated"}, {"year": 1999}, {"Title": 2012, "Release Date": "Nov 13 2009"}]"#).unwrap();
    let run = || marquee().args(["import", "films", "--database-url", &url]).arg(&file).output().unwrap();
    let out = run();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("record 2: skipped: no title"), "{stdout}");
    assert!(stdout.contains("2 added, 0 updated, 0 unchanged, 1 skipped; 1 values dropped"), "{stdout}");
    let again = String::from_utf8_lossy(&run().stdout).to_string();
    assert!(again.contains("0 added, 0 updated, 2 unchanged, 1 skipped"), "{again}");
    std::fs::write(&file, "[{\"title\": \"A\"},\n  nonsense]").unwrap();
    let out = run();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("films.json:2:"), "the error names the line");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn import_wordpress_prints_what_it_did_and_what_it_could_not_map() {
    let dir = std::env::temp_dir().join(format!("marquee-cli-wordpress-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("site.db").display());
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/wordpress");
    let export = examples.join("lantern.WordPress.2025-11-30.xml");
    let run = |file: &std::path::Path| {
        marquee()
            .args(["import", "wordpress", "--database-url", &url, "--uploads"])
            .arg(examples.join("uploads"))
            .arg(file)
            .env("MARQUEE_MEDIA_DIR", dir.join("media"))
            .output()
            .unwrap()
    };
    let out = run(&export);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains(": 30 added, 0 updated, 0 unchanged, 0 skipped"), "{stdout}");
    assert!(stdout.contains("6 posts, 2 pages, 6 comments, 3 images"), "{stdout}");
    assert!(stdout.contains("not mapped: items of the type “nav_menu_item” (1×, first on line"), "{stdout}");
    assert!(std::fs::read_dir(dir.join("media/originals")).unwrap().count() == 3, "the images are in the media directory");
    let again = run(&export);
    assert!(String::from_utf8_lossy(&again.stdout).contains(": 0 added, 0 updated, 30 unchanged, 0 skipped"));
    let broken = dir.join("broken.xml");
    std::fs::write(&broken, std::fs::read_to_string(&export).unwrap().replacen("</wp:post_name>", "</wp:post-name>", 1)).unwrap();
    let out = run(&broken);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("broken.xml:") && err.contains("closes <wp:post_name>"), "the error names the line and column: {err}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn import_events_prints_its_counts_and_refuses_a_bad_file_whole() {
    let dir = std::env::temp_dir().join(format!("marquee-cli-events-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("site.db").display());
    let file = dir.join("events.csv");
    let header = "id,title,category,start,venue_id,venue_name,postal_code,time_zone\n";
    std::fs::write(&file, format!("{header}E1,Open Mic,music,2030-05-04 19:00,V1,Cafe,94612,America/Los_Angeles\nE2,Story Hour,kids,2030-05-05T10:00,V1,,,\n")).unwrap();
    let run = || marquee().args(["import", "events", "--database-url", &url]).arg(&file).output().unwrap();
    let out = run();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("2 added, 0 updated, 0 unchanged; venues: 1 added, 0 updated."), "{stdout}");
    assert!(String::from_utf8_lossy(&run().stdout).contains("0 added, 0 updated, 2 unchanged"));
    std::fs::write(&file, format!("{header}E3,Good,music,2030-05-06T19:00,V1,,,\nE4,Bad,opera,2030-05-06T19:00,V1,,,\n")).unwrap();
    let out = run();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("events.csv:3: category:"), "the error names the line");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn key_add_makes_keys_and_demo_leaves_a_real_paper_alone() {
    let dir = std::env::temp_dir().join(format!("marquee-cli-keys-{}", std::process::id()));
    let url = format!("sqlite://{}", dir.join("site.db").display());
    let out = marquee().args(["user", "add", "--database-url", &url, "--email", "kim@paper.test", "--name", "Kim Lee", "--role", "editor"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let out = marquee().args(["key", "add", "--database-url", &url, "--kind", "content", "--name", "Front end"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let key = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(key.len() == 26 && key.bytes().all(|b| b.is_ascii_hexdigit()), "a Content key is 26 hex digits: {key}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("site.db"), "it says which database holds the key");

    let out = marquee().args(["key", "add", "--database-url", &url, "--kind", "admin", "--name", "Importer", "--user", "kim@paper.test"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let admin = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(marquee_api::token::split_key(&admin).is_some(), "an Admin key is id:secret: {admin}");

    for (args, flag) in [
        (vec!["--kind", "admin", "--name", "x"], "--user"),
        (vec!["--kind", "admin", "--name", "x", "--user", "nobody@paper.test"], "--user"),
        (vec!["--kind", "content", "--name", "x", "--user", "kim@paper.test"], "--user"),
        (vec!["--kind", "secret", "--name", "x"], "--kind"),
        (vec!["--kind", "content", "--name", " "], "--name"),
    ] {
        let out = marquee().args(["key", "add", "--database-url", &url]).args(&args).output().unwrap();
        assert!(!out.status.success(), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(flag), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }

    // The demo refuses a database that already holds a paper, and changes nothing in it.
    let out = marquee().args(["demo", "--addr", "127.0.0.1:1", "--data-dir"]).arg(dir.join("demo")).args(["--database-url", &url]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not the demo"), "{}", String::from_utf8_lossy(&out.stderr));
    let _ = std::fs::remove_dir_all(dir);
}
