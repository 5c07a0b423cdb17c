//! HTTP: the route table and the app (this file), what a request may read ([`state`]),
//! handlers, views and errors. Handlers read one snapshot of the site, call the library and
//! render a view; they never touch the file system. The contracts: docs/api.md.

mod admin;
mod api;
pub mod assets;
mod deflection;
mod error;
mod feed;
pub mod feedback;
mod guard;
mod lang;
pub mod limits;
mod matching;
mod middleware;
mod once;
mod pages;
pub mod prepared;
mod search;
mod state;
mod views;
mod wizard;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::{
    App, HttpRequest, HttpResponse, Route, guard as route_guard, middleware as mw, web,
};

pub use crate::site::Site;

pub use api::metrics_app;
pub use error::{ApiError, Error};
pub use state::{AppState, PAGE_CACHE_BYTES};

/// GET, and HEAD with the same headers and no body.
fn read() -> Route {
    web::route().guard(route_guard::Any(route_guard::Get()).or(route_guard::Head()))
}

/// The methods a resource takes, for the `Allow` header of a 405.
const READ: &str = "GET, HEAD";
const POST: &str = "POST";

/// A resource named by its whole path (request logs and metrics label requests with the
/// name), which answers a method it does not take with a 405 naming those it does. Under
/// `/api` (see [`configure`]) the error is JSON.
fn resource(name: &str, allow: &'static str) -> actix_web::Resource {
    let (pattern, json) = match name.strip_prefix("/api") {
        Some(pattern) => (pattern, true),
        None => (name, false),
    };
    web::resource(pattern)
        .name(name)
        .default_service(web::to(move |req: HttpRequest| async move {
            let mut response = answer(
                &req,
                json,
                Error::MethodNotAllowed(req.method().to_string()),
            );
            response.headers_mut().insert(
                actix_web::http::header::ALLOW,
                actix_web::http::header::HeaderValue::from_static(allow),
            );
            response
        }))
}

/// Every route of the site, used by `main` and by the tests.
pub fn configure(cfg: &mut web::ServiceConfig) {
    for lang in crate::locale::languages() {
        localized_pages(cfg, &lang.prefix);
    }
    cfg.service(resource("/sitemap.xml", READ).route(read().to(pages::sitemap)))
        .service(resource("/robots.txt", READ).route(read().to(pages::robots)))
        .service(resource("/healthz", READ).route(read().to(api::healthz)))
        .service(resource("/metrics", READ).route(read().to(api::metrics)))
        .service(resource("/static/{name}", READ).route(read().to(assets::serve)))
        .service(
            web::scope("/api")
                // Innermost: the headers the others add stay on an error told again.
                .wrap(mw::from_fn(middleware::api_errors_in_asked_language))
                .wrap(cors())
                // On every answer, asked with an `Origin` or not: a cache that kept one asked
                // without must still serve another site's page.
                // Timing too, so a host page of the widget can measure what its calls cost.
                .wrap(
                    mw::DefaultHeaders::new()
                        .add(("Access-Control-Allow-Origin", "*"))
                        .add(("Timing-Allow-Origin", "*")),
                )
                .service(resource("/api/entries", READ).route(read().to(api::entries)))
                .service(resource("/api/entries/{id}", READ).route(read().to(api::entry)))
                .service(resource("/api/search", READ).route(read().to(search::api)))
                .service(resource("/api/suggest", READ).route(read().to(search::suggest)))
                .service(resource("/api/match", POST).route(web::post().to(matching::api)))
                .service(
                    resource("/api/deflection", POST).route(web::post().to(deflection::record)),
                )
                .default_service(web::to(|req: HttpRequest| unrouted(req, true))),
        )
        .default_service(web::to(|req: HttpRequest| unrouted(req, false)));
}

