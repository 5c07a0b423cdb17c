//! Responses made once and served many times: the body with its ETag and compressed variants,
//! and the bounded cache that keeps them. Also the inline compression of answers made per
//! request.

use std::io::Write as _;
use std::sync::Arc;

use actix_web::http::header::{
    self, AcceptEncoding, EntityTag, Header as _, HeaderValue, IfNoneMatch, Preference, Quality,
};
use actix_web::http::{Method, StatusCode};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

/// Bodies smaller than this are sent as they are: the saving would not pay for the work.
pub const MIN_COMPRESS_BYTES: usize = 1024;

/// How hard to compress.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effort {
    /// Best levels (brotli 11, gzip 9): for pages made once and served many times.
    Best,
    /// Fast levels: for answers made per request, compressed inline on the worker.
    Fast,
}

/// A body with its ETag and, when compressing saves bytes, its compressed variants: brotli
/// and gzip at the best levels, or gzip alone at the fast level (every browser takes gzip,
/// and zlib-rs at level 1 costs a sixth of brotli's fast level: 0.02 ms for a 6 KB page).
pub struct Prepared {
    content_type: &'static str,
    identity: Bytes,
    br: Option<Bytes>,
    gzip: Option<Bytes>,
    etag: HeaderValue,
}

impl Prepared {
    pub fn new(content_type: &'static str, body: impl Into<Bytes>, effort: Effort) -> Prepared {
        let identity: Bytes = body.into();
        let worth = identity.len() >= MIN_COMPRESS_BYTES;
        let smaller = |c: Bytes| (c.len() < identity.len()).then_some(c);
        let br = (worth && effort == Effort::Best)
            .then(|| compress(Encoding::Br, &identity, effort))
            .and_then(smaller);
        let gzip = worth
            .then(|| compress(Encoding::Gzip, &identity, effort))
            .and_then(smaller);
        Prepared {
            content_type,
            etag: etag(&identity),
            identity,
            br,
            gzip,
        }
    }

    /// The bytes this holds, for the cache's bound.
    pub fn weight(&self) -> u64 {
        let len = |b: &Option<Bytes>| b.as_ref().map_or(0, Bytes::len);
        (self.identity.len() + len(&self.br) + len(&self.gzip)) as u64
    }

    pub fn etag(&self) -> &HeaderValue {
        &self.etag
    }

    /// The answer for this request: `304` when the client has this ETag, else the variant it
    /// accepts, whole, with its `Content-Length`.
    pub fn respond(&self, req: &HttpRequest) -> HttpResponse {
        if if_none_match(req, &self.etag) {
            let mut res = HttpResponse::NotModified().finish();
            res.headers_mut().insert(header::ETAG, self.etag.clone());
            res.headers_mut()
                .insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
            return res;
        }
        let accepted = accepted(req);
        let (encoding, body) = match (&self.br, &self.gzip) {
            (Some(br), _) if accepted.br => (Some("br"), br.clone()),
            (_, Some(gzip)) if accepted.gzip => (Some("gzip"), gzip.clone()),
            _ => (None, self.identity.clone()),
        };
        let mut res = HttpResponse::Ok();
        res.insert_header((header::CONTENT_TYPE, self.content_type))
            .insert_header((header::ETAG, self.etag.clone()))
            .insert_header((header::VARY, "Accept-Encoding"));
        if let Some(encoding) = encoding {
            res.insert_header((header::CONTENT_ENCODING, encoding));
        }
        res.body(body)
    }
}

/// A weak ETag from the body's SHA-256: the same for every encoding of it.
pub fn etag(body: &[u8]) -> HeaderValue {
    let digest = Sha256::digest(body);
    let mut tag = String::with_capacity(20);
    tag.push_str("W/\"");
    for b in &digest[..8] {
        tag.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
        tag.push(char::from_digit(u32::from(b & 15), 16).unwrap_or('0'));
    }
    tag.push('"');
    HeaderValue::from_str(&tag).unwrap_or_else(|_| HeaderValue::from_static("W/\"0\""))
}

/// Whether the request's `If-None-Match` names `etag` (or `*`), compared weakly (RFC 9110:
/// `W/"x"` and `"x"` name the same representation for a GET).
pub fn if_none_match(req: &HttpRequest, etag: &HeaderValue) -> bool {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return false;
    }
    let Some(ours) = etag.to_str().ok().and_then(|t| t.parse::<EntityTag>().ok()) else {
        return false;
    };
    match IfNoneMatch::parse(req) {
        Ok(IfNoneMatch::Any) => true,
        Ok(IfNoneMatch::Items(tags)) => tags.iter().any(|tag| tag.weak_eq(&ours)),
        Err(_) => false,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Br,
    Gzip,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Br => "br",
            Encoding::Gzip => "gzip",
        }
    }
}

