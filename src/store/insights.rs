//! What `/admin/insights` and `wendao insights` show, one named row type per table (read
//! straight from the database's columns).

/// What people told us, for authors.
#[derive(Debug, Clone, Default)]
pub struct Insights {
    /// Entries with votes, least helpful first.
    pub entries: Vec<EntryVotes>,
    /// Entries with votes, most helpful first.
    pub most_helpful: Vec<EntryVotes>,
    /// Comments left with votes, newest first.
    pub comments: Vec<Comment>,
    /// Searches no entry answers, most frequent first.
    pub zero_results: Vec<UnansweredSearch>,
    /// Results opened from a search, most often opened first.
    pub opened: Vec<OpenedResult>,
    /// Visits to each wizard step, by wizard.
    pub steps: Vec<StepVisits>,
    /// Answers to "问题解决了吗？" on each outcome, by wizard.
    pub outcomes: Vec<OutcomeAnswers>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EntryVotes {
    pub entry: String,
    pub helpful: i64,
    pub not_helpful: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Comment {
    pub entry: String,
    /// The vote the comment came with.
    pub helpful: bool,
    #[sqlx(rename = "comment")]
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UnansweredSearch {
    /// Normalised, and cut to [`super::QUERY_CHARS`].
    pub query: String,
    pub count: i64,
    /// Whether the latest such search found only weak matches (else nothing at all).
    pub weak: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OpenedResult {
    pub query: String,
    pub entry: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StepVisits {
    pub wizard: String,
    pub step: String,
    pub visits: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OutcomeAnswers {
    pub wizard: String,
    pub outcome: String,
    pub solved: bool,
    pub count: i64,
}
