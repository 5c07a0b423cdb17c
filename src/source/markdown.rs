//! Markdown → sanitised HTML, plain text and headings, done once per entry at load time.

use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};
use serde::Serialize;

use crate::locale::Language;

/// A heading of an entry, with the anchor that `/kb/<id>#<anchor>` links to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heading {
    pub anchor: String,
    pub text: String,
    pub level: u8,
}

/// A link to another page of the site found in the body, kept to check it at load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InternalLink {
    pub target: String,
    /// 1-based line within the Markdown source given to [`render`].
    pub line: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    /// The words a reader sees, without markup or image alt text; blocks are separated by newlines.
    pub text: String,
    pub headings: Vec<Heading>,
    pub internal_links: Vec<InternalLink>,
}

const OPTIONS: Options = Options::ENABLE_TABLES
    .union(Options::ENABLE_STRIKETHROUGH)
    .union(Options::ENABLE_TASKLISTS)
    .union(Options::ENABLE_FOOTNOTES)
    .union(Options::ENABLE_HEADING_ATTRIBUTES);

/// Renders an entry body. Raw HTML in the source is sanitised; external links get
/// `rel="noopener noreferrer"`; images written `![alt|WxH](url)` get their size and lazy loading.
/// What it adds for the reader (the label of a heading's link, an image's missing alt text)
/// is in `lang`, the language the body is written in.
pub fn render(source: &str, lang: &Language) -> Rendered {
    let section_link = escape_html(&lang.t.entry.section_link);
    let image_alt = lang.t.entry.image_alt.as_str();
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(source.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |offset: usize| line_starts.partition_point(|&start| start <= offset);

    let mut out = Rendered::default();
    let mut events: Vec<Event> = Vec::new();
    let mut used_anchors = HashSet::new();
    // Open heading: its level, explicit id and the index in `events` where its content starts.
    let mut heading: Option<(HeadingLevel, Option<String>, usize)> = None;
    // Open image: destination, title and alt text gathered so far.
    let mut image: Option<(String, String, String)> = None;

    for (event, range) in Parser::new_ext(source, OPTIONS).into_offset_iter() {
        if let Some((_, _, alt)) = image.as_mut() {
            match event {
                Event::End(TagEnd::Image) => {
                    let (dest, title, alt) = image.take().unwrap_or_default();
                    let html = image_html(&dest, &title, &alt, image_alt);
                    events.push(Event::Html(html.into()));
                }
                Event::Text(t) | Event::Code(t) => alt.push_str(&t),
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                heading = Some((level, id.map(|id| id.to_string()), events.len()));
            }
            Event::End(TagEnd::Heading(_)) => {
                let Some((level, explicit_id, start)) = heading.take() else {
                    continue;
                };
                let inner: Vec<Event> = events.drain(start..).collect();
                let text = plain_text_of(&inner);
                let anchor = unique_anchor(
                    explicit_id.unwrap_or_else(|| slugify(&text)),
                    &mut used_anchors,
                );
                let n = level as u8;
                events.push(Event::Html(format!("<h{n} id=\"{anchor}\">").into()));
                events.extend(inner);
                events.push(Event::Html(
                    format!(
                        "<a class=\"anchor\" href=\"#{anchor}\" aria-label=\"{section_link}\">#</a></h{n}>\n"
                    )
                    .into(),
                ));
                push_block_text(&mut out.text, &text);
                out.headings.push(Heading {
                    anchor,
                    text,
                    level: n,
                });
            }
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) => {
                image = Some((dest_url.to_string(), title.to_string(), String::new()));
            }
            Event::Start(Tag::Link {
                dest_url, title, ..
            }) => {
                if is_external(&dest_url) {
                    let title_attr = if title.is_empty() {
                        String::new()
                    } else {
                        format!(" title=\"{}\"", escape_html(&title))
                    };
                    events.push(Event::Html(
                        format!(
                            "<a href=\"{}\" rel=\"noopener noreferrer\"{title_attr}>",
                            escape_html(&dest_url)
                        )
                        .into(),
                    ));
                } else {
                    if dest_url.starts_with('/') {
                        out.internal_links.push(InternalLink {
                            target: dest_url.to_string(),
                            line: line_of(range.start),
                        });
                    }
                    events.push(Event::Start(Tag::Link {
                        link_type: pulldown_cmark::LinkType::Inline,
                        dest_url,
                        title,
                        id: CowStr::Borrowed(""),
                    }));
                }
            }
            other => {
                if heading.is_none() {
                    collect_text(&other, &mut out.text);
                }
                events.push(other);
            }
        }
    }

    let mut raw = String::with_capacity(source.len() * 2);
    html::push_html(&mut raw, events.into_iter());
    // A strict Content-Security-Policy refuses style attributes: align table cells by class.
    for align in ["left", "center", "right"] {
        if !raw.contains("text-align") {
            break;
        }
        raw = raw.replace(
            &format!(" style=\"text-align: {align}\""),
            &format!(" class=\"align-{align}\""),
        );
    }
    out.html = SANITIZER.clean(&raw).to_string();
    out.text = tidy_text(&out.text);
    out
}