/// Which of our encodings the client takes (`q=0` refuses one).
#[derive(Default, Debug, PartialEq, Eq)]
pub struct Accepted {
    pub br: bool,
    pub gzip: bool,
}

pub fn accepted(req: &HttpRequest) -> Accepted {
    let mut accepted = Accepted::default();
    let Ok(accept) = AcceptEncoding::parse(req) else {
        return accepted;
    };
    for item in accept.0.iter().filter(|item| item.quality > Quality::ZERO) {
        match &item.item {
            Preference::Any => {
                accepted.br = true;
                accepted.gzip = true;
            }
            Preference::Specific(encoding) if *encoding == header::Encoding::brotli() => {
                accepted.br = true
            }
            Preference::Specific(encoding) if *encoding == header::Encoding::gzip() => {
                accepted.gzip = true
            }
            Preference::Specific(header::Encoding::Unknown(name))
                if name.eq_ignore_ascii_case("x-gzip") =>
            {
                accepted.gzip = true
            }
            Preference::Specific(_) => {}
        }
    }
    accepted
}

/// Compresses `body`; writing into a `Vec` cannot fail.
pub fn compress(encoding: Encoding, body: &[u8], effort: Effort) -> Bytes {
    let mut out = Vec::with_capacity(body.len() / 3 + 64);
    match encoding {
        Encoding::Br => {
            let quality = match effort {
                Effort::Best => 11,
                Effort::Fast => 4,
            };
            // A window no larger than the body: the same output, less to set up.
            let window = (usize::BITS - body.len().max(1).leading_zeros()).clamp(16, 22);
            let params = brotli::enc::BrotliEncoderParams {
                quality,
                lgwin: window as i32,
                size_hint: body.len(),
                ..Default::default()
            };
            let mut input = body;
            let _ = brotli::BrotliCompress(&mut input, &mut out, &params);
        }
        Encoding::Gzip => gzip(body, effort, &mut out),
    }
    Bytes::from(out)
}

thread_local! {
    /// One deflate state per thread and level, reset between bodies: making a new one zeroes
    /// its window and tables, which cost more than compressing a page at level 1.
    static DEFLATE: std::cell::RefCell<[Option<flate2::Compress>; 2]> =
        const { std::cell::RefCell::new([None, None]) };
}

/// gzip (RFC 1952): a fixed header, raw deflate, then the CRC-32 and length of the body.
fn gzip(body: &[u8], effort: Effort, out: &mut Vec<u8>) {
    let (slot, level) = match effort {
        Effort::Best => (0, flate2::Compression::best()),
        Effort::Fast => (1, flate2::Compression::fast()),
    };
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
    DEFLATE.with(|states| {
        let mut states = states.borrow_mut();
        let deflate = states[slot].get_or_insert_with(|| flate2::Compress::new(level, false));
        deflate.reset();
        loop {
            out.reserve(body.len() / 2 + 64);
            let done = deflate.total_in() as usize;
            match deflate.compress_vec(&body[done..], out, flate2::FlushCompress::Finish) {
                Ok(flate2::Status::StreamEnd) => break,
                Ok(_) => continue,
                Err(_) => {
                    // Cannot happen with a Vec that grows; fall back to a stored copy.
                    out.clear();
                    let mut encoder = flate2::write::GzEncoder::new(
                        std::mem::take(out),
                        flate2::Compression::none(),
                    );
                    let _ = encoder.write_all(body);
                    *out = encoder.finish().unwrap_or_default();
                    return;
                }
            }
        }
        let mut crc = flate2::Crc::new();
        crc.update(body);
        out.extend_from_slice(&crc.sum().to_le_bytes());
        out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    });
}

/// Whether a response of this type is worth compressing (text; images and archives are not).
pub fn compressible(content_type: Option<&HeaderValue>) -> bool {
    content_type.and_then(|v| v.to_str().ok()).is_some_and(|t| {
        t.starts_with("text/")
            || t.starts_with("application/json")
            || t.starts_with("application/xml")
            || t.starts_with("application/opensearchdescription+xml")
            || t.starts_with("image/svg+xml")
    })
}

/// Compresses a finished answer inline at the fast level when the client takes it and it is
/// worth it. Returns the encoding used and the new body.
pub fn compress_inline(
    req: &HttpRequest,
    status: StatusCode,
    content_type: Option<&HeaderValue>,
    body: &[u8],
) -> Option<(Encoding, Bytes)> {
    if body.len() < MIN_COMPRESS_BYTES
        || !compressible(content_type)
        || matches!(status, StatusCode::NOT_MODIFIED | StatusCode::NO_CONTENT)
    {
        return None;
    }
    let accepted = accepted(req);
    let encoding = if accepted.gzip {
        Encoding::Gzip
    } else if accepted.br {
        Encoding::Br
    } else {
        return None;
    };
    let compressed = compress(encoding, body, Effort::Fast);
    (compressed.len() < body.len()).then_some((encoding, compressed))
}

