//! The command line. Every flag can also be set by an environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "wendao",
    version,
    about = "问道: a support knowledge base server"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the knowledge base over HTTP.
    Serve(Box<ServeArgs>),
    /// Validate the content; print every error as `path:line: message` and exit 1 if any.
    Check(CheckArgs),
    /// Print what votes, searches and wizard runs said (the data of /admin/insights).
    Insights(InsightsArgs),
    /// Copy votes and counters from one database into another, empty one (e.g. the SQLite
    /// file into PostgreSQL before running several servers).
    MigrateStore(MigrateStoreArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "WENDAO_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// The content directory (categories.toml, kb/, wizards/, synonyms.toml).
    #[arg(long, env = "WENDAO_CONTENT", default_value = "./content")]
    pub content: PathBuf,
    /// Where the server writes (the search index, reused across restarts); created if missing.
    #[arg(long, env = "WENDAO_DATA", default_value = "./data")]
    pub data: PathBuf,
    /// Where votes and insights live: postgres://user@host:port/database, shared by several
    /// servers. Unset: the SQLite file under --data.
    #[arg(long, env = "WENDAO_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Public base URL for canonical links and the sitemap, e.g. https://help.example.com.
    /// Set it in production. Unset: the address the first request named (its Host, or what a
    /// --trusted-proxy forwarded), kept from then on.
    #[arg(long, env = "WENDAO_BASE_URL")]
    pub base_url: Option<String>,
    /// Send Strict-Transport-Security (one year); needs an https --base-url.
    #[arg(long, env = "WENDAO_HSTS")]
    pub hsts: bool,
    /// Serve /metrics on this address instead of with the site (e.g. 127.0.0.1:9090).
    #[arg(long, env = "WENDAO_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// How long a request's headers may take to arrive.
    #[arg(long, env = "WENDAO_HEADER_TIMEOUT", default_value = "5s", value_parser = humantime::parse_duration)]
    pub header_timeout: std::time::Duration,
    /// How long a request's body may take to arrive; then 408 and the connection is closed.
    #[arg(long, env = "WENDAO_BODY_TIMEOUT", default_value = "10s", value_parser = humantime::parse_duration)]
    pub body_timeout: std::time::Duration,
    /// Connections one client address may hold open at once (0: no limit); a trusted proxy's
    /// are not limited.
    #[arg(long, env = "WENDAO_CONNECTIONS_PER_CLIENT", default_value_t = crate::web::limits::CONNECTIONS_PER_CLIENT)]
    pub connections_per_client: usize,
    /// Opens /admin/insights to this token (HTTP Basic password or Bearer); unset: no such page.
    #[arg(long, env = "WENDAO_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// Do not watch the content directory for changes.
    #[arg(long, env = "WENDAO_NO_WATCH")]
    pub no_watch: bool,
    /// Write logs as JSON lines.
    #[arg(long, env = "WENDAO_LOG_JSON")]
    pub log_json: bool,
    /// Memory for pages kept ready with their compressed variants (and popular searches), in MB.
    #[arg(long, env = "WENDAO_PAGE_CACHE_MB", default_value_t = crate::web::PAGE_CACHE_BYTES >> 20)]
    pub page_cache_mb: u64,
    /// Threads answering requests (0: one per CPU core). Several servers on one machine share
    /// its cores: give each its share.
    #[arg(long, env = "WENDAO_WORKERS", default_value_t = 0)]
    pub workers: usize,
    /// Votes one client address may send per minute (0: no limit).
    #[arg(long, env = "WENDAO_VOTES_PER_MINUTE", default_value_t = crate::web::limits::VOTES_PER_MINUTE)]
    pub votes_per_minute: u32,
    /// Messages one client address may have matched per minute on /match and /api/match
    /// (0: no limit).
    #[arg(long, env = "WENDAO_MATCHES_PER_MINUTE", default_value_t = crate::web::limits::MATCHES_PER_MINUTE)]
    pub matches_per_minute: u32,
    /// A proxy (load balancer) whose X-Forwarded-For names the client (and X-Forwarded-Host /
    /// -Proto the site); repeat or separate with commas for several.
    /// Unset: the peer address is the client, and forwarded headers are ignored.
    #[arg(long, env = "WENDAO_TRUSTED_PROXY", value_delimiter = ',')]
    pub trusted_proxy: Vec<std::net::IpAddr>,
    /// Distinct rows kept of zero-result searches, and of results opened from a search: the
    /// most frequent half and the most recent half.
    #[arg(long, env = "WENDAO_INSIGHTS_ROWS", default_value_t = crate::store::INSIGHT_ROWS, value_parser = clap::value_parser!(u64).range(1..))]
    pub insights_rows: u64,
}

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// The content directory to validate.
    #[arg(long, env = "WENDAO_CONTENT", default_value = "./content")]
    pub content: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct InsightsArgs {
    /// The data directory the server writes to.
    #[arg(long, env = "WENDAO_DATA", default_value = "./data")]
    pub data: PathBuf,
    /// As for `serve`: postgres://…, or unset for the SQLite file under --data.
    #[arg(long, env = "WENDAO_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Cut the query tables to `--insights-rows` now and give the freed space back (VACUUM).
    #[arg(long)]
    pub prune: bool,
    /// As for `serve`: distinct rows kept of zero-result searches and of opened results.
    #[arg(long, env = "WENDAO_INSIGHTS_ROWS", default_value_t = crate::store::INSIGHT_ROWS, value_parser = clap::value_parser!(u64).range(1..))]
    pub insights_rows: u64,
}

#[derive(Debug, Clone, Args)]
pub struct MigrateStoreArgs {
    /// Copy from: a data directory (its SQLite file) or a postgres:// URL.
    #[arg(long)]
    pub from: String,
    /// Copy into: a data directory or a postgres:// URL; it must hold no votes or counters yet.
    #[arg(long)]
    pub to: String,
}
