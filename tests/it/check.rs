//! `wendao check` (and the loader behind it) reports each kind of content error as `path:line: message`.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::{TempContent, fixture, repo_content};

struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
}

fn check(dir: &std::path::Path) -> Outcome {
    let out = Command::new(env!("CARGO_BIN_EXE_wendao"))
        .args(["check", "--content"])
        .arg(dir)
        .env_remove("WENDAO_CONTENT")
        .output()
        .expect("run wendao check");
    Outcome {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Breaks a copy of the fixture with one file, and expects one error at `relative:line`.
fn expect_error(relative: &str, text: &str, line: usize, message: &str) {
    let content = TempContent::copy_of(&fixture("basic"));
    content.write(relative, text);
    let out = check(content.path());
    assert_eq!(out.code, 1, "{relative}: {}", out.stderr);
    let want = format!("{}:{line}: ", content.path().join(relative).display());
    let line_found = out
        .stderr
        .lines()
        .find(|l| l.starts_with(&want))
        .unwrap_or_else(|| panic!("want {want}…{message}, got:\n{}", out.stderr));
    assert!(
        line_found.contains(message),
        "want {message:?} in {line_found:?}"
    );
}

const HEAD: &str = "+++\ntitle = \"标题\"\ncategory = \"alpha\"\n";

#[test]
fn valid_content_passes() {
    for dir in [fixture("basic"), repo_content()] {
        let out = check(&dir);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(out.stdout.starts_with("ok: "), "{}", out.stdout);
    }
}

#[test]
fn unknown_front_matter_key() {
    expect_error(
        "kb/x.md",
        &format!("{HEAD}colour = \"red\"\n+++\n正文\n"),
        4,
        "unknown field `colour`",
    );
}

#[test]
fn missing_title() {
    expect_error(
        "kb/x.md",
        "+++\ncategory = \"alpha\"\n+++\n正文\n",
        2,
        "missing field `title`",
    );
}

#[test]
fn empty_title() {
    expect_error(
        "kb/x.md",
        "+++\ncategory = \"alpha\"\ntitle = \"  \"\n+++\n正文\n",
        3,
        "title is empty",
    );
}

#[test]
fn unknown_category() {
    expect_error(
        "kb/x.md",
        "+++\ntitle = \"t\"\n\ncategory = \"gamma\"\n+++\n正文\n",
        4,
        "unknown category \"gamma\"",
    );
}

#[test]
fn malformed_toml() {
    expect_error(
        "kb/x.md",
        &format!("{HEAD}tags = [\"a\"\n+++\n正文\n"),
        4,
        "",
    );
}

#[test]
fn no_front_matter_or_unclosed() {
    expect_error("kb/x.md", "# 标题\n正文\n", 1, "must start with a +++ line");
    expect_error("kb/x.md", &format!("{HEAD}正文\n"), 1, "not closed");
}

#[test]
fn bad_date() {
    expect_error(
        "kb/x.md",
        &format!("{HEAD}updated = \"yesterday\"\n+++\n正文\n"),
        4,
        "",
    );
    expect_error(
        "kb/x.md",
        &format!("{HEAD}updated = 2026-01-01T10:00:00\n+++\n正文\n"),
        4,
        "must be a date",
    );
}

#[test]
fn bad_id_from_file_name() {
    expect_error(
        "kb/Bad_Name.md",
        &format!("{HEAD}+++\n正文\n"),
        1,
        "entry id \"Bad_Name\"",
    );
}

#[test]
fn alias_that_duplicates_an_id_or_another_alias() {
    expect_error(
        "kb/x.md",
        &format!("{HEAD}aliases = [\"fine\",\n  \"tls-errors\"]\n+++\n正文\n"),
        5,
        "alias \"tls-errors\" is already taken",
    );
    expect_error(
        "kb/x.md",
        &format!("{HEAD}aliases = [\"old-proxy\"]\n+++\n正文\n"),
        4,
        "alias \"old-proxy\" is already taken",
    );
    expect_error(
        "kb/x.md",
        &format!("{HEAD}aliases = [\"Old Id\"]\n+++\n正文\n"),
        4,
        "alias \"Old Id\" must be",
    );
}

#[test]
fn broken_internal_links() {
    expect_error(
        "kb/x.md",
        &format!("{HEAD}+++\n第一行\n\n见 [这里](/kb/missing)。\n"),
        7,
        "broken link /kb/missing: no entry \"missing\"",
    );
    expect_error(
        "kb/x.md",
        &format!("{HEAD}+++\n见 [这里](/kb/tls-errors#nowhere)。\n"),
        5,
        "has no heading #nowhere",
    );
    expect_error(
        "kb/x.md",
        &format!("{HEAD}+++\n见 [这里](/c/nowhere)。\n"),
        5,
        "no category \"nowhere\"",
    );
}

#[test]
fn links_to_aliases_and_existing_anchors_are_fine() {
    let content = TempContent::copy_of(&fixture("basic"));
    content.write(
        "kb/x.md",
        &format!("{HEAD}+++\n[a](/kb/old-proxy) [b](/kb/tls-errors#证书过期) [c](/c/beta)\n"),
    );
    let out = check(content.path());
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn empty_body() {
    expect_error("kb/x.md", &format!("{HEAD}+++\n\n"), 5, "entry has no text");
}

#[test]
fn category_file_errors() {
    expect_error(
        "categories.toml",
        "[[category]]\nslug = \"a\"\nname = \"A\"\n\n[[category]]\nslug = \"a\"\nname = \"B\"\n",
        6,
        "duplicate category slug \"a\" (first at line 2)",
    );
    // A third names the first, not the second.
    expect_error(
        "categories.toml",
        "[[category]]\nslug = \"a\"\nname = \"A\"\n\n[[category]]\nslug = \"a\"\nname = \"B\"\n\n[[category]]\nslug = \"a\"\nname = \"C\"\n",
        10,
        "duplicate category slug \"a\" (first at line 2)",
    );
    expect_error(
        "categories.toml",
        "[[category]]\nslug = \"a\"\nname = \"A\"\nicon = \"x\"\n",
        4,
        "unknown field `icon`",
    );
    expect_error(
        "categories.toml",
        "[[category]]\nslug = \"Bad Slug\"\nname = \"A\"\n",
        2,
        "category slug",
    );
}

#[test]
fn every_error_is_reported_not_just_the_first() {
    let content = TempContent::copy_of(&fixture("basic"));
    content.write(
        "kb/a.md",
        "+++\ntitle = \"a\"\ncategory = \"nope\"\n+++\n正文\n",
    );
    content.write(
        "kb/b.md",
        "+++\ntitle = \"b\"\ncategory = \"alpha\"\nextra = 1\n+++\n正文\n",
    );
    content.write(
        "kb/c.md",
        "+++\ntitle = \"c\"\ncategory = \"alpha\"\n+++\n[x](/kb/zzz)\n",
    );
    let out = check(content.path());
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("a.md:3: unknown category"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("b.md:4: unknown field `extra`"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("c.md:5: broken link"), "{}", out.stderr);
    assert!(out.stderr.contains("3 error(s)"), "{}", out.stderr);
}

#[test]
fn missing_directory_and_invalid_utf8() {
    let out = check(std::path::Path::new("/nonexistent/wendao-content"));
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("/nonexistent/wendao-content:0: content directory not found"),
        "{}",
        out.stderr
    );

    let content = TempContent::copy_of(&fixture("basic"));
    std::fs::write(content.path().join("kb/bin.md"), b"+++\ntitle = \"\xff\"\n").expect("write");
    let out = check(content.path());
    assert!(
        out.stderr.contains("bin.md:2: file is not valid UTF-8"),
        "{}",
        out.stderr
    );
}

#[test]
fn serve_refuses_invalid_content_with_the_same_messages() {
    let content = TempContent::copy_of(&fixture("basic"));
    content.write(
        "kb/a.md",
        "+++\ntitle = \"a\"\ncategory = \"nope\"\n+++\n正文\n",
    );
    let out = Command::new(env!("CARGO_BIN_EXE_wendao"))
        .args(["serve", "--addr", "127.0.0.1:0", "--content"])
        .arg(content.path())
        .arg("--data")
        .arg(content.path().join("data"))
        .output()
        .expect("run wendao serve");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("invalid content, not starting"), "{stderr}");
    assert!(
        stderr.contains("a.md:3: unknown category \"nope\""),
        "{stderr}"
    );
}

#[test]
fn bad_synonyms_and_generic_words() {
    let group = "[[group]]\nwords = [\"代理\", \"proxy\"]\n";
    expect_error(
        "synonyms.toml",
        &format!("{group}\n[[group]]\nwords = [\"代理服务器\", \"PROXY\"]\n"),
        5,
        "synonym \"PROXY\" is listed twice (first at line 2)",
    );
    expect_error(
        "synonyms.toml",
        "[[group]]\nwords = [\"孤单\"]\n",
        2,
        "a synonym group needs two or more words",
    );
    expect_error(
        "synonyms.toml",
        "[[group]]\nwords = [\"证书\", \"——\"]\n",
        2,
        "synonym \"——\" has no letters or digits",
    );
    expect_error(
        "synonyms.toml",
        &format!("generic = [\"失败\",\n  \"？？\"]\n{group}"),
        2,
        "generic word \"？？\" has no letters or digits",
    );
    expect_error(
        "synonyms.toml",
        &format!("generic = [\"失败\", \"问题\",\n  \"失败\"]\n{group}"),
        2,
        "generic word \"失败\" is listed twice",
    );
    expect_error("synonyms.toml", "generic = \"失败\"\n", 1, "invalid type");
}

#[test]
fn bad_glossary_terms() {
    expect_error(
        "glossary.toml",
        "[[term]]\nzh = \"白名单\"\nen = [\"whitelist\",\n  \"白名单\"]\n",
        4,
        "glossary word \"白名单\" for \"白名单\" is not English",
    );
    expect_error(
        "glossary.toml",
        "[[term]]\nzh = \"白名单\"\nen = [\"whitelist\"]\n\n[[term]]\nzh = \"安全域名\"\nen = [\"Whitelist\"]\n",
        7,
        "glossary word \"Whitelist\" is listed twice (first at line 3)",
    );
    expect_error(
        "glossary.toml",
        "[[term]]\nzh = \"白名单\"\nen = []\n",
        3,
        "glossary term \"白名单\" needs at least one English word",
    );
    expect_error(
        "glossary.toml",
        "[[term]]\nzh = \"  \"\nen = [\"blank\"]\n",
        2,
        "glossary term \"\" has no letters or digits",
    );
    expect_error(
        "glossary.toml",
        "[[term]]\nzh = \"白名单\"\nenglish = [\"whitelist\"]\n",
        3,
        "unknown field",
    );
}

#[test]
fn contact_file_errors() {
    expect_error("contact.md", "\n  \n", 1, "contact.md has no text");
    expect_error(
        "contact.md",
        "请提交工单。\n\n先看看 [这里](/kb/missing)。\n",
        3,
        "broken link /kb/missing: no entry \"missing\"",
    );
    let content = TempContent::copy_of(&fixture("basic"));
    std::fs::write(content.path().join("contact.md"), b"ok\n\xff\xfe\n").expect("write");
    let out = check(content.path());
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("contact.md:2: file is not valid UTF-8"),
        "{}",
        out.stderr
    );
}

// ── limits: big wizards, big files, symlinks ───────────────────────

/// A chain of `steps` one-choice steps written start first, ending in an outcome: the worst
/// order for a check that works back from the outcomes one pass at a time. 20,000 steps are
/// 1.6 MB, under the size limit.
fn chain_wizard(steps: usize) -> String {
    let mut toml = String::from("title=\"W\"\nstart=\"s0\"\n");
    for i in 0..steps - 1 {
        toml.push_str(&format!(
            "[[step]]\nid=\"s{i}\"\ntitle=\"S\"\n[[step.choice]]\nvalue=\"v\"\nlabel=\"L\"\nnext=\"s{}\"\n",
            i + 1
        ));
    }
    toml.push_str(&format!(
        "[[step]]\nid=\"s{}\"\ntitle=\"E\"\n[step.outcome]\nentries=[\"no-date\"]\n",
        steps - 1
    ));
    toml
}

#[test]
fn a_wizard_of_20000_steps_is_checked_in_seconds() {
    let content = TempContent::copy_of(&fixture("basic"));
    content.write("wizards/big.toml", &chain_wizard(20_000));
    let started = Instant::now();
    let library = wendao::content::load(content.path()).unwrap_or_else(|e| panic!("{e}"));
    let took = started.elapsed();
    let wizard = library.wizard("big").expect("the generated wizard");
    assert_eq!(wizard.steps.len(), 20_000);
    // 0.4 s in a debug build; when line numbers were counted from the top of the file and
    // dead ends found one pass over the steps at a time, 16 minutes (55 s in release). The
    // bound leaves room for a busy machine.
    assert!(took < Duration::from_secs(5), "20,000 steps took {took:?}");
}

#[test]
fn files_over_the_size_limit_are_errors_and_the_rest_is_still_checked() {
    let content = TempContent::copy_of(&fixture("basic"));
    // 50 MB each on paper, nothing on disk: only the metadata can tell.
    let big = [
        ("kb/huge.md", "entry"),
        ("wizards/huge.toml", "wizard"),
        ("categories.toml", "category list"),
        ("synonyms.toml", "synonym list"),
        ("glossary.toml", "glossary"),
        ("contact.md", "contact page"),
    ];
    for (relative, _) in big {
        content.sparse(relative, 50 * 1024 * 1024);
    }
    content.write(
        "kb/x.md",
        "+++\ntitle = \"x\"\ncategory = \"alpha\"\nextra = 1\n+++\n正文\n",
    );
    let out = check(content.path());
    assert_eq!(out.code, 1, "{}", out.stderr);
    for (relative, what) in big {
        let want = format!(
            "{}:1: {what} is 50.0 MB, over the 2 MB limit",
            content.path().join(relative).display()
        );
        assert!(
            out.stderr.contains(&want),
            "want {want}, got:\n{}",
            out.stderr
        );
    }
    assert!(
        out.stderr.contains("x.md:4: unknown field `extra`"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("7 error(s)"), "{}", out.stderr);
}

const VALID_ENTRY: &str = "+++\ntitle = \"别处的条目\"\ncategory = \"alpha\"\n+++\n正文。\n";
const VALID_WIZARD: &str = "title = \"W\"\nstart = \"a\"\n[[step]]\nid = \"a\"\ntitle = \"A\"\n[step.outcome]\nentries = [\"no-date\"]\n";

#[test]
fn symlinks_that_leave_the_content_directory_are_refused() {
    let content = TempContent::copy_of(&fixture("basic"));
    // Valid content outside: followed, it would load without a word.
    let outside = TempContent::copy_of(&fixture("basic"));
    outside.write("elsewhere.md", VALID_ENTRY);
    outside.write("wizards/w.toml", VALID_WIZARD);
    // Relative (the two temporary directories are siblings) and absolute links.
    let sibling = outside.path().file_name().expect("name").to_string_lossy();
    content.symlink("kb/elsewhere.md", format!("../../{sibling}/elsewhere.md"));
    content.symlink("wizards", outside.path().join("wizards"));
    content.remove("categories.toml");
    content.symlink("categories.toml", outside.path().join("categories.toml"));
    let out = check(content.path());
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    for relative in ["kb/elsewhere.md", "wizards", "categories.toml"] {
        let want = format!(
            "{}:1: symlink leads outside the content directory",
            content.path().join(relative).display()
        );
        assert!(
            out.stderr.contains(&want),
            "want {want}, got:\n{}",
            out.stderr
        );
    }
    assert!(out.stderr.contains("3 error(s)"), "{}", out.stderr);
}

#[test]
fn symlinks_within_the_content_directory_and_a_symlinked_root_work() {
    let real = TempContent::copy_of(&fixture("basic"));
    real.write("shared/linked.md", VALID_ENTRY);
    real.write("shared/wizards/w.toml", VALID_WIZARD);
    // A relative link and an absolute one, both into the tree.
    real.symlink("kb/linked.md", "../shared/linked.md");
    real.symlink("wizards", real.path().join("shared/wizards"));
    // The content directory itself a link, as in /srv/help/content -> releases/42/content.
    let srv = tempfile::tempdir().expect("tempdir");
    let root = srv.path().join("content");
    std::os::unix::fs::symlink(real.path(), &root).expect("symlink");

    let out = check(&root);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let library = wendao::content::load(&root).unwrap_or_else(|e| panic!("{e}"));
    assert!(library.entry("linked").is_some());
    assert!(library.wizard("w").is_some());
}

#[test]
fn symlink_loops_are_errors_not_hangs() {
    let content = TempContent::copy_of(&fixture("basic"));
    content.symlink("kb/loop.md", "loop.md");
    content.symlink("kb/ping.md", "pong.md");
    content.symlink("kb/pong.md", "ping.md");
    content.symlink("kb/up.md", "..");
    content.symlink("wizards", "wizards");
    let out = check(content.path());
    assert_eq!(out.code, 1, "{}", out.stderr);
    for relative in [
        "kb/loop.md",
        "kb/ping.md",
        "kb/pong.md",
        "kb/up.md",
        "wizards",
    ] {
        let want = format!("{}:", content.path().join(relative).display());
        assert!(
            out.stderr.contains(&want),
            "want {want}, got:\n{}",
            out.stderr
        );
    }
}

/// The version a translation names: the first 12 hex digits of its source file's SHA-256.
fn version_of(path: &std::path::Path) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(std::fs::read(path).expect("source"));
    digest
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()[..12]
        .to_string()
}

/// `kb/<id>.<lang>.md` is a translation: checked against its source, counted, never an entry.
#[test]
fn a_translation_beside_its_source_passes_and_is_not_an_entry() {
    let content = TempContent::copy_of(&fixture("basic"));
    let source = version_of(&content.path().join("kb/proxy-config.md"));
    content.write(
        "kb/proxy-config.en.md",
        &format!(
            "+++\ntitle = \"Configuring a proxy server\"\nsource = \"{source}\"\ntags = [\"proxy\"]\n+++\n\
             Read [the other one](/kb/tls-errors#证书过期) and [its FAQ](/kb/old-proxy#faq) first.\n\n\
             ## Steps\n\n1. Open the settings.\n\n## FAQ {{#faq}}\n\nPort 8080.\n"
        ),
    );
    let out = check(content.path());
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("3 entries"), "{}", out.stdout);
    assert!(out.stdout.contains("1 translation(s)"), "{}", out.stdout);
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);
    let library = wendao::content::load(content.path()).expect("content");
    assert_eq!(library.entries.len(), 3);
    let t = library
        .translation("proxy-config", "en")
        .expect("the translation");
    assert_eq!(t.title, "Configuring a proxy server");
    assert!(!t.outdated);
    let anchors: Vec<&str> = t.headings.iter().map(|h| h.anchor.as_str()).collect();
    assert!(anchors.contains(&"faq"), "{{#faq}} shared: {anchors:?}");
}

