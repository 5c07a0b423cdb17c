//! The routes `idle` and `edit`: what watching the content directory costs while nothing
//! changes and nobody asks for anything, and how soon a saved change is served.

use std::path::Path;
use std::time::{Duration, Instant};

use super::server::Server;

/// The results `wendao_content_reloads_total` is counted by.
const RESULTS: [&str; 3] = ["unchanged", "swapped", "failed"];

/// Saves measured by `edit`.
const SAVES: usize = 5;

/// The server's CPU over `seconds` with no request and no file changed, and the reloads it
/// counted meanwhile: both should be about nothing.
pub fn idle(server: &Server, seconds: u64) {
    // /metrics is read outside the measured time: its own answer is not idle work.
    let before = reloads(server);
    let checks_before = checks(server);
    let cpu_before = cpu_seconds(server.child.id());
    let started = Instant::now();
    std::thread::sleep(Duration::from_secs(seconds));
    let cpu = cpu_seconds(server.child.id()) - cpu_before;
    let elapsed = started.elapsed().as_secs_f64();
    let after = reloads(server);
    let looked = checks(server) - checks_before;
    let counted: Vec<u64> = after.iter().zip(before).map(|(a, b)| a - b).collect();
    println!(
        "{:<16} {:<7} {:>5.1}% of a core over {seconds} s, {} reloads ({} unchanged, {} swapped, {} failed), {looked} looks at the files",
        "idle",
        "wendao",
        100.0 * cpu / elapsed,
        counted.iter().sum::<u64>(),
        counted[0],
        counted[1],
        counted[2],
    );
}

/// Rewrites entry `id` (`kb/<id>.md` under `content`) as an editor saves it, a temporary file
/// in the same directory renamed over the original, and times each save until `/kb/<id>`
/// serves the new text, polling every 10 ms.
pub fn edit(server: &Server, content: &Path, id: &str, log: &Path) {
    let file = content.join("kb").join(format!("{id}.md"));
    let temp = content.join("kb").join(format!(".{id}.md.tmp"));
    let original = std::fs::read_to_string(&file).expect("the entry to edit");
    assert!(original.contains("\ntitle = \""), "{file:?} has no title");
    let mut took = Vec::new();
    for save in 0..SAVES {
        // A real change each time, to the title and the body; ASCII, so the page shows it as is.
        let marker = format!("edited-{save}");
        let text = original.replacen("\ntitle = \"", &format!("\ntitle = \"{marker} "), 1)
            + &format!("\n{marker} 之后的正文。\n");
        std::fs::write(&temp, text).expect("write the edit");
        std::fs::rename(&temp, &file).expect("rename over the entry");
        let saved = Instant::now();
        loop {
            let page = server.get(&format!("/kb/{id}")).unwrap_or_default();
            if page.starts_with("HTTP/1.1 200") && page.contains(&marker) {
                break;
            }
            assert!(
                saved.elapsed() < Duration::from_secs(30),
                "save {save} of {file:?} not served within 30 s"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        took.push(saved.elapsed());
        // Each save its own: the reload's warm-up done, then a pause past the watcher's
        // quiet time (50 ms), so the next save is not folded into this one.
        server.wait_warm(Duration::from_secs(300));
        std::thread::sleep(Duration::from_secs(1));
    }
    took.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{:<16} {:<7} saved → served min {:.0} ms, median {:.0} ms, max {:.0} ms over {SAVES} saves of kb/{id}.md (a temporary file renamed over it)",
        "edit",
        "wendao",
        ms(took[0]),
        ms(took[SAVES / 2]),
        ms(took[SAVES - 1]),
    );
    // The server's own account of each reload: loading the files, then building the index.
    let log = std::fs::read_to_string(log).unwrap_or_default();
    for line in log.lines().filter(|l| l.contains("content reloaded")) {
        let field = |name: &str| {
            line.split_whitespace()
                .find_map(|w| w.strip_prefix(name))
                .unwrap_or("?")
                .to_string()
        };
        println!(
            "{:<16} {:<7} reload: load {} ms, index {} ms, total {} ms",
            "",
            "",
            field("load_ms="),
            field("index_ms="),
            field("ms="),
        );
    }
}

/// `wendao_content_checks_total`: the watcher's looks at the files (0 before the first).
fn checks(server: &Server) -> u64 {
    let metrics = server.get("/metrics").expect("GET /metrics");
    metrics
        .lines()
        .find_map(|l| l.strip_prefix("wendao_content_checks_total "))
        .map_or(0, |n| n.trim().parse().expect("a count"))
}

/// `wendao_content_reloads_total` by result, from `/metrics` (0 for a result not counted yet:
/// it has no line until then).
fn reloads(server: &Server) -> [u64; 3] {
    let metrics = server.get("/metrics").expect("GET /metrics");
    assert!(metrics.starts_with("HTTP/1.1 200"), "{metrics:.300}");
    RESULTS.map(|result| {
        let name = format!("wendao_content_reloads_total{{result=\"{result}\"}} ");
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(&name))
            .map_or(0, |n| n.trim().parse().expect("a count"))
    })
}

/// The CPU time `pid` has used, user and system (`utime` + `stime` of `/proc/<pid>/stat`,
/// all its threads).
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc/<pid>/stat");
    // The name in parentheses may hold spaces: count the fields after it (state is field 3,
    // utime 14, stime 15).
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .expect("(name)")
        .1
        .split_whitespace()
        .collect();
    let ticks = |field: usize| -> u64 { fields[field - 3].parse().expect("clock ticks") };
    // SAFETY: sysconf only reads a configuration value.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    (ticks(14) + ticks(15)) as f64 / per_second
}
