//! What people tell us, kept in one SQLite file under `--data` (bundled: nothing to install).
//! WAL with `synchronous = FULL`: a vote is on disk before its HTTP answer goes out. Counters of
//! page views (wizard steps, searches) are gathered in memory and written together by
//! [`Store::flush`], which the server calls every [`FLUSH_EVERY`], so no page view waits for a
//! disk flush: one each made the load test 30% slower.

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use sqlx::sqlite::{
    SqliteAutoVacuum, SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};

/// The database file inside `--data`.
pub const FILE: &str = "wendao.sqlite3";

/// How often the server writes the gathered counters.
pub const FLUSH_EVERY: Duration = Duration::from_secs(1);
/// Distinct wizard counters kept while the database cannot be written; more are dropped.
/// (Their number is bounded by the content; this only bounds memory.)
const MAX_PENDING: usize = 10_000;
/// Distinct query counters (zero results, opened results) gathered between two writes; more
/// are dropped. A flood of distinct junk searches then writes at most this many rows a second,
/// and cannot crowd out the wizard counters.
const MAX_PENDING_QUERIES: usize = 1_000;
/// Queries are stored cut to this many characters: real ones are far shorter.
pub const QUERY_CHARS: usize = 100;
/// Distinct rows kept in each query table by default (`--insights-rows`).
pub const INSIGHT_ROWS: u64 = 2_000;
/// How many popular entries are read (and kept) at once.
const POPULAR_KEPT: usize = 50;

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    counters: Arc<Mutex<Counters>>,
    writes: Arc<Mutex<Writes>>,
    /// Distinct rows kept in each query table (zero results, opened results).
    rows_kept: u64,
}

/// What readers need to know of the writes: when the last one was made (pages' Last-Modified)
/// and the popular entries read since (every home page asks; they only change with a write).
struct Writes {
    /// Bumped by every write, so a popular read racing a write is not kept.
    generation: u64,
    /// The last write, or the store's opening before any.
    at: SystemTime,
    popular: Option<Vec<String>>,
}

/// Counts not yet written.
#[derive(Default)]
struct Counters {
    pending: HashMap<Counter, i64>,
    /// How many of `pending` are query counters.
    queries: usize,
}

impl Counters {
    /// Adds `n` to a counter; a new counter is dropped once its kind has [`MAX_PENDING`] (or
    /// [`MAX_PENDING_QUERIES`]) waiting.
    fn add(&mut self, counter: Counter, n: i64) {
        if let Some(count) = self.pending.get_mut(&counter) {
            *count += n;
            return;
        }
        let is_query = counter.is_query();
        let full = if is_query {
            self.queries >= MAX_PENDING_QUERIES
        } else {
            self.pending.len() - self.queries >= MAX_PENDING
        };
        if !full {
            self.queries += usize::from(is_query);
            self.pending.insert(counter, n);
        }
    }

