//! Middleware of our own: request logs, metrics and ids; conditional GET and compression.

use std::cell::RefCell;
use std::future::Future as _;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Instant, SystemTime};

use actix_web::body::{BoxBody, EitherBody, MessageBody, to_bytes};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue, HttpDate};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error as ActixError, HttpMessage as _, HttpResponse, web};

use super::prepared;
use super::{ApiError, AppState};

/// Request ids: a number fixed at start (so two runs' ids differ) and a counter. Cheap to
/// make, unique within a run, and enough to find a request's line in the logs.
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

fn request_id() -> HeaderValue {
    static RUN: std::sync::LazyLock<u32> = std::sync::LazyLock::new(|| {
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        (now.subsec_nanos() ^ (now.as_secs() as u32).rotate_left(16)) ^ std::process::id()
    });
    let n = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    HeaderValue::from_str(&format!("{:08x}-{n:x}", *RUN))
        .unwrap_or_else(|_| HeaderValue::from_static("0"))
}

/// An API error is told in the language `?lang=` names. The handlers' own messages already
/// are; this tells the ones that carry no text of the call (a 408, a 429, a 500), whichever
/// step of the handler they came from, and keeps the status and headers.
pub async fn api_errors_in_asked_language(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, ActixError> {
    let lang = super::lang::of_query(req.query_string());
    let res = next.call(req).await?;
    let error = res
        .response()
        .error()
        .and_then(|e| e.as_error::<ApiError>());
    Ok(match error {
        Some(error) if !lang.is_default() => {
            let response = error.json_in(lang);
            res.into_response(response).map_into_right_body()
        }
        _ => res.map_into_left_body(),
    })
}

/// How long a request's body may take to arrive by default (`--body-timeout`).
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Why a body stopped: it took longer than this to arrive.
#[derive(Debug)]
pub struct BodyTimedOut(pub std::time::Duration);

impl std::fmt::Display for BodyTimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the request body took longer than {:?}", self.0)
    }
}

impl std::error::Error for BodyTimedOut {}

