//! Reading content files within two limits: none bigger than [`MAX_FILE_BYTES`], and none
//! reached through a symlink that leads out of the content directory (a link inside the tree
//! may point anywhere else inside it).

use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};

use super::report::Report;

/// The largest content file read (2 MB, 2,097,152 bytes): the bundled files are at most 13 KB,
/// and a 50 MB entry took 1.9 GB of memory to load. Checked on the file's metadata, so a bigger
/// file is never read at all.
pub const MAX_FILE_BYTES: u64 = 2 * MB;

const MB: u64 = 1024 * 1024;

/// The content directory being loaded, resolved once: the place every symlink must stay in.
///
/// A path handed to [`Root::read`] or [`Root::admits`] must lie in the content directory
/// itself or in a directory `admits` let through: then only its last component can be a
/// symlink out of the tree, and only that is checked.
pub(crate) struct Root {
    real: PathBuf,
}

impl Root {
    /// Fails if `dir` does not exist; `dir` may itself be a symlink (a release directory).
    pub(crate) fn new(dir: &Path) -> std::io::Result<Root> {
        Ok(Root {
            real: fs::canonicalize(dir)?,
        })
    }

    /// Whether `path` may be read: it is no symlink (or does not exist: the caller reports
    /// that as before), or a symlink to somewhere inside the tree. If not, says why.
    pub(crate) fn admits(&self, path: &Path, report: &mut Report) -> bool {
        let is_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        !is_link || self.follow(path, report).is_some()
    }

    /// A symlink's target, resolved, if it lies inside the tree.
    fn follow(&self, link: &Path, report: &mut Report) -> Option<PathBuf> {
        match fs::canonicalize(link) {
            Ok(target) if target.starts_with(&self.real) => Some(target),
            Ok(target) => {
                report.error(
                    link,
                    1,
                    format!(
                        "symlink leads outside the content directory (to {}): only links within it are followed",
                        target.display()
                    ),
                );
                None
            }
            // Dangling, or a loop: canonicalising gives up rather than going round.
            Err(e) => {
                report.error(link, 0, format!("cannot read: {e}"));
                None
            }
        }
    }

    /// The text of a regular file of at most [`MAX_FILE_BYTES`]; `what` names it in the
    /// message if it is too big ("entry", "wizard", …). Records its digest in the report.
    pub(crate) fn read(&self, path: &Path, what: &str, report: &mut Report) -> Option<String> {
        let mut metadata = match fs::symlink_metadata(path) {
            Ok(metadata) => metadata,
            Err(e) => {
                report.error(path, 0, format!("cannot read: {e}"));
                return None;
            }
        };
        let mut real = path.to_path_buf();
        if metadata.file_type().is_symlink() {
            real = self.follow(path, report)?;
            metadata = match fs::metadata(&real) {
                Ok(metadata) => metadata,
                Err(e) => {
                    report.error(path, 0, format!("cannot read: {e}"));
                    return None;
                }
            };
        }
        // Not a directory, and not a pipe or a device, which could block or never end.
        if !metadata.is_file() {
            report.error(path, 0, "cannot read: not a regular file");
            return None;
        }
        if metadata.len() > MAX_FILE_BYTES {
            report.error(path, 1, too_big(what, metadata.len()));
            return None;
        }
        // At most one byte over the limit, in case the file grew since its metadata was read.
        let mut bytes = Vec::with_capacity(metadata.len() as usize);
        if let Err(e) =
            File::open(&real).and_then(|file| file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        {
            report.error(path, 0, format!("cannot read: {e}"));
            return None;
        }
        if bytes.len() as u64 > MAX_FILE_BYTES {
            report.error(path, 1, too_big(what, bytes.len() as u64));
            return None;
        }
        report.digest(path, &bytes);
        match String::from_utf8(bytes) {
            Ok(text) => Some(text),
            Err(e) => {
                let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
                report.error(path, line, "file is not valid UTF-8");
                None
            }
        }
    }
}

/// "entry is 50.0 MB, over the 2 MB limit": the size rounded up to a tenth, so a file just
/// over the limit never reads as 2.0 MB.
fn too_big(what: &str, bytes: u64) -> String {
    let tenths = bytes.saturating_mul(10).div_ceil(MB);
    format!(
        "{what} is {}.{} MB, over the {} MB limit",
        tenths / 10,
        tenths % 10,
        MAX_FILE_BYTES / MB
    )
}

/// The files of `dir` ending in `.<ext>`, split into sources (`<name>.<ext>`) and translations
/// (`<name>.<lang>.<ext>`), each in byte order (comparing paths component by component is slow
/// at 100,000 files).
pub(crate) fn sources_and_translations(
    dir: &Path,
    ext: &str,
) -> std::io::Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let (mut sources, mut translations): (Vec<PathBuf>, Vec<PathBuf>) = std::fs::read_dir(dir)?
        .filter_map(|item| item.ok().map(|item| item.path()))
        .filter(|path| path.extension().is_some_and(|e| e == ext))
        .partition(|path| {
            path.file_stem()
                .is_some_and(|stem| !stem.to_string_lossy().contains('.'))
        });
    sources.sort_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
    translations.sort_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
    Ok((sources, translations))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_of_exactly_the_limit_is_read_and_one_byte_more_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let root = Root::new(dir.path()).unwrap();
        let path = dir.path().join("x.md");
        let mut report = Report::default();

        fs::write(&path, "a".repeat(MAX_FILE_BYTES as usize)).unwrap();
        let text = root.read(&path, "entry", &mut report);
        assert_eq!(text.map(|t| t.len()), Some(MAX_FILE_BYTES as usize));
        assert!(report.errors.is_empty());

        fs::write(&path, "a".repeat(MAX_FILE_BYTES as usize + 1)).unwrap();
        assert_eq!(root.read(&path, "entry", &mut report), None);
        assert_eq!(report.errors.len(), 1);
        assert_eq!(report.errors[0].line, 1);
        assert_eq!(
            report.errors[0].message,
            "entry is 2.1 MB, over the 2 MB limit"
        );
    }

    #[test]
    fn sizes_are_rounded_up_to_a_tenth() {
        assert_eq!(
            too_big("wizard", 50 * MB),
            "wizard is 50.0 MB, over the 2 MB limit"
        );
        assert_eq!(
            too_big("wizard", 3 * MB + 1),
            "wizard is 3.1 MB, over the 2 MB limit"
        );
    }
}
