//! PostgreSQL, shared by several replicas (`--database-url`). Migrations in
//! `migrations/postgres/`, applied when the database first answers (sqlx holds an advisory
//! lock while it migrates, so replicas starting together take turns). Every committed write
//! moves the `writes` sequence, which each replica polls to learn that another one wrote.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::{Connection as _, Postgres as Driver, Transaction};

use super::{Counter, Insights, VoteRow, sql};

/// Where every statement runs. A connection belongs to the runtime that opened it; each actix
/// worker has its own, and stops it at shutdown, which left the pool holding dead connections
/// (the last counters were lost). One runtime that lives as long as the process owns them all.
static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("wendao-postgres")
        .enable_all()
        .build()
        .expect("a runtime for the database")
});

/// How long a statement waits for a connection before it fails (a vote then answers 503).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// As in `sqlite.rs`: how many rows; the pruning (most frequent half, most recent half).
const QUERY_TABLES: [(&str, &str); 2] = [
    (
        "SELECT COUNT(*) FROM zero_result_queries",
        "DELETE FROM zero_result_queries
         WHERE query NOT IN (SELECT query FROM zero_result_queries
                             ORDER BY count DESC, last_at DESC LIMIT $1)
           AND query NOT IN (SELECT query FROM zero_result_queries
                             ORDER BY last_at DESC LIMIT $2)",
    ),
    (
        "SELECT COUNT(*) FROM result_opens",
        "DELETE FROM result_opens
         WHERE (query, entry) NOT IN (SELECT query, entry FROM result_opens
                                      ORDER BY count DESC, last_at DESC LIMIT $1)
           AND (query, entry) NOT IN (SELECT query, entry FROM result_opens
                                      ORDER BY last_at DESC LIMIT $2)",
    ),
];

#[derive(Clone)]
pub struct Postgres {
    pool: PgPool,
    migrated: Arc<AtomicBool>,
}

impl Postgres {
    /// A pool that connects when first used: the database may come up after the server.
    pub fn connect(url: &str) -> anyhow::Result<Postgres> {
        // A lazy pool starts its reaper on the current runtime: make it the database's.
        let _guard = RUNTIME.enter();
        let options = PgConnectOptions::from_str(url)
            .context("reading --database-url")?
            .application_name("wendao");
        let pool = PgPoolOptions::new()
            .max_connections(8)
            // Never back into the pool inside a transaction (see `writing`).
            .after_release(|conn, _| Box::pin(async move { Ok(!conn.is_in_transaction()) }))
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_lazy_with(options);
        Ok(Postgres {
            pool,
            migrated: Arc::default(),
        })
    }

    /// Runs `work` on the database's runtime (see [`RUNTIME`]) and waits for it.
    pub async fn run<T, F>(&self, work: impl FnOnce(Postgres) -> F) -> Result<T, sqlx::Error>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, sqlx::Error>> + Send + 'static,
    {
        RUNTIME
            .spawn(work(self.clone()))
            .await
            .map_err(|e| sqlx::Error::Io(std::io::Error::other(e)))?
    }

    /// The pool, once the schema is up to date.
    async fn ready(&self) -> Result<&PgPool, sqlx::Error> {
        if !self.migrated.load(Ordering::Acquire) {
            sqlx::migrate!("./migrations/postgres")
                .run(&self.pool)
                .await
                .map_err(|e| match e {
                    sqlx::migrate::MigrateError::Execute(e) => e,
                    other => sqlx::Error::Migrate(Box::new(other)),
                })?;
            self.migrated.store(true, Ordering::Release);
        }
        Ok(&self.pool)
    }

    /// The shared write marker: moves after every committed write by any replica.
    pub async fn marker(&self) -> Result<i64, sqlx::Error> {
        let pool = self.ready().await?;
        let (value, called): (i64, bool) =
            sqlx::query_as("SELECT last_value, is_called FROM writes")
                .fetch_one(pool)
                .await?;
        Ok(if called { value } else { 0 })
    }

    /// Moves the marker; called after the write's commit, so a replica that sees the new
    /// value also sees the write.
    pub async fn mark_written(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT nextval('writes')")
            .execute(self.ready().await?)
            .await?;
        Ok(())
    }

    /// Runs one write on a connection of its own, which is closed instead of reused if the
    /// write fails (as in `sqlite.rs`): a connection that saw an error (a server restarting,
    /// a COMMIT refused) never carries its state into another statement.
    async fn writing<T>(
        &self,
        work: impl AsyncFnOnce(&mut PgConnection) -> Result<T, sqlx::Error>,
    ) -> Result<T, sqlx::Error> {
        let mut conn = self.ready().await?.acquire().await?;
        let result = work(&mut conn).await;
        if result.is_err() {
            conn.close_on_drop();
        }
        result
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
        self.writing(async |conn| {
            let mut tx = conn.begin().await?;
            // The same order in every replica, so two batches touching the same rows wait for
            // each other instead of deadlocking.
            let mut counters: Vec<_> = batch.iter().collect();
            counters.sort_unstable();
            for (counter, n) in counters {
                add(&mut tx, counter, *n, at).await?;
            }
            if batch.keys().any(Counter::is_query) {
                prune_in(&mut tx, rows_kept).await?;
            }
            tx.commit().await
        })
        .await
    }

