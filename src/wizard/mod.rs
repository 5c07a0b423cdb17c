//! Troubleshooting wizards: decision trees of steps (this file: the model), the pure walk
//! "step + answer → next step" ([`walk`]), and loading and validating their TOML ([`load`]).
//! The web handler is `web::wizard`; the format, docs/content.md.

pub(crate) mod load;
pub(crate) mod translations;
mod walk;

pub use translations::WizardTranslation;
pub use walk::{Next, PathError, Position, Walk, advance, compact};

use std::collections::HashMap;

use regex::Regex;

/// Longest path of answers a URL may carry.
pub const MAX_ANSWERS: usize = 40;
/// Longest typed answer, in characters.
pub const MAX_ANSWER_CHARS: usize = 300;

#[derive(Debug, Clone)]
pub struct Wizard {
    pub id: String,
    pub title: String,
    pub description: String,
    /// Shown when the outcome did not solve the problem.
    pub contact_html: String,
    pub start: String,
    pub steps: Vec<Step>,
    /// The language its text is in: [`crate::locale::DEFAULT`], or a translation's.
    pub lang: &'static str,
    by_id: HashMap<String, usize>,
}

#[derive(Debug, Clone)]
pub struct Step {
    pub id: String,
    pub title: String,
    pub body_html: String,
    pub kind: StepKind,
}

#[derive(Debug, Clone)]
pub enum StepKind {
    Choices(Vec<Choice>),
    Input(Input),
    Outcome(Outcome),
}

#[derive(Debug, Clone)]
pub struct Choice {
    /// Stable slug carried in URLs (`?a=<value>`): reordering choices keeps old links right.
    pub value: String,
    pub label: String,
    pub next: String,
}

#[derive(Debug, Clone)]
pub struct Input {
    pub label: String,
    pub placeholder: String,
    pub routes: Vec<Route>,
    pub fallback: Fallback,
}

#[derive(Debug, Clone)]
pub struct Route {
    pub matcher: Matcher,
    pub next: String,
}

/// How a typed answer is matched. Texts are compared in compact form: NFKC, lowercase, letters
/// and digits only, so `"error":19`, `ERROR 19` and `error19` all read `error19`.
#[derive(Debug, Clone)]
pub enum Matcher {
    Equals(Vec<String>),
    Contains(Vec<String>),
    Pattern(Regex),
    /// The first number in the answer lies in `[low, high]`.
    Range(i64, i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fallback {
    Step(String),
    /// Search the knowledge base for what was typed.
    Search,
}

#[derive(Debug, Clone)]
pub struct Outcome {
    pub text_html: String,
    pub links: Vec<OutcomeLink>,
}

/// An entry (or a section of one) an outcome points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeLink {
    pub entry: String,
    pub anchor: Option<String>,
}

impl OutcomeLink {
    pub fn url(&self) -> String {
        match &self.anchor {
            Some(anchor) => format!("/kb/{}#{anchor}", self.entry),
            None => format!("/kb/{}", self.entry),
        }
    }
}

impl Wizard {
    pub(crate) fn new(
        id: String,
        title: String,
        description: String,
        contact_html: String,
        start: String,
        steps: Vec<Step>,
    ) -> Wizard {
        let by_id = steps
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        Wizard {
            id,
            title,
            description,
            contact_html,
            start,
            steps,
            lang: crate::locale::DEFAULT,
            by_id,
        }
    }

    /// Its first page in its language: `/wizard/<id>`, `/en/wizard/<id>`.
    pub fn url(&self) -> String {
        format!("{}/wizard/{}", crate::locale::prefix(self.lang), self.id)
    }

    pub fn step(&self, id: &str) -> Option<&Step> {
        self.by_id.get(id).map(|&i| &self.steps[i])
    }

    pub fn start_step(&self) -> Option<&Step> {
        self.step(&self.start)
    }

    /// Entries any outcome of this wizard points to.
    pub fn outcome_entries(&self) -> impl Iterator<Item = &str> {
        self.steps.iter().flat_map(|s| match &s.kind {
            StepKind::Outcome(o) => o.links.iter().map(|l| l.entry.as_str()).collect(),
            _ => Vec::new(),
        })
    }
}