/// A request's body must arrive within the body timeout, counted from when the request's
/// handling starts; after it, reading the body fails, the request gets a 408 and its
/// connection is closed: a client sending a byte a second holds nothing for long. (Headers
/// have their own timeout: the server's `client_request_timeout`.)
pub async fn limit_body_time(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, Holding>>, ActixError> {
    let has_body = req.headers().contains_key(header::TRANSFER_ENCODING)
        || req
            .headers()
            .get(header::CONTENT_LENGTH)
            .is_some_and(|n| n.as_bytes() != b"0");
    if !has_body {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    let limit = req
        .app_data::<web::Data<AppState>>()
        .map_or(BODY_TIMEOUT, |state| state.body_timeout());
    let held = Rc::new(RefCell::new(None));
    let timed = Deadline {
        inner: req.take_payload(),
        expired: Box::pin(actix_web::rt::time::sleep(limit)),
        limit,
        state: Reading::Open,
        held: held.clone(),
    };
    req.set_payload(actix_web::dev::Payload::Stream {
        payload: Box::pin(timed),
    });
    let res = next.call(req).await?;
    let unread = held.borrow_mut().take();
    Ok(match unread {
        None => res.map_into_left_body(),
        Some(payload) => res
            .map_body(|_, body| Holding {
                body: BoxBody::new(body),
                _payload: payload,
            })
            .map_into_right_body(),
    })
}

/// A request body that fails once its time is up. What is left unread of it, when it ran
/// out of time or when nobody read it to the end (a 404, a 403, a 429 before the body), goes
/// to `held`: see [`Holding`].
struct Deadline {
    inner: actix_web::dev::Payload,
    expired: std::pin::Pin<Box<actix_web::rt::time::Sleep>>,
    limit: std::time::Duration,
    state: Reading,
    held: Rc<RefCell<Option<actix_web::dev::Payload>>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Reading {
    Open,
    /// Read to its end.
    Done,
    /// Out of time: every later read fails too, so nobody takes a cut body for a whole one.
    Expired,
}

impl Deadline {
    fn timed_out(&self) -> actix_web::error::PayloadError {
        std::io::Error::new(std::io::ErrorKind::TimedOut, BodyTimedOut(self.limit)).into()
    }
}

impl futures_core::Stream for Deadline {
    type Item = Result<web::Bytes, actix_web::error::PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        match this.state {
            Reading::Done => return Poll::Ready(None),
            Reading::Expired => return Poll::Ready(Some(Err(this.timed_out()))),
            Reading::Open => {}
        }
        if let Poll::Ready(item) = Pin::new(&mut this.inner).poll_next(cx) {
            if item.is_none() {
                this.state = Reading::Done;
            }
            return Poll::Ready(item);
        }
        if this.expired.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        this.state = Reading::Expired;
        Poll::Ready(Some(Err(this.timed_out())))
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        if self.state != Reading::Done {
            let unread = std::mem::replace(&mut self.inner, actix_web::dev::Payload::None);
            *self.held.borrow_mut() = Some(unread);
        }
    }
}

/// The answer to a request whose body was not read to its end (out of time, or not needed),
/// holding the unread rest while the answer goes out: a request whose body is still held
/// gets its connection closed after the answer, where a dropped one would be read to its end
/// with no time limit (at a byte a second, for chunked ones).
pub struct Holding {
    body: BoxBody,
    _payload: actix_web::dev::Payload,
}

impl MessageBody for Holding {
    type Error = Box<dyn std::error::Error>;

    fn size(&self) -> actix_web::body::BodySize {
        self.body.size()
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<web::Bytes, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_next(cx)
    }
}

/// Counts every request by route pattern and status, times it, logs one line with its id
/// and returns the id in `x-request-id`. Labels are the route's pattern (e.g. `/kb/{id}`),
/// never the path, so metrics stay bounded.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, ActixError> {
    let started = Instant::now();
    let id = request_id();
    let mut res = next.call(req).await?;
    let elapsed = started.elapsed();
    let request = res.request();
    let route = request.match_name().unwrap_or("unmatched");
    let method = request.method().as_str();
    let status = res.status();
    tracing::info!(
        id = id.to_str().unwrap_or(""),
        method,
        route,
        path = request.path(),
        status = status.as_u16(),
        micros = elapsed.as_micros() as u64,
        "request"
    );
    if let Some(state) = request.app_data::<web::Data<AppState>>() {
        state
            .metrics
            .requests
            .with_label_values(&[route, method, status.as_str()])
            .inc();
        state
            .metrics
            .latency
            .with_label_values(&[route])
            .observe(elapsed.as_secs_f64());
    }
    res.headers_mut()
        .insert(header::HeaderName::from_static("x-request-id"), id);
    Ok(res)
}

/// The last step of every answer:
/// - `Last-Modified` and `Cache-Control: no-cache` on successful GET and HEAD answers;
/// - an answer made per request gets a weak ETag (a hash of its body), `304 Not Modified`
///   when the client has it, and is compressed inline at a fast level when worth it;
/// - a prepared answer (see [`prepared`]) already has all that and passes through.
///
/// `If-Modified-Since` alone never gives a 304: an HTTP date holds whole seconds, so a vote
/// in the same second as the page was served would leave the client with stale counts.
/// Bodies are sent whole, with a `Content-Length`: one write, no chunks.
pub async fn finish(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, ActixError> {
    finish_response(req, next).await
}

async fn finish_response(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, ActixError> {
    let cacheable = matches!(*req.method(), Method::GET | Method::HEAD);
    let modified_at = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.modified_at());
    let res = next.call(req).await?;
    let ok = res.status() == StatusCode::OK;
    if res.headers().contains_key(header::CONTENT_ENCODING)
        || (res.headers().contains_key(header::ETAG) && !ok)
    {
        // Prepared (or a 304 of one): only the freshness headers are missing.
        let mut res = res.map_into_boxed_body();
        if cacheable && matches!(res.status(), StatusCode::OK | StatusCode::NOT_MODIFIED) {
            freshness(res.headers_mut(), modified_at);
        }
        return Ok(res);
    }
    let (req, res) = res.into_parts();
    let (head, body) = res.into_parts();
    let bytes = to_bytes(body)
        .await
        .map_err(|_| actix_web::error::ErrorInternalServerError("reading the response"))?;
    let mut response = head.set_body(BoxBody::new(()));
    if cacheable && ok {
        let etag = match response.headers().get(header::ETAG) {
            Some(etag) => etag.clone(),
            None => prepared::etag(&bytes),
        };
        if prepared::if_none_match(&req, &etag) {
            let mut not_modified = HttpResponse::NotModified().finish();
            let headers = not_modified.headers_mut();
            headers.insert(header::ETAG, etag);
            for vary in response.headers().get_all(header::VARY) {
                headers.append(header::VARY, vary.clone());
            }
            vary_on_encoding(headers);
            // A revalidated API answer may still be read by another site's page.
            if let Some(origin) = response.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN) {
                headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
            }
            freshness(headers, modified_at);
            return Ok(ServiceResponse::new(req, not_modified));
        }
        response.headers_mut().insert(header::ETAG, etag);
        freshness(response.headers_mut(), modified_at);
    }
    let content_type = response.headers().get(header::CONTENT_TYPE).cloned();
    if prepared::compressible(content_type.as_ref()) {
        vary_on_encoding(response.headers_mut());
    }
    let body =
        match prepared::compress_inline(&req, response.status(), content_type.as_ref(), &bytes) {
            Some((encoding, compressed)) => {
                response.headers_mut().insert(
                    header::CONTENT_ENCODING,
                    HeaderValue::from_static(encoding.name()),
                );
                compressed
            }
            None => bytes,
        };
    Ok(ServiceResponse::new(
        req,
        response.set_body(BoxBody::new(body)),
    ))
}

fn freshness(headers: &mut header::HeaderMap, modified_at: Option<SystemTime>) {
    // Whole seconds: that is all an HTTP date holds.
    if let Some(date) = modified_at
        .map(|t| HttpDate::from(truncate_to_seconds(t)))
        .and_then(|d| HeaderValue::from_str(&d.to_string()).ok())
    {
        headers.insert(header::LAST_MODIFIED, date);
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
}

fn truncate_to_seconds(t: SystemTime) -> SystemTime {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(d.as_secs()),
        Err(_) => t,
    }
}

/// Adds `Accept-Encoding` to `Vary`, keeping what a handler named there (`Accept-Language`).
fn vary_on_encoding(headers: &mut actix_web::http::header::HeaderMap) {
    let named = headers
        .get_all(header::VARY)
        .any(|v| v.to_str().is_ok_and(|v| v.contains("Accept-Encoding")));
    if !named {
        headers.append(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    }
}
