//! The one interface both databases give the store: a method per operation, each answering
//! with a boxed future so that the store holds either behind one pointer. Also what both
//! report alike: a stored vote, and why a write was refused.

use std::collections::HashMap;
use std::pin::Pin;

use super::counters::Counter;
use super::insights::Insights;

/// A statement's answer, on its way.
pub(super) type Answer<'a, T> = Pin<Box<dyn Future<Output = Result<T, sqlx::Error>> + Send + 'a>>;

/// A database the store keeps votes and counters in (SQLite or PostgreSQL). Each call is one
/// statement or one transaction; what the store remembers between them (what answered, what
/// was read) is the store's.
pub(super) trait Backend: Send + Sync {
    /// `/healthz`'s name for it.
    fn name(&self) -> &'static str;

    /// Whether the database answers at all.
    fn ping(&self) -> Answer<'_, ()>;

    /// A write that changes nothing anyone reads: whether writes are taken again.
    fn probe_write(&self) -> Answer<'_, ()>;

    /// The shared write marker, which every replica's writes move; `None` where this process
    /// is the only writer (its own writes tell it everything).
    fn marker(&self) -> Answer<'_, Option<i64>>;

    /// Tells other replicas that this one wrote (moves the marker), after its commits.
    fn announce(&self) -> Answer<'_, ()>;

    /// Records a vote, replacing the visitor's earlier one on the entry; committed on return.
    fn vote<'a>(&'a self, vote: &'a VoteRow) -> Answer<'a, ()>;

    /// Adds a batch of counters as increments, then prunes the query tables to `rows_kept`,
    /// in one transaction.
    fn write<'a>(
        &'a self,
        batch: &'a HashMap<Counter, i64>,
        at: i64,
        rows_kept: u64,
    ) -> Answer<'a, ()>;

    /// Prunes the query tables to `rows_kept` now, and gives the space back; how many rows went.
    fn prune(&self, rows_kept: u64) -> Answer<'_, u64>;

    /// Entries by uses (opened from a search, helpful votes), most first, at most `limit`.
    fn popular(&self, limit: usize) -> Answer<'_, Vec<String>>;

    /// `limit` rows of each list.
    fn insights(&self, limit: i64) -> Answer<'_, Insights>;

    /// (helpful, not helpful) votes on one entry.
    fn feedback<'a>(&'a self, entry: &'a str) -> Answer<'a, (i64, i64)>;

    /// Whether no table holds a row (`migrate-store` copies only into such a database).
    fn is_empty(&self) -> Answer<'_, bool>;

    fn all_votes(&self) -> Answer<'_, Vec<VoteRow>>;

    fn all_counters(&self) -> Answer<'_, HashMap<Counter, i64>>;

    /// Writes copied votes (keeping their times) and counters in one transaction.
    fn restore<'a>(
        &'a self,
        votes: &'a [VoteRow],
        counters: &'a HashMap<Counter, i64>,
    ) -> Answer<'a, ()>;

    /// Closes the connections; later statements fail.
    fn close(&self) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;
}

/// One vote as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub(super) struct VoteRow {
    pub entry: String,
    pub visitor: String,
    pub helpful: bool,
    pub comment: Option<String>,
    pub voted_at: i64,
    /// The language of the page voted from.
    pub lang: String,
}

/// Why the database refused a write, in a few words for `/healthz` (the whole error goes to
/// the log).
pub(super) fn failure(db: &dyn sqlx::error::DatabaseError) -> &'static str {
    let message = db.message().to_ascii_lowercase();
    // SQLite's SQLITE_FULL (13), PostgreSQL's disk_full (53100).
    if matches!(db.code().as_deref(), Some("13" | "53100")) || message.contains("full") {
        "disk full"
    } else if message.contains("locked") || message.contains("busy") {
        "database locked"
    } else if message.contains("read-only") || message.contains("readonly") {
        "database read-only"
    } else {
        "writes refused"
    }
}