struct ByBytes;

impl Clone for ByBytes {
    fn clone(&self) -> Self {
        ByBytes
    }
}

impl quick_cache::Weighter<String, Arc<Prepared>> for ByBytes {
    fn weight(&self, key: &String, page: &Arc<Prepared>) -> u64 {
        // The key and the bookkeeping count too; never zero.
        key.len() as u64 + page.weight() + 128
    }
}

/// Prepared pages by key, bounded in bytes. Keys name everything a page depends on (content
/// generation, base URL, path, and the votes or counts it shows), so an entry is never stale:
/// it is only no longer asked for, and makes room for others.
pub struct PageCache {
    pages: quick_cache::sync::Cache<String, Arc<Prepared>, ByBytes>,
}

impl PageCache {
    pub fn new(max_bytes: u64) -> PageCache {
        // About 20 KB a page with its variants.
        let estimated = (max_bytes / 20_000).max(16) as usize;
        PageCache {
            pages: quick_cache::sync::Cache::with_weighter(estimated, max_bytes.max(1), ByBytes),
        }
    }

    pub fn get(&self, key: &str) -> Option<Arc<Prepared>> {
        self.pages.get(key)
    }

    /// Keeps `page` (unless it alone is larger than the bound) and hands it back.
    pub fn insert(&self, key: String, page: Prepared) -> Arc<Prepared> {
        let page = Arc::new(page);
        self.pages.insert(key, page.clone());
        page
    }

    /// The page kept under `key`, or the one `build` makes, kept. Readers asking for the same
    /// page while it is built wait for that one build: a big page missed by many readers at
    /// once (a cold replica under load) was built by each of them and filled the blocking
    /// pool for seconds.
    pub async fn get_or_build<E>(
        &self,
        key: &str,
        build: impl Future<Output = Result<Prepared, E>>,
    ) -> Result<Arc<Prepared>, E> {
        self.pages
            .get_or_insert_async(key, async { build.await.map(Arc::new) })
            .await
    }

    /// Drops everything: after a reload, no key of the old generation is asked for again.
    pub fn clear(&self) {
        self.pages.clear();
    }

    /// Bytes held, as the bound counts them.
    pub fn weight(&self) -> u64 {
        self.pages.weight()
    }

    pub fn len(&self) -> usize {
        self.pages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use actix_web::test::TestRequest;

    use super::*;

    fn decode(encoding: Encoding, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        match encoding {
            Encoding::Br => {
                brotli::Decompressor::new(data, 4096)
                    .read_to_end(&mut out)
                    .expect("brotli");
            }
            Encoding::Gzip => {
                flate2::read::GzDecoder::new(data)
                    .read_to_end(&mut out)
                    .expect("gzip");
            }
        }
        out
    }

    #[test]
    fn every_variant_decodes_to_the_body() {
        let body = "白名单不生效怎么办？".repeat(200);
        for effort in [Effort::Best, Effort::Fast] {
            for encoding in [Encoding::Br, Encoding::Gzip] {
                let packed = compress(encoding, body.as_bytes(), effort);
                assert!(packed.len() < body.len() / 5, "{encoding:?} {effort:?}");
                assert_eq!(decode(encoding, &packed), body.as_bytes());
            }
        }
    }

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        let of = |value: &str| {
            accepted(
                &TestRequest::default()
                    .insert_header(("accept-encoding", value))
                    .to_http_request(),
            )
        };
        assert_eq!(
            of("gzip, deflate, br"),
            Accepted {
                br: true,
                gzip: true
            }
        );
        assert_eq!(
            of("gzip;q=1.0, br;q=0"),
            Accepted {
                br: false,
                gzip: true
            }
        );
        assert_eq!(of("identity"), Accepted::default());
        assert_eq!(
            of("BR"),
            Accepted {
                br: true,
                gzip: false
            }
        );
        assert_eq!(
            of("*"),
            Accepted {
                br: true,
                gzip: true
            }
        );
        assert_eq!(
            accepted(&TestRequest::default().to_http_request()),
            Accepted::default()
        );
    }

    #[test]
    fn small_bodies_have_no_variants_and_the_cache_keeps_its_bound() {
        let small = Prepared::new("text/plain", "短", Effort::Best);
        assert!(small.br.is_none() && small.gzip.is_none());
        let cache = PageCache::new(100_000);
        for i in 0..200 {
            cache.insert(
                format!("page-{i}"),
                Prepared::new("text/html", "页".repeat(1000 + i), Effort::Fast),
            );
        }
        assert!(cache.weight() <= 100_000, "{}", cache.weight());
        assert!(cache.len() > 5);
    }
}
