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
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

/// The database file inside `--data`.
pub const FILE: &str = "wendao.sqlite3";

/// How often the server writes the gathered counters.
pub const FLUSH_EVERY: Duration = Duration::from_secs(1);
/// Distinct counters kept while the database cannot be written; more are dropped.
const MAX_PENDING: usize = 10_000;
/// How many popular entries are read (and kept) at once.
const POPULAR_KEPT: usize = 50;

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    counters: Arc<Mutex<Counters>>,
    writes: Arc<Mutex<Writes>>,
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
}

impl Counters {
    /// Adds `n` to a counter; a new counter is dropped once [`MAX_PENDING`] are waiting.
    fn add(&mut self, counter: Counter, n: i64) {
        if self.pending.len() < MAX_PENDING || self.pending.contains_key(&counter) {
            *self.pending.entry(counter).or_default() += n;
        }
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
        })
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

    /// Counts a search that found nothing (`query` already normalised).
    pub fn zero_result(&self, query: &str) {
        self.count(Counter::ZeroResult {
            query: query.to_string(),
        });
    }

    /// Counts a result opened from a search (`query` already normalised).
    pub fn result_opened(&self, query: &str, entry: &str) {
        self.count(Counter::ResultOpened {
            query: query.to_string(),
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
            std::mem::take(&mut counters.pending)
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
                    "INSERT INTO result_opens (query, entry, count) VALUES (?, ?, ?)
                     ON CONFLICT (query, entry) DO UPDATE SET count = count + excluded.count",
                )
                .bind(query)
                .bind(entry)
                .bind(n),
            };
            query.execute(&mut *tx).await?;
        }
        tx.commit().await
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
