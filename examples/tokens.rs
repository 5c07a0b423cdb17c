//! Prints how a text is analysed: `cargo run --example tokens -- "文本"`.
use wendao::search::analysis::{Mode, analyze};

fn main() {
    let text = std::env::args().nth(1).unwrap_or_default();
    for t in analyze(&text, Mode::Full) {
        println!(
            "{:>3} {:>3}..{:<3} {} {}",
            t.position,
            t.from,
            t.to,
            if t.primary { "*" } else { " " },
            t.text
        );
    }
}
