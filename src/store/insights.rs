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
    /// Ticket forms the help widget ran on: shown suggestions, opened one, resolved, sent anyway.
    pub forms: Deflections,
    /// The same per entry, most suggested first.
    pub deflections: Vec<EntryDeflections>,
}

/// What the help widget reported, summed by event.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Deflections {
    pub suggested: i64,
    pub opened: i64,
    pub resolved: i64,
    pub submitted_anyway: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryDeflections {
    pub entry: String,
    pub counts: Deflections,
}

/// One row of the deflection table, as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DeflectionCount {
    /// Empty for the row that counts forms.
    pub entry: String,
    pub event: String,
    pub count: i64,
}

impl Deflections {
    fn add(&mut self, event: &str, count: i64) {
        use super::Deflection;
        let counter = match Deflection::from_name(event) {
            Some(Deflection::Suggested) => &mut self.suggested,
            Some(Deflection::Opened) => &mut self.opened,
            Some(Deflection::Resolved) => &mut self.resolved,
            Some(Deflection::SubmittedAnyway) => &mut self.submitted_anyway,
            // A row a later version wrote: not ours to count.
            None => return,
        };
        *counter += count;
    }
}

/// The forms' counts and each entry's, most suggested first, at most `limit` entries.
pub(super) fn deflections_from(
    rows: Vec<DeflectionCount>,
    limit: usize,
) -> (Deflections, Vec<EntryDeflections>) {
    let mut forms = Deflections::default();
    let mut by_entry: std::collections::BTreeMap<String, Deflections> = Default::default();
    for row in rows {
        let counts = if row.entry.is_empty() {
            &mut forms
        } else {
            by_entry.entry(row.entry).or_default()
        };
        counts.add(&row.event, row.count);
    }
    let mut entries: Vec<EntryDeflections> = by_entry
        .into_iter()
        .map(|(entry, counts)| EntryDeflections { entry, counts })
        .collect();
    entries.sort_by(|a, b| {
        (b.counts.suggested, b.counts.opened)
            .cmp(&(a.counts.suggested, a.counts.opened))
            .then_with(|| a.entry.cmp(&b.entry))
    });
    entries.truncate(limit);
    (forms, entries)
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
    /// The language of the page it was left on.
    pub lang: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UnansweredSearch {
    /// Normalised, and cut to [`super::QUERY_CHARS`].
    pub query: String,
    pub count: i64,
    /// Whether the latest such search found only weak matches (else nothing at all).
    pub weak: bool,
    /// The language of the page the latest such search was made on.
    pub lang: String,
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
    /// The language the step was read in.
    pub lang: String,
    pub visits: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OutcomeAnswers {
    pub wizard: String,
    pub outcome: String,
    pub solved: bool,
    pub lang: String,
    pub count: i64,
}
