//! Synthetic corpora made of the real content's sentences, titles and tags, for the benchmarks.
//! The same seed gives the same corpus every run.

use std::fmt::Write as _;
use std::path::Path;

use wendao::content;

/// A deterministic random source: the same corpus every run.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

/// Writes `size` entries made of the real content's sentences, titles and tags.
pub fn generate(dir: &Path, size: usize) {
    let real = content::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content"))
        .expect("real content");
    let mut sentences: Vec<String> = Vec::new();
    for e in &real.entries {
        for s in e.text().split(['。', '；', '\n']) {
            let s = s.trim();
            if s.chars().count() > 4 {
                sentences.push(format!("{s}。"));
            }
        }
    }
    let titles: Vec<&str> = real.entries.iter().map(|e| e.title.as_str()).collect();
    let tags: Vec<&str> = real
        .entries
        .iter()
        .flat_map(|e| e.tags.iter().map(String::as_str))
        .collect();
    let categories: Vec<&str> = real.categories.iter().map(|c| c.slug.as_str()).collect();

    std::fs::create_dir_all(dir.join("kb")).expect("kb dir");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("content/categories.toml"),
        dir.join("categories.toml"),
    )
    .expect("categories");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for i in 0..size {
        let code = rng.next() % 100_000;
        let title = format!(
            "{} (error {})",
            rng.pick(&titles).trim_end_matches(['？', '?']),
            code % 60
        );
        let mut body = String::new();
        let paragraphs = 2 + rng.next() % 4;
        for p in 0..paragraphs {
            if p == 1 {
                let _ = writeln!(body, "## 原因 {}\n", p);
            }
            for _ in 0..(1 + rng.next() % 3) {
                let sentence: &String = rng.pick(&sentences);
                body.push_str(sentence);
            }
            body.push_str("\n\n");
        }
        // Phrased as the seed does ("权限调用 code: N22106").
        let _ = writeln!(body, "出现权限调用 code: N{code:05} 时请检查配置。");
        let quote = |s: &str| toml::Value::from(s).to_string();
        let file = format!(
            "+++\ntitle = {}\ncategory = {}\ntags = [{}, {}, \"N{code:05}\"]\nupdated = 2026-01-{:02}\n+++\n{body}",
            quote(&title),
            quote(rng.pick::<&str>(&categories)),
            quote(rng.pick::<&str>(&tags)),
            quote(rng.pick::<&str>(&tags)),
            1 + i % 28,
        );
        std::fs::write(dir.join(format!("kb/gen-{i}.md")), file).expect("write entry");
    }
}