#[test]
fn translation_errors() {
    let body = "+++\ntitle = \"T\"\nsource = \"0123456789ab\"\n+++\nText.\n";
    expect_error(
        "kb/nothing-here.en.md",
        body,
        1,
        "translation of an unknown entry: there is no kb/nothing-here.md",
    );
    expect_error("kb/proxy-config.em.md", body, 1, "unknown language \"em\"");
    expect_error(
        "kb/proxy-config.en.md",
        "+++\nsource = \"0123456789ab\"\n+++\nText.\n",
        2,
        "missing field `title`",
    );
    expect_error(
        "kb/proxy-config.en.md",
        "+++\ntitle = \"T\"\n+++\nText.\n",
        2,
        "missing field `source`",
    );
    expect_error(
        "kb/proxy-config.en.md",
        "+++\ntitle = \"T\"\nsource = \"0123456789ab\"\ncategory = \"alpha\"\n+++\nText.\n",
        4,
        "unknown field `category`",
    );
    expect_error(
        "kb/proxy-config.en.md",
        "+++\ntitle = \"T\"\nsource = \"yesterday\"\n+++\nText.\n",
        3,
        "source must be the first 12 hex digits",
    );
    expect_error(
        "kb/proxy-config.en.md",
        "+++\ntitle = \"T\"\nsource = \"0123456789ab\"\n+++\nSee [here](/kb/missing).\n",
        5,
        "broken link /kb/missing: no entry \"missing\"",
    );
    expect_error(
        "kb/proxy-config.en.md",
        "+++\ntitle = \"T\"\nsource = \"0123456789ab\"\n+++\nLine.\n\nSee [here](/kb/tls-errors#nowhere).\n",
        7,
        "has no heading #nowhere, in either language",
    );
}

