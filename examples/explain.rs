//! What queries find on the site read in one language: the own index's list, the default
//! language's and the fused one the reader is shown, each with scores and the words the subject
//! rule reads, for seeing why a question ranks as it does.
//! `cargo run --release --example explain -- <content dir> <lang> "query"...`
use wendao::search::{Request, Results};
use wendao::site::Site;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, content, lang, queries @ ..] = args.as_slice() else {
        anyhow::bail!("usage: explain <content dir> <lang> \"query\"...");
    };
    let library =
        wendao::content::load(std::path::Path::new(content)).map_err(|e| anyhow::anyhow!("{e}"))?;
    let site = Site::build(library)?;
    for query in queries {
        let request = Request {
            query: query.clone(),
            limit: 8,
            ..Request::default()
        };
        println!("{query}");
        let (own, translated) = site.index_in(lang);
        show(&format!("{lang} index"), &own.search(translated, &request));
        show("default index", &site.search(&request));
        show("shown", &site.search_in(lang, &request));
    }
    Ok(())
}

fn show(name: &str, results: &Results) {
    println!(
        "  {name}: answered {}, unknown {:?}, tagged {:?}",
        results.answered, results.unknown_words, results.tagged_words
    );
    for hit in &results.hits {
        let all = if hit.all_terms { "all" } else { "   " };
        println!("    {:7.2} {all} {}", hit.score, hit.id);
    }
}
