//! What people tell us: votes, and counters of use (wizard steps and outcomes, searches with no
//! results, results opened from a search). One interface ([`backend::Backend`]), two databases,
//! chosen at start: the bundled SQLite file under `--data` (nothing to install; [`sqlite`]), or
//! PostgreSQL shared by several replicas (`--database-url`; [`postgres`]). Handlers never know
//! which; the statements both run are written once ([`sql`]).
//!
//! A vote is committed before its HTTP answer goes out. Counters are gathered in memory and
//! written together by [`Store::flush`], which the server calls every [`FLUSH_EVERY`], as
//! increments (`count = count + n`), so no page view waits for a disk and replicas add up
//! exactly. While the database cannot be written they wait in memory (bounded; [`counters`]).

mod backend;
mod counters;
mod insights;
mod postgres;
mod sql;
mod sqlite;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use backend::{Backend, VoteRow, failure};
pub use counters::Deflection;
use counters::{Counter, Counters};
pub use insights::{
    Comment, Deflections, EntryDeflections, EntryVotes, Insights, OpenedResult, OutcomeAnswers,
    StepVisits, UnansweredSearch,
};

/// The database file inside `--data`.
pub const FILE: &str = "wendao.sqlite3";

/// How often the server writes the gathered counters.
pub const FLUSH_EVERY: Duration = Duration::from_secs(1);
/// Queries are stored cut to this many characters: real ones are far shorter.
pub const QUERY_CHARS: usize = 100;
/// Distinct rows kept in each query table by default (`--insights-rows`).
pub const INSIGHT_ROWS: u64 = 2_000;
/// How many popular entries are read (and kept) at once.
const POPULAR_KEPT: usize = 50;

#[derive(Clone)]
pub struct Store {
    /// Either database. PostgreSQL's connections are tied to the runtime that made them, and
    /// each actix worker has its own, stopped at shutdown: so its work runs on a runtime of
    /// its own, behind the same calls.
    db: Arc<dyn Backend>,
    counters: Arc<Mutex<Counters>>,
    writes: Arc<Mutex<Writes>>,
    /// Distinct rows kept in each query table (zero results, opened results).
    rows_kept: u64,
    /// Whether the last statement sent reached the database.
    reachable: Arc<AtomicBool>,
    /// Why the last write failed, until one succeeds (a full disk leaves reads working).
    write_failure: Arc<Mutex<Option<&'static str>>>,
}

/// What readers need to know of the writes: when the last one was made (pages' Last-Modified)
/// and the popular entries read since (every home page asks; they only change with a write).
struct Writes {
    /// Bumped by every write, so a popular read racing a write is not kept.
    generation: u64,
    /// The last write, or the store's opening before any.
    at: SystemTime,
    /// The popular entries last read. Until the next write they are the answer; after it,
    /// still what the database does not answer with, and what readers get while they are
    /// read again (one read at a time, not one per reader).
    popular: Vec<String>,
    /// Whether `popular` was read after the last write.
    popular_fresh: bool,
    /// Whether a read of the popular entries is under way.
    reading_popular: bool,
    /// The shared write marker last seen (PostgreSQL: other replicas write too).
    seen: Option<i64>,
    /// Whether this store wrote since it last moved the shared marker.
    unannounced: bool,
}

/// Marks the end of a read of the popular entries when dropped.
struct ReadingPopular<'a>(&'a Mutex<Writes>);

impl Drop for ReadingPopular<'_> {
    fn drop(&mut self) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .reading_popular = false;
    }
}

