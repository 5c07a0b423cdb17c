//! Matching a whole message (a ticket, a chat) to the entries that answer it. The message is
//! read with the search's own analysis and synonyms, to its end; what long text needs on top is
//! a weight per word by what it is: error codes, status codes and API names weigh most, words
//! inside quotes (a pasted message) more, other words by their rarity, and generic words and
//! pleasantries (你好, 麻烦, 失败, 小程序: `generic` in `synonyms.toml`) nothing.

use std::collections::HashMap;

use tantivy::DocAddress;
use tantivy::collector::TopDocs;

use super::SearchIndex;
use super::analysis;
use super::held::groups_held;
use super::plan::Plan;
use crate::content::{Entry, Library};

/// Longest message read whole, in characters: a ticket thread with its replies and logs.
/// Of a longer one the start and the end are read (see [`Message::read`]).
pub const MAX_MESSAGE_CHARS: usize = 20_000;
/// The heaviest words of a message that are searched for.
const MAX_WORDS: usize = 48;
/// Candidates looked at for the few matches returned.
const CANDIDATES: usize = 30;
/// Weight of an error or status code against an ordinary word.
const CODE_WEIGHT: f32 = 5.0;
/// Weight of an API name (`my.request` names most entries, so less than a code).
const API_WEIGHT: f32 = 2.0;
/// Weight of a word inside quotes (a message pasted as it was shown).
const QUOTED_WEIGHT: f32 = 1.5;
/// A match scoring under this share of the best one is not offered.
const MIN_SHARE: f32 = 0.3;
/// Words of the message listed as why an entry matched.
const WHY_WORDS: usize = 6;
/// A section is linked to when it holds this share of what matched in its entry.
const SECTION_SHARE: f32 = 0.6;
/// Words after which a number is a code: `"error": 19`, `status 500`, 错误码 14.
const CODE_WORDS: &[&str] = &[
    "error",
    "errorcode",
    "code",
    "status",
    "statuscode",
    "http",
    "错误码",
    "状态码",
    "错误",
    "报错",
    "返回码",
    "结果码",
];

/// A message as it is matched: whole, or its start and end when it is longer than
/// [`MAX_MESSAGE_CHARS`] (a thread's first message names the problem; logs and codes are often
/// pasted last). Never cut without saying so: `received_chars` and `kept_chars` tell.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub text: String,
    pub received_chars: usize,
    pub kept_chars: usize,
}

impl Message {
    pub fn read(text: String) -> Message {
        // A form sends each line break as CRLF; counted as one, as the reader sees it.
        let text = if text.contains("\r\n") {
            text.replace("\r\n", "\n")
        } else {
            text
        };
        let received_chars = text.chars().count();
        if received_chars <= MAX_MESSAGE_CHARS {
            return Message {
                text,
                received_chars,
                kept_chars: received_chars,
            };
        }
        let half = MAX_MESSAGE_CHARS / 2;
        let start: String = text.chars().take(half).collect();
        let end: String = text.chars().skip(received_chars - half).collect();
        Message {
            text: format!("{start}\n…\n{end}"),
            received_chars,
            kept_chars: MAX_MESSAGE_CHARS,
        }
    }

    /// Whether part of the middle was left out.
    pub fn is_cut(&self) -> bool {
        self.kept_chars < self.received_chars
    }
}

/// An entry that answers a message.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub id: String,
    pub score: f32,
    /// The codes and words of the message that it holds, heaviest first.
    pub why: Vec<String>,
    /// The heading whose section holds most of what matched, when one does.
    pub anchor: Option<String>,
    /// Whether what it holds says it is about the message (see [`enough_evidence`]), not
    /// only near it: what a suggestion nobody asked for needs.
    pub answers: bool,
}

/// A word of the message worth searching for.
struct Word {
    /// Its group in the plan.
    group: usize,
    /// How much it says: rarity times what kind of word it is.
    weight: f32,
    /// Its kind alone (code, quoted, plain), given to the query as a boost: BM25 already
    /// weighs by rarity.
    boost: f32,
}