/// A readable, stable anchor: lowercase letters and digits of any script, words joined by `-`.
/// `请配置安全域名` stays `请配置安全域名`; `Error 19: 处理` becomes `error-19-处理`.
pub fn slugify(text: &str) -> String {
    let mut slug = String::new();
    let mut pending_dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            slug.extend(c.to_lowercase());
        } else if c.is_whitespace() || matches!(c, '-' | '_' | '.' | '/') {
            pending_dash = true;
        }
    }
    if slug.is_empty() {
        "section".to_string()
    } else {
        slug
    }
}

fn unique_anchor(base: String, used: &mut HashSet<String>) -> String {
    let mut anchor = base.clone();
    let mut n = 1;
    while !used.insert(anchor.clone()) {
        anchor = format!("{base}-{n}");
        n += 1;
    }
    anchor
}

fn is_external(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("//")
}

/// `![说明文字|723x75](url)`: the part after the last `|` is the display size when it reads `WxH`.
/// Without alt text, `no_alt` says what it is.
fn image_html(dest: &str, title: &str, alt: &str, no_alt: &str) -> String {
    let (alt, size) = match alt.rsplit_once('|') {
        Some((text, size)) => match size.split_once('x') {
            Some((w, h)) if w.parse::<u32>().is_ok() && h.parse::<u32>().is_ok() => {
                (text.trim(), Some((w.to_string(), h.to_string())))
            }
            _ => (alt, None),
        },
        None => (alt, None),
    };
    let alt = if alt.is_empty() { no_alt } else { alt };
    let mut tag = format!(
        "<img src=\"{}\" alt=\"{}\" loading=\"lazy\" decoding=\"async\"",
        escape_html(dest),
        escape_html(alt)
    );
    if let Some((w, h)) = size {
        tag.push_str(&format!(" width=\"{w}\" height=\"{h}\""));
    }
    if !title.is_empty() {
        tag.push_str(&format!(" title=\"{}\"", escape_html(title)));
    }
    tag.push('>');
    tag
}

/// Text as HTML, safe in element text and in quoted attributes (`&`, `<`, `>`, `"`, `'`):
/// the one HTML (and XML) escaper outside the templates: pulldown-cmark's.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    pulldown_cmark_escape::escape_html(&mut out, text).expect("writing to a String cannot fail");
    out
}

fn collect_text(event: &Event, text: &mut String) {
    match event {
        Event::Text(t) | Event::Code(t) => text.push_str(t),
        Event::SoftBreak | Event::HardBreak => text.push(' '),
        Event::End(
            TagEnd::Paragraph
            | TagEnd::Item
            | TagEnd::CodeBlock
            | TagEnd::TableCell
            | TagEnd::TableRow
            | TagEnd::TableHead
            | TagEnd::BlockQuote(_)
            | TagEnd::FootnoteDefinition,
        ) => text.push('\n'),
        _ => {}
    }
}

fn plain_text_of(events: &[Event]) -> String {
    let mut text = String::new();
    for event in events {
        collect_text(event, &mut text);
    }
    text.trim().to_string()
}

fn push_block_text(text: &mut String, block: &str) {
    text.push_str(block);
    text.push('\n');
}

