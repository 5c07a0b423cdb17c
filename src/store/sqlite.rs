//! The bundled SQLite file under `--data`: WAL with `synchronous = FULL`, so a vote is on disk
//! before its answer. Migrations in `migrations/sqlite/`. Statements run on the caller's
//! runtime; those both databases share are in `sql.rs`.

use std::collections::HashMap;
use std::path::Path;
use std::pin::Pin;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::Connection as _;
use sqlx::sqlite::{
    SqliteAutoVacuum, SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions,
    SqliteSynchronous,
};

use super::FILE;
use super::backend::{Answer, Backend, VoteRow};
use super::counters::Counter;
use super::insights::Insights;
use super::sql::Tables;

pub struct Sqlite {
    tables: Tables<sqlx::Sqlite>,
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
        Ok(Sqlite {
            tables: Tables { pool },
        })
    }

    /// A write that needs a page of space and changes nothing: the schema's `user_version`
    /// set to what it is (sqlx's migrations do not use it).
    async fn probe(&self) -> Result<(), sqlx::Error> {
        self.tables
            .writing(async |conn| {
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

    async fn write_pruned(
        &self,
        batch: &HashMap<Counter, i64>,
        at: i64,
        rows_kept: u64,
    ) -> Result<(), sqlx::Error> {
        let pruned = self.tables.write(batch, at, rows_kept).await? > 0;
        // The counts are written: a failure here must not put them back to be written again.
        if pruned
            && let Err(e) = self
                .tables
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

    /// Prunes, then gives all free pages back (`VACUUM`).
    async fn prune_all(&self, rows_kept: u64) -> Result<u64, sqlx::Error> {
        let deleted = self.tables.prune(rows_kept).await?;
        self.tables
            .writing(async |conn| sqlx::query("VACUUM").execute(&mut *conn).await)
            .await?;
        Ok(deleted)
    }
}

impl Backend for Sqlite {
    fn name(&self) -> &'static str {
        "sqlite"
    }

    fn ping(&self) -> Answer<'_, ()> {
        Box::pin(self.tables.ping())
    }

    fn probe_write(&self) -> Answer<'_, ()> {
        Box::pin(self.probe())
    }

    fn marker(&self) -> Answer<'_, Option<i64>> {
        Box::pin(async { Ok(None) })
    }

    fn announce(&self) -> Answer<'_, ()> {
        Box::pin(async { Ok(()) })
    }

    fn vote<'a>(&'a self, vote: &'a VoteRow) -> Answer<'a, ()> {
        Box::pin(self.tables.vote(vote))
    }

    fn write<'a>(
        &'a self,
        batch: &'a HashMap<Counter, i64>,
        at: i64,
        rows_kept: u64,
    ) -> Answer<'a, ()> {
        Box::pin(self.write_pruned(batch, at, rows_kept))
    }

    fn prune(&self, rows_kept: u64) -> Answer<'_, u64> {
        Box::pin(self.prune_all(rows_kept))
    }

    fn popular(&self, limit: usize) -> Answer<'_, Vec<String>> {
        Box::pin(self.tables.popular(limit))
    }

    fn insights(&self, limit: i64) -> Answer<'_, Insights> {
        Box::pin(self.tables.insights(limit))
    }

    fn feedback<'a>(&'a self, entry: &'a str) -> Answer<'a, (i64, i64)> {
        Box::pin(self.tables.feedback(entry))
    }

    fn is_empty(&self) -> Answer<'_, bool> {
        Box::pin(self.tables.is_empty())
    }

    fn all_votes(&self) -> Answer<'_, Vec<VoteRow>> {
        Box::pin(self.tables.all_votes())
    }

    fn all_counters(&self) -> Answer<'_, HashMap<Counter, i64>> {
        Box::pin(self.tables.all_counters())
    }

    fn restore<'a>(
        &'a self,
        votes: &'a [VoteRow],
        counters: &'a HashMap<Counter, i64>,
    ) -> Answer<'a, ()> {
        Box::pin(self.tables.restore(votes, counters))
    }

    fn close(&self) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(self.tables.pool.close())
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
