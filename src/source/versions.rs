//! Which version of a source file a translation was made from: the first hex digits of the
//! file's SHA-256, and the languages a file name may name.

use std::path::{Path, PathBuf};

use toml::Spanned;

use super::report::{Lines, Report};

/// How many hex digits of a file's SHA-256 name its version.
pub const VERSION_DIGITS: usize = 12;

/// Whether `text` has the shape of a version.
pub(crate) fn is_version(text: &str) -> bool {
    text.len() == VERSION_DIGITS && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The version of the file at `path` among the digests of the files read; empty when it was not read.
pub(crate) fn version_of(digests: &[(PathBuf, [u8; 32])], path: &Path) -> String {
    digests
        .iter()
        .find(|(p, _)| p == path)
        .map(|(_, digest)| version(digest))
        .unwrap_or_default()
}

/// A translation's `source`, lowercased, or `None` (reported) when it is not
/// [`VERSION_DIGITS`] hex digits. `of` names the source file.
pub(crate) fn checked_version(
    path: &Path,
    source: &Spanned<String>,
    lines: &Lines,
    of: &str,
    report: &mut Report,
) -> Option<String> {
    let version = source.get_ref();
    if is_version(version) {
        return Some(version.to_ascii_lowercase());
    }
    report.error(
        path,
        lines.at(source.span().start),
        format!(
            "source must be the first {VERSION_DIGITS} hex digits of the SHA-256 of {of} as translated (sha256sum {of} | cut -c1-{VERSION_DIGITS})"
        ),
    );
    None
}

/// The warning for a translation made from version `named` of `of`, which is now `now`.
pub(crate) fn warn_outdated(
    report: &mut Report,
    path: &Path,
    line: usize,
    named: &str,
    of: &str,
    now: &str,
) {
    report.warn(
        path,
        line,
        format!(
            "translated from version {named} of {of}, which is now {now}: bring the translation up to date, then set source = \"{now}\""
        ),
    );
}

/// A file's version: the first [`VERSION_DIGITS`] hex digits of its SHA-256.
pub(crate) fn version(digest: &[u8; 32]) -> String {
    digest
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()[..VERSION_DIGITS]
        .to_string()
}