/// One block a line, no blank lines, spaces kept as written inside a line.
fn tidy_text(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.link_rel(None)
        .add_tags(["input"])
        .add_tag_attributes("a", ["rel", "class", "aria-label", "id"])
        .add_tag_attributes("img", ["width", "height", "loading", "decoding"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tag_attributes("div", ["id", "class"])
        .add_tag_attributes("sup", ["id", "class"])
        .add_tag_attributes("li", ["id"])
        .add_tag_attributes("code", ["class"])
        .add_tag_attributes("th", ["class"])
        .add_tag_attributes("td", ["class"]);
    for h in ["h1", "h2", "h3", "h4", "h5", "h6"] {
        b.add_tag_attributes(h, ["id"]);
    }
    b
});

#[cfg(test)]
mod tests {
    use super::*;

    fn zh() -> &'static Language {
        crate::locale::default()
    }

    #[test]
    fn headings_get_readable_unique_anchors() {
        let r = render(
            "## 请配置安全域名\n\ntext\n\n## Error 19: 处理\n\n## 请配置安全域名\n",
            zh(),
        );
        let anchors: Vec<_> = r.headings.iter().map(|h| h.anchor.as_str()).collect();
        assert_eq!(
            anchors,
            ["请配置安全域名", "error-19-处理", "请配置安全域名-1"]
        );
        assert!(r.html.contains("<h2 id=\"error-19-处理\">"), "{}", r.html);
        assert!(r.html.contains("href=\"#请配置安全域名-1\""), "{}", r.html);
    }

    #[test]
    fn explicit_heading_id_wins() {
        let r = render("## 原因 {#cause}\n", zh());
        assert_eq!(r.headings[0].anchor, "cause");
        assert_eq!(r.headings[0].text, "原因");
    }

    #[test]
    fn image_size_and_alt() {
        let r = render(
            "![白名单设置|723x75](https://example.com/a.png)\n\n![|10x20](https://example.com/b.png)",
            zh(),
        );
        assert!(r.html.contains(r#"<img src="https://example.com/a.png" alt="白名单设置" loading="lazy" decoding="async" width="723" height="75">"#), "{}", r.html);
        assert!(r.html.contains(r#"alt="截图""#), "{}", r.html);
        assert!(!r.text.contains("白名单设置"), "alt text is not body text");
    }

    #[test]
    fn what_it_adds_for_the_reader_is_in_the_body_s_language() {
        let source = "## Cause\n\n![](https://example.com/a.png)";
        let r = render(source, zh());
        assert!(r.html.contains(r#"aria-label="本节链接""#), "{}", r.html);
        assert!(r.html.contains(r#"alt="截图""#), "{}", r.html);
        let en = crate::locale::get("en").expect("English");
        let r = render(source, en);
        assert!(
            r.html.contains(r#"aria-label="Link to this section""#),
            "{}",
            r.html
        );
        assert!(r.html.contains(r#"alt="Screenshot""#), "{}", r.html);
    }

    #[test]
    fn external_links_get_rel_and_internal_links_are_recorded() {
        let r = render(
            "see [doc](https://example.com/x) and\n[other](/kb/error-19#why)",
            zh(),
        );
        assert!(
            r.html
                .contains(r#"<a href="https://example.com/x" rel="noopener noreferrer">doc</a>"#),
            "{}",
            r.html
        );
        assert!(
            r.html.contains(r#"<a href="/kb/error-19#why">other</a>"#),
            "{}",
            r.html
        );
        assert_eq!(
            r.internal_links,
            [InternalLink {
                target: "/kb/error-19#why".into(),
                line: 2
            }]
        );
    }

    #[test]
    fn raw_html_is_sanitised() {
        let r = render(
            "hi <script>alert(1)</script><b onclick=\"x()\">bold</b>\n\n<img src=x onerror=alert(1)>",
            zh(),
        );
        assert!(!r.html.contains("<script"), "{}", r.html);
        assert!(!r.html.contains("onclick"), "{}", r.html);
        assert!(!r.html.contains("onerror"), "{}", r.html);
        assert!(r.html.contains("<b>bold</b>"), "{}", r.html);
    }

    #[test]
    fn extensions_render() {
        let r = render(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~\n\n- [x] done\n- [ ] todo\n\nnote[^1]\n\n[^1]: 脚注。\n",
            zh(),
        );
        assert!(r.html.contains("<table>"), "{}", r.html);
        assert!(r.html.contains("<del>old</del>"), "{}", r.html);
        assert!(r.html.contains("checkbox"), "{}", r.html);
        assert!(r.html.contains("footnote"), "{}", r.html);
        assert!(r.text.contains("脚注。"));
    }

    #[test]
    fn table_alignment_uses_classes_not_styles() {
        let r = render("| a | b |\n|:-:|--:|\n| 1 | 2 |\n", zh());
        assert!(
            r.html.contains("<th class=\"align-center\">a</th>"),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("<td class=\"align-right\">2</td>"),
            "{}",
            r.html
        );
        assert!(!r.html.contains("style="));
        let r = render("<p style=\"color:red\">x</p>", zh());
        assert!(!r.html.contains("style="), "{}", r.html);
    }

    #[test]
    fn plain_text_has_one_block_a_line() {
        let r = render("第一段**加粗**。\n\n- 一\n- 二\n", zh());
        assert_eq!(r.text, "第一段加粗。\n一\n二");
    }
}
