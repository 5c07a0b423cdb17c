//! 问道 (wendao): a support knowledge base server. The architecture: docs/architecture.md.

pub mod config;
pub mod content;
pub mod locale;
pub mod memory;
pub mod metrics;
pub mod reload;
pub mod search;
pub mod site;
pub mod source;
pub mod store;
pub mod web;
pub mod wizard;

use std::cell::Cell;
use std::process::ExitCode;
use std::rc::Rc;

use actix_web::{HttpServer, web::Data};
use anyhow::Context;

use config::{CheckArgs, InsightsArgs, MigrateStoreArgs, ServeArgs};

/// Loads and validates the content while the segmentation dictionary loads beside it: search
/// needs both, and together they take the longer of the two instead of the sum (~80 ms saved).
pub fn load_content(dir: &std::path::Path) -> Result<content::Library, content::ContentErrors> {
    let dictionary = std::thread::spawn(search::analysis::warm_up);
    let library = content::load(dir);
    if let Err(panic) = dictionary.join() {
        std::panic::resume_unwind(panic);
    }
    library
}

/// Threads of each worker's blocking pool (compressing a new page, suggestions, ticket matching).
const BLOCKING_THREADS_PER_WORKER: usize = 2;

/// `wendao serve`: load and validate the content, then serve it until stopped.
pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    // The interface catalogues are built in: a bad one is a bad build, said before anything.
    locale::check().map_err(anyhow::Error::msg)?;
    // The files as they were before loading: the watcher picks up a save made since.
    let seen = (!args.no_watch).then(|| reload::Snapshot::of(&args.content));
    let library = load_content(&args.content)
        .map_err(|errors| anyhow::anyhow!("invalid content, not starting:\n{errors}"))?;
    for warning in &library.warnings {
        tracing::warn!("{warning}");
    }
    std::fs::create_dir_all(&args.data)
        .with_context(|| format!("creating data directory {}", args.data.display()))?;
    tracing::info!(
        entries = library.entries.len(),
        categories = library.categories.len(),
        content = %args.content.display(),
        "content loaded"
    );
    let site =
        site::Site::open_or_build(library, &args.data).context("building the search index")?;
    let store = store::Store::connect(args.database_url.as_deref(), &args.data)
        .await
        .context("opening the database")?
        .keeping(args.insights_rows);
    let state = Data::new(
        web::AppState::new(site, args.base_url.clone())
            .with_store(store.clone())
            .with_admin_token(args.admin_token.clone())
            .with_page_cache(args.page_cache_mb << 20)
            .with_vote_limit(args.votes_per_minute, args.trusted_proxy.clone())
            .with_match_limit(args.matches_per_minute, args.trusted_proxy.clone())
            .with_body_timeout(args.body_timeout)
            .with_metrics_elsewhere(args.metrics_addr.is_some())
            .with_hsts(args.hsts)?,
    );
    // Kept alive for as long as the server runs.
    let _watcher = match seen {
        Some(seen) => Some(reload::watch(
            args.content.clone(),
            Some(args.data.clone()),
            state.live().clone(),
            state.metrics.clone(),
            seen,
        )?),
        None => None,
    };
    let app_state = state.clone();
    let mut server = HttpServer::new(move || web::app(app_state.clone()));
    if args.workers > 0 {
        server = server.workers(args.workers);
    }
    if let Some(limit) =
        web::limits::ConnectionLimit::new(args.connections_per_client, args.trusted_proxy.clone())
    {
        server = server.on_connect(move |io, data| limit.on_connect(io, data));
    }
    let server = server
        // A client that sends its headers a byte at a time is cut off; bodies have their own
        // limit (`--body-timeout`, in the app).
        .client_request_timeout(args.header_timeout)
        // Answers go out in one write, but a reader's next request must never wait for the
        // ACK of the last one (Nagle against delayed ACK: 40 ms a page).
        .tcp_nodelay(true)
        // Page compression, suggestions and ticket matching run on the blocking pool: a thread
        // or two per core is all the CPU there is, and every extra thread kept memory of its
        // own (with glibc's malloc, a crawl of 10,000 new pages at 100,000 entries left the
        // server at 429 MB with the default 256).
        .worker_max_blocking_threads(BLOCKING_THREADS_PER_WORKER)
        .bind(args.addr)
        .with_context(|| format!("binding {}", args.addr))?;
    for addr in server.addrs() {
        tracing::info!("listening on http://{addr}/");
        println!("wendao: serving on http://{addr}/");
    }
    if args.base_url.is_none() {
        tracing::warn!(
            "no --base-url: canonical links and the sitemap will name the address of the first request; set --base-url in production"
        );
    }
    let metrics = match args.metrics_addr {
        Some(addr) => {
            let state = state.clone();
            let metrics = HttpServer::new(move || web::metrics_app(state.clone()))
                .workers(1)
                .bind(addr)
                .with_context(|| format!("binding --metrics-addr {addr}"))?;
            for addr in metrics.addrs() {
                tracing::info!("metrics on http://{addr}/metrics");
            }
            let metrics = metrics.run();
            let handle = metrics.handle();
            actix_web::rt::spawn(metrics);
            Some(handle)
        }
        None => None,
    };
    // Page-view counters are gathered in memory; they reach the database within a second.
    // The store learns what other replicas wrote; the limiters forget clients whose requests
    // are refilled. `busy` marks a round under way: stopping then waits for it, since
    // cancelling a write midway would lose the counters it had taken.
    let busy = Rc::new(Cell::new(false));
    let stopping = Rc::new(Cell::new(false));
    let flusher = actix_web::rt::spawn({
        let (store, state) = (store.clone(), state.clone());
        let (busy, stopping) = (busy.clone(), stopping.clone());
        async move {
            while !stopping.get() {
                actix_web::rt::time::sleep(store::FLUSH_EVERY).await;
                busy.set(true);
                if let Err(e) = store.flush().await {
                    tracing::warn!("writing counters: {e}");
                }
                if let Err(e) = store.refresh().await {
                    tracing::warn!("reading what other servers wrote: {e}");
                }
                for limit in [state.vote_limit(), state.match_limit()]
                    .into_iter()
                    .flatten()
                {
                    limit.forget_idle();
                }
                busy.set(false);
            }
        }
    });
    let served = server.run().await.context("server failed");
    if let Some(metrics) = metrics {
        metrics.stop(true).await;
    }
    // The flusher runs on this thread: between these lines it is either asleep or mid-round.
    stopping.set(true);
    if busy.get() {
        let _ = flusher.await;
    } else {
        flusher.abort();
    }
    // Counters gathered since the last write.
    if let Err(e) = store.flush().await {
        tracing::error!("writing counters at shutdown: {e}");
    }
    served
}