/// A source edited after its translation: a warning naming both versions, and the content
/// still loads, the translation marked out of date for its page to say so.
#[test]
fn a_translation_older_than_its_source_is_a_warning() {
    let content = TempContent::copy_of(&fixture("basic"));
    let old = version_of(&content.path().join("kb/tls-errors.md"));
    content.write(
        "kb/tls-errors.en.md",
        &format!("+++\ntitle = \"TLS errors\"\nsource = \"{old}\"\n+++\nText.\n"),
    );
    assert_eq!(check(content.path()).stderr, "");
    let source = std::fs::read_to_string(content.path().join("kb/tls-errors.md")).expect("read");
    content.write("kb/tls-errors.md", &format!("{source}\n新加的一段。\n"));
    let now = version_of(&content.path().join("kb/tls-errors.md"));
    let out = check(content.path());
    assert_eq!(out.code, 0, "a warning, not an error: {}", out.stderr);
    let want = format!(
        "warning: {}:3: translated from version {old} of ",
        content.path().join("kb/tls-errors.en.md").display()
    );
    assert!(
        out.stderr.starts_with(&want),
        "want {want}…, got {}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!("which is now {now}")),
        "{}",
        out.stderr
    );
    assert!(out.stdout.contains("1 warning(s)"), "{}", out.stdout);
    let library = wendao::content::load(content.path()).expect("content");
    assert!(
        library
            .translation("tls-errors", "en")
            .expect("it")
            .outdated
    );
}