/// The pages read in every language, under its prefix: `/kb/{id}` and `/en/kb/{id}`. The
/// handlers take the language from the path ([`lang::Lang`]).
fn localized_pages(cfg: &mut web::ServiceConfig, prefix: &str) {
    if !prefix.is_empty() {
        // `/en` is `/en/`, as `` is `/`.
        let home = format!("{prefix}/");
        cfg.service(
            resource(prefix, READ).route(read().to(move |req: HttpRequest| {
                let location = with_query(&req, home.clone());
                async move {
                    HttpResponse::MovedPermanently()
                        .insert_header((actix_web::http::header::LOCATION, location))
                        .finish()
                }
            })),
        );
    }
    cfg.service(resource(&format!("{prefix}/"), READ).route(read().to(pages::home)))
        .service(resource(&format!("{prefix}/c/{{slug}}"), READ).route(read().to(pages::category)))
        .service(resource(&format!("{prefix}/kb"), READ).route(read().to(pages::all_entries)))
        .service(resource(&format!("{prefix}/kb/{{id}}"), READ).route(read().to(pages::entry)))
        .service(
            resource(&format!("{prefix}/kb/{{id}}/feedback"), POST)
                .route(web::post().to(feedback::submit)),
        )
        .service(resource(&format!("{prefix}/contact"), READ).route(read().to(pages::contact)))
        .service(resource(&format!("{prefix}/search"), READ).route(read().to(search::page)))
        .service(
            resource(&format!("{prefix}/match"), "GET, HEAD, POST")
                .route(read().to(matching::form))
                .route(web::post().to(matching::submit)),
        )
        .service(resource(&format!("{prefix}/match/reply"), READ).route(read().to(matching::reply)))
        .service(resource(&format!("{prefix}/wizard"), READ).route(read().to(wizard::list)))
        .service(resource(&format!("{prefix}/wizard/{{id}}"), READ).route(read().to(wizard::step)))
        .service(resource(&format!("{prefix}/feed.xml"), READ).route(read().to(feed::atom)))
        .service(
            resource(&format!("{prefix}/opensearch.xml"), READ)
                .route(read().to(search::opensearch)),
        )
        .service(
            resource(&format!("{prefix}/admin/insights"), READ).route(read().to(admin::insights)),
        );
}

/// The API may be called from any site's pages (a ticket tool in the browser): it only reads,
/// `POST /api/match` included, but for `POST /api/deflection`, which only counts what the help
/// widget saw on another site's form. Nothing else of the site is.
fn cors() -> actix_cors::Cors {
    actix_cors::Cors::default()
        .allow_any_origin()
        .send_wildcard()
        .allowed_methods(["GET", "HEAD", "POST"])
        .allowed_header(actix_web::http::header::CONTENT_TYPE)
        .max_age(86400)
        .disable_vary_header()
}

/// No route: the 404 page (JSON under `/api`), or a 405 for a method other than GET or
/// HEAD. A GET or HEAD of a path a route takes but for a trailing slash is sent there (301);
/// any other method is not, since a browser sends a 301 to a POST again as a GET.
async fn unrouted(req: HttpRequest, json: bool) -> HttpResponse {
    if matches!(*req.method(), Method::GET | Method::HEAD) {
        if let Some(path) = without_trailing_slash(req.path())
            && req.resource_map().has_resource(path)
        {
            let location = with_query(&req, path.to_string());
            return HttpResponse::MovedPermanently()
                .insert_header((actix_web::http::header::LOCATION, location))
                .finish();
        }
        let lang = if json {
            lang::of_query(req.query_string())
        } else {
            lang::Lang::of_path(req.path())
        };
        let error = Error::NotFound(lang.t.error.no_page.with(req.path()));
        return answer(&req, json, error);
    }
    let mut response = answer(
        &req,
        json,
        Error::MethodNotAllowed(req.method().to_string()),
    );
    response.headers_mut().insert(
        actix_web::http::header::ALLOW,
        actix_web::http::header::HeaderValue::from_static(READ),
    );
    response
}

/// `/kb/timeout/` names `/kb/timeout`, as links pasted with a slash after them do (redirected
/// to when a route takes it). Never `//host`, which a browser reads as another site.
fn without_trailing_slash(path: &str) -> Option<&str> {
    let trimmed = path.trim_end_matches('/');
    let elsewhere = trimmed.starts_with("//") || trimmed.starts_with("/\\");
    (trimmed.len() < path.len() && !trimmed.is_empty() && !elsewhere).then_some(trimmed)
}

