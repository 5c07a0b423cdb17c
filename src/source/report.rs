//! Problems found in content files, reported as `path:line: message` so an author can fix
//! each from its line alone, and what reading a file leaves for the content's fingerprint.

use std::fmt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// One problem found in the content, reported so an author can fix it from the message alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentError {
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ContentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path.display(), self.line, self.message)
    }
}

/// Every problem found in one load, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentErrors(pub Vec<ContentError>);

impl fmt::Display for ContentErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ContentErrors {}

/// What a load observed: errors with their file, so each check reads as one line, and a
/// digest of every file read, for the content's fingerprint.
#[derive(Default)]
pub(crate) struct Report {
    pub(crate) errors: Vec<ContentError>,
    /// What serves but needs an author's eye (a translation older than its source).
    pub(crate) warnings: Vec<ContentError>,
    pub(crate) digests: Vec<(PathBuf, [u8; 32])>,
}

impl Report {
    pub(crate) fn error(&mut self, path: &Path, line: usize, message: impl Into<String>) {
        self.errors.push(ContentError {
            path: path.to_path_buf(),
            line,
            message: message.into(),
        });
    }

    pub(crate) fn warn(&mut self, path: &Path, line: usize, message: impl Into<String>) {
        self.warnings.push(ContentError {
            path: path.to_path_buf(),
            line,
            message: message.into(),
        });
    }

    /// Records a file read, for the fingerprint.
    pub(crate) fn digest(&mut self, path: &Path, bytes: &[u8]) {
        self.digests
            .push((path.to_path_buf(), Sha256::digest(bytes).into()));
    }
}

/// Lowercase ASCII letters, digits and '-': what ids, aliases and slugs may hold.
pub(crate) fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Line numbers of byte offsets in one text: its newlines are found once, then each number is
/// a binary search. Counting from the top for every key made a file's check quadratic (a
/// wizard of 10,000 steps took minutes).
pub(crate) struct Lines {
    /// The byte offset of every '\n', in order.
    newlines: Vec<usize>,
    first_line: usize,
}

impl Lines {
    /// `text` starts at line `first_line` of its file.
    pub(crate) fn new(text: &str, first_line: usize) -> Lines {
        Lines {
            newlines: text.match_indices('\n').map(|(i, _)| i).collect(),
            first_line,
        }
    }

    /// The 1-based line of a byte offset.
    pub(crate) fn at(&self, offset: usize) -> usize {
        self.first_line + self.newlines.partition_point(|&i| i < offset)
    }
}

impl Report {
    /// `text` (which starts at line `first_line` of `path`) parsed as TOML, or `None` with the
    /// parser's message reported at the line it points to.
    pub(crate) fn toml<T: serde::de::DeserializeOwned>(
        &mut self,
        path: &Path,
        text: &str,
        first_line: usize,
    ) -> Option<T> {
        match toml::from_str(text) {
            Ok(value) => Some(value),
            Err(e) => {
                let line = match e.span() {
                    Some(span) => Lines::new(text, first_line).at(span.start),
                    None => first_line,
                };
                self.error(path, line, e.message().trim());
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_number_offsets_as_counting_newlines_from_the_top_does() {
        let text = "a\nbb\n\nccc\nd";
        let lines = Lines::new(text, 2);
        for offset in 0..text.len() + 3 {
            let newlines = text.as_bytes()[..offset.min(text.len())]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            assert_eq!(lines.at(offset), 2 + newlines, "offset {offset}");
        }
    }

    #[test]
    fn ids() {
        assert!(is_valid_id("error-19"));
        assert!(is_valid_id("n22106"));
        assert!(!is_valid_id("Error19"));
        assert!(!is_valid_id("错误"));
        assert!(!is_valid_id(""));
    }
}
