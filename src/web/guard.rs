//! Refuses, before any handler sees them, URLs that cannot be read as text and state-changing
//! requests sent by pages of other sites.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{Error as ActixError, ResponseError, web};

use super::lang::Lang;
use super::{ApiError, AppState, Error};
use crate::locale::ErrorText;

/// Longest URL we read (path and query), in bytes: room for a 20 KB query of Chinese text,
/// percent-encoded.
pub const MAX_URL_BYTES: usize = 64_000;

/// A 400 for URLs with broken percent-encoding or bytes that are not UTF-8, and for very long ones.
pub async fn reject_malformed_urls(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, ActixError> {
    if let Some(problem) = url_problem(req.uri().path(), req.query_string()) {
        let t = &Lang::of_path(req.path()).t.error;
        return Ok(refuse(
            req,
            Error::BadRequest(problem.message(t).to_string()),
        ));
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

/// A 403 for a request that changes something (a vote, any later POST) when a browser says it
/// comes from another site: its `Origin` is not ours, or, without `Origin`, `Sec-Fetch-Site`
/// says `cross-site` or `same-site`. Our own origin is `--base-url`'s, or else the request's
/// host (compared without the scheme, which a proxy may have changed). A request with neither
/// header is no browser on another site (curl, a server-side client): it is let through. The
/// request's host comes from forwarded headers only when a trusted proxy sent them.
pub async fn refuse_cross_site(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, ActixError> {
    // `/api/match` only reads: a ticket tool on any site may call it. `/api/deflection` is
    // called by the help widget on other sites' ticket forms, and only counts.
    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        && !matches!(req.path(), "/api/match" | "/api/deflection")
        && let Some(state) = req.app_data::<web::Data<AppState>>()
        && from_another_site(&req, state)
    {
        let t = &Lang::of_path(req.path()).t.error;
        return Ok(refuse(req, Error::Forbidden(t.cross_site.clone())));
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

/// The request answered with `error`: JSON under `/api/`, else the HTML error page.
fn refuse<B>(req: ServiceRequest, error: Error) -> ServiceResponse<EitherBody<B>> {
    let response = if req.path().starts_with("/api/") {
        ApiError(error).error_response()
    } else {
        error.response_in(Lang::of_path(req.path()))
    };
    req.into_response(response).map_into_right_body()
}

fn from_another_site(req: &ServiceRequest, state: &AppState) -> bool {
    let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    if let Some(origin) = header(header::ORIGIN) {
        let origin = origin.trim().trim_end_matches('/');
        return match state.fixed_base_url() {
            Some(base) => !origin.eq_ignore_ascii_case(origin_of(base)),
            None => match state.request_origin(req.request()) {
                Some(ours) => !authority_of(origin).eq_ignore_ascii_case(authority_of(&ours)),
                None => true,
            },
        };
    }
    matches!(
        header(header::HeaderName::from_static("sec-fetch-site")),
        Some("cross-site" | "same-site")
    )
}

/// `https://help.example.com` of `https://help.example.com/any/path`.
fn origin_of(url: &str) -> &str {
    let start = url.find("://").map_or(0, |i| i + 3);
    match url[start..].find('/') {
        Some(end) => &url[..start + end],
        None => url,
    }
}

/// `help.example.com:8080` of `https://help.example.com:8080`; `null` stays `null`.
fn authority_of(origin: &str) -> &str {
    origin_of(origin)
        .split_once("://")
        .map_or(origin, |(_, authority)| authority)
}

/// What is wrong with a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UrlProblem {
    TooLong,
    BadPercent,
    NotUtf8,
}

impl UrlProblem {
    fn message(self, t: &ErrorText) -> &str {
        match self {
            UrlProblem::TooLong => &t.url_too_long,
            UrlProblem::BadPercent => &t.url_bad_percent,
            UrlProblem::NotUtf8 => &t.url_not_utf8,
        }
    }
}

fn url_problem(path: &str, query: &str) -> Option<UrlProblem> {
    if path.len() + query.len() > MAX_URL_BYTES {
        return Some(UrlProblem::TooLong);
    }
    for part in [path, query] {
        if !well_formed(part) {
            return Some(UrlProblem::BadPercent);
        }
        let decoded: Vec<u8> = percent_encoding::percent_decode_str(part).collect();
        if std::str::from_utf8(&decoded).is_err() {
            return Some(UrlProblem::NotUtf8);
        }
    }
    None
}

/// Every `%` is followed by two hex digits.
fn well_formed(part: &str) -> bool {
    let bytes = part.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                return false;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems() {
        assert_eq!(url_problem("/kb/a", "q=%E7%99%BD"), None);
        assert_eq!(url_problem("/kb/%E7%99", ""), Some(UrlProblem::NotUtf8));
        assert_eq!(url_problem("/search", "q=%FF"), Some(UrlProblem::NotUtf8));
        assert_eq!(
            url_problem("/search", "q=%zz"),
            Some(UrlProblem::BadPercent)
        );
        assert_eq!(
            url_problem("/search", "q=100%"),
            Some(UrlProblem::BadPercent)
        );
        assert_eq!(
            url_problem("/search", &"a".repeat(MAX_URL_BYTES)),
            Some(UrlProblem::TooLong)
        );
    }
}
