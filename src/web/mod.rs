//! HTTP: routes, handlers, views and errors. Handlers read one snapshot of the site, call the
//! library and render a view; they never touch the file system.

mod api;
pub mod assets;
mod error;
mod guard;
mod pages;
mod search;
mod views;
mod wizard;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{App, HttpRequest, middleware, web};
use arc_swap::ArcSwap;

use crate::content::Library;
use crate::search::{self as engine, SearchIndex, Settings};

pub use error::{ApiError, Error};

/// Everything a request may read. The site is swapped whole on reload, never mutated.
pub struct AppState {
    site: ArcSwap<Site>,
    /// Absolute base for canonical links and the sitemap; taken from the request when unset.
    base_url: Option<String>,
    status: Mutex<ContentStatus>,
}

/// Which content is being served, and how the last reload went (shown by `/healthz`).
#[derive(Debug, Clone)]
pub struct ContentStatus {
    /// The content's fingerprint.
    pub version: String,
    /// 1 at start, +1 for every reload swapped in.
    pub generation: u64,
    pub loaded_at: SystemTime,
    pub last_reload: Option<ReloadRecord>,
}

#[derive(Debug, Clone)]
pub struct ReloadRecord {
    pub at: SystemTime,
    pub ok: bool,
    pub errors: Vec<String>,
}

/// One consistent generation: the content and the search index built from it.
pub struct Site {
    pub library: Library,
    pub index: SearchIndex,
}

impl Site {
    pub fn build(library: Library) -> anyhow::Result<Site> {
        let index = SearchIndex::build(&library, Settings::FULL)?;
        crate::release_free_memory();
        Ok(Site { library, index })
    }

    pub fn search(&self, request: &engine::Request) -> engine::Results {
        self.index.search(&self.library, request)
    }
}

impl AppState {
    pub fn new(site: Site, base_url: Option<String>) -> AppState {
        let status = ContentStatus {
            version: site.library.fingerprint.clone(),
            generation: 1,
            loaded_at: SystemTime::now(),
            last_reload: None,
        };
        AppState {
            site: ArcSwap::from_pointee(site),
            base_url: base_url.map(|url| url.trim_end_matches('/').to_string()),
            status: Mutex::new(status),
        }
    }

    pub fn status(&self) -> ContentStatus {
        self.status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Swaps in a new generation: requests under way keep the one they started with.
    pub fn install(&self, site: Site) {
        let now = SystemTime::now();
        let mut status = self.status.lock().unwrap_or_else(PoisonError::into_inner);
        status.version = site.library.fingerprint.clone();
        status.generation += 1;
        status.loaded_at = now;
        status.last_reload = Some(ReloadRecord {
            at: now,
            ok: true,
            errors: Vec::new(),
        });
        self.site.store(Arc::new(site));
    }

    /// Records a reload that failed; the current generation keeps serving.
    pub fn reload_failed(&self, errors: Vec<String>) {
        let mut status = self.status.lock().unwrap_or_else(PoisonError::into_inner);
        status.last_reload = Some(ReloadRecord {
            at: SystemTime::now(),
            ok: false,
            errors,
        });
    }

    /// The current generation; a request holds it from start to end.
    pub fn site(&self) -> Arc<Site> {
        self.site.load_full()
    }

    fn base_url(&self, req: &HttpRequest) -> String {
        match &self.base_url {
            Some(url) => url.clone(),
            None => {
                let info = req.connection_info();
                format!("{}://{}", info.scheme(), info.host())
            }
        }
    }
}

/// Every route of the site, used by `main` and by the tests.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(pages::home))
        .route("/c/{slug}", web::get().to(pages::category))
        .route("/kb/{id}", web::get().to(pages::entry))
        .route("/search", web::get().to(search::page))
        .route("/opensearch.xml", web::get().to(search::opensearch))
        .route("/api/search", web::get().to(search::api))
        .route("/api/suggest", web::get().to(search::suggest))
        .route("/wizard", web::get().to(wizard::list))
        .route("/wizard/{id}", web::get().to(wizard::step))
        .route("/sitemap.xml", web::get().to(pages::sitemap))
        .route("/robots.txt", web::get().to(pages::robots))
        .route("/healthz", web::get().to(api::healthz))
        .route("/static/{name}", web::get().to(assets::serve))
        .route("/api/entries", web::get().to(api::entries))
        .route("/api/entries/{id}", web::get().to(api::entry))
        .default_service(web::to(pages::not_found));
}

/// The application with its middleware, as served.
pub fn app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(state)
        .app_data(
            web::PathConfig::default()
                .error_handler(|e, _| Error::BadRequest(e.to_string()).into()),
        )
        .app_data(
            web::QueryConfig::default()
                .error_handler(|e, _| Error::BadRequest(e.to_string()).into()),
        )
        .wrap(middleware::from_fn(guard::reject_malformed_urls))
        .wrap(middleware::Compress::default())
        .wrap(tracing_actix_web::TracingLogger::default())
        .configure(configure)
}

/// Percent-encodes a query-string value.
pub(crate) fn urlencode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
