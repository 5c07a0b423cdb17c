//! Middleware of our own: request metrics and ids, and conditional GET for pages and JSON.

use std::time::{Instant, SystemTime};

use actix_web::body::{BoxBody, MessageBody, to_bytes};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue, HttpDate};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error as ActixError, HttpMessage, HttpResponse, web};
use sha2::{Digest, Sha256};

use super::AppState;

/// Counts every request by route pattern and status, times it, logs it (inside the request's
/// span, so the line carries its id) and returns the id in `x-request-id`.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, ActixError> {
    let started = Instant::now();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let request_id = req
        .extensions()
        .get::<tracing_actix_web::RequestId>()
        .map(|id| id.to_string());
    let method = req.method().to_string();
    let mut res = next.call(req).await?;
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_string());
    let elapsed = started.elapsed();
    tracing::info!(
        method = %method,
        route = %route,
        path = %res.request().path(),
        status = res.status().as_u16(),
        micros = elapsed.as_micros() as u64,
        "request"
    );
    if let Some(state) = state {
        let status = res.status().as_u16().to_string();
        state
            .metrics
            .requests
            .with_label_values(&[route.as_str(), method.as_str(), status.as_str()])
            .inc();
        state
            .metrics
            .latency
            .with_label_values(&[route.as_str()])
            .observe(elapsed.as_secs_f64());
    }
    if let Some(id) = request_id.and_then(|id| HeaderValue::from_str(&id).ok()) {
        res.headers_mut()
            .insert(header::HeaderName::from_static("x-request-id"), id);
    }
    Ok(res)
}

/// ETag and Last-Modified on successful GET and HEAD answers that have none yet, and
/// `304 Not Modified` when the client already has that ETag. `If-Modified-Since` alone never
/// gives a 304: an HTTP date holds whole seconds, so a vote in the same second as the page was
/// served would leave the client with stale counts. The ETag, a hash of the body, is exact.
pub async fn conditional_get(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, ActixError> {
    let cacheable = matches!(*req.method(), Method::GET | Method::HEAD);
    let if_none_match = header_string(&req, header::IF_NONE_MATCH);
    let modified_at = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.modified_at());
    let res = next.call(req).await?;
    if !cacheable || res.status() != StatusCode::OK || res.headers().contains_key(header::ETAG) {
        return Ok(res.map_into_boxed_body());
    }
    let (req, res) = res.into_parts();
    let (head, body) = res.into_parts();
    let bytes = to_bytes(body)
        .await
        .map_err(|_| actix_web::error::ErrorInternalServerError("reading the response"))?;
    let etag = format!(
        "W/\"{}\"",
        Sha256::digest(&bytes)
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    // Whole seconds: that is all an HTTP date holds.
    let last_modified = modified_at.map(|t| HttpDate::from(truncate_to_seconds(t)));
    let fresh = if_none_match
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if fresh {
        HttpResponse::NotModified().finish()
    } else {
        head.set_body(BoxBody::new(bytes))
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    if let Some(date) = last_modified.and_then(|d| HeaderValue::from_str(&d.to_string()).ok()) {
        headers.insert(header::LAST_MODIFIED, date);
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    Ok(ServiceResponse::new(req, response))
}

fn header_string(req: &ServiceRequest, name: header::HeaderName) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn truncate_to_seconds(t: SystemTime) -> SystemTime {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(d.as_secs()),
        Err(_) => t,
    }
}