    fn take(&mut self) -> HashMap<Counter, i64> {
        self.queries = 0;
        std::mem::take(&mut self.pending)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Counter {
    WizardStep {
        wizard: String,
        step: String,
    },
    WizardOutcome {
        wizard: String,
        outcome: String,
        solved: bool,
    },
    ZeroResult {
        query: String,
    },
    ResultOpened {
        query: String,
        entry: String,
    },
}

impl Counter {
    /// Counters keyed by what people type: unbounded in number, so kept bounded.
    fn is_query(&self) -> bool {
        matches!(
            self,
            Counter::ZeroResult { .. } | Counter::ResultOpened { .. }
        )
    }
}

/// The tables keyed by what people type, each kept to `rows_kept` distinct rows: half chosen
/// by count (then recency), half by recency, so a flood of new junk cannot push out the
/// queries people ask most, and a new question still shows up. (How many rows; the pruning.)
const QUERY_TABLES: [(&str, &str); 2] = [
    (
        "SELECT COUNT(*) FROM zero_result_queries",
        "DELETE FROM zero_result_queries
         WHERE query NOT IN (SELECT query FROM zero_result_queries
                             ORDER BY count DESC, last_at DESC LIMIT ?)
           AND query NOT IN (SELECT query FROM zero_result_queries
                             ORDER BY last_at DESC LIMIT ?)",
    ),
    (
        "SELECT COUNT(*) FROM result_opens",
        "DELETE FROM result_opens
         WHERE (query, entry) NOT IN (SELECT query, entry FROM result_opens
                                      ORDER BY count DESC, last_at DESC LIMIT ?)
           AND (query, entry) NOT IN (SELECT query, entry FROM result_opens
                                      ORDER BY last_at DESC LIMIT ?)",
    ),
];

/// What people told us, for authors.
#[derive(Debug, Clone, Default)]
pub struct Insights {
    /// Entries with votes, least helpful first.
    pub entries: Vec<EntryVotes>,
    /// Entries with votes, most helpful first.
    pub most_helpful: Vec<EntryVotes>,
    /// (entry, helpful, comment), newest first.
    pub comments: Vec<(String, bool, String)>,
    /// (query, times), most frequent first.
    pub zero_results: Vec<(String, i64)>,
    /// (query, entry, times) results opened from a search.
    pub opened: Vec<(String, String, i64)>,
    /// (wizard, step, visits).
    pub steps: Vec<(String, String, i64)>,
    /// (wizard, outcome, solved, times).
    pub outcomes: Vec<(String, String, bool, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryVotes {
    pub entry: String,
    pub helpful: i64,
    pub not_helpful: i64,
}

impl From<(String, i64, i64)> for EntryVotes {
    fn from((entry, helpful, not_helpful): (String, i64, i64)) -> EntryVotes {
        EntryVotes {
            entry,
            helpful,
            not_helpful,
        }
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

/// Votes on one entry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Feedback {
    pub helpful: u64,
    pub not_helpful: u64,
}

impl Store {
    /// Opens (creating if needed) the database under `data` and brings its schema up to date.
    pub async fn open(data: &Path) -> anyhow::Result<Store> {
        std::fs::create_dir_all(data).with_context(|| format!("creating {}", data.display()))?;
        let path = data.join(FILE);
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(5))
            // Pages freed by pruning go back to the file system (new databases; an old one
            // after `wendao insights --prune`), and the log is cut back after each
            // checkpoint, so the files stay near the bound on rows.
            .auto_vacuum(SqliteAutoVacuum::Incremental)
            .pragma("wal_autocheckpoint", "256")
            .pragma("journal_size_limit", (1 << 20).to_string())
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .with_context(|| format!("opening {}", path.display()))?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .with_context(|| format!("migrating {}", path.display()))?;
        Ok(Store {
            pool,
            counters: Arc::default(),
            writes: Arc::new(Mutex::new(Writes {
                generation: 0,
                at: SystemTime::now(),
                popular: None,
            })),
            rows_kept: INSIGHT_ROWS,
        })
    }

    /// Keeps at most `rows` distinct rows in each query table (zero results, opened results).
    pub fn keeping(mut self, rows: u64) -> Store {
        self.rows_kept = rows;
        self
    }

    /// Records a visitor's vote on an entry, replacing their earlier one. A vote without a
    /// comment keeps the comment given before.
    pub async fn vote(
        &self,
        entry: &str,
        visitor: &str,
        helpful: bool,
        comment: Option<&str>,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO votes (entry, visitor, helpful, comment, voted_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (entry, visitor) DO UPDATE SET
                 helpful = excluded.helpful,
                 comment = COALESCE(excluded.comment, votes.comment),
                 voted_at = excluded.voted_at",
        )
        .bind(entry)
        .bind(visitor)
        .bind(helpful)
        .bind(comment)
        .bind(now())
        .execute(&self.pool)
        .await?;
        self.written();
        Ok(())
    }

    /// Counts a visit to a wizard step.
    pub fn wizard_step(&self, wizard: &str, step: &str) {
        self.count(Counter::WizardStep {
            wizard: wizard.to_string(),
            step: step.to_string(),
        });
    }

    /// Counts an answer to "问题解决了吗？" on an outcome.
    pub fn wizard_outcome(&self, wizard: &str, outcome: &str, solved: bool) {
        self.count(Counter::WizardOutcome {
            wizard: wizard.to_string(),
            outcome: outcome.to_string(),
            solved,
        });
    }

    /// Counts a search that found nothing (`query` already normalised; cut to [`QUERY_CHARS`]).
    pub fn zero_result(&self, query: &str) {
        self.count(Counter::ZeroResult { query: cut(query) });
    }

    /// Counts a result opened from a search (`query` already normalised; cut to [`QUERY_CHARS`]).
    pub fn result_opened(&self, query: &str, entry: &str) {
        self.count(Counter::ResultOpened {
            query: cut(query),
            entry: entry.to_string(),
        });
    }

    /// Adds one to a counter, in memory only.
    fn count(&self, counter: Counter) {
        self.counters
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .add(counter, 1);
    }

    /// Writes the gathered counters in one transaction. On failure they are kept for the next
    /// attempt. Called every [`FLUSH_EVERY`] by the server, before every read, and at the end.
    pub async fn flush(&self) -> Result<(), sqlx::Error> {
        let batch = {
            let mut counters = self.counters.lock().unwrap_or_else(PoisonError::into_inner);
            counters.take()
        };
        if batch.is_empty() {
            return Ok(());
        }
        match self.write(&batch).await {
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

    async fn write(&self, batch: &HashMap<Counter, i64>) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let at = now();
        for (counter, n) in batch {
            let query = match counter {
                Counter::WizardStep { wizard, step } => sqlx::query(
                    "INSERT INTO wizard_steps (wizard, step, visits) VALUES (?, ?, ?)
                     ON CONFLICT (wizard, step) DO UPDATE SET visits = visits + excluded.visits",
                )
                .bind(wizard)
                .bind(step)
                .bind(n),
                Counter::WizardOutcome {
                    wizard,
                    outcome,
                    solved,
                } => sqlx::query(
                    "INSERT INTO wizard_outcomes (wizard, outcome, solved, count) VALUES (?, ?, ?, ?)
                     ON CONFLICT (wizard, outcome, solved) DO UPDATE SET count = count + excluded.count",
                )
                .bind(wizard)
                .bind(outcome)
                .bind(solved)
                .bind(n),
                Counter::ZeroResult { query } => sqlx::query(
                    "INSERT INTO zero_result_queries (query, count, last_at) VALUES (?, ?, ?)
                     ON CONFLICT (query) DO UPDATE SET
                         count = count + excluded.count, last_at = excluded.last_at",
                )
                .bind(query)
                .bind(n)
                .bind(at),
                Counter::ResultOpened { query, entry } => sqlx::query(
                    "INSERT INTO result_opens (query, entry, count, last_at) VALUES (?, ?, ?, ?)
                     ON CONFLICT (query, entry) DO UPDATE SET
                         count = count + excluded.count, last_at = excluded.last_at",
                )
                .bind(query)
                .bind(entry)
                .bind(n)
                .bind(at),
            };
            query.execute(&mut *tx).await?;
        }
        let pruned = batch.keys().any(Counter::is_query) && self.prune_in(&mut tx).await? > 0;
        tx.commit().await?;
        // The counts are written: a failure here must not put them back to be written again.
        if pruned
            && let Err(e) = sqlx::query("PRAGMA incremental_vacuum")
                .execute(&self.pool)
                .await
        {
            tracing::warn!("giving pruned pages back: {e}");
        }
        Ok(())
    }

    /// Deletes the query rows beyond the bound (see [`QUERY_TABLES`]); returns how many.
    async fn prune_in(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    ) -> Result<u64, sqlx::Error> {
        let mut deleted = 0;
        let by_count = self.rows_kept - self.rows_kept / 2;
        let by_time = self.rows_kept / 2;
        for (count, prune) in QUERY_TABLES {
            let rows: i64 = sqlx::query_scalar(count).fetch_one(&mut **tx).await?;
            if rows as u64 <= self.rows_kept {
                continue;
            }
            let done = sqlx::query(prune)
                .bind(by_count as i64)
                .bind(by_time as i64)
                .execute(&mut **tx)
                .await?;
            deleted += done.rows_affected();
        }
        Ok(deleted)
    }

    /// Brings the query tables to the bound now and gives the freed space back to the file
    /// system (`wendao insights --prune`); returns how many rows went.
    pub async fn prune(&self) -> Result<u64, sqlx::Error> {
        self.flush().await?;
        let mut tx = self.pool.begin().await?;
        let deleted = self.prune_in(&mut tx).await?;
        tx.commit().await?;
        sqlx::query("VACUUM").execute(&self.pool).await?;
        Ok(deleted)
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
    /// rather than writing first, and keeps the answer until the next write.
    pub async fn popular(&self, limit: usize) -> Result<Vec<String>, sqlx::Error> {
        let generation = {
            let writes = self.writes.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(ids) = &writes.popular {
                return Ok(ids.iter().take(limit).cloned().collect());
            }
            writes.generation
        };
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT entry FROM (
                 SELECT entry, count AS uses FROM result_opens
                 UNION ALL
                 SELECT entry, helpful AS uses FROM votes
             )
             GROUP BY entry HAVING SUM(uses) > 0
             ORDER BY SUM(uses) DESC, entry LIMIT ?",
        )
        .bind(POPULAR_KEPT as i64)
        .fetch_all(&self.pool)
        .await?;
        let mut writes = self.writes.lock().unwrap_or_else(PoisonError::into_inner);
        if writes.generation == generation {
            writes.popular = Some(ids.clone());
        }
        Ok(ids.into_iter().take(limit).collect())
    }

    /// After a write: the popular entries, and pages showing votes, may have changed.
    fn written(&self) {
        let mut writes = self.writes.lock().unwrap_or_else(PoisonError::into_inner);
        writes.generation += 1;
        writes.at = SystemTime::now();
        writes.popular = None;
    }

    /// When votes or counters were last written: pages showing them may have changed then.
    pub fn written_at(&self) -> SystemTime {
        self.writes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .at
    }

    /// Everything `/admin/insights` and `wendao insights` show.
    pub async fn insights(&self, limit: i64) -> Result<Insights, sqlx::Error> {
        self.flush_before_reading().await;
        let entries: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT entry, SUM(helpful), SUM(1 - helpful) FROM votes GROUP BY entry
             ORDER BY SUM(1 - helpful) - SUM(helpful) DESC, entry LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let most_helpful: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT entry, SUM(helpful), SUM(1 - helpful) FROM votes GROUP BY entry
             ORDER BY SUM(helpful) - SUM(1 - helpful) DESC, entry LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let comments: Vec<(String, bool, String)> = sqlx::query_as(
            "SELECT entry, helpful, comment FROM votes WHERE comment IS NOT NULL
             ORDER BY voted_at DESC LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let zero_results: Vec<(String, i64)> =
            sqlx::query_as("SELECT query, count FROM zero_result_queries ORDER BY count DESC, last_at DESC LIMIT ?")
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
        let opened: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT query, entry, count FROM result_opens ORDER BY count DESC, query LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let steps: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT wizard, step, visits FROM wizard_steps ORDER BY wizard, visits DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        let outcomes: Vec<(String, String, bool, i64)> =
            sqlx::query_as("SELECT wizard, outcome, solved, count FROM wizard_outcomes ORDER BY wizard, outcome, solved")
                .fetch_all(&self.pool)
                .await?;
        Ok(Insights {
            entries: entries.into_iter().map(EntryVotes::from).collect(),
            most_helpful: most_helpful.into_iter().map(EntryVotes::from).collect(),
            comments,
            zero_results,
            opened,
            steps,
            outcomes,
        })
    }

    /// Writes the gathered counters and closes the connections; later reads and writes fail
    /// (and answer 503).
    pub async fn close(&self) {
        self.flush_before_reading().await;
        self.pool.close().await;
    }

    pub async fn feedback(&self, entry: &str) -> Result<Feedback, sqlx::Error> {
        let (helpful, not_helpful): (i64, i64) = sqlx::query_as(
            "SELECT COALESCE(SUM(helpful), 0), COALESCE(SUM(1 - helpful), 0) FROM votes WHERE entry = ?",
        )
        .bind(entry)
        .fetch_one(&self.pool)
        .await?;
        Ok(Feedback {
            helpful: helpful.max(0) as u64,
            not_helpful: not_helpful.max(0) as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_of_new_queries_cannot_crowd_out_the_wizard_counters() {
        let mut counters = Counters::default();
        for i in 0..5_000 {
            counters.add(
                Counter::ZeroResult {
                    query: format!("junk {i}"),
                },
                1,
            );
        }
        let step = Counter::WizardStep {
            wizard: "w".into(),
            step: "s".into(),
        };
        counters.add(step.clone(), 1);
        counters.add(step.clone(), 2);
        let first = Counter::ZeroResult {
            query: "junk 0".into(),
        };
        counters.add(first.clone(), 4);
        let batch = counters.take();
        assert_eq!(batch.len(), MAX_PENDING_QUERIES + 1);
        assert_eq!(batch.get(&step), Some(&3));
        assert_eq!(batch.get(&first), Some(&5), "a waiting query still counts");
        assert_eq!(counters.queries, 0);
        counters.add(
            Counter::ZeroResult {
                query: "new".into(),
            },
            1,
        );
        assert_eq!(counters.pending.len(), 1, "room again after a write");
    }
}
