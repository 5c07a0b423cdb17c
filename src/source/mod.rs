//! The content directory's files as text: read within limits ([`files`]), Markdown rendered
//! ([`markdown`]), what is wrong with them reported as `path:line: message` ([`report`]), and
//! which version of a source a translation names ([`versions`]).
//! Shared by the content and the wizards' loading; knows nothing of either.

pub mod files;
pub mod markdown;
pub(crate) mod report;
pub mod versions;
