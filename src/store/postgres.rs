//! PostgreSQL, shared by several replicas (`--database-url`). Migrations in
//! `migrations/postgres/`, applied when the database first answers (sqlx holds an advisory
//! lock while it migrates, so replicas starting together take turns). Every committed write
//! moves the `writes` sequence, which each replica polls to learn that another one wrote.
//! The statements both databases share are in `sql.rs`.

use std::collections::HashMap;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use anyhow::Context;
use sqlx::Connection as _;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use super::backend::{Answer, Backend, VoteRow};
use super::counters::Counter;
use super::insights::Insights;
use super::sql::Tables;

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

#[derive(Clone)]
pub struct Postgres {
    tables: Tables<sqlx::Postgres>,
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
            // Never back into the pool inside a transaction (see `Tables::writing`).
            .after_release(|conn, _| Box::pin(async move { Ok(!conn.is_in_transaction()) }))
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_lazy_with(options);
        Ok(Postgres {
            tables: Tables { pool },
            migrated: Arc::default(),
        })
    }

    /// Runs `work` on the database's runtime (see [`RUNTIME`]) once the schema is up to date,
    /// and waits for it.
    fn run<'a, T, F>(&self, work: impl FnOnce(Tables<sqlx::Postgres>) -> F) -> Answer<'a, T>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, sqlx::Error>> + Send + 'static,
    {
        let db = self.clone();
        let work = work(self.tables.clone());
        Box::pin(async move {
            RUNTIME
                .spawn(async move {
                    db.ready().await?;
                    work.await
                })
                .await
                .map_err(|e| sqlx::Error::Io(std::io::Error::other(e)))?
        })
    }

    /// Brings the schema up to date, the first time the database answers.
    async fn ready(&self) -> Result<(), sqlx::Error> {
        if !self.migrated.load(Ordering::Acquire) {
            sqlx::migrate!("./migrations/postgres")
                .run(&self.tables.pool)
                .await
                .map_err(|e| match e {
                    sqlx::migrate::MigrateError::Execute(e) => e,
                    other => sqlx::Error::Migrate(Box::new(other)),
                })?;
            self.migrated.store(true, Ordering::Release);
        }
        Ok(())
    }
}

impl Backend for Postgres {
    fn name(&self) -> &'static str {
        "postgres"
    }

    fn ping(&self) -> Answer<'_, ()> {
        self.run(|db| async move { db.ping().await })
    }

    /// Moving the marker: a write that changes no table (other replicas only read again).
    fn probe_write(&self) -> Answer<'_, ()> {
        self.announce()
    }

    fn marker(&self) -> Answer<'_, Option<i64>> {
        self.run(|db| async move {
            let (value, called): (i64, bool) =
                sqlx::query_as("SELECT last_value, is_called FROM writes")
                    .fetch_one(&db.pool)
                    .await?;
            Ok(Some(if called { value } else { 0 }))
        })
    }

    /// Called after the write's commit, so a replica that sees the new value also sees the
    /// write.
    fn announce(&self) -> Answer<'_, ()> {
        self.run(|db| async move {
            sqlx::query("SELECT nextval('writes')")
                .execute(&db.pool)
                .await?;
            Ok(())
        })
    }

    fn vote<'a>(&'a self, vote: &'a VoteRow) -> Answer<'a, ()> {
        let vote = vote.clone();
        self.run(|db| async move { db.vote(&vote).await })
    }

    fn write<'a>(
        &'a self,
        batch: &'a HashMap<Counter, i64>,
        at: i64,
        rows_kept: u64,
    ) -> Answer<'a, ()> {
        let batch = batch.clone();
        self.run(move |db| async move {
            // The same order in every replica, so two batches touching the same rows wait
            // for each other instead of deadlocking.
            let mut counters: Vec<_> = batch.iter().collect();
            counters.sort_unstable();
            db.write(counters, at, rows_kept).await?;
            Ok(())
        })
    }

    /// PostgreSQL's autovacuum gives the space back.
    fn prune(&self, rows_kept: u64) -> Answer<'_, u64> {
        self.run(move |db| async move { db.prune(rows_kept).await })
    }

    fn popular(&self, limit: usize) -> Answer<'_, Vec<String>> {
        self.run(move |db| async move { db.popular(limit).await })
    }

    fn insights(&self, limit: i64) -> Answer<'_, Insights> {
        self.run(move |db| async move { db.insights(limit).await })
    }

    fn feedback<'a>(&'a self, entry: &'a str) -> Answer<'a, (i64, i64)> {
        let entry = entry.to_string();
        self.run(|db| async move { db.feedback(&entry).await })
    }

    fn is_empty(&self) -> Answer<'_, bool> {
        self.run(|db| async move { db.is_empty().await })
    }

    fn all_votes(&self) -> Answer<'_, Vec<VoteRow>> {
        self.run(|db| async move { db.all_votes().await })
    }

    fn all_counters(&self) -> Answer<'_, HashMap<Counter, i64>> {
        self.run(|db| async move { db.all_counters().await })
    }

    fn restore<'a>(
        &'a self,
        votes: &'a [VoteRow],
        counters: &'a HashMap<Counter, i64>,
    ) -> Answer<'a, ()> {
        let (votes, counters) = (votes.to_vec(), counters.clone());
        self.run(|db| async move { db.restore(&votes, &counters).await })
    }

    fn close(&self) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        let pool = self.tables.pool.clone();
        Box::pin(async move {
            let _ = RUNTIME.spawn(async move { pool.close().await }).await;
        })
    }
}
