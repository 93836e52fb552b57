//! Which files and steps a run takes: `--shard`, `--tag`, `--skip-tag`, `--filter`.

use std::path::PathBuf;

use sonde_core::Scenario;

/// `--shard i/n`: part `i` (1-based) of `n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shard {
    pub index: usize,
    pub count: usize,
}

/// A `--shard` that is not `i/n` with 1 ≤ i ≤ n.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--shard takes i/n with 1 ≤ i ≤ n, like 2/5; got `{0}`")]
pub(crate) struct ShardError(String);

impl std::str::FromStr for Shard {
    type Err = ShardError;
    fn from_str(text: &str) -> Result<Shard, ShardError> {
        let bad = || ShardError(text.to_owned());
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count) = (
            i.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// The files of this shard: every n-th of the sorted list, so shards are disjoint, cover
    /// every file, differ in size by at most one, and need no coordination.
    pub(crate) fn select(&self, files: Vec<PathBuf>) -> Vec<PathBuf> {
        files
            .into_iter()
            .enumerate()
            .filter(|(position, _)| position % self.count == self.index - 1)
            .map(|(_, f)| f)
            .collect()
    }
}

/// `--tag`, `--skip-tag`, `--filter`: which steps of a loaded file run.
#[derive(Debug, Clone, Default)]
pub(crate) struct Selection {
    pub tags: Vec<String>,
    pub skip_tags: Vec<String>,
    pub filter: Option<String>,
}

impl Selection {
    pub(crate) fn is_everything(&self) -> bool {
        self.tags.is_empty() && self.skip_tags.is_empty() && self.filter.is_none()
    }

    /// Marks the steps left out as skipped, saying why, and gives how many steps are
    /// selected. None: the file is then left out of the run and its reports.
    pub(crate) fn apply(&self, scenario: &mut Scenario, path: &str) -> usize {
        if self.is_everything() {
            return scenario.steps.len();
        }
        let file_tagged = |tags: &[String]| tags.iter().any(|t| scenario.tags.contains(t));
        let file_matches_filter = self
            .filter
            .as_ref()
            .is_none_or(|f| path.contains(f.as_str()) || scenario.name.contains(f.as_str()));
        if file_tagged(&self.skip_tags) {
            return 0;
        }
        let mut selected = 0;
        let file_tags = scenario.tags.clone();
        for step in &mut scenario.steps {
            let has = |tag: &String| step.tags.contains(tag) || file_tags.contains(tag);
            let reason = if self.skip_tags.iter().any(has) {
                Some("left out by --skip-tag".to_string())
            } else if !self.tags.is_empty() && !self.tags.iter().any(has) {
                Some(format!("not selected by --tag {}", self.tags.join(",")))
            } else if !file_matches_filter
                && !self
                    .filter
                    .as_ref()
                    .is_some_and(|f| step.name.contains(f.as_str()))
            {
                Some("not selected by --filter".to_string())
            } else {
                None
            };
            match reason {
                Some(reason) => {
                    if step.skip.is_none() {
                        step.skip = Some(reason);
                    }
                }
                None => selected += 1,
            }
        }
        selected
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sonde_core::{SourceFile, yaml};

    #[test]
    fn shards_are_disjoint_and_cover_every_file() {
        let files: Vec<PathBuf> = (0..23)
            .map(|i| PathBuf::from(format!("f{i:02}.yaml")))
            .collect();
        let mut union: Vec<PathBuf> = Vec::new();
        for i in 1..=4 {
            let part = format!("{i}/4")
                .parse::<Shard>()
                .unwrap()
                .select(files.clone());
            assert!(part.len() == 5 || part.len() == 6);
            assert!(part.iter().all(|f| !union.contains(f)));
            union.extend(part);
        }
        union.sort();
        assert_eq!(union, files);
        assert!(
            "0/4".parse::<Shard>().is_err()
                && "5/4".parse::<Shard>().is_err()
                && "x".parse::<Shard>().is_err()
        );
    }

    fn scenario() -> Scenario {
        let text = "tags: [api]\nsteps:\n  - name: login\n    tags: [smoke]\n    request: { url: /a }\n  - name: search\n    request: { url: /b }\n";
        yaml::load(&SourceFile::new("s.yaml", text)).unwrap()
    }

    fn skipped(selection: &Selection) -> Option<Vec<bool>> {
        let mut s = scenario();
        selection
            .apply(&mut s, "dir/s.yaml")
            .gt(&0)
            .then(|| s.steps.iter().map(|st| st.skip.is_some()).collect())
    }

    #[test]
    fn tags_select_files_and_steps() {
        let tag = |t: &str| Selection {
            tags: vec![t.into()],
            ..Default::default()
        };
        assert_eq!(skipped(&tag("api")), Some(vec![false, false]));
        assert_eq!(skipped(&tag("smoke")), Some(vec![false, true]));
        assert_eq!(skipped(&tag("nothing")), None);
        let skip = |t: &str| Selection {
            skip_tags: vec![t.into()],
            ..Default::default()
        };
        assert_eq!(skipped(&skip("api")), None);
        assert_eq!(skipped(&skip("smoke")), Some(vec![true, false]));
    }

    #[test]
    fn filter_matches_file_or_step_names() {
        let filter = |f: &str| Selection {
            filter: Some(f.into()),
            ..Default::default()
        };
        assert_eq!(skipped(&filter("dir/")), Some(vec![false, false]));
        assert_eq!(skipped(&filter("search")), Some(vec![true, false]));
        assert_eq!(skipped(&filter("zzz")), None);
    }
}