impl SearchIndex {
    /// The entries that best answer a whole message, best first, at most `limit`. Read whole up
    /// to [`MAX_MESSAGE_CHARS`] (callers pass a [`Message::read`] text).
    pub fn match_message(&self, library: &Library, message: &str, limit: usize) -> Vec<Match> {
        let mut plan = Plan::for_text(
            message,
            &self.synonyms,
            self.settings,
            MAX_MESSAGE_CHARS + 3,
        );
        let searcher = self.reader.searcher();
        let words = self.weigh(&searcher, &plan);
        if words.is_empty() {
            return Vec::new();
        }
        let content_words = content_words(&plan);
        for word in &words {
            plan.keep_held(word.group, |token| self.term_exists(&searcher, token));
        }
        let boosts: Vec<(usize, f32)> = words.iter().map(|w| (w.group, w.boost)).collect();
        let query = plan.weighted_query(&boosts, &self.fields);
        let Ok(candidates) =
            searcher.search(&*query, &TopDocs::with_limit(CANDIDATES).order_by_score())
        else {
            return Vec::new();
        };
        // BM25 with the words' kinds as boosts ranks best on the ticket suite: it also weighs
        // where a word is (title, tags, body), which a plain sum of the words held does not.
        let best = candidates.first().map_or(0.0, |(score, _)| *score);
        let candidates: Vec<(f32, DocAddress)> = candidates
            .into_iter()
            .filter(|(score, _)| *score >= best * MIN_SHARE)
            .take(limit)
            .collect();
        let groups: Vec<usize> = words.iter().map(|w| w.group).collect();
        let held = groups_held(&searcher, &plan, &self.fields, &groups, &candidates);
        let mut matches = Vec::new();
        for (c, &(score, address)) in candidates.iter().enumerate() {
            let Some(entry) = self
                .stored_id(&searcher, address)
                .and_then(|id| library.entry(&id))
            else {
                continue;
            };
            let matched: Vec<&Word> = words
                .iter()
                .zip(&held)
                .filter(|(_, held)| held[c])
                .map(|(w, _)| w)
                .collect();
            matches.push(Match {
                id: entry.id.clone(),
                score,
                answers: enough_evidence(&matched, content_words),
                why: why(&plan, &matched),
                anchor: best_section(&plan, entry, &matched, self.settings.mode),
            });
        }
        matches
    }

    /// The words worth searching for, heaviest first: not generic, in some entry, at most
    /// [`MAX_WORDS`] of them, each once.
    fn weigh(&self, searcher: &tantivy::Searcher, plan: &Plan) -> Vec<Word> {
        let quotes = quoted_ranges(&plan.text);
        let mut by_words: HashMap<&[String], Word> = HashMap::new();
        let mut idfs: HashMap<&[String], Option<f32>> = HashMap::new();
        let mut previous = "";
        for (i, group) in plan.groups.iter().enumerate() {
            let label = group.label.as_str();
            let after = std::mem::replace(&mut previous, label);
            if group.generic {
                continue;
            }
            let Some(key) = plan.group_words(i).next() else {
                continue;
            };
            // A word no entry holds cannot find anything. (Read once per word: a ticket
            // repeats its words.)
            let idf = *idfs
                .entry(key)
                .or_insert_with(|| self.group_idf(searcher, plan, i));
            let Some(idf) = idf else {
                continue;
            };
            let kind = if is_code(label, after) {
                CODE_WEIGHT
            } else if is_api(label) {
                API_WEIGHT
            } else if quotes.iter().any(|r| r.contains(&group.span.0)) {
                QUOTED_WEIGHT
            } else {
                1.0
            };
            let word = by_words.entry(key).or_insert(Word {
                group: i,
                weight: 0.0,
                boost: 0.0,
            });
            if idf * kind > word.weight {
                *word = Word {
                    group: i,
                    weight: idf * kind,
                    boost: kind,
                };
            }
        }
        let mut words: Vec<Word> = by_words.into_values().collect();
        words.sort_by(|a, b| b.weight.total_cmp(&a.weight).then(a.group.cmp(&b.group)));
        words.truncate(MAX_WORDS);
        words
    }
}

/// Whether what an entry holds of a message says it is about the message: a code, an API
/// name or a quoted phrase, or two of the message's words, or the one word a message has. One
/// plain word shared with a message about other things (订单没发货，请尽快处理) is chance.
fn enough_evidence(matched: &[&Word], content_words: usize) -> bool {
    let strong = matched.iter().any(|w| w.boost > 1.0);
    strong || matched.len() >= 2 || (content_words <= 1 && matched.len() == 1)
}

/// How many different words of the message are not generic, whether or not an entry holds them.
fn content_words(plan: &Plan) -> usize {
    let mut seen: Vec<&[String]> = Vec::new();
    for (i, group) in plan.groups.iter().enumerate() {
        if group.generic {
            continue;
        }
        if let Some(words) = plan.group_words(i).next()
            && !seen.contains(&words)
        {
            seen.push(words);
        }
    }
    seen.len()
}

/// The words that matched as the message wrote them, heaviest first, each once.
fn why(plan: &Plan, matched: &[&Word]) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for word in matched {
        let label = plan.groups[word.group].label.trim().to_string();
        if !seen.iter().any(|s| s.eq_ignore_ascii_case(&label)) {
            seen.push(label);
        }
        if seen.len() == WHY_WORDS {
            break;
        }
    }
    seen
}