/// `location` with the query `req` came with.
pub(super) fn with_query(req: &HttpRequest, location: String) -> String {
    match req.query_string() {
        "" => location,
        query => format!("{location}?{query}"),
    }
}

/// A request its extractors refused, answered as [`answer`] does.
fn refused(req: &HttpRequest, error: Error) -> actix_web::Error {
    let json = req.path().starts_with("/api/");
    let message = error.to_string();
    actix_web::error::InternalError::from_response(message, answer(req, json, error)).into()
}

/// The error as JSON, or as a page in the language of the path asked for.
fn answer(req: &HttpRequest, json: bool, error: Error) -> HttpResponse {
    if json {
        ApiError(error).json_in(lang::of_query(req.query_string()))
    } else {
        error.response_in(lang::Lang::of_path(req.path()))
    }
}

/// A strict policy: our own scripts and styles only, no inline code; images may come from any
/// HTTPS host (entries show screenshots hosted elsewhere).
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self' https: data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
form-action 'self'; frame-ancestors 'none'";

/// Largest request body we read (a vote with its comment is far smaller).
const MAX_BODY_BYTES: usize = 16 * 1024;

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
    // Browsers keep to HTTPS for a year once they saw it over HTTPS (`--hsts`).
    let hsts = mw::Condition::new(
        state.hsts(),
        mw::DefaultHeaders::new().add(("Strict-Transport-Security", "max-age=31536000")),
    );
    let security = mw::DefaultHeaders::new()
        .add(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "strict-origin-when-cross-origin"))
        .add(("X-Frame-Options", "DENY"));
    // The last `wrap` runs first: logging, request ids and metrics, the body timeout, headers,
    // the URL check, the cross-site check, then conditional GET and compression nearest the
    // handlers.
    App::new()
        .app_data(state)
        .app_data(web::PayloadConfig::default().limit(MAX_BODY_BYTES))
        .app_data(
            web::FormConfig::default()
                .limit(MAX_BODY_BYTES)
                .error_handler(|e, req| {
                    let t = &lang::Lang::of_path(req.path()).t.error;
                    let error = match &e {
                        actix_web::error::UrlencodedError::Payload(payload) => {
                            Error::from_payload(payload, || Error::BadRequest(t.bad_form.with(&e)))
                        }
                        _ => Error::BadRequest(t.bad_form.with(&e)),
                    };
                    refused(req, error)
                }),
        )
        .app_data(
            web::PathConfig::default()
                .error_handler(|e, req| refused(req, Error::BadRequest(e.to_string()))),
        )
        .app_data(web::QueryConfig::default().error_handler(|e, req| {
            let t = &lang::Lang::of_path(req.path()).t.error;
            // What serde says (duplicate field `q`), in the reader's language around it.
            let actix_web::error::QueryPayloadError::Deserialize(why) = &e else {
                return refused(req, Error::BadRequest(t.bad_query.with(&e)));
            };
            refused(req, Error::BadRequest(t.bad_query.with(why)))
        }))
        .wrap(mw::from_fn(middleware::finish))
        .wrap(mw::from_fn(guard::refuse_cross_site))
        .wrap(mw::from_fn(guard::reject_malformed_urls))
        .wrap(security)
        .wrap(hsts)
        .wrap(mw::from_fn(middleware::limit_body_time))
        .wrap(mw::from_fn(middleware::observe))
        .configure(configure)
}

/// What a query-string value keeps as it is: RFC 3986's unreserved characters.
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes a query-string value.
pub(crate) fn urlencode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, QUERY_VALUE).to_string()
}

#[cfg(test)]
mod tests {
    use super::without_trailing_slash;

    #[test]
    fn a_trailing_slash_comes_off_but_never_toward_another_host() {
        assert_eq!(without_trailing_slash("/kb/timeout/"), Some("/kb/timeout"));
        assert_eq!(without_trailing_slash("/kb/timeout//"), Some("/kb/timeout"));
        for path in [
            "/kb/timeout",
            "/",
            "///",
            "//evil.example/",
            "/\\evil.example/",
        ] {
            assert_eq!(without_trailing_slash(path), None, "{path}");
        }
    }
}
