//! MRR, recall@3 and the share said answered of one query file, searched on the site in one
//! language, with each question not ranked first: for tuning sets kept outside the suite.
//! `cargo run --release --example score -- <content dir> <queries.toml> <lang>`
use wendao::search::Request;
use wendao::site::Site;

#[derive(serde::Deserialize)]
struct Set {
    query: Vec<Query>,
}

#[derive(serde::Deserialize)]
struct Query {
    q: String,
    expect: Vec<String>,
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, content, queries, lang] = args.as_slice() else {
        anyhow::bail!("usage: score <content dir> <queries.toml> <lang>");
    };
    let library =
        wendao::content::load(std::path::Path::new(content)).map_err(|e| anyhow::anyhow!("{e}"))?;
    let site = Site::build(library)?;
    let set: Set = toml::from_str(&std::fs::read_to_string(queries)?)?;
    let (mut rr, mut in_3, mut answered) = (0.0, 0, 0);
    for query in &set.query {
        let request = Request {
            query: query.q.clone(),
            limit: 10,
            ..Request::default()
        };
        let results = site.search_in(lang, &request);
        let ids: Vec<&str> = results.hits.iter().map(|h| h.id.as_str()).collect();
        let rank = ids
            .iter()
            .position(|id| query.expect.iter().any(|e| e == id));
        rr += rank.map_or(0.0, |r| 1.0 / (r + 1) as f64);
        in_3 += usize::from(rank.is_some_and(|r| r < 3));
        answered += usize::from(results.answered);
        if rank != Some(0) || !results.answered {
            println!(
                "answered {} {:?}: want {:?}, got {:?}",
                results.answered,
                query.q,
                query.expect,
                &ids[..ids.len().min(4)]
            );
        }
    }
    let n = set.query.len() as f64;
    println!(
        "MRR {:.3}, recall@3 {:.3}, said answered {:.2}, {} questions",
        rr / n,
        in_3 as f64 / n,
        answered as f64 / n,
        set.query.len()
    );
    Ok(())
}