/// A wizard's translation keeps its steps, answer values, routes and outcomes, so a step URL
/// means the same path in both languages: anything else that differs is an error naming where.
#[test]
fn a_wizard_translation_keeps_the_structure_of_its_source() {
    let content = TempContent::copy_of(&repo_content());
    let out = check(content.path());
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stderr, "", "the bundled translations are up to date");
    let library = wendao::content::load(content.path()).expect("content");
    assert_eq!(library.wizard_translations.len(), 1);
    assert_eq!(
        library.translations.len(),
        library.entries.len(),
        "every entry translated"
    );

    let path = content.path().join("wizards/request-errors.en.toml");
    let translated = std::fs::read_to_string(&path).expect("the translation");
    let relative = "wizards/request-errors.en.toml";
    let broken = |from: &str, to: &str| translated.replacen(from, to, 1);
    let cases = [
        (
            broken("value = \"wrong-data\"", "value = \"wrong-date\""),
            "differs from wizards/request-errors.toml at step[",
        ),
        (
            broken("id = \"paste\"", "id = \"pasted\""),
            "differs from wizards/request-errors.toml at step[1].id",
        ),
        (
            broken("source = \"", "source = \"zz"),
            "source must be the first 12 hex digits",
        ),
    ];
    for (text, message) in cases {
        let copy = TempContent::copy_of(&repo_content());
        copy.write(relative, &text);
        let out = check(copy.path());
        assert_eq!(out.code, 1, "{message}: {}", out.stderr);
        let want = format!("{}:", copy.path().join(relative).display());
        assert!(
            out.stderr
                .lines()
                .any(|l| l.starts_with(&want) && l.contains(message)),
            "want {message:?}, got:\n{}",
            out.stderr
        );
    }
    for (name, message) in [
        (
            "wizards/nothing.en.toml",
            "translation of an unknown wizard",
        ),
        ("wizards/request-errors.xx.toml", "unknown language \"xx\""),
    ] {
        let copy = TempContent::copy_of(&repo_content());
        copy.write(name, &translated);
        let out = check(copy.path());
        assert_eq!(out.code, 1, "{name}");
        assert!(out.stderr.contains(message), "{name}: {}", out.stderr);
    }

    // The source changed: a warning, and the content still loads.
    let source = content.path().join("wizards/request-errors.toml");
    let text = std::fs::read_to_string(&source).expect("source");
    content.write(
        "wizards/request-errors.toml",
        &format!("{text}\n# 改过了\n"),
    );
    let out = check(content.path());
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .starts_with(&format!("warning: {}:", path.display()))
            && out.stderr.contains("translated from version"),
        "{}",
        out.stderr
    );
    let library = wendao::content::load(content.path()).expect("content");
    assert!(library.wizard_translations[0].outdated);
}

