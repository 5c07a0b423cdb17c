//! The index on disk under `--data/index/`, one directory per content fingerprint, so a
//! restart on unchanged content opens it instead of rebuilding. A directory is only used once
//! it is complete; a stale or unreadable one is rebuilt, never served.

use std::fs;
use std::path::Path;

use anyhow::Context;
use tantivy::Index;

use super::schema::{self, Fields, fill};
use super::{SearchIndex, Settings};
use crate::content::Library;

/// Bump when the schema or the analysis chain changes: older directories are then rebuilt. A
/// test records what the analysis makes of a sample at this format, and fails when it changes.
pub const FORMAT: u32 = 7;
/// Written last: a directory without it was never finished.
const COMPLETE: &str = "wendao-complete";

/// Where an index came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Opened,
    Built,
}

impl SearchIndex {
    /// The index for `library` under `data`: opened when a complete one for the same content
    /// exists, else built there.
    pub fn open_or_build(
        library: &Library,
        settings: Settings,
        data: &Path,
    ) -> anyhow::Result<(SearchIndex, Origin)> {
        let root = data.join("index");
        let dir = root.join(format!("{}-v{FORMAT}", library.fingerprint));
        if dir.join(COMPLETE).exists() {
            match open(&dir, library, settings) {
                Ok(index) => {
                    remove_others(&root, &dir);
                    return Ok((index, Origin::Opened));
                }
                Err(e) => {
                    tracing::warn!(dir = %dir.display(), "unusable index, rebuilding: {e:#}");
                    fs::remove_dir_all(&dir)
                        .with_context(|| format!("removing {}", dir.display()))?;
                }
            }
        }
        let building = root.join(format!(
            "building-{}-{}",
            library.fingerprint,
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&building);
        fs::create_dir_all(&building)
            .with_context(|| format!("creating {}", building.display()))?;
        let (schema, fields) = schema::build();
        let index = Index::create_in_dir(&building, schema).context("creating the index")?;
        fill(&index, fields, library, settings)?;
        drop(index);
        fs::write(building.join(COMPLETE), library.fingerprint.as_bytes())
            .context("marking the index complete")?;
        let _ = fs::remove_dir_all(&dir);
        fs::rename(&building, &dir)
            .with_context(|| format!("moving the index to {}", dir.display()))?;
        let index = open(&dir, library, settings)?;
        remove_others(&root, &dir);
        Ok((index, Origin::Built))
    }
}

/// `index` (in `dir`, built for other content) brought to `library` by `apply`, then moved to
/// that content's directory. The directory is not complete while it changes: a crash leaves one that
/// is rebuilt, never one that holds other content than its name says.
pub(super) fn update(
    index: &SearchIndex,
    dir: &Path,
    library: &Library,
    apply: impl FnOnce() -> anyhow::Result<()>,
) -> anyhow::Result<SearchIndex> {
    let root = dir.parent().context("an index directory has a parent")?;
    let target = root.join(format!("{}-v{FORMAT}", library.fingerprint));
    fs::remove_file(dir.join(COMPLETE)).with_context(|| format!("unmarking {}", dir.display()))?;
    apply()?;
    if target != dir {
        let _ = fs::remove_dir_all(&target);
        fs::rename(dir, &target)
            .with_context(|| format!("moving the index to {}", target.display()))?;
    }
    fs::write(target.join(COMPLETE), library.fingerprint.as_bytes())
        .context("marking the index complete")?;
    open(&target, library, index.settings)
}

fn open(dir: &Path, library: &Library, settings: Settings) -> anyhow::Result<SearchIndex> {
    let index = Index::open_in_dir(dir).context("opening the index")?;
    let fields = Fields::of(&index.schema())?;
    let index = SearchIndex::finish(index, Some(dir.to_path_buf()), fields, library, settings)?;
    anyhow::ensure!(
        index.len() == library.entries.len() as u64,
        "holds {} entries, the content has {}",
        index.len(),
        library.entries.len()
    );
    Ok(index)
}

/// Older generations' directories and builds a crash left behind. (An index being served
/// keeps its files open, so removing them under it is safe on Unix.)
fn remove_others(root: &Path, keep: &Path) {
    let Ok(listing) = fs::read_dir(root) else {
        return;
    };
    for path in listing.flatten().map(|item| item.path()) {
        if path != keep {
            let _ = fs::remove_dir_all(&path);
        }
    }
}

#[cfg(test)]
mod format_tests {
    use sha2::{Digest, Sha256};

    use crate::search::analysis::{Mode, analyze};

    /// What the analysis makes of a sample of everything it reads, as of [`super::FORMAT`]: when
    /// this fails, the words indexed changed, and an index on disk from before would be searched
    /// with other words. Bump `FORMAT`, then record the new digest here.
    #[test]
    fn the_format_changes_when_the_analysis_does() {
        let sample = "小程序 my.request 请求报错 error 19，域名白名单不生效？網域設定 逾時 \
            HTTPS 证书 does this work with getAuthCode / N22106 / status:404 ＡＢＣ１２３ 乱码 \
            the requests were failing when uploading files 😀 jiexi shibai 一个 必须 还是 wendao's docs can't help, doesnt it";
        let mut hasher = Sha256::new();
        for token in analyze(sample, Mode::Full) {
            hasher.update(format!(
                "{} {} {}\n",
                token.position, token.primary, token.text
            ));
        }
        let digest = hex::encode(&hasher.finalize()[..8]);
        assert_eq!(
            (super::FORMAT, digest.as_str()),
            (7, "55ff8fc7a0710f00"),
            "bump FORMAT"
        );
    }
}
