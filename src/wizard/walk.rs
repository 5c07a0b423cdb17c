//! Walking a wizard: replaying a path of answers from its start, one step and answer at a
//! time, with a clear error for the answer that cannot be followed.

use unicode_normalization::UnicodeNormalization;

use super::{Fallback, Input, MAX_ANSWER_CHARS, MAX_ANSWERS, Matcher, Step, StepKind, Wizard};

/// Where an answer leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    Step(String),
    Search(String),
}

/// Why a path of answers cannot be followed. Each says which answer, counted from 1. The
/// reader is told in the page's language (`wizard.*` in the catalogues); this text is for logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("answer {position} (“{answer}”) is not a choice of its step")]
    UnknownChoice { position: usize, answer: String },
    #[error("answer {position} is longer than {MAX_ANSWER_CHARS} characters")]
    AnswerTooLong { position: usize },
    #[error("answer {position} comes after the outcome")]
    PastTheEnd { position: usize },
    #[error("more than {MAX_ANSWERS} answers")]
    TooManyAnswers,
}

/// A path replayed from the start: the steps answered, and where it ends.
#[derive(Debug, Clone)]
pub struct Walk<'a> {
    /// Each answered step with the answer as given and as shown (a choice's label).
    pub trail: Vec<(&'a Step, String, String)>,
    pub at: Position<'a>,
    /// The last answer, when it was typed, matched no route and its fallback led to a step:
    /// the reader is told it was not recognised, not left to guess.
    pub unrecognised: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Position<'a> {
    Step(&'a Step),
    /// An input matched nothing and its fallback searches for the text.
    Search(String),
}

impl Wizard {
    /// Follows `answers` from the start step.
    pub fn replay(&self, answers: &[String]) -> Result<Walk<'_>, PathError> {
        if answers.len() > MAX_ANSWERS {
            return Err(PathError::TooManyAnswers);
        }
        let Some(mut step) = self.start_step() else {
            return Err(PathError::PastTheEnd { position: 0 });
        };
        let mut trail = Vec::new();
        for (i, answer) in answers.iter().enumerate() {
            let position = i + 1;
            let shown = match &step.kind {
                StepKind::Choices(choices) => choices
                    .iter()
                    .find(|c| c.value == *answer)
                    .map(|c| c.label.clone())
                    .unwrap_or_default(),
                _ => answer.clone(),
            };
            let next = advance(step, answer, position)?;
            trail.push((step, answer.clone(), shown));
            match next {
                Next::Step(id) => {
                    step = self.step(&id).ok_or(PathError::PastTheEnd { position })?;
                }
                Next::Search(query) => {
                    if position < answers.len() {
                        return Err(PathError::PastTheEnd {
                            position: position + 1,
                        });
                    }
                    return Ok(Walk {
                        trail,
                        at: Position::Search(query),
                        unrecognised: None,
                    });
                }
            }
        }
        let unrecognised = match (trail.last(), answers.last()) {
            (Some((step, ..)), Some(answer)) if fell_back(step, answer) => {
                Some(answer.trim().to_string())
            }
            _ => None,
        };
        Ok(Walk {
            trail,
            at: Position::Step(step),
            unrecognised,
        })
    }
}

/// The pure transition: where `answer` to `step` leads. `position` only labels errors.
pub fn advance(step: &Step, answer: &str, position: usize) -> Result<Next, PathError> {
    match &step.kind {
        StepKind::Choices(choices) => choices
            .iter()
            .find(|c| c.value == answer)
            .map(|c| Next::Step(c.next.clone()))
            .ok_or_else(|| PathError::UnknownChoice {
                position,
                answer: answer.chars().take(40).collect(),
            }),
        StepKind::Input(input) => {
            if answer.chars().count() > MAX_ANSWER_CHARS {
                return Err(PathError::AnswerTooLong { position });
            }
            if let Some(route) = input.route_for(answer) {
                return Ok(Next::Step(route.next.clone()));
            }
            Ok(match &input.fallback {
                Fallback::Step(id) => Next::Step(id.clone()),
                Fallback::Search => Next::Search(answer.trim().to_string()),
            })
        }
        StepKind::Outcome(_) => Err(PathError::PastTheEnd { position }),
    }
}

impl Input {
    /// The first route whose matcher takes `answer`.
    fn route_for(&self, answer: &str) -> Option<&super::Route> {
        let compact = compact(answer);
        self.routes
            .iter()
            .find(|r| r.matcher.matches(answer, &compact))
    }
}

/// Whether `answer`, typed into `step`'s input, matched no route (a blank answer is a skip).
fn fell_back(step: &Step, answer: &str) -> bool {
    match &step.kind {
        StepKind::Input(input) => !answer.trim().is_empty() && input.route_for(answer).is_none(),
        _ => false,
    }
}

impl Matcher {
    fn matches(&self, raw: &str, compact_answer: &str) -> bool {
        match self {
            Matcher::Equals(values) => values.iter().any(|v| compact(v) == compact_answer),
            Matcher::Contains(values) => values.iter().any(|v| {
                let v = compact(v);
                !v.is_empty() && compact_answer.contains(&v)
            }),
            Matcher::Pattern(re) => re.is_match(compact_answer),
            Matcher::Range(low, high) => {
                first_number(raw).is_some_and(|n| (*low..=*high).contains(&n))
            }
        }
    }
}