/// The anchor of the heading whose section holds most of the matched weight, when it holds at
/// least [`SECTION_SHARE`] of it: the link then goes straight to the part that answers.
fn best_section(
    plan: &Plan,
    entry: &Entry,
    matched: &[&Word],
    mode: analysis::Mode,
) -> Option<String> {
    if entry.headings.is_empty() || matched.is_empty() {
        return None;
    }
    let text = entry.text();
    let mut sections: Vec<(Option<&str>, String)> = vec![(None, String::new())];
    for line in text.lines() {
        match entry.headings.iter().find(|h| h.text.trim() == line.trim()) {
            Some(heading) => sections.push((Some(heading.anchor.as_str()), String::new())),
            None => {
                if let Some((_, body)) = sections.last_mut() {
                    body.push_str(line);
                    body.push('\n');
                }
            }
        }
    }
    let total: f32 = matched.iter().map(|w| w.weight).sum();
    let mut best: Option<(&str, f32)> = None;
    for (anchor, body) in &sections {
        let Some(anchor) = anchor else { continue };
        let tokens: std::collections::HashSet<String> = analysis::analyze(body, mode)
            .into_iter()
            .map(|t| t.text)
            .collect();
        let weight: f32 = matched
            .iter()
            .filter(|w| {
                plan.group_words(w.group)
                    .any(|words| words.iter().all(|t| tokens.contains(t)))
            })
            .map(|w| w.weight)
            .sum();
        if best.is_none_or(|(_, most)| weight > most) {
            best = Some((anchor, weight));
        }
    }
    best.filter(|(_, weight)| *weight >= total * SECTION_SHARE)
        .map(|(anchor, _)| anchor.to_string())
}

/// An API name: `my.request`, `RequestTask.abort`, `getAuthCode`.
fn is_api(label: &str) -> bool {
    let chars: Vec<char> = label.chars().collect();
    chars
        .windows(3)
        .any(|w| w[0].is_ascii_alphabetic() && w[1] == '.' && w[2].is_ascii_alphabetic())
        || chars
            .windows(2)
            .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
}

/// An error or status code: letters with digits (`N22106`), a number of three digits or more
/// (`404`, `22106`), or any number right after a word such as `error` or 状态码.
fn is_code(label: &str, previous: &str) -> bool {
    let digits = label.chars().filter(char::is_ascii_digit).count();
    if digits == 0 {
        return false;
    }
    let letters = label.chars().filter(char::is_ascii_alphabetic).count();
    letters > 0
        || digits >= 3
        || CODE_WORDS
            .iter()
            .any(|w| previous.trim().eq_ignore_ascii_case(w))
}

/// Byte ranges of the message inside double quotes (ASCII, Chinese or corner quotes).
fn quoted_ranges(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    let mut open: Option<(usize, char)> = None;
    for (i, c) in text.char_indices() {
        match (open, c) {
            (None, '"' | '“' | '「') => open = Some((i + c.len_utf8(), c)),
            (Some((start, '"')), '"') | (Some((start, '“')), '”') | (Some((start, '「')), '」') =>
            {
                ranges.push(start..i);
                open = None;
            }
            _ => {}
        }
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_message_keeps_its_start_and_end() {
        let whole = Message::read("码".repeat(MAX_MESSAGE_CHARS));
        assert!(!whole.is_cut());
        assert_eq!(Message::read("一\r\n二\n".into()).received_chars, 4);
        assert_eq!(whole.kept_chars, MAX_MESSAGE_CHARS);

        let long = format!("开头{}{{\"error\":19}}", "中".repeat(MAX_MESSAGE_CHARS));
        let read = Message::read(long.clone());
        assert!(read.is_cut());
        assert_eq!(read.received_chars, long.chars().count());
        assert_eq!(read.kept_chars, MAX_MESSAGE_CHARS);
        assert!(read.text.starts_with("开头中"));
        assert!(read.text.ends_with("中{\"error\":19}"));
        assert!(read.text.contains("\n…\n"));
    }

    #[test]
    fn codes_and_api_names_are_told_apart_from_numbers() {
        assert!(is_code("N22106", ""));
        assert!(is_code("22106", ""));
        assert!(is_code("404", ""));
        assert!(is_code("19", "error"));
        assert!(is_code("14", "错误码"));
        assert!(!is_code("10", "同时发了"));
        assert!(!is_code("超时", "error"));
        assert!(is_api("my.request"));
        assert!(is_api("RequestTask.abort"));
        assert!(is_api("getAuthCode"));
        assert!(!is_api("request"));
        assert!(!is_api("3.5"));
    }

    #[test]
    fn quotes_of_every_kind_are_found() {
        let text = r#"报错 "JSON parse data error"，提示“无效的域名”和「超时」"#;
        let quoted: Vec<&str> = quoted_ranges(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(quoted, ["JSON parse data error", "无效的域名", "超时"]);
    }
}
