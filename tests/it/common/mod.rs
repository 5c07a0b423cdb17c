//! Helpers shared by the integration tests: content directories and an in-process app.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::HeaderMap;
use actix_web::{test, web::Data};
use wendao::web::{AppState, Site};

pub mod postgres;

/// Text escaped as askama escapes it in HTML.
pub fn escape(s: &str) -> String {
    s.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

/// A query-string value percent-encoded (every byte but ASCII letters and digits), as a form sends it.
pub fn encoded(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Text as askama escapes it in HTML, back to what it was.
pub fn unescape(html: &str) -> String {
    html.replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// A port nobody listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub fn repo_content() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("content")
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn state(content: &Path, base_url: Option<&str>) -> Data<AppState> {
    Data::new(app_state(content, base_url))
}

/// The state before it is shared, for a test to set more on (`with_…`).
pub fn app_state(content: &Path, base_url: Option<&str>) -> AppState {
    let library = wendao::content::load(content).unwrap_or_else(|e| panic!("{e}"));
    let site = Site::build(library).expect("search index");
    AppState::new(site, base_url.map(str::to_string))
}

pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    /// The body as sent (compressed when the response says so).
    pub bytes: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// One request through the whole app, middleware included.
pub async fn request(state: &Data<AppState>, req: test::TestRequest) -> Response {
    let app = test::init_service(wendao::web::app(state.clone())).await;
    let res = test::call_service(&app, req.to_request()).await;
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = test::read_body(res).await;
    Response {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes: bytes.to_vec(),
    }
}

pub async fn get(state: &Data<AppState>, uri: &str) -> Response {
    request(state, test::TestRequest::get().uri(uri)).await
}

/// A copy of a content tree in a temporary directory, to break on purpose.
pub struct TempContent {
    pub dir: tempfile::TempDir,
}

impl TempContent {
    pub fn copy_of(source: &Path) -> TempContent {
        let dir = tempfile::tempdir().expect("tempdir");
        copy_tree(source, dir.path());
        TempContent { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, relative: &str, text: &str) {
        let path = self.dir.path().join(relative);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }

    pub fn remove(&self, relative: &str) {
        std::fs::remove_file(self.dir.path().join(relative)).expect("remove");
    }

    /// Makes `relative` a symlink to `target` (taken as written: relative to the link's
    /// directory, or absolute). Unix only, as the server is.
    pub fn symlink(&self, relative: &str, target: impl AsRef<Path>) {
        let path = self.dir.path().join(relative);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::os::unix::fs::symlink(target, path).expect("symlink");
    }

    /// Makes `relative` a file of `bytes` that takes no space on disk (a sparse file, all zero).
    pub fn sparse(&self, relative: &str, bytes: u64) {
        let path = self.dir.path().join(relative);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::File::create(path)
            .and_then(|file| file.set_len(bytes))
            .expect("sparse file");
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for item in std::fs::read_dir(from).expect("read_dir") {
        let item = item.expect("dir entry");
        let target = to.join(item.file_name());
        if item.file_type().expect("file type").is_dir() {
            copy_tree(&item.path(), &target);
        } else {
            std::fs::copy(item.path(), target).expect("copy");
        }
    }
}

/// The real server on a free loopback port, in a thread of its own: (base URL, handle).
pub fn start_server(content: &Path) -> (String, actix_web::dev::ServerHandle) {
    serve(state(content, None))
}

/// Serves a prepared state on a free loopback port, in a thread of its own.
pub fn serve(state: Data<AppState>) -> (String, actix_web::dev::ServerHandle) {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = actix_web::HttpServer::new(move || wendao::web::app(state.clone()))
                .workers(1)
                .bind(("127.0.0.1", 0))
                .expect("bind");
            let addr = server.addrs()[0];
            let server = server.run();
            tx.send((format!("http://{addr}"), server.handle()))
                .expect("send");
            server.await.expect("server");
        });
    });
    rx.recv_timeout(Duration::from_secs(30))
        .expect("server started")
}

/// Sends `raw` (a whole HTTP/1.1 request) to `base` and returns everything the server wrote.
pub fn raw_http(base: &str, raw: &str) -> String {
    let addr = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    stream.write_all(raw.as_bytes()).expect("write");
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// One answer read off a [`Connection`].
pub struct Answer {
    pub status: u16,
    /// Names in lowercase.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A client on one keep-alive connection, as a browser keeps one: TCP_NODELAY on, requests
/// one after another. It reads answers by their `Content-Length` and fails on any other kind
/// (chunked), since every answer of ours must have one.
pub struct Connection {
    stream: TcpStream,
    pending: Vec<u8>,
}

impl Connection {
    pub fn open(base: &str) -> Connection {
        let stream = TcpStream::connect(base.trim_start_matches("http://")).expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        Connection {
            stream,
            pending: Vec::new(),
        }
    }

    pub fn get(&mut self, path: &str, headers: &[(&str, &str)]) -> Answer {
        let mut request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        self.stream.write_all(request.as_bytes()).expect("send");
        let head_end = loop {
            if let Some(at) = self.pending.windows(4).position(|w| w == b"\r\n\r\n") {
                break at;
            }
            self.read_more(path);
        };
        let head = String::from_utf8_lossy(&self.pending[..head_end]).into_owned();
        self.pending.drain(..head_end + 4);
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("{path}: no status line in {head:?}"));
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let length: usize = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or_else(|| panic!("{path}: no Content-Length in {head:?}"));
        while self.pending.len() < length {
            self.read_more(path);
        }
        let body = self.pending.drain(..length).collect();
        Answer {
            status,
            headers,
            body,
        }
    }

    fn read_more(&mut self, path: &str) {
        let mut buf = [0u8; 16 * 1024];
        let n = self.stream.read(&mut buf).expect("read");
        assert!(n > 0, "{path}: the server closed the connection");
        self.pending.extend_from_slice(&buf[..n]);
    }
}
