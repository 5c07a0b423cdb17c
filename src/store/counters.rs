//! Counters of use gathered in memory between two writes, bounded so that a flood of distinct
//! junk searches can neither exhaust memory nor crowd out the wizard counters.

use std::collections::HashMap;

use super::insights::{
    DeflectionCount, OpenedResult, OutcomeAnswers, StepVisits, UnansweredSearch,
};

/// Distinct wizard counters kept while the database cannot be written; more are dropped.
/// (Their number is bounded by the content; this only bounds memory.)
const MAX_PENDING: usize = 10_000;
/// Distinct query counters (zero results, opened results) gathered between two writes; more
/// are dropped. A flood of distinct junk searches then writes at most this many rows a second,
/// and cannot crowd out the wizard counters.
const MAX_PENDING_QUERIES: usize = 1_000;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum Counter {
    /// A visit to a wizard step, in a language.
    WizardStep {
        wizard: String,
        step: String,
        lang: String,
    },
    WizardOutcome {
        wizard: String,
        outcome: String,
        solved: bool,
        lang: String,
    },
    /// A search no entry answers: nothing found, or (`weak`) only weak matches.
    ZeroResult {
        query: String,
        weak: bool,
        /// The language of the page searched from.
        lang: String,
    },
    ResultOpened {
        query: String,
        entry: String,
    },
    /// What the help widget on a ticket form saw happen to an entry (`entry` empty: to a form).
    Deflection {
        entry: String,
        event: Deflection,
    },
}

/// What the help widget reports of a ticket form (`POST /api/deflection`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Deflection {
    /// Entries were shown while the person typed.
    Suggested,
    /// One was opened.
    Opened,
    /// The person said it solved the problem: a ticket not sent.
    Resolved,
    /// The ticket was sent after suggestions were shown.
    SubmittedAnyway,
}

impl Deflection {
    pub const ALL: [Deflection; 4] = [
        Deflection::Suggested,
        Deflection::Opened,
        Deflection::Resolved,
        Deflection::SubmittedAnyway,
    ];

    /// Its name in the API and in the database.
    pub fn name(self) -> &'static str {
        match self {
            Deflection::Suggested => "suggested",
            Deflection::Opened => "opened",
            Deflection::Resolved => "resolved",
            Deflection::SubmittedAnyway => "submitted_anyway",
        }
    }

    pub fn from_name(name: &str) -> Option<Deflection> {
        Deflection::ALL.into_iter().find(|d| d.name() == name)
    }
}

impl Counter {
    /// Counters keyed by what people type: unbounded in number, so kept bounded.
    pub(super) fn is_query(&self) -> bool {
        matches!(
            self,
            Counter::ZeroResult { .. } | Counter::ResultOpened { .. }
        )
    }
}

/// Counts not yet written.
#[derive(Default)]
pub(super) struct Counters {
    pending: HashMap<Counter, i64>,
    /// How many of `pending` are query counters.
    queries: usize,
}

impl Counters {
    /// Adds `n` to a counter; a new counter is dropped once its kind has [`MAX_PENDING`] (or
    /// [`MAX_PENDING_QUERIES`]) waiting.
    pub(super) fn add(&mut self, counter: Counter, n: i64) {
        if let Some(count) = self.pending.get_mut(&counter) {
            *count += n;
            return;
        }
        let is_query = counter.is_query();
        let full = if is_query {
            self.queries >= MAX_PENDING_QUERIES
        } else {
            self.pending.len() - self.queries >= MAX_PENDING
        };
        if !full {
            self.queries += usize::from(is_query);
            self.pending.insert(counter, n);
        }
    }

    pub(super) fn take(&mut self) -> HashMap<Counter, i64> {
        self.queries = 0;
        std::mem::take(&mut self.pending)
    }

    pub(super) fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }
}

/// Every counter, from the rows of the counter tables (for `wendao migrate-store`).
pub(super) fn counters_from(
    steps: Vec<StepVisits>,
    outcomes: Vec<OutcomeAnswers>,
    zero: Vec<UnansweredSearch>,
    opened: Vec<OpenedResult>,
    deflections: Vec<DeflectionCount>,
) -> HashMap<Counter, i64> {
    let steps = steps.into_iter().map(|s| {
        let counter = Counter::WizardStep {
            wizard: s.wizard,
            step: s.step,
            lang: s.lang,
        };
        (counter, s.visits)
    });
    let outcomes = outcomes.into_iter().map(|o| {
        let counter = Counter::WizardOutcome {
            wizard: o.wizard,
            outcome: o.outcome,
            solved: o.solved,
            lang: o.lang,
        };
        (counter, o.count)
    });
    let zero = zero.into_iter().map(|z| {
        let counter = Counter::ZeroResult {
            query: z.query,
            weak: z.weak,
            lang: z.lang,
        };
        (counter, z.count)
    });
    let opened = opened.into_iter().map(|o| {
        let counter = Counter::ResultOpened {
            query: o.query,
            entry: o.entry,
        };
        (counter, o.count)
    });
    // A row whose event this build does not know is left out.
    let deflections = deflections.into_iter().filter_map(|d| {
        let event = Deflection::from_name(&d.event)?;
        Some((
            Counter::Deflection {
                entry: d.entry,
                event,
            },
            d.count,
        ))
    });
    steps
        .chain(outcomes)
        .chain(zero)
        .chain(opened)
        .chain(deflections)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_of_new_queries_cannot_crowd_out_the_wizard_counters() {
        let mut counters = Counters::default();
        for i in 0..5_000 {
            counters.add(
                Counter::ZeroResult {
                    query: format!("junk {i}"),
                    weak: false,
                    lang: "zh-CN".into(),
                },
                1,
            );
        }
        let step = Counter::WizardStep {
            wizard: "w".into(),
            step: "s".into(),
            lang: "zh-CN".into(),
        };
        counters.add(step.clone(), 1);
        counters.add(step.clone(), 2);
        let first = Counter::ZeroResult {
            query: "junk 0".into(),
            weak: false,
            lang: "zh-CN".into(),
        };
        counters.add(first.clone(), 4);
        let batch = counters.take();
        assert_eq!(batch.len(), MAX_PENDING_QUERIES + 1);
        assert_eq!(batch.get(&step), Some(&3));
        assert_eq!(batch.get(&first), Some(&5), "a waiting query still counts");
        assert_eq!(counters.queries, 0);
        counters.add(
            Counter::ZeroResult {
                query: "new".into(),
                weak: true,
                lang: "en".into(),
            },
            1,
        );
        assert_eq!(counters.pending.len(), 1, "room again after a write");
    }
}
