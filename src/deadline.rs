#![allow(
    clippy::disallowed_methods,
    reason = "the clock behind every deadline: the deciding modules are handed one instead"
)]
//! Time limits on line diffs, and the one place that reads the clock for them.
//!
//! A line diff searches for the best alignment; on a huge file that search
//! must stop in time and settle for a coarser one (more conflict, never a
//! wrong clean merge). `compare` and `report` never read the clock
//! themselves: their caller hands them a [`TimeLimit`], which starts one
//! [`Deadline`] per file. Under test (and only there, so they exist only
//! in test builds), `TimeLimit::NONE` makes every result depend on the input
//! alone, and `TimeLimit::SPENT` takes the coarse path every time.

use std::time::{Duration, Instant};

/// How long each file's line diff may search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeLimit(Limit);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Limit {
    #[cfg(test)]
    None,
    #[cfg(test)]
    Spent,
    After(Duration),
}

impl TimeLimit {
    /// Search to the end: the result depends on the input alone.
    #[cfg(test)]
    pub const NONE: TimeLimit = TimeLimit(Limit::None);
    /// Every deadline has already passed: the coarsest diff, every time.
    #[cfg(test)]
    pub const SPENT: TimeLimit = TimeLimit(Limit::Spent);
    /// One file's merge in `diff` and `upgrade`: a 200,000-line file must not
    /// stall an upgrade.
    pub const MERGE: TimeLimit = TimeLimit(Limit::After(Duration::from_secs(1)));
    /// One file's diff in a report (`--stat`, `--patch`).
    pub const REPORT: TimeLimit = TimeLimit(Limit::After(Duration::from_millis(500)));

    /// The deadline of one file's diff, starting now.
    pub fn start(self) -> Deadline {
        Deadline(match self.0 {
            #[cfg(test)]
            Limit::None => Until::Never,
            #[cfg(test)]
            Limit::Spent => Until::Passed,
            Limit::After(budget) => Until::At(Instant::now() + budget),
        })
    }
}

/// When one line diff must settle for what it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline(Until);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Until {
    Never,
    #[cfg(test)]
    Passed,
    At(Instant),
}

impl Deadline {
    /// No deadline.
    pub const NEVER: Deadline = Deadline(Until::Never);
    /// A deadline already past.
    #[cfg(test)]
    pub const PASSED: Deadline = Deadline(Until::Passed);

    /// Whether the search must stop now.
    pub fn is_past(self) -> bool {
        match self.0 {
            Until::Never => false,
            #[cfg(test)]
            Until::Passed => true,
            Until::At(at) => Instant::now() > at,
        }
    }

    /// The deadline as the `similar` crate takes it. A passed deadline is a
    /// second ago, so that `similar` sees it passed on its first look.
    pub fn instant(self) -> Option<Instant> {
        match self.0 {
            Until::Never => None,
            #[cfg(test)]
            Until::Passed => {
                let now = Instant::now();
                Some(now.checked_sub(Duration::from_secs(1)).unwrap_or(now))
            }
            Until::At(at) => Some(at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_limit_never_passes_and_a_spent_one_always_has() {
        assert!(!TimeLimit::NONE.start().is_past());
        assert_eq!(TimeLimit::NONE.start().instant(), None);
        assert!(TimeLimit::SPENT.start().is_past());
        assert!(TimeLimit::SPENT.start().instant().is_some());
        assert!(TimeLimit::MERGE.start().instant().is_some());
        assert!(TimeLimit::REPORT.start().instant().is_some());
    }

    #[test]
    fn a_real_deadline_passes_only_once_its_time_is_past() {
        assert!(!TimeLimit::MERGE.start().is_past());
        assert!(!TimeLimit::REPORT.start().is_past());
        let past = Instant::now() - Duration::from_millis(10);
        assert!(Deadline(Until::At(past)).is_past());
        let later = Instant::now() + Duration::from_secs(60);
        assert!(!Deadline(Until::At(later)).is_past());
    }
}
