//! The files of `static/`, built into the binary and served from memory with a content hash
//! in their URL: nothing on disk can be reached through `/static/`.

use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use sha2::{Digest, Sha256};

use super::Error;
use super::prepared::{Effort, Prepared};

pub struct Asset {
    pub name: &'static str,
    pub bytes: &'static [u8],
    pub content_type: &'static str,
    /// First 16 hex digits of the SHA-256 of the bytes.
    pub hash: String,
    /// The bytes with their ETag and compressed variants, made once.
    prepared: Prepared,
}

macro_rules! asset {
    ($name:literal, $type:literal) => {
        (
            $name,
            include_bytes!(concat!("../../static/", $name)).as_slice(),
            $type,
        )
    };
}

static ASSETS: LazyLock<Vec<Asset>> = LazyLock::new(|| {
    [
        asset!("app.css", "text/css; charset=utf-8"),
        asset!("app.js", "text/javascript; charset=utf-8"),
        asset!("favicon.svg", "image/svg+xml"),
        asset!("widget.js", "text/javascript; charset=utf-8"),
    ]
    .into_iter()
    .map(|(name, bytes, content_type)| Asset {
        name,
        bytes,
        content_type,
        hash: hex16(&Sha256::digest(bytes)),
        prepared: Prepared::new(content_type, bytes, Effort::Best),
    })
    .collect()
});

fn hex16(digest: &[u8]) -> String {
    hex::encode(&digest[..8])
}

pub fn get(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.name == name)
}

/// The URL to put in pages: it changes whenever the file does, so it can be cached for a year.
pub fn url(name: &str) -> String {
    match get(name) {
        Some(asset) => format!("/static/{}?v={}", asset.name, asset.hash),
        None => format!("/static/{name}"),
    }
}

#[derive(serde::Deserialize)]
pub struct Version {
    v: Option<String>,
}

pub async fn serve(
    req: HttpRequest,
    name: web::Path<String>,
    version: web::Query<Version>,
) -> Result<HttpResponse, Error> {
    let asset = get(&name)
        .ok_or_else(|| Error::NotFound(crate::locale::default().t.error.no_asset.with(&name)))?;
    let cache = if version.v.as_deref() == Some(asset.hash.as_str()) {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300"
    };
    let mut response = asset.prepared.respond(&req);
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static(cache),
    );
    // Other sites load the widget: their own timing (real-user monitoring) may see its cost.
    if asset.name == "widget.js" {
        response.headers_mut().insert(
            header::HeaderName::from_static("timing-allow-origin"),
            header::HeaderValue::from_static("*"),
        );
    }
    Ok(response)
}
