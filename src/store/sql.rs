//! The statements and the steps both databases share, written once for either's pool: `$1`
//! placeholders (SQLite takes them too) and SQL both dialects read alike. What differs
//! (opening, migrating, where statements run, giving space back) is in `sqlite.rs` and
//! `postgres.rs`.

use std::collections::HashMap;

use sqlx::{
    ColumnIndex, Connection as _, Database, Decode, Encode, Executor, IntoArguments, Pool,
    Transaction, Type,
};

use super::backend::VoteRow;
use super::counters::{Counter, counters_from};
use super::insights::{
    Comment, DeflectionCount, EntryVotes, Insights, OpenedResult, UnansweredSearch,
    deflections_from,
};

/// Rows in all tables: none means a database `migrate-store` may copy into.
const ROWS: &str = "SELECT (SELECT COUNT(*) FROM votes) + (SELECT COUNT(*) FROM wizard_steps)
         + (SELECT COUNT(*) FROM wizard_outcomes) + (SELECT COUNT(*) FROM zero_result_queries)
         + (SELECT COUNT(*) FROM result_opens) + (SELECT COUNT(*) FROM deflections)";
const VOTES: &str =
    "SELECT entry, visitor, helpful, comment, voted_at, lang FROM votes ORDER BY voted_at";
const STEPS: &str =
    "SELECT wizard, step, lang, visits FROM wizard_steps ORDER BY wizard, visits DESC, lang";
const OUTCOMES: &str = "SELECT wizard, outcome, solved, lang, count FROM wizard_outcomes
     ORDER BY wizard, outcome, solved, lang";
const ZERO_RESULTS: &str = "SELECT query, count, weak, lang FROM zero_result_queries";
const OPENED: &str = "SELECT query, entry, count FROM result_opens";
const DEFLECTIONS: &str = "SELECT entry, event, count FROM deflections";

/// A vote, replacing the visitor's earlier one on the entry; without a comment it keeps the
/// one given before.
const VOTE: &str = "INSERT INTO votes (entry, visitor, helpful, comment, voted_at, lang)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (entry, visitor) DO UPDATE SET
         helpful = excluded.helpful,
         comment = COALESCE(excluded.comment, votes.comment),
         voted_at = excluded.voted_at,
         lang = excluded.lang";
/// A copied vote (`migrate-store`), as it was, only if newer than the one held.
const COPIED_VOTE: &str = "INSERT INTO votes (entry, visitor, helpful, comment, voted_at, lang)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (entry, visitor) DO UPDATE SET
         helpful = excluded.helpful, comment = excluded.comment, voted_at = excluded.voted_at,
         lang = excluded.lang
     WHERE excluded.voted_at > votes.voted_at";

// Counters are added as increments, so replicas add up exactly. Columns are named with their
// table (PostgreSQL finds a bare one ambiguous), and the later time is a CASE (SQLite's
// `MAX(a, b)` is PostgreSQL's `GREATEST`).
const ADD_STEP: &str =
    "INSERT INTO wizard_steps (wizard, step, lang, visits) VALUES ($1, $2, $3, $4)
     ON CONFLICT (wizard, step, lang) DO UPDATE
     SET visits = wizard_steps.visits + excluded.visits";
const ADD_OUTCOME: &str =
    "INSERT INTO wizard_outcomes (wizard, outcome, solved, lang, count) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (wizard, outcome, solved, lang) DO UPDATE
     SET count = wizard_outcomes.count + excluded.count";
const ADD_ZERO_RESULT: &str = "INSERT INTO zero_result_queries (query, count, last_at, weak, lang)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (query) DO UPDATE
     SET count = zero_result_queries.count + excluded.count,
         last_at = CASE WHEN excluded.last_at > zero_result_queries.last_at
                        THEN excluded.last_at ELSE zero_result_queries.last_at END,
         weak = excluded.weak,
         lang = excluded.lang";
const ADD_OPENED: &str =
    "INSERT INTO result_opens (query, entry, count, last_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (query, entry) DO UPDATE
     SET count = result_opens.count + excluded.count,
         last_at = CASE WHEN excluded.last_at > result_opens.last_at
                        THEN excluded.last_at ELSE result_opens.last_at END";
const ADD_DEFLECTION: &str = "INSERT INTO deflections (entry, event, count) VALUES ($1, $2, $3)
     ON CONFLICT (entry, event) DO UPDATE SET count = deflections.count + excluded.count";

/// The query tables, each kept to its bound (see [`kept`]). (How many rows; the pruning.)
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

