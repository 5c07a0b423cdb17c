//! Refuses URLs that cannot be read as text before any handler sees them.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error as ActixError, ResponseError};

use super::{ApiError, Error};

/// Longest URL we read (path and query), in bytes: room for a 20 KB query of Chinese text,
/// percent-encoded.
pub const MAX_URL_BYTES: usize = 64_000;

/// A 400 for URLs with broken percent-encoding or bytes that are not UTF-8, and for very long ones.
pub async fn reject_malformed_urls(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, ActixError> {
    if let Some(problem) = url_problem(req.uri().path(), req.query_string()) {
        let error = Error::BadRequest(problem.to_string());
        let response = if req.path().starts_with("/api/") {
            ApiError(error).error_response()
        } else {
            error.error_response()
        };
        return Ok(req.into_response(response).map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

fn url_problem(path: &str, query: &str) -> Option<&'static str> {
    if path.len() + query.len() > MAX_URL_BYTES {
        return Some("网址太长");
    }
    for part in [path, query] {
        if !well_formed(part) {
            return Some("网址中的百分号编码无效");
        }
        let decoded: Vec<u8> = percent_encoding::percent_decode_str(part).collect();
        if std::str::from_utf8(&decoded).is_err() {
            return Some("网址不是有效的 UTF-8 文本");
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
        assert_eq!(
            url_problem("/kb/%E7%99", ""),
            Some("网址不是有效的 UTF-8 文本")
        );
        assert_eq!(
            url_problem("/search", "q=%FF"),
            Some("网址不是有效的 UTF-8 文本")
        );
        assert_eq!(
            url_problem("/search", "q=%zz"),
            Some("网址中的百分号编码无效")
        );
        assert_eq!(
            url_problem("/search", "q=100%"),
            Some("网址中的百分号编码无效")
        );
        assert_eq!(
            url_problem("/search", &"a".repeat(MAX_URL_BYTES)),
            Some("网址太长")
        );
    }
}
