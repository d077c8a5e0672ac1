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