    /// Prunes now (PostgreSQL's autovacuum gives the space back).
    pub async fn prune(&self, rows_kept: u64) -> Result<u64, sqlx::Error> {
        self.writing(async |conn| {
            let mut tx = conn.begin().await?;
            let deleted = prune_in(&mut tx, rows_kept).await?;
            tx.commit().await?;
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
             ) AS used
             GROUP BY entry HAVING SUM(uses) > 0
             ORDER BY SUM(uses) DESC, entry LIMIT $1",
        )
        .bind(limit as i64)
        .fetch_all(self.ready().await?)
        .await
    }

    pub async fn insights(&self, limit: i64) -> Result<Insights, sqlx::Error> {
        let pool = self.ready().await?;
        let entries = sqlx::query_as(
            "SELECT entry, helpful, not_helpful FROM vote_counts WHERE helpful + not_helpful > 0
             ORDER BY not_helpful - helpful DESC, entry LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await?;
        let most_helpful = sqlx::query_as(
            "SELECT entry, helpful, not_helpful FROM vote_counts WHERE helpful + not_helpful > 0
             ORDER BY helpful - not_helpful DESC, entry LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await?;
        let comments = sqlx::query_as(
            "SELECT entry, helpful, comment FROM votes WHERE comment IS NOT NULL
             ORDER BY voted_at DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await?;
        let zero_results = sqlx::query_as(
            "SELECT query, count, weak FROM zero_result_queries
             ORDER BY count DESC, last_at DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await?;
        let opened = sqlx::query_as(
            "SELECT query, entry, count FROM result_opens ORDER BY count DESC, query LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await?;
        let steps = sqlx::query_as(sql::STEPS).fetch_all(pool).await?;
        let outcomes = sqlx::query_as(sql::OUTCOMES).fetch_all(pool).await?;
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
        sqlx::query_as("SELECT helpful, not_helpful FROM vote_counts WHERE entry = $1")
            .bind(entry)
            .fetch_optional(self.ready().await?)
            .await
            .map(Option::unwrap_or_default)
    }

    pub async fn is_empty(&self) -> Result<bool, sqlx::Error> {
        let rows: i64 = sqlx::query_scalar(sql::ROWS)
            .fetch_one(self.ready().await?)
            .await?;
        Ok(rows == 0)
    }

    pub async fn all_votes(&self) -> Result<Vec<VoteRow>, sqlx::Error> {
        let rows: Vec<VoteRow> = sqlx::query_as(sql::VOTES)
            .fetch_all(self.ready().await?)
            .await?;
        Ok(rows)
    }

    pub async fn all_counters(&self) -> Result<HashMap<Counter, i64>, sqlx::Error> {
        let pool = self.ready().await?;
        let steps = sqlx::query_as(sql::STEPS).fetch_all(pool).await?;
        let outcomes = sqlx::query_as(sql::OUTCOMES).fetch_all(pool).await?;
        let zero = sqlx::query_as(sql::ZERO_RESULTS).fetch_all(pool).await?;
        let opened = sqlx::query_as(sql::OPENED).fetch_all(pool).await?;
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
        let _ = self
            .run(|db| async move {
                db.pool.close().await;
                Ok(())
            })
            .await;
    }
}

/// A vote, replacing the visitor's earlier one on the entry (a copied one only if newer).
fn insert_vote(
    vote: &VoteRow,
    copied: bool,
) -> sqlx::query::Query<'_, Driver, sqlx::postgres::PgArguments> {
    let sql = if copied {
        "INSERT INTO votes (entry, visitor, helpful, comment, voted_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (entry, visitor) DO UPDATE SET
             helpful = excluded.helpful, comment = excluded.comment, voted_at = excluded.voted_at
         WHERE excluded.voted_at > votes.voted_at"
    } else {
        "INSERT INTO votes (entry, visitor, helpful, comment, voted_at) VALUES ($1, $2, $3, $4, $5)
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
            "INSERT INTO wizard_steps (wizard, step, visits) VALUES ($1, $2, $3)
             ON CONFLICT (wizard, step) DO UPDATE
             SET visits = wizard_steps.visits + excluded.visits",
        )
        .bind(wizard)
        .bind(step)
        .bind(n),
        Counter::WizardOutcome {
            wizard,
            outcome,
            solved,
        } => sqlx::query(
            "INSERT INTO wizard_outcomes (wizard, outcome, solved, count) VALUES ($1, $2, $3, $4)
             ON CONFLICT (wizard, outcome, solved) DO UPDATE
             SET count = wizard_outcomes.count + excluded.count",
        )
        .bind(wizard)
        .bind(outcome)
        .bind(solved)
        .bind(n),
        Counter::ZeroResult { query, weak } => sqlx::query(
            "INSERT INTO zero_result_queries (query, count, last_at, weak) VALUES ($1, $2, $3, $4)
             ON CONFLICT (query) DO UPDATE
             SET count = zero_result_queries.count + excluded.count,
                 last_at = GREATEST(zero_result_queries.last_at, excluded.last_at),
                 weak = excluded.weak",
        )
        .bind(query)
        .bind(n)
        .bind(at)
        .bind(weak),
        Counter::ResultOpened { query, entry } => sqlx::query(
            "INSERT INTO result_opens (query, entry, count, last_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (query, entry) DO UPDATE
             SET count = result_opens.count + excluded.count,
                 last_at = GREATEST(result_opens.last_at, excluded.last_at)",
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
