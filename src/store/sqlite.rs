//! The bundled SQLite file under `--data`: WAL with `synchronous = FULL`, so a vote is on disk
//! before its answer. Migrations in `migrations/sqlite/`.

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::sqlite::{
    SqliteAutoVacuum, SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool,
    SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Connection as _, Sqlite as Driver, Transaction};

use super::{Counter, FILE, Insights, VoteRow, sql};

/// The query tables, each kept to its bound: half the rows chosen by count (then recency), half
/// by recency, so a flood of new junk cannot push out the queries people ask most, and a new
/// question still shows up. (How many rows; the pruning.)
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

#[derive(Clone)]
pub struct Sqlite {
    pool: SqlitePool,
}

impl Sqlite {
    pub async fn open(data: &Path) -> anyhow::Result<Sqlite> {
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
            // A connection must never go back to the pool inside a transaction: a COMMIT
            // refused by a full disk can leave one open, holding the write lock, and every
            // statement run on it after would be part of it and never committed.
            .after_release(|conn, _| Box::pin(async move { Ok(!in_transaction(conn).await?) }))
            .connect_with(options)
            .await
            .with_context(|| format!("opening {}", path.display()))?;
        sqlx::migrate!("./migrations/sqlite")
            .run(&pool)
            .await
            .with_context(|| format!("migrating {}", path.display()))?;
        Ok(Sqlite { pool })
    }

    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Runs one write on a connection of its own, which is closed instead of reused if the
    /// write fails: whatever state the error left it in, no later statement meets it.
    async fn writing<T>(
        &self,
        work: impl AsyncFnOnce(&mut SqliteConnection) -> Result<T, sqlx::Error>,
    ) -> Result<T, sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        let result = work(&mut conn).await;
        if result.is_err() {
            conn.close_on_drop();
        }
        result
    }

    /// A write that needs a page of space and changes nothing: the schema's `user_version`
    /// set to what it is (sqlx's migrations do not use it).
    pub async fn probe_write(&self) -> Result<(), sqlx::Error> {
        self.writing(async |conn| {
            let version: i64 = sqlx::query_scalar("PRAGMA user_version")
                .fetch_one(&mut *conn)
                .await?;
            // An integer read back from SQLite itself.
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "PRAGMA user_version = {version}"
            )))
            .execute(&mut *conn)
            .await?;
            Ok(())
        })
        .await
    }

    pub async fn vote(&self, vote: &VoteRow) -> Result<(), sqlx::Error> {
        self.writing(async |conn| {
            insert_vote(vote, false).execute(&mut *conn).await?;
            Ok(())
        })
        .await
    }

    /// Adds a batch of counters, then prunes the query tables, in one transaction.
    pub async fn write(
        &self,
        batch: &HashMap<Counter, i64>,
        at: i64,
        rows_kept: u64,
    ) -> Result<(), sqlx::Error> {
        let pruned = self
            .writing(async |conn| {
                let mut tx = conn.begin().await?;
                for (counter, n) in batch {
                    add(&mut tx, counter, *n, at).await?;
                }
                let pruned =
                    batch.keys().any(Counter::is_query) && prune_in(&mut tx, rows_kept).await? > 0;
                tx.commit().await?;
                Ok(pruned)
            })
            .await?;
        // The counts are written: a failure here must not put them back to be written again.
        if pruned
            && let Err(e) = self
                .writing(async |conn| {
                    sqlx::query("PRAGMA incremental_vacuum")
                        .execute(&mut *conn)
                        .await
                })
                .await
        {
            tracing::warn!("giving pruned pages back: {e}");
        }
        Ok(())
    }

    /// Prunes now and gives all free pages back (`VACUUM`).
    pub async fn prune(&self, rows_kept: u64) -> Result<u64, sqlx::Error> {
        self.writing(async |conn| {
            let mut tx = conn.begin().await?;
            let deleted = prune_in(&mut tx, rows_kept).await?;
            tx.commit().await?;
            sqlx::query("VACUUM").execute(&mut *conn).await?;
            Ok(deleted)
        })
        .await
    }

    pub async fn popular(&self, limit: usize) -> Result<Vec<String>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT entry FROM (
                 SELECT entry, count AS uses FROM result_opens
                 UNION ALL
                 SELECT entry, helpful AS uses FROM vote_counts
             )
             GROUP BY entry HAVING SUM(uses) > 0
             ORDER BY SUM(uses) DESC, entry LIMIT ?",
        )
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await
    }

    pub async fn insights(&self, limit: i64) -> Result<Insights, sqlx::Error> {
        let entries = sqlx::query_as(
            "SELECT entry, helpful, not_helpful FROM vote_counts WHERE helpful + not_helpful > 0
             ORDER BY not_helpful - helpful DESC, entry LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let most_helpful = sqlx::query_as(
            "SELECT entry, helpful, not_helpful FROM vote_counts WHERE helpful + not_helpful > 0
             ORDER BY helpful - not_helpful DESC, entry LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let comments = sqlx::query_as(
            "SELECT entry, helpful, comment FROM votes WHERE comment IS NOT NULL
             ORDER BY voted_at DESC LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let zero_results = sqlx::query_as(
            "SELECT query, count, weak FROM zero_result_queries
             ORDER BY count DESC, last_at DESC LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let opened = sqlx::query_as(
            "SELECT query, entry, count FROM result_opens ORDER BY count DESC, query LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let steps = sqlx::query_as(sql::STEPS).fetch_all(&self.pool).await?;
        let outcomes = sqlx::query_as(sql::OUTCOMES).fetch_all(&self.pool).await?;
        Ok(Insights {
            entries,
            most_helpful,
            comments,
            zero_results,
            opened,
            steps,
            outcomes,
        })
    }

    /// (helpful, not helpful) votes on one entry.
    pub async fn feedback(&self, entry: &str) -> Result<(i64, i64), sqlx::Error> {
        sqlx::query_as("SELECT helpful, not_helpful FROM vote_counts WHERE entry = ?")
            .bind(entry)
            .fetch_optional(&self.pool)
            .await
            .map(Option::unwrap_or_default)
    }

    pub async fn is_empty(&self) -> Result<bool, sqlx::Error> {
        let rows: i64 = sqlx::query_scalar(sql::ROWS).fetch_one(&self.pool).await?;
        Ok(rows == 0)
    }

    pub async fn all_votes(&self) -> Result<Vec<VoteRow>, sqlx::Error> {
        let rows: Vec<VoteRow> = sqlx::query_as(sql::VOTES).fetch_all(&self.pool).await?;
        Ok(rows)
    }

    pub async fn all_counters(&self) -> Result<HashMap<Counter, i64>, sqlx::Error> {
        let steps = sqlx::query_as(sql::STEPS).fetch_all(&self.pool).await?;
        let outcomes = sqlx::query_as(sql::OUTCOMES).fetch_all(&self.pool).await?;
        let zero = sqlx::query_as(sql::ZERO_RESULTS)
            .fetch_all(&self.pool)
            .await?;
        let opened = sqlx::query_as(sql::OPENED).fetch_all(&self.pool).await?;
        Ok(super::counters_from(steps, outcomes, zero, opened))
    }

    /// Writes copied votes (keeping their times) and counters in one transaction.
    pub async fn restore(
        &self,
        votes: &[VoteRow],
        counters: &HashMap<Counter, i64>,
    ) -> Result<(), sqlx::Error> {
        self.writing(async |conn| {
            let mut tx = conn.begin().await?;
            for vote in votes {
                insert_vote(vote, true).execute(&mut *tx).await?;
            }
            let at = super::now();
            for (counter, n) in counters {
                add(&mut tx, counter, *n, at).await?;
            }
            tx.commit().await
        })
        .await
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Whether SQLite itself has a transaction open on `conn` (sqlx's own count can be wrong
/// after a failed COMMIT: SQLite may or may not have rolled back).
async fn in_transaction(conn: &mut SqliteConnection) -> Result<bool, sqlx::Error> {
    if conn.is_in_transaction() {
        return Ok(true);
    }
    let mut handle = conn.lock_handle().await?;
    // SAFETY: the handle is locked for us; sqlite3_get_autocommit only reads its state.
    let autocommit =
        unsafe { libsqlite3_sys::sqlite3_get_autocommit(handle.as_raw_handle().as_ptr()) };
    Ok(autocommit == 0)
}

/// A vote, replacing the visitor's earlier one on the entry (a copied one only if newer).
fn insert_vote(
    vote: &VoteRow,
    copied: bool,
) -> sqlx::query::Query<'_, Driver, sqlx::sqlite::SqliteArguments> {
    let sql = if copied {
        "INSERT INTO votes (entry, visitor, helpful, comment, voted_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (entry, visitor) DO UPDATE SET
             helpful = excluded.helpful, comment = excluded.comment, voted_at = excluded.voted_at
         WHERE excluded.voted_at > votes.voted_at"
    } else {
        "INSERT INTO votes (entry, visitor, helpful, comment, voted_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (entry, visitor) DO UPDATE SET
             helpful = excluded.helpful,
             comment = COALESCE(excluded.comment, votes.comment),
             voted_at = excluded.voted_at"
    };
    sqlx::query(sql)
        .bind(&vote.entry)
        .bind(&vote.visitor)
        .bind(vote.helpful)
        .bind(&vote.comment)
        .bind(vote.voted_at)
}

/// Adds `n` to one counter.
async fn add(
    tx: &mut Transaction<'_, Driver>,
    counter: &Counter,
    n: i64,
    at: i64,
) -> Result<(), sqlx::Error> {
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
        Counter::ZeroResult { query, weak } => sqlx::query(
            "INSERT INTO zero_result_queries (query, count, last_at, weak) VALUES (?, ?, ?, ?)
             ON CONFLICT (query) DO UPDATE SET
                 count = count + excluded.count, last_at = MAX(last_at, excluded.last_at),
                 weak = excluded.weak",
        )
        .bind(query)
        .bind(n)
        .bind(at)
        .bind(weak),
        Counter::ResultOpened { query, entry } => sqlx::query(
            "INSERT INTO result_opens (query, entry, count, last_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (query, entry) DO UPDATE SET
                 count = count + excluded.count, last_at = MAX(last_at, excluded.last_at)",
        )
        .bind(query)
        .bind(entry)
        .bind(n)
        .bind(at),
    };
    query.execute(&mut **tx).await?;
    Ok(())
}

/// Deletes the query rows beyond the bound (see [`QUERY_TABLES`]); returns how many.
async fn prune_in(tx: &mut Transaction<'_, Driver>, rows_kept: u64) -> Result<u64, sqlx::Error> {
    let mut deleted = 0;
    for (count, prune) in QUERY_TABLES {
        let rows: i64 = sqlx::query_scalar(count).fetch_one(&mut **tx).await?;
        if rows as u64 <= rows_kept {
            continue;
        }
        let done = sqlx::query(prune)
            .bind((rows_kept - rows_kept / 2) as i64)
            .bind((rows_kept / 2) as i64)
            .execute(&mut **tx)
            .await?;
        deleted += done.rows_affected();
    }
    Ok(deleted)
}