fn cut(query: &str) -> String {
    query.chars().take(QUERY_CHARS).collect()
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Which database, and whether it takes what is sent (`/healthz`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Health {
    pub backend: &'static str,
    /// The last statement reached the database, and the last write was committed.
    pub reachable: bool,
    /// Why not, in a few words (no paths or messages: `/healthz` is public).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<&'static str>,
}

/// Votes on one entry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Feedback {
    pub helpful: u64,
    pub not_helpful: u64,
}

impl Store {
    /// Opens (creating if needed) the SQLite database under `data`, schema brought up to date.
    pub async fn open(data: &Path) -> anyhow::Result<Store> {
        Ok(Store::with(Arc::new(sqlite::Sqlite::open(data).await?)))
    }

    /// The database `--database-url` names (PostgreSQL), or without one the SQLite file under
    /// `data`. PostgreSQL need not be up yet: its schema is brought up to date when it first
    /// answers, and until then votes answer 503 and counters wait.
    pub async fn connect(url: Option<&str>, data: &Path) -> anyhow::Result<Store> {
        let Some(url) = url else {
            return Store::open(data).await;
        };
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            anyhow::bail!(
                "--database-url must be postgres://user@host:port/database \
                 (leave it unset for the SQLite file under --data)"
            );
        }
        let store = Store::with(Arc::new(postgres::Postgres::connect(url)?));
        if let Err(e) = store.refresh().await {
            tracing::warn!("the database does not answer yet; serving without it: {e}");
        }
        Ok(store)
    }

    fn with(db: Arc<dyn Backend>) -> Store {
        Store {
            db,
            counters: Arc::default(),
            writes: Arc::new(Mutex::new(Writes {
                generation: 0,
                at: SystemTime::now(),
                popular: Vec::new(),
                popular_fresh: false,
                reading_popular: false,
                seen: None,
                unannounced: false,
            })),
            rows_kept: INSIGHT_ROWS,
            reachable: Arc::new(AtomicBool::new(true)),
            write_failure: Arc::default(),
        }
    }

    /// Keeps at most `rows` distinct rows in each query table (zero results, opened results).
    pub fn keeping(mut self, rows: u64) -> Store {
        self.rows_kept = rows;
        self
    }

    /// Which database this is, and whether it answered the last statement and took the last
    /// write. A write that failed counts until one succeeds (the counters are retried every
    /// [`FLUSH_EVERY`], votes as they come).
    pub fn health(&self) -> Health {
        let answers = self.answers();
        let write_failure = *self
            .write_failure
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Health {
            backend: self.db.name(),
            reachable: answers && write_failure.is_none(),
            problem: write_failure.or((!answers).then_some("the database does not answer")),
        }
    }

    /// Whether the last statement reached the database.
    fn answers(&self) -> bool {
        self.reachable.load(Ordering::Relaxed)
    }

    /// Notes whether a statement reached the database.
    fn answered<T>(&self, result: Result<T, sqlx::Error>) -> Result<T, sqlx::Error> {
        self.reachable.store(result.is_ok(), Ordering::Relaxed);
        result
    }

    /// Notes whether a write was committed, and why the database refused it (one that did not
    /// reach it is [`Store::answered`]'s to note).
    fn wrote<T>(&self, result: Result<T, sqlx::Error>) -> Result<T, sqlx::Error> {
        let mut write_failure = self
            .write_failure
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match &result {
            Ok(_) => *write_failure = None,
            Err(sqlx::Error::Database(refused)) => *write_failure = Some(failure(&**refused)),
            Err(_) => {}
        }
        drop(write_failure);
        self.answered(result)
    }

    /// Whether a write failed since the last one that succeeded, with no counters waiting
    /// (their next write, every [`FLUSH_EVERY`], is then the test): when the server must try
    /// a write of its own to learn that writes work again.
    fn needs_probe(&self) -> bool {
        let failing = self
            .write_failure
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some();
        failing
            && self
                .counters
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .is_empty()
    }

    /// Records a visitor's vote on an entry, replacing their earlier one. A vote without a
    /// comment keeps the comment given before. Committed when this returns.
    pub async fn vote(
        &self,
        entry: &str,
        visitor: &str,
        helpful: bool,
        comment: Option<&str>,
        lang: &str,
    ) -> Result<(), sqlx::Error> {
        let vote = VoteRow {
            entry: entry.to_string(),
            visitor: visitor.to_string(),
            helpful,
            comment: comment.map(str::to_string),
            voted_at: now(),
            lang: lang.to_string(),
        };
        self.wrote(self.db.vote(&vote).await)?;
        self.written();
        Ok(())
    }

    /// Counts a visit to a wizard step.
    pub fn wizard_step(&self, wizard: &str, step: &str, lang: &str) {
        self.count(Counter::WizardStep {
            wizard: wizard.to_string(),
            step: step.to_string(),
            lang: lang.to_string(),
        });
    }

    /// Counts an answer to "问题解决了吗？" on an outcome.
    pub fn wizard_outcome(&self, wizard: &str, outcome: &str, solved: bool, lang: &str) {
        self.count(Counter::WizardOutcome {
            wizard: wizard.to_string(),
            outcome: outcome.to_string(),
            solved,
            lang: lang.to_string(),
        });
    }

    /// Counts a search no entry answers: it found nothing, or (`weak`) only weak matches
    /// (`query` already normalised; cut to [`QUERY_CHARS`]).
    pub fn unanswered(&self, query: &str, weak: bool, lang: &str) {
        self.count(Counter::ZeroResult {
            query: cut(query),
            weak,
            lang: lang.to_string(),
        });
    }

    /// Counts a result opened from a search (`query` already normalised; cut to [`QUERY_CHARS`]).
    pub fn result_opened(&self, query: &str, entry: &str) {
        self.count(Counter::ResultOpened {
            query: cut(query),
            entry: entry.to_string(),
        });
    }

    /// Counts what the help widget saw on one ticket form: `entries` each once, and the form
    /// too unless it `already` reported this event (a second entry opened, more suggested).
    pub fn deflection(&self, event: Deflection, entries: &[&str], already: bool) {
        let mut counters = self.counters.lock().unwrap_or_else(PoisonError::into_inner);
        let form = (!already).then_some("");
        for entry in entries.iter().copied().chain(form) {
            let entry = entry.to_string();
            counters.add(Counter::Deflection { entry, event }, 1);
        }
    }

    /// Adds one to a counter, in memory only.
    fn count(&self, counter: Counter) {
        self.counters
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .add(counter, 1);
    }

    /// Writes the gathered counters in one transaction, as increments, and prunes the query
    /// tables to their bound in it. On failure they are kept for the next attempt. Called every
    /// [`FLUSH_EVERY`] by the server, before every read, and at the end.
    pub async fn flush(&self) -> Result<(), sqlx::Error> {
        let batch = self
            .counters
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if batch.is_empty() {
            return Ok(());
        }
        let result = self.db.write(&batch, now(), self.rows_kept).await;
        match self.wrote(result) {
            Ok(()) => {
                self.written();
                Ok(())
            }
            Err(e) => {
                let mut counters = self.counters.lock().unwrap_or_else(PoisonError::into_inner);
                for (counter, n) in batch {
                    counters.add(counter, n);
                }
                Err(e)
            }
        }
    }

    /// Learns whether other replicas wrote (PostgreSQL; the server calls it every
    /// [`FLUSH_EVERY`]), so popular entries and `Last-Modified` follow them within seconds.
    /// Also how a store that lost its database finds it again.
    pub async fn refresh(&self) -> Result<(), sqlx::Error> {
        // After a failure: can it be written again (a full disk freed)?
        if self.needs_probe() {
            self.wrote(self.db.probe_write().await)?;
        }
        let unannounced = std::mem::take(
            &mut self
                .writes
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .unannounced,
        );
        if unannounced && let Err(e) = self.db.announce().await {
            self.writes
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .unannounced = true;
            return self.answered(Err(e));
        }
        let marker = match self.db.marker().await {
            // One process: its own writes already tell it everything. After a failure: is
            // the file there again?
            Ok(None) if !self.answers() => return self.answered(self.db.ping().await),
            Ok(None) => return Ok(()),
            read => self.answered(read)?,
        };
        let changed = {
            let mut writes = self.writes.lock().unwrap_or_else(PoisonError::into_inner);
            let changed = writes.seen.is_some_and(|seen| Some(seen) != marker);
            writes.seen = marker;
            changed
        };
        if changed {
            self.forget_reads();
        }
        Ok(())
    }

    /// Writes what is gathered before reading, so reads include every count so far.
    async fn flush_before_reading(&self) {
        if let Err(e) = self.flush().await {
            tracing::warn!("writing counters before a read: {e}");
        }
    }

    /// Entry ids by how often people found them useful: opened from search results, plus
    /// helpful votes. Most first; only entries with some use; at most [`POPULAR_KEPT`]. Asked on
    /// every home page, so it reads what is written (counters are at most a second behind)
    /// rather than writing first, and keeps the answer until the next write here or elsewhere.
    /// While the database does not answer, the last answer, without waiting for it.
    pub async fn popular(&self, limit: usize) -> Result<Vec<String>, sqlx::Error> {
        let generation = {
            let mut writes = self.writes.lock().unwrap_or_else(PoisonError::into_inner);
            if writes.popular_fresh || writes.reading_popular || !self.answers() {
                return Ok(writes.popular.iter().take(limit).cloned().collect());
            }
            writes.reading_popular = true;
            writes.generation
        };
        // Cleared however this ends, even if the request is dropped while waiting.
        let _reading = ReadingPopular(&self.writes);
        let ids = self.answered(self.db.popular(POPULAR_KEPT).await)?;
        let mut writes = self.writes.lock().unwrap_or_else(PoisonError::into_inner);
        writes.popular_fresh = writes.generation == generation;
        writes.popular.clone_from(&ids);
        Ok(ids.into_iter().take(limit).collect())
    }

    /// After a write here: what was read may have changed; other replicas are told.
    /// (Other replicas are told at the next [`Store::refresh`]: once a second, not once a vote.)
    fn written(&self) {
        self.forget_reads();
        self.writes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .unannounced = true;
    }

    /// The popular entries, and pages showing votes, may have changed.
    fn forget_reads(&self) {
        let mut writes = self.writes.lock().unwrap_or_else(PoisonError::into_inner);
        writes.generation += 1;
        writes.at = SystemTime::now();
        writes.popular_fresh = false;
    }

    /// When votes or counters were last written (here, or seen from other replicas): pages
    /// showing them may have changed then.
    pub fn written_at(&self) -> SystemTime {
        self.writes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .at
    }

    /// Everything `/admin/insights` and `wendao insights` show; `limit` rows of each list.
    pub async fn insights(&self, limit: i64) -> Result<Insights, sqlx::Error> {
        self.flush_before_reading().await;
        self.answered(self.db.insights(limit).await)
    }

    /// Votes on one entry. While the database does not answer, an error at once: pages
    /// showing votes do not wait for it.
    pub async fn feedback(&self, entry: &str) -> Result<Feedback, sqlx::Error> {
        if !self.answers() {
            return Err(sqlx::Error::PoolTimedOut);
        }
        let (helpful, not_helpful) = self.answered(self.db.feedback(entry).await)?;
        Ok(Feedback {
            helpful: helpful.max(0) as u64,
            not_helpful: not_helpful.max(0) as u64,
        })
    }

    /// Brings the query tables to the bound now and gives the freed space back to the file
    /// system (`wendao insights --prune`); returns how many rows went.
    pub async fn prune(&self) -> Result<u64, sqlx::Error> {
        self.flush().await?;
        self.db.prune(self.rows_kept).await
    }

    /// Copies everything this store holds into `to`, which must be empty (so that counters,
    /// added as increments, are never added twice): `wendao migrate-store`. Returns the
    /// number of votes and of counters copied.
    pub async fn copy_into(&self, to: &Store) -> anyhow::Result<(usize, usize)> {
        self.flush().await?;
        if !to.db.is_empty().await? {
            anyhow::bail!("the target database already holds votes or counters; not copying");
        }
        let (votes, counters) = (self.db.all_votes().await?, self.db.all_counters().await?);
        let copied = (votes.len(), counters.len());
        to.db.restore(&votes, &counters).await?;
        to.written();
        Ok(copied)
    }

    /// Writes the gathered counters and closes the connections; later reads and writes fail
    /// (and answer 503).
    pub async fn close(&self) {
        self.flush_before_reading().await;
        self.db.close().await;
    }
}