/// `categories.<lang>.toml` and `contact.<lang>.md`: slugs must be known, links lead
/// somewhere, and a source changed since is a warning.
#[test]
fn category_and_contact_translations_are_checked() {
    let content = TempContent::copy_of(&repo_content());
    let library = wendao::content::load(content.path()).expect("content");
    let names = &library.category_translations[0];
    assert_eq!(names.lang, "en");
    assert_eq!(names.categories.len(), library.categories.len());
    assert!(
        library.contact_translations[0]
            .html
            .contains("href=\"/wizard/request-errors\"")
    );

    let categories =
        std::fs::read_to_string(content.path().join("categories.en.toml")).expect("read");
    let contact = std::fs::read_to_string(content.path().join("contact.en.md")).expect("read");
    for (relative, text, message) in [
        (
            "categories.en.toml",
            categories.replacen("slug = \"features\"", "slug = \"featurez\"", 1),
            "no category \"featurez\" in categories.toml",
        ),
        (
            "categories.en.toml",
            categories.replacen("source = \"", "source = \"x", 1),
            "source must be the first 12 hex digits",
        ),
        (
            "contact.en.md",
            contact.replacen("/wizard/request-errors", "/kb/nope", 1),
            "broken link /kb/nope: no entry \"nope\"",
        ),
        (
            "contact.en.md",
            "+++\nsource = \"0123456789ab\"\n+++\n".to_string(),
            "has no text",
        ),
    ] {
        let copy = TempContent::copy_of(&repo_content());
        copy.write(relative, &text);
        let out = check(copy.path());
        assert_eq!(out.code, 1, "{message}");
        let want = format!("{}:", copy.path().join(relative).display());
        assert!(
            out.stderr
                .lines()
                .any(|l| l.starts_with(&want) && l.contains(message)),
            "want {message:?}, got:\n{}",
            out.stderr
        );
    }

    let text = std::fs::read_to_string(content.path().join("contact.md")).expect("read");
    content.write("contact.md", &format!("{text}\n再补一句。\n"));
    let text = std::fs::read_to_string(content.path().join("categories.toml")).expect("read");
    content.write("categories.toml", &format!("{text}\n# 改过了\n"));
    let out = check(content.path());
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("2 warning(s)"), "{}", out.stdout);
    let library = wendao::content::load(content.path()).expect("content");
    assert!(library.contact_translations[0].outdated);
    assert!(library.category_translations[0].outdated);
}