/// What to keep of a query table of `rows` rows bound to `rows_kept`: nothing to prune while
/// within it; beyond, the most frequent half (by count, then recency) and the most recent
/// half, so a flood of new junk cannot push out the queries people ask most, and a new
/// question still shows up.
fn kept(rows: i64, rows_kept: u64) -> Option<(i64, i64)> {
    let (by_count, by_time) = (rows_kept - rows_kept / 2, rows_kept / 2);
    (rows as u64 > rows_kept).then_some((by_count as i64, by_time as i64))
}

/// How many rows a statement changed (each driver has its own result type).
pub(super) trait RowsAffected {
    fn rows(&self) -> u64;
}

impl RowsAffected for sqlx::sqlite::SqliteQueryResult {
    fn rows(&self) -> u64 {
        self.rows_affected()
    }
}

impl RowsAffected for sqlx::postgres::PgQueryResult {
    fn rows(&self) -> u64 {
        self.rows_affected()
    }
}

/// A pool of either database, with the statements both run.
pub(super) struct Tables<DB: Database> {
    pub pool: Pool<DB>,
}

impl<DB: Database> Clone for Tables<DB> {
    fn clone(&self) -> Self {
        Tables {
            pool: self.pool.clone(),
        }
    }
}

// What the statements bind and read, as sqlx asks it of a driver (both have it all).
impl<DB> Tables<DB>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> bool: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<String>: Encode<'q, DB> + Decode<'q, DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB> + ColumnIndex<DB::Row>,
    usize: ColumnIndex<DB::Row>,
    DB::Arguments: IntoArguments<DB>,
    DB::QueryResult: RowsAffected,
{
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Runs one write on a connection of its own, which is closed instead of reused if the
    /// write fails: whatever state the error left it in (a COMMIT refused, a server
    /// restarting), no later statement meets it.
    pub async fn writing<T>(
        &self,
        work: impl AsyncFnOnce(&mut DB::Connection) -> Result<T, sqlx::Error>,
    ) -> Result<T, sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        let result = work(&mut conn).await;
        if result.is_err() {
            conn.close_on_drop();
        }
        result
    }

    pub async fn vote(&self, vote: &VoteRow) -> Result<(), sqlx::Error> {
        self.writing(async |conn| {
            Self::bind_vote(VOTE, vote).execute(&mut *conn).await?;
            Ok(())
        })
        .await
    }

    /// Adds counters, in the order given, then prunes the query tables if any was a query
    /// counter, in one transaction; returns how many rows were pruned.
    pub async fn write<'a>(
        &self,
        counters: impl IntoIterator<Item = (&'a Counter, &'a i64)>,
        at: i64,
        rows_kept: u64,
    ) -> Result<u64, sqlx::Error> {
        self.writing(async |conn| {
            let mut tx = conn.begin().await?;
            let mut queries = false;
            for (counter, n) in counters {
                queries |= counter.is_query();
                Self::add(&mut tx, counter, *n, at).await?;
            }
            let pruned = if queries {
                Self::prune_in(&mut tx, rows_kept).await?
            } else {
                0
            };
            tx.commit().await?;
            Ok(pruned)
        })
        .await
    }

    /// Prunes the query tables to their bound now; returns how many rows went.
    pub async fn prune(&self, rows_kept: u64) -> Result<u64, sqlx::Error> {
        self.writing(async |conn| {
            let mut tx = conn.begin().await?;
            let deleted = Self::prune_in(&mut tx, rows_kept).await?;
            tx.commit().await?;
            Ok(deleted)
        })
        .await
    }

    /// Entries by uses: opened from search results, plus helpful votes.
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
        .fetch_all(&self.pool)
        .await
    }

    pub async fn insights(&self, limit: i64) -> Result<Insights, sqlx::Error> {
        let pool = &self.pool;
        let entries = sqlx::query_as::<_, EntryVotes>(
            "SELECT entry, helpful, not_helpful FROM vote_counts WHERE helpful + not_helpful > 0
             ORDER BY not_helpful - helpful DESC, entry LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await?;
        let most_helpful = sqlx::query_as::<_, EntryVotes>(
            "SELECT entry, helpful, not_helpful FROM vote_counts WHERE helpful + not_helpful > 0
             ORDER BY helpful - not_helpful DESC, entry LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await?;
        let comments = sqlx::query_as::<_, Comment>(
            "SELECT entry, helpful, comment, lang FROM votes WHERE comment IS NOT NULL
             ORDER BY voted_at DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await?;
        let zero_results = sqlx::query_as::<_, UnansweredSearch>(
            "SELECT query, count, weak, lang FROM zero_result_queries
             ORDER BY count DESC, last_at DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await?;
        let opened = sqlx::query_as::<_, OpenedResult>(
            "SELECT query, entry, count FROM result_opens ORDER BY count DESC, query LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await?;
        let deflections: Vec<DeflectionCount> = sqlx::query_as(DEFLECTIONS).fetch_all(pool).await?;
        let (forms, deflections) = deflections_from(deflections, limit.max(0) as usize);
        Ok(Insights {
            entries,
            most_helpful,
            comments,
            zero_results,
            opened,
            steps: sqlx::query_as(STEPS).fetch_all(pool).await?,
            outcomes: sqlx::query_as(OUTCOMES).fetch_all(pool).await?,
            forms,
            deflections,
        })
    }

    /// (helpful, not helpful) votes on one entry.
    pub async fn feedback(&self, entry: &str) -> Result<(i64, i64), sqlx::Error> {
        sqlx::query_as("SELECT helpful, not_helpful FROM vote_counts WHERE entry = $1")
            .bind(entry)
            .fetch_optional(&self.pool)
            .await
            .map(Option::unwrap_or_default)
    }

    pub async fn is_empty(&self) -> Result<bool, sqlx::Error> {
        let rows: i64 = sqlx::query_scalar(ROWS).fetch_one(&self.pool).await?;
        Ok(rows == 0)
    }

    pub async fn all_votes(&self) -> Result<Vec<VoteRow>, sqlx::Error> {
        sqlx::query_as(VOTES).fetch_all(&self.pool).await
    }

    pub async fn all_counters(&self) -> Result<HashMap<Counter, i64>, sqlx::Error> {
        let pool = &self.pool;
        Ok(counters_from(
            sqlx::query_as(STEPS).fetch_all(pool).await?,
            sqlx::query_as(OUTCOMES).fetch_all(pool).await?,
            sqlx::query_as(ZERO_RESULTS).fetch_all(pool).await?,
            sqlx::query_as(OPENED).fetch_all(pool).await?,
            sqlx::query_as(DEFLECTIONS).fetch_all(pool).await?,
        ))
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
                Self::bind_vote(COPIED_VOTE, vote).execute(&mut *tx).await?;
            }
            let at = super::now();
            for (counter, n) in counters {
                Self::add(&mut tx, counter, *n, at).await?;
            }
            tx.commit().await
        })
        .await
    }

    fn bind_vote<'a>(
        sql: &'static str,
        vote: &'a VoteRow,
    ) -> sqlx::query::Query<'a, DB, DB::Arguments> {
        sqlx::query(sql)
            .bind(&vote.entry)
            .bind(&vote.visitor)
            .bind(vote.helpful)
            .bind(&vote.comment)
            .bind(vote.voted_at)
            .bind(&vote.lang)
    }

    /// Adds `n` to one counter.
    async fn add(
        tx: &mut Transaction<'_, DB>,
        counter: &Counter,
        n: i64,
        at: i64,
    ) -> Result<(), sqlx::Error> {
        let query = match counter {
            Counter::WizardStep { wizard, step, lang } => sqlx::query(ADD_STEP)
                .bind(wizard)
                .bind(step)
                .bind(lang)
                .bind(n),
            Counter::WizardOutcome {
                wizard,
                outcome,
                solved,
                lang,
            } => sqlx::query(ADD_OUTCOME)
                .bind(wizard)
                .bind(outcome)
                .bind(solved)
                .bind(lang)
                .bind(n),
            Counter::ZeroResult { query, weak, lang } => sqlx::query(ADD_ZERO_RESULT)
                .bind(query)
                .bind(n)
                .bind(at)
                .bind(weak)
                .bind(lang),
            Counter::ResultOpened { query, entry } => sqlx::query(ADD_OPENED)
                .bind(query)
                .bind(entry)
                .bind(n)
                .bind(at),
            Counter::Deflection { entry, event } => sqlx::query(ADD_DEFLECTION)
                .bind(entry)
                .bind(event.name())
                .bind(n),
        };
        query.execute(&mut **tx).await?;
        Ok(())
    }

    /// Deletes the query rows beyond the bound (see [`kept`]); returns how many.
    async fn prune_in(tx: &mut Transaction<'_, DB>, rows_kept: u64) -> Result<u64, sqlx::Error> {
        let mut deleted = 0;
        for (count, prune) in QUERY_TABLES {
            let rows: i64 = sqlx::query_scalar(count).fetch_one(&mut **tx).await?;
            let Some((by_count, by_time)) = kept(rows, rows_kept) else {
                continue;
            };
            let done = sqlx::query(prune)
                .bind(by_count)
                .bind(by_time)
                .execute(&mut **tx)
                .await?;
            deleted += done.rows();
        }
        Ok(deleted)
    }
}
