//! The errors a request can end in: an HTML page for pages, `{"error":{…}}` for `/api`. A
//! variant carrying text carries the reader's message; the others are told from the catalogue
//! ([`Error::message_in`]), and their `Display` is for logs.

use actix_web::http::StatusCode;
use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;
use serde_json::json;

use super::views::{Chrome, ErrorPage};
use crate::locale::Language;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("method {0} not allowed")]
    MethodNotAllowed(String),
    /// A state-changing request from a page of another site.
    #[error("{0}")]
    Forbidden(String),
    /// A client over its limit; it may try again after this many seconds.
    #[error("too many requests: retry after {0} s")]
    TooManyRequests(u64),
    /// A request body or message over its limit.
    #[error("{0}")]
    TooLarge(String),
    /// A request body that did not arrive within the body timeout (seconds).
    #[error("request body not received within {0} s")]
    BodyTimeout(u64),
    /// A write that could not be stored: pages and search keep serving.
    #[error("{0}")]
    Unavailable(String),
    /// Our fault: what we were doing, and the error that stopped it (logged, never shown).
    #[error("internal error while {doing}")]
    Internal {
        doing: String,
        #[source]
        source: BoxError,
    },
}

pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

impl Error {
    /// An internal error: `doing` what, stopped by `source`.
    pub fn internal(doing: impl Into<String>, source: impl Into<BoxError>) -> Error {
        Error::Internal {
            doing: doing.into(),
            source: source.into(),
        }
    }

    /// Logs an internal error with every cause in its chain; the reader sees none of it.
    fn log(&self, what: &str) {
        if let Error::Internal { doing, source } = self {
            let mut causes = source.to_string();
            let mut next = source.source();
            while let Some(cause) = next {
                causes.push_str(": ");
                causes.push_str(&cause.to_string());
                next = cause.source();
            }
            tracing::error!(%doing, error = %causes, "{what}");
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Error::NotFound(_) => "not_found",
            Error::BadRequest(_) => "bad_request",
            Error::MethodNotAllowed(_) => "method_not_allowed",
            Error::Forbidden(_) => "forbidden",
            Error::TooManyRequests(_) => "too_many_requests",
            Error::TooLarge(_) => "payload_too_large",
            Error::BodyTimeout(_) => "request_timeout",
            Error::Unavailable(_) => "unavailable",
            Error::Internal { .. } => "internal",
        }
    }
}

impl From<askama::Error> for Error {
    fn from(e: askama::Error) -> Error {
        Error::internal("rendering a template", e)
    }
}

impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        match self {
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Error::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Error::BodyTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            Error::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Error::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        self.response_in(crate::locale::default())
    }
}

impl Error {
    /// What the reader is told, in `lang`: the message made, or the catalogue's for the
    /// errors that carry only a number or a method.
    pub fn message_in(&self, lang: &Language) -> String {
        let t = &lang.t.error;
        match self {
            Error::MethodNotAllowed(method) => t.method_not_allowed.with(method),
            Error::TooManyRequests(seconds) => t.wait.with(seconds),
            Error::BodyTimeout(seconds) => t.body_timeout.with(seconds),
            Error::Internal { .. } => t.internal.clone(),
            other => other.to_string(),
        }
    }

    /// The error page in `lang` (its headings and links; the message is the one made).
    pub fn response_in(&self, lang: &'static Language) -> HttpResponse {
        self.log("request failed");
        let status = self.status_code();
        let t = &lang.t.error;
        let page = ErrorPage {
            chrome: Chrome::bare(lang),
            status: status.as_u16(),
            heading: match self {
                Error::NotFound(_) => &t.not_found,
                Error::BadRequest(_) | Error::BodyTimeout(_) => &t.bad_request,
                Error::MethodNotAllowed(_) => &t.not_allowed,
                Error::TooLarge(_) => &t.too_large,
                Error::Forbidden(_) => &t.forbidden,
                Error::TooManyRequests(_) => &t.too_many_requests,
                Error::Internal { .. } | Error::Unavailable(_) => &t.server_error,
            },
            message: self.message_in(lang),
            suggestions: Vec::new(),
        };
        let mut response = match page.render() {
            Ok(html) => HttpResponse::build(status)
                .content_type(ContentType::html())
                .body(html),
            Err(_) => HttpResponse::build(status)
                .content_type(ContentType::plaintext())
                .body(self.message_in(lang)),
        };
        self.add_headers(&mut response);
        response
    }
}

impl Error {
    /// `Retry-After` on a 429: when the client may try again. A 408 closes its connection:
    /// the rest of a slow body is not waited for.
    fn add_headers(&self, response: &mut HttpResponse) {
        match self {
            Error::TooManyRequests(seconds) => {
                response.headers_mut().insert(
                    actix_web::http::header::RETRY_AFTER,
                    actix_web::http::header::HeaderValue::from(*seconds),
                );
            }
            Error::BodyTimeout(_) => response
                .head_mut()
                .set_connection_type(actix_web::http::ConnectionType::Close),
            _ => {}
        }
    }

    /// A body that failed to arrive: a 408 when it ran out of time (see
    /// `middleware::limit_body_time`), else `or_else`.
    pub fn from_payload(
        error: &actix_web::error::PayloadError,
        or_else: impl FnOnce() -> Error,
    ) -> Error {
        use actix_web::error::PayloadError;
        match error {
            PayloadError::Io(e) | PayloadError::Incomplete(Some(e))
                if e.kind() == std::io::ErrorKind::TimedOut =>
            {
                let seconds = e
                    .get_ref()
                    .and_then(|inner| inner.downcast_ref::<super::middleware::BodyTimedOut>())
                    .map_or(0, |timed_out| timed_out.0.as_secs());
                Error::BodyTimeout(seconds)
            }
            _ => or_else(),
        }
    }
}

/// The same errors, answered as JSON for the API.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ApiError(#[from] pub Error);

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.0.status_code()
    }

    fn error_response(&self) -> HttpResponse {
        self.0.log("api request failed");
        self.json_in(crate::locale::default())
    }
}

impl ApiError {
    /// The error as JSON, told in `lang` (see `middleware::api_errors_in_asked_language`).
    pub fn json_in(&self, lang: &Language) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code()).json(json!({
            "error": { "code": self.0.code(), "message": self.0.message_in(lang) }
        }));
        self.0.add_headers(&mut response);
        response
    }
}