/// NFKC, lowercase, letters and digits only.
pub fn compact(text: &str) -> String {
    text.nfkc()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

fn first_number(text: &str) -> Option<i64> {
    let normalized: String = text.nfkc().collect();
    let digits: String = normalized
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .take(12)
        .collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wizard::{Choice, Input, Outcome, Route};
    use regex::Regex;

    fn step(id: &str, kind: StepKind) -> Step {
        Step {
            id: id.into(),
            title: id.into(),
            body_html: String::new(),
            kind,
        }
    }

    fn outcome() -> StepKind {
        StepKind::Outcome(Outcome {
            text_html: String::new(),
            links: Vec::new(),
        })
    }

    fn wizard() -> Wizard {
        wizard_falling_back_to(Fallback::Search)
    }

    fn wizard_falling_back_to(fallback: Fallback) -> Wizard {
        let input = Input {
            label: "错误码".into(),
            placeholder: String::new(),
            routes: vec![
                Route {
                    matcher: Matcher::Pattern(Regex::new(r"^(error)?19$|error19(\D|$)").unwrap()),
                    next: "e19".into(),
                },
                Route {
                    matcher: Matcher::Contains(vec!["N22106".into()]),
                    next: "n22106".into(),
                },
                Route {
                    matcher: Matcher::Range(500, 599),
                    next: "server".into(),
                },
                Route {
                    matcher: Matcher::Equals(vec!["JSON parse data error".into()]),
                    next: "e14".into(),
                },
            ],
            fallback,
        };
        Wizard::new(
            "w".into(),
            "W".into(),
            String::new(),
            String::new(),
            "start".into(),
            vec![
                step(
                    "start",
                    StepKind::Choices(vec![
                        Choice {
                            value: "code".into(),
                            label: "有错误码".into(),
                            next: "code".into(),
                        },
                        Choice {
                            value: "none".into(),
                            label: "没有".into(),
                            next: "server".into(),
                        },
                    ]),
                ),
                step("code", StepKind::Input(input)),
                step("e19", outcome()),
                step("e14", outcome()),
                step("n22106", outcome()),
                step("server", outcome()),
            ],
        )
    }

    fn ends_at(w: &Wizard, answers: &[&str]) -> String {
        let answers: Vec<String> = answers.iter().map(|s| s.to_string()).collect();
        match w.replay(&answers).unwrap().at {
            Position::Step(s) => s.id.clone(),
            Position::Search(q) => format!("search:{q}"),
        }
    }

    #[test]
    fn choices_route_by_value() {
        let w = wizard();
        assert_eq!(ends_at(&w, &[]), "start");
        assert_eq!(ends_at(&w, &["code"]), "code");
        assert_eq!(ends_at(&w, &["none"]), "server");
    }

    #[test]
    fn typed_codes_route_however_they_are_written() {
        let w = wizard();
        for typed in [
            "19",
            "error 19",
            "\"error\":19",
            "ERROR：19",
            "ｅｒｒｏｒ １９",
            "{\"error\":19, \"status\":500}",
        ] {
            assert_eq!(ends_at(&w, &["code", typed]), "e19", "{typed}");
        }
        for typed in ["N22106", "n22106", "code: N22106 表示"] {
            assert_eq!(ends_at(&w, &["code", typed]), "n22106", "{typed}");
        }
        assert_eq!(ends_at(&w, &["code", "HTTP 502"]), "server");
        assert_eq!(ends_at(&w, &["code", "json PARSE data-error"]), "e14");
        assert_eq!(
            ends_at(&w, &["code", "119"]),
            "search:119",
            "19 inside another number is not 19"
        );
        assert_eq!(ends_at(&w, &["code", "  奇怪的报错 "]), "search:奇怪的报错");
    }

    #[test]
    fn bad_paths_say_which_answer_is_wrong() {
        let w = wizard();
        let err = |a: &[&str]| {
            w.replay(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                .unwrap_err()
        };
        assert_eq!(
            err(&["maybe"]),
            PathError::UnknownChoice {
                position: 1,
                answer: "maybe".into()
            }
        );
        assert_eq!(
            err(&["none", "more"]),
            PathError::PastTheEnd { position: 2 }
        );
        assert_eq!(
            err(&["code", "zzz", "more"]),
            PathError::PastTheEnd { position: 3 }
        );
        assert_eq!(
            err(&["code", &"长".repeat(MAX_ANSWER_CHARS + 1)]),
            PathError::AnswerTooLong { position: 2 }
        );
        let many = vec!["code"; MAX_ANSWERS + 1];
        assert_eq!(err(&many), PathError::TooManyAnswers);
    }

    #[test]
    fn the_trail_shows_choice_labels_and_typed_text() {
        let w = wizard();
        let walk = w
            .replay(&["code".to_string(), "error 19".to_string()])
            .unwrap();
        let shown: Vec<&str> = walk
            .trail
            .iter()
            .map(|(_, _, shown)| shown.as_str())
            .collect();
        assert_eq!(shown, ["有错误码", "error 19"]);
    }

    #[test]
    fn a_typed_answer_no_route_takes_is_said_unrecognised_where_it_falls_back_to_a_step() {
        let w = wizard_falling_back_to(Fallback::Step("server".into()));
        let walk = |a: &[&str]| {
            w.replay(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                .unwrap()
        };
        let odd = walk(&["code", " 奇怪的报错 "]);
        assert!(matches!(odd.at, Position::Step(s) if s.id == "server"));
        assert_eq!(odd.unrecognised.as_deref(), Some("奇怪的报错"));
        // A route taken, a blank answer (a skip) and a choice are not.
        assert_eq!(walk(&["code", "error 19"]).unrecognised, None);
        assert_eq!(walk(&["code", "  "]).unrecognised, None);
        assert_eq!(walk(&["none"]).unrecognised, None);
    }
}
