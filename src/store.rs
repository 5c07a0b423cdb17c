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
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
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
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
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
