//! What people tell us, kept in one SQLite file under `--data` (bundled: nothing to install).
//! WAL with `synchronous = FULL`: a write is on disk before its HTTP answer goes out.

use std::path::Path;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

/// The database file inside `--data`.
pub const FILE: &str = "wendao.sqlite3";

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
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
        Ok(Store { pool })
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
        Ok(())
    }

    /// Counts a visit to a wizard step.
    pub async fn wizard_step(&self, wizard: &str, step: &str) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO wizard_steps (wizard, step, visits) VALUES (?, ?, 1)
             ON CONFLICT (wizard, step) DO UPDATE SET visits = visits + 1",
        )
        .bind(wizard)
        .bind(step)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Counts an answer to "问题解决了吗？" on an outcome.
    pub async fn wizard_outcome(
        &self,
        wizard: &str,
        outcome: &str,
        solved: bool,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO wizard_outcomes (wizard, outcome, solved, count) VALUES (?, ?, ?, 1)
             ON CONFLICT (wizard, outcome, solved) DO UPDATE SET count = count + 1",
        )
        .bind(wizard)
        .bind(outcome)
        .bind(solved)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Counts a search that found nothing (`query` already normalised).
    pub async fn zero_result(&self, query: &str) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO zero_result_queries (query, count, last_at) VALUES (?, 1, ?)
             ON CONFLICT (query) DO UPDATE SET count = count + 1, last_at = excluded.last_at",
        )
        .bind(query)
        .bind(now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Counts a result opened from a search (`query` already normalised).
    pub async fn result_opened(&self, query: &str, entry: &str) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO result_opens (query, entry, count) VALUES (?, ?, 1)
             ON CONFLICT (query, entry) DO UPDATE SET count = count + 1",
        )
        .bind(query)
        .bind(entry)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Entry ids by how often people found them useful: opened from search results, plus
    /// helpful votes. Most first; only entries with some use.
    pub async fn popular(&self, limit: i64) -> Result<Vec<String>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT entry FROM (
                 SELECT entry, count AS uses FROM result_opens
                 UNION ALL
                 SELECT entry, helpful AS uses FROM votes
             )
             GROUP BY entry HAVING SUM(uses) > 0
             ORDER BY SUM(uses) DESC, entry LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }

    /// Everything `/admin/insights` and `wendao insights` show.
    pub async fn insights(&self, limit: i64) -> Result<Insights, sqlx::Error> {
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

    /// Closes the connections; later reads and writes fail (and answer 503).
    pub async fn close(&self) {
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
