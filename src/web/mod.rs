//! HTTP: the route table and the app (this file), what a request may read ([`state`]),
//! handlers, views and errors. Handlers read one snapshot of the site, call the library and
//! render a view; they never touch the file system. The contracts: docs/api.md.

mod admin;
mod api;
pub mod assets;
mod error;
mod feedback;
mod guard;
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
    App, HttpRequest, HttpResponse, ResponseError, Route, guard as route_guard, middleware as mw,
    web,
};

pub use crate::site::Site;

pub use api::metrics_app;
pub use error::{ApiError, Error};
pub use state::{AppState, PAGE_CACHE_BYTES};

/// GET, and HEAD with the same headers and no body.
fn read() -> Route {
    web::route().guard(route_guard::Any(route_guard::Get()).or(route_guard::Head()))
}

/// A resource named by its pattern: request logs and metrics label requests with the name.
/// A method it does not take gets our 405 page, as an unknown path gets our 404.
fn resource(pattern: &'static str, route: Route) -> actix_web::Resource {
    web::resource(pattern)
        .name(pattern)
        .route(route)
        .default_service(web::to(unrouted))
}

/// Every route of the site, used by `main` and by the tests.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/", read().to(pages::home)))
        .service(resource("/c/{slug}", read().to(pages::category)))
        .service(resource("/kb/{id}", read().to(pages::entry)))
        .service(resource(
            "/kb/{id}/feedback",
            web::post().to(feedback::submit),
        ))
        .service(resource("/search", read().to(search::page)))
        .service(resource("/opensearch.xml", read().to(search::opensearch)))
        .service(resource("/api/search", read().to(search::api)))
        .service(resource("/api/suggest", read().to(search::suggest)))
        .service(
            resource("/api/match", web::post().to(matching::api))
                .route(web::route().method(Method::OPTIONS).to(matching::preflight)),
        )
        .service(
            resource("/match", read().to(matching::form)).route(web::post().to(matching::submit)),
        )
        .service(resource("/wizard", read().to(wizard::list)))
        .service(resource("/wizard/{id}", read().to(wizard::step)))
        .service(resource("/sitemap.xml", read().to(pages::sitemap)))
        .service(resource("/robots.txt", read().to(pages::robots)))
        .service(resource("/healthz", read().to(api::healthz)))
        .service(resource("/admin/insights", read().to(admin::insights)))
        .service(resource("/metrics", read().to(api::metrics)))
        .service(resource("/static/{name}", read().to(assets::serve)))
        .service(resource("/api/entries", read().to(api::entries)))
        .service(resource("/api/entries/{id}", read().to(api::entry)))
        .default_service(web::to(unrouted));
}

/// No route: 405 for a method a route does not take, else the 404 page (JSON under `/api/`).
async fn unrouted(req: HttpRequest) -> HttpResponse {
    let api = req.path().starts_with("/api/");
    // A route that takes other methods (GET on /api/match) is a 405 too.
    let error =
        if matches!(*req.method(), Method::GET | Method::HEAD) && req.match_pattern().is_none() {
            Error::NotFound(format!("地址 {} 不存在。", req.path()))
        } else {
            Error::MethodNotAllowed(req.method().to_string())
        };
    let mut response = if api {
        ApiError(error).error_response()
    } else {
        error.error_response()
    };
    if response.status() == actix_web::http::StatusCode::METHOD_NOT_ALLOWED {
        let allow = match req.path() {
            "/api/match" => "POST, OPTIONS",
            "/match" => "GET, HEAD, POST",
            _ => "GET, HEAD",
        };
        response.headers_mut().insert(
            actix_web::http::header::ALLOW,
            actix_web::http::header::HeaderValue::from_static(allow),
        );
    }
    response
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
                .error_handler(|e, _| {
                    let error = match &e {
                        actix_web::error::UrlencodedError::Payload(payload) => {
                            Error::from_payload(payload, || {
                                Error::BadRequest(format!("表单有误：{e}"))
                            })
                        }
                        _ => Error::BadRequest(format!("表单有误：{e}")),
                    };
                    error.into()
                }),
        )
        .app_data(
            web::PathConfig::default()
                .error_handler(|e, _| Error::BadRequest(e.to_string()).into()),
        )
        .app_data(
            web::QueryConfig::default()
                .error_handler(|e, _| Error::BadRequest(e.to_string()).into()),
        )
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
