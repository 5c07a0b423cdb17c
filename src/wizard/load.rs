//! Loads and validates `content/wizards/<id>.toml` into [`Wizard`]s.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::{
    Choice, Fallback, Input, Matcher, Outcome, OutcomeLink, Route, Step, StepKind, Wizard,
};
use crate::locale::Language;
use crate::source::files::{Root, sources_and_translations};
use crate::source::markdown;
use crate::source::report::{Lines, Report, is_valid_id};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WizardFile {
    title: String,
    #[serde(default)]
    description: String,
    start: Spanned<String>,
    /// Markdown shown when an outcome did not help: who to contact and what to send.
    #[serde(default)]
    contact: String,
    #[serde(default)]
    step: Vec<StepDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepDef {
    id: Spanned<String>,
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    choice: Vec<ChoiceDef>,
    input: Option<InputDef>,
    outcome: Option<OutcomeDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChoiceDef {
    value: Spanned<String>,
    label: String,
    next: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InputDef {
    label: String,
    #[serde(default)]
    placeholder: String,
    #[serde(default)]
    route: Vec<RouteDef>,
    /// A step id, or "search" to search the knowledge base for what was typed.
    fallback: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RouteDef {
    equals: Option<Vec<String>>,
    contains: Option<Vec<String>>,
    pattern: Option<String>,
    range: Option<(i64, i64)>,
    next: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OutcomeDef {
    #[serde(default)]
    text: String,
    #[serde(default)]
    entries: Vec<Spanned<String>>,
}

/// The fallback value that means "search for what was typed".
const SEARCH_FALLBACK: &str = "search";

/// What an outcome may point to: entry ids with the anchors of their headings.
pub(crate) type Anchors<'a> = HashMap<&'a str, Vec<&'a str>>;

pub(crate) fn load_all(
    root: &Root,
    dir: &Path,
    anchors: &Anchors,
    report: &mut Report,
) -> Vec<Wizard> {
    // No wizards directory: no wizards.
    if std::fs::symlink_metadata(dir).is_err() || !root.admits(dir, report) {
        return Vec::new();
    }
    let paths = match sources_and_translations(dir, "toml") {
        Ok((sources, _)) => sources,
        Err(e) => {
            report.error(dir, 0, format!("cannot read wizard directory: {e}"));
            return Vec::new();
        }
    };
    paths
        .iter()
        .filter_map(|path| load_one(root, path, anchors, report))
        .collect()
}

fn load_one(root: &Root, path: &Path, anchors: &Anchors, report: &mut Report) -> Option<Wizard> {
    let id = path.file_stem()?.to_string_lossy().to_string();
    if !is_valid_id(&id) {
        report.error(
            path,
            1,
            format!(
                "wizard id \"{id}\" (the file name) must be lowercase ASCII letters, digits and '-'"
            ),
        );
        return None;
    }
    let text = root.read(path, "wizard", report)?;
    parse(&id, path, &text, crate::locale::default(), anchors, report)
}

/// The wizard `id` written as `text` (read from `path`) in `lang`, checked whole: its steps,
/// routes, outcomes and the entries and anchors they name.
pub(crate) fn parse(
    id: &str,
    path: &Path,
    text: &str,
    lang: &Language,
    anchors: &Anchors,
    report: &mut Report,
) -> Option<Wizard> {
    let id = id.to_string();
    let file: WizardFile = report.toml(path, text, 1)?;
    let errors_before = report.errors.len();
    let lines = Lines::new(text, 1);
    let line = |offset: usize| lines.at(offset);

    // Step ids first, so references can be checked in one pass.
    let mut step_lines: HashMap<String, usize> = HashMap::new();
    for def in &file.step {
        let l = line(def.id.span().start);
        let sid = def.id.get_ref();
        if !is_valid_id(sid) {
            report.error(
                path,
                l,
                format!("step id \"{sid}\" must be lowercase ASCII letters, digits and '-'"),
            );
        }
        if let Some(first) = step_lines.insert(sid.clone(), l) {
            report.error(
                path,
                l,
                format!("duplicate step id \"{sid}\" (first at line {first})"),
            );
            step_lines.insert(sid.clone(), first);
        }
    }
    let check_target = |target: &Spanned<String>, report: &mut Report| {
        if !step_lines.contains_key(target.get_ref()) {
            report.error(
                path,
                line(target.span().start),
                format!("unknown step \"{}\"", target.get_ref()),
            );
        }
    };
    check_target(&file.start, report);

    let mut steps = Vec::new();
    for def in file.step {
        let step_line = line(def.id.span().start);
        let kinds = usize::from(!def.choice.is_empty())
            + usize::from(def.input.is_some())
            + usize::from(def.outcome.is_some());
        if kinds != 1 {
            report.error(
                path,
                step_line,
                format!("step \"{}\" must have exactly one of [[step.choice]], [step.input] or [step.outcome]", def.id.get_ref()),
            );
            continue;
        }
        let kind = if let Some(input) = def.input {
            let mut routes = Vec::new();
            for route in input.route {
                let route_line = line(route.next.span().start);
                check_target(&route.next, report);
                let matchers = [
                    route.equals.is_some(),
                    route.contains.is_some(),
                    route.pattern.is_some(),
                    route.range.is_some(),
                ];
                if matchers.iter().filter(|m| **m).count() != 1 {
                    report.error(
                        path,
                        route_line,
                        "a route needs exactly one of equals, contains, pattern or range",
                    );
                    continue;
                }
                let matcher = if let Some(values) = route.equals {
                    Matcher::Equals(values)
                } else if let Some(values) = route.contains {
                    Matcher::Contains(values)
                } else if let Some((low, high)) = route.range {
                    if low > high {
                        report.error(path, route_line, format!("range [{low}, {high}] is empty"));
                    }
                    Matcher::Range(low, high)
                } else {
                    let pattern = route.pattern.unwrap_or_default();
                    match regex::Regex::new(&pattern) {
                        Ok(re) => Matcher::Pattern(re),
                        Err(e) => {
                            let first =
                                e.to_string().lines().last().unwrap_or_default().to_string();
                            report.error(path, route_line, format!("invalid pattern: {first}"));
                            continue;
                        }
                    }
                };
                routes.push(Route {
                    matcher,
                    next: route.next.into_inner(),
                });
            }
            let fallback = if input.fallback.get_ref() == SEARCH_FALLBACK {
                Fallback::Search
            } else {
                check_target(&input.fallback, report);
                Fallback::Step(input.fallback.into_inner())
            };
            StepKind::Input(Input {
                label: input.label,
                placeholder: input.placeholder,
                routes,
                fallback,
            })
        } else if let Some(outcome) = def.outcome {
            let mut links = Vec::new();
            for target in outcome.entries {
                let l = line(target.span().start);
                let (entry, anchor) = match target.get_ref().split_once('#') {
                    Some((e, a)) => (e.to_string(), Some(a.to_string())),
                    None => (target.get_ref().clone(), None),
                };
                match (anchors.get(entry.as_str()), &anchor) {
                    (None, _) => report.error(
                        path,
                        l,
                        format!("outcome points to unknown entry \"{entry}\""),
                    ),
                    (Some(known), Some(a)) if !known.contains(&a.as_str()) => {
                        report.error(path, l, format!("entry \"{entry}\" has no heading #{a}"))
                    }
                    _ => {}
                }
                links.push(OutcomeLink { entry, anchor });
            }
            if links.is_empty() && outcome.text.trim().is_empty() {
                report.error(
                    path,
                    step_line,
                    format!(
                        "outcome \"{}\" has neither text nor entries",
                        def.id.get_ref()
                    ),
                );
            }
            StepKind::Outcome(Outcome {
                text_html: markdown::render(&outcome.text, lang).html,
                links,
            })
        } else {
            let mut values = HashSet::new();
            let mut choices = Vec::new();
            for choice in def.choice {
                let l = line(choice.value.span().start);
                check_target(&choice.next, report);
                let value = choice.value.into_inner();
                if !is_valid_id(&value) {
                    report.error(path, l, format!("choice value \"{value}\" must be lowercase ASCII letters, digits and '-'"));
                }
                if !values.insert(value.clone()) {
                    report.error(
                        path,
                        l,
                        format!(
                            "duplicate choice value \"{value}\" in step \"{}\"",
                            def.id.get_ref()
                        ),
                    );
                }
                if choice.label.trim().is_empty() {
                    report.error(path, l, "choice label is empty");
                }
                choices.push(Choice {
                    value,
                    label: choice.label,
                    next: choice.next.into_inner(),
                });
            }
            StepKind::Choices(choices)
        };
        steps.push(Step {
            id: def.id.into_inner(),
            title: def.title,
            body_html: markdown::render(&def.body, lang).html,
            kind,
        });
    }

    if report.errors.len() == errors_before {
        check_paths(path, &file.start, &steps, &step_lines, report);
    }
    if report.errors.len() > errors_before {
        return None;
    }
    Some(Wizard::new(
        id,
        file.title,
        file.description,
        markdown::render(&file.contact, lang).html,
        file.start.into_inner(),
        steps,
    ))
}

/// Every step is reached from the start, and from every step some end (an outcome, or a
/// search fallback) can be reached: no dead ends, no loops without a way out. Two walks over
/// the steps, forward from the start and backward from the ends, so linear in their number.
fn check_paths(
    path: &Path,
    start: &Spanned<String>,
    steps: &[Step],
    lines: &HashMap<String, usize>,
    report: &mut Report,
) {
    let by_id: HashMap<&str, &Step> = steps.iter().map(|s| (s.id.as_str(), s)).collect();

    let mut reached: HashSet<&str> = HashSet::new();
    let mut queue = VecDeque::from([start.get_ref().as_str()]);
    while let Some(id) = queue.pop_front() {
        if reached.insert(id)
            && let Some(step) = by_id.get(id)
        {
            queue.extend(next_steps(step));
        }
    }
    // Steps that can end: outcomes and search fallbacks, then, walking the links backwards,
    // whatever leads to one.
    let mut steps_leading_to: HashMap<&str, Vec<&str>> = HashMap::new();
    for step in steps {
        for next in next_steps(step) {
            steps_leading_to
                .entry(next)
                .or_default()
                .push(step.id.as_str());
        }
    }
    let mut ends: HashSet<&str> = HashSet::new();
    let mut queue: VecDeque<&str> = steps
        .iter()
        .filter(|s| {
            matches!(&s.kind, StepKind::Outcome(_))
                || matches!(&s.kind, StepKind::Input(i) if i.fallback == Fallback::Search)
        })
        .map(|s| s.id.as_str())
        .collect();
    while let Some(id) = queue.pop_front() {
        if ends.insert(id)
            && let Some(before) = steps_leading_to.get(id)
        {
            queue.extend(before);
        }
    }
    for step in steps {
        let line = lines.get(&step.id).copied().unwrap_or(1);
        if !reached.contains(step.id.as_str()) {
            report.error(
                path,
                line,
                format!("step \"{}\" is never reached from the start step", step.id),
            );
        } else if !ends.contains(step.id.as_str()) {
            report.error(
                path,
                line,
                format!(
                    "step \"{}\" never leads to an outcome (a dead end or a loop with no way out)",
                    step.id
                ),
            );
        }
    }
}

/// The steps a step's answers lead to.
fn next_steps(step: &Step) -> Vec<&str> {
    match &step.kind {
        StepKind::Choices(choices) => choices.iter().map(|c| c.next.as_str()).collect(),
        StepKind::Input(input) => {
            let mut next: Vec<&str> = input.routes.iter().map(|r| r.next.as_str()).collect();
            if let Fallback::Step(id) = &input.fallback {
                next.push(id);
            }
            next
        }
        StepKind::Outcome(_) => Vec::new(),
    }
}
