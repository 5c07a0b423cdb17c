//! Debian's nginx at its fastest (`gzip_static`, access log off), serving the same bytes as
//! wendao, to compare with in the same run.

use std::io::Write as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Debian's nginx serving the same bytes as wendao for `paths`, saved as files with a `.gz`
/// beside each (best level) for `gzip_static`, as a site would deploy precompressed pages. Its
/// access log is off: the target is stated against nginx at its fastest.
pub struct Nginx {
    pub child: Child,
    pub base: String,
}

impl Nginx {
    pub fn start(wendao: &str, work: &Path, paths: &[String]) -> Nginx {
        let root = work.join("nginx");
        let site = root.join("site");
        for path in paths {
            let out = Command::new("curl")
                .args(["-s", "--fail", &format!("{wendao}{path}")])
                .output()
                .expect("curl");
            assert!(out.status.success(), "fetching {path} for nginx");
            let file = if path == "/" {
                site.join("index.html")
            } else {
                site.join(path.trim_start_matches('/'))
            };
            std::fs::create_dir_all(file.parent().expect("a parent")).expect("mirror dir");
            std::fs::write(&file, &out.stdout).expect("page");
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            gz.write_all(&out.stdout).expect("gzip");
            let mut gz_name = file.clone().into_os_string();
            gz_name.push(".gz");
            std::fs::write(gz_name, gz.finish().expect("gzip")).expect("page.gz");
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let conf = format!(
            "daemon off;\nuser root;\nworker_processes 2;\npid {root}/nginx.pid;\n\
             error_log {root}/error.log warn;\nevents {{ worker_connections 1024; }}\n\
             http {{\n  access_log off;\n  sendfile on;\n  tcp_nopush on;\n  tcp_nodelay on;\n\
             keepalive_requests 1000000;\n  default_type text/html;\n  gzip_static on;\n  gzip_vary on;\n\
             server {{\n    listen 127.0.0.1:{port};\n    root {site};\n\
             location = / {{ try_files /index.html =404; }}\n  }}\n}}\n",
            root = root.display(),
            site = site.display(),
        );
        Nginx::spawn(&root, &conf, port)
    }

    /// nginx as the load balancer of `upstreams` (`http://127.0.0.1:port` each), configured as
    /// docs/operations.md shows (which leaves the access log on).
    pub fn proxy(work: &Path, name: &str, upstreams: &[&str]) -> Nginx {
        let root = work.join(name);
        std::fs::create_dir_all(&root).expect("nginx dir");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let servers: String = upstreams
            .iter()
            .map(|u| {
                format!(
                    "    server {} max_fails=3 fail_timeout=10s;\n",
                    u.trim_start_matches("http://")
                )
            })
            .collect();
        let conf = format!(
            "daemon off;\nuser root;\nworker_processes 2;\npid {root}/nginx.pid;\n\
             error_log {root}/error.log warn;\nevents {{ worker_connections 1024; }}\n\
             http {{\n  access_log {root}/access.log;\n  upstream wendao {{\n{servers}    keepalive 32;\n  }}\n\
             server {{\n    listen 127.0.0.1:{port};\n    location / {{\n\
             proxy_pass http://wendao;\n      proxy_http_version 1.1;\n\
             proxy_set_header Connection \"\";\n      proxy_set_header Host $host;\n\
             proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n\
             proxy_set_header X-Forwarded-Proto $scheme;\n    }}\n  }}\n}}\n",
            root = root.display(),
        );
        Nginx::spawn(&root, &conf, port)
    }

    pub fn spawn(root: &Path, conf: &str, port: u16) -> Nginx {
        let conf_path = root.join("nginx.conf");
        std::fs::write(&conf_path, conf).expect("nginx.conf");
        let child = Command::new("nginx")
            .arg("-p")
            .arg(root)
            .arg("-c")
            .arg(&conf_path)
            // Its workers would hold our stderr open after we stop it.
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx: apt-get install nginx");
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "nginx did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Nginx { child, base }
    }
}

impl Drop for Nginx {
    /// SIGTERM, not SIGKILL: the master then stops its workers.
    fn drop(&mut self) {
        // SAFETY: a signal to our own child process.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let _ = self.child.wait();
    }
}
