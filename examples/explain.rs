//! What a query finds, read in a language: `cargo run --release --example explain -- <content dir> <lang> "query"...`
use wendao::search::Request;
use wendao::site::Site;

fn show(label: &str, r: &wendao::search::Results) {
    println!("  {label}: answered {}", r.answered);
    for h in &r.hits {
        println!("    {:7.2} {} {}", h.score, h.id, h.title_html);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let library = wendao::content::load(std::path::Path::new(&args[1])).expect("content");
    let site = Site::build(library).expect("site");
    for q in &args[3..] {
        let request = Request {
            query: q.clone(),
            limit: 4,
            ..Request::default()
        };
        println!("{q}");
        let (index, lib) = site.index_in(&args[2]);
        show("own", &index.search(lib, &request));
        show("default", &site.search(&request));
        show("site", &site.search_in(&args[2], &request));
    }
}