/// `wendao check`: print every content error as `path:line: message`.
pub fn check(args: CheckArgs) -> ExitCode {
    if let Err(e) = locale::check() {
        eprintln!("{e}");
        return ExitCode::FAILURE;
    }
    match content::load(&args.content) {
        Ok(library) => {
            for warning in &library.warnings {
                eprintln!("warning: {warning}");
            }
            println!(
                "ok: {} entries in {} categories, {} translation(s), {} wizard(s), {} synonym groups{}",
                library.entries.len(),
                library.categories.len(),
                library.translations.len()
                    + library.wizard_translations.len()
                    + library.category_translations.len()
                    + library.contact_translations.len(),
                library.wizards.len(),
                library.synonyms.len(),
                match library.warnings.len() {
                    0 => String::new(),
                    n => format!(", {n} warning(s)"),
                }
            );
            ExitCode::SUCCESS
        }
        Err(errors) => {
            eprintln!("{errors}");
            eprintln!("{} error(s)", errors.0.len());
            ExitCode::FAILURE
        }
    }
}

/// `wendao insights`: the same tables as `/admin/insights`, as text.
pub async fn insights(args: InsightsArgs) -> anyhow::Result<()> {
    let store = store::Store::connect(args.database_url.as_deref(), &args.data)
        .await?
        .keeping(args.insights_rows);
    if args.prune {
        let deleted = store.prune().await.context("pruning the database")?;
        println!(
            "pruned: {deleted} rows deleted; at most {} kept in each query table",
            args.insights_rows
        );
        store.close().await;
        return Ok(());
    }
    let insights = store.insights(30).await.context("reading the database")?;
    println!("Entries by votes (most in need of work first): entry, helpful, not helpful");
    for e in &insights.entries {
        println!("  {}\t{}\t{}", e.entry, e.helpful, e.not_helpful);
    }
    println!("Comments (newest first): entry, helpful?, comment, language");
    for c in &insights.comments {
        let helpful = if c.helpful { "yes" } else { "no" };
        println!("  {}\t{helpful}\t{}\t{}", c.entry, c.text, c.lang);
    }
    println!(
        "Searches without an answer: query, times, result (none: no results, weak: weak matches only), language"
    );
    for z in &insights.zero_results {
        let found = if z.weak { "weak" } else { "none" };
        println!("  {}\t{}\t{found}\t{}", z.query, z.count, z.lang);
    }
    println!("Entries opened from search results: query, entry, times");
    for o in &insights.opened {
        println!("  {}\t{}\t{}", o.query, o.entry, o.count);
    }
    println!("Wizard steps: wizard, step, visits, language");
    for s in &insights.steps {
        println!("  {}\t{}\t{}\t{}", s.wizard, s.step, s.visits, s.lang);
    }
    println!("Wizard outcomes: wizard, outcome, solved?, times, language");
    for o in &insights.outcomes {
        let solved = if o.solved { "yes" } else { "no" };
        println!(
            "  {}\t{}\t{solved}\t{}\t{}",
            o.wizard, o.outcome, o.count, o.lang
        );
    }
    let f = &insights.forms;
    println!(
        "Help widget (ticket forms): shown suggestions {}, opened an entry {}, resolved without a ticket {}, sent anyway {}",
        f.suggested, f.opened, f.resolved, f.submitted_anyway
    );
    println!("Entries the widget suggested: entry, suggested, opened, resolved, sent anyway");
    for d in &insights.deflections {
        let c = &d.counts;
        println!(
            "  {}\t{}\t{}\t{}\t{}",
            d.entry, c.suggested, c.opened, c.resolved, c.submitted_anyway
        );
    }
    store.close().await;
    Ok(())
}

/// `wendao migrate-store`: copies votes and counters from one database into another, empty one.
pub async fn migrate_store(args: MigrateStoreArgs) -> anyhow::Result<()> {
    let open = |place: String| async move {
        let store = if place.contains("://") {
            store::Store::connect(Some(&place), std::path::Path::new(".")).await?
        } else {
            store::Store::open(std::path::Path::new(&place)).await?
        };
        anyhow::Ok(store)
    };
    let from = open(args.from.clone()).await.context("opening --from")?;
    let to = open(args.to.clone()).await.context("opening --to")?;
    let (votes, counters) = from.copy_into(&to).await?;
    println!(
        "copied {votes} votes and {counters} counters from {} to {}",
        args.from, args.to
    );
    from.close().await;
    to.close().await;
    Ok(())
}
