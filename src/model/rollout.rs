//! A staged rollout's arithmetic (issue 39's core): the waves as
//! cumulative shares of a set, the order the set is released in (one
//! computer's activities together), the gate that decides whether the
//! next wave goes, and where a rollout run again resumes. Pure: the
//! server is asked by its callers, and everything here follows from what
//! it answers (nothing kept locally is needed to resume).

use std::fmt;

pub mod run;

/// Why a status term in a rollout's query is worth a warning.
pub const STATUS_TERM: &str = "the query picks by status: what it selects shrinks as waves are approved, so a second run would not resume this one (name the change instead: parent-id:, a summary, a type)";

/// A wave's share of the set, cumulative: `10%` or `50` activities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Share {
    Percent(u32),
    Count(u64),
}

impl Share {
    /// How many of `total` this share reaches (a percentage rounded up,
    /// so `1%` of 50 releases one, never none).
    pub fn of(self, total: u64) -> u64 {
        match self {
            Share::Percent(p) => (total * u64::from(p)).div_ceil(100),
            Share::Count(n) => n.min(total),
        }
    }
}

impl fmt::Display for Share {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Share::Percent(p) => write!(f, "{p}%"),
            Share::Count(n) => write!(f, "{n}"),
        }
    }
}

impl From<Share> for String {
    fn from(s: Share) -> String {
        s.to_string()
    }
}

impl TryFrom<String> for Share {
    type Error = String;
    fn try_from(text: String) -> Result<Share, String> {
        match parse_waves(&text)?.as_slice() {
            [one] | [one, _] => Ok(*one),
            _ => Err(format!("{text:?} is not one wave")),
        }
    }
}

impl From<Gate> for String {
    fn from(g: Gate) -> String {
        g.to_string()
    }
}

impl TryFrom<String> for Gate {
    type Error = String;
    fn try_from(text: String) -> Result<Gate, String> {
        Gate::parse(&text)
    }
}

/// A wave list as the command line gives it (one argument, not many).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waves(pub Vec<Share>);

impl std::str::FromStr for Waves {
    type Err = String;
    fn from_str(text: &str) -> Result<Waves, String> {
        parse_waves(text).map(Waves)
    }
}

/// Reads `10%,50%,100%` or `1,10,100%`: increasing shares; `100%` is
/// added when the list does not end there.
pub fn parse_waves(text: &str) -> Result<Vec<Share>, String> {
    let mut waves = Vec::new();
    for word in text.split(',').map(str::trim) {
        let bad = || format!("{word:?} is not a wave: write 10% or a count like 50");
        let share = match word.strip_suffix('%') {
            Some(p) => match p.parse::<u32>() {
                Ok(p) if (1..=100).contains(&p) => Share::Percent(p),
                Ok(_) => return Err(format!("{word:?}: a share is 1% to 100%")),
                Err(_) => return Err(bad()),
            },
            None => match word.parse::<u64>() {
                Ok(n) if n > 0 => Share::Count(n),
                Ok(_) => return Err(format!("{word:?}: a wave releases at least one")),
                Err(_) => return Err(bad()),
            },
        };
        if let Some(last) = waves.last()
            && !increases(*last, share)
        {
            return Err(format!(
                "{share} after {last}: each wave reaches further than the one before"
            ));
        }
        waves.push(share);
    }
    if waves.last() != Some(&Share::Percent(100)) {
        waves.push(Share::Percent(100));
    }
    Ok(waves)
}

/// Whether `next` reaches further than `last` whatever the set's size:
/// percentages and counts each increase; a count after a percentage (or
/// the reverse) is checked when the size is known ([`targets`]).
fn increases(last: Share, next: Share) -> bool {
    match (last, next) {
        (Share::Percent(a), Share::Percent(b)) => b > a,
        (Share::Count(a), Share::Count(b)) => b > a,
        (Share::Percent(100), _) => false,
        _ => true,
    }
}

/// How many of a set of `total` each wave has released when it is done:
/// cumulative, never decreasing, the last `total`. A wave that would
/// reach no further than the one before (a count below an earlier
/// percentage on a large set) releases nothing new and is kept, so the
/// waves asked for are the waves shown.
pub fn targets(waves: &[Share], total: u64) -> Vec<u64> {
    let mut reached = 0;
    waves
        .iter()
        .map(|w| {
            reached = reached.max(w.of(total));
            reached
        })
        .collect()
}

/// The order a set is released in: by computer, then by id, so one
/// computer's activities go in the same wave; activities with no computer
/// (none in a rollout of per-computer work) go last.
pub fn release_order(set: &mut [(u64, Option<u64>)]) {
    set.sort_by_key(|&(id, computer)| (computer.is_none(), computer, id));
}

/// The first wave not yet reached when `released` of the set are no
/// longer unapproved (a rollout run again goes on from there); `None`
/// when every wave is reached.
pub fn resume_at(targets: &[u64], released: u64) -> Option<usize> {
    targets.iter().position(|&t| released < t)
}

/// `failed<=3` or `failed<=5%`: what may have failed among the final
/// activities released so far for the next wave to go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Gate {
    pub at_most: u64,
    /// `at_most` is a percentage of the final ones.
    pub percent: bool,
}

impl Gate {
    /// Reads `failed<=N` or `failed<=N%`.
    pub fn parse(text: &str) -> Result<Gate, String> {
        let (at_most, percent) = super::guard::failed_figure(text, "<=")
            .ok_or_else(|| format!("{text:?} is not a gate: write failed<=3 or failed<=5%"))?;
        if percent && at_most > 100 {
            return Err(format!("{text:?}: a share is at most 100%"));
        }
        Ok(Gate { at_most, percent })
    }

    /// Whether `failed` of `final_` final activities keep the gate held.
    pub fn holds(&self, failed: u64, final_: u64) -> bool {
        if self.percent {
            failed * 100 <= self.at_most * final_
        } else {
            failed <= self.at_most
        }
    }
}

impl fmt::Display for Gate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.percent { "%" } else { "" };
        write!(f, "failed<={}{sign}", self.at_most)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waves_are_increasing_shares_ending_at_everything() {
        use Share::{Count, Percent};
        assert_eq!(
            parse_waves("10%,50%,100%").unwrap(),
            [Percent(10), Percent(50), Percent(100)]
        );
        assert_eq!(
            parse_waves("1, 10").unwrap(),
            [Count(1), Count(10), Percent(100)],
            "100% added"
        );
        assert!(parse_waves("50%,10%").unwrap_err().contains("further"));
        assert!(parse_waves("100%,5").is_err(), "nothing after everything");
        assert!(parse_waves("0").is_err());
        assert!(parse_waves("120%").is_err());
        assert!(parse_waves("ten").unwrap_err().contains("not a wave"));
    }

    #[test]
    fn targets_are_cumulative_and_end_at_the_set() {
        let waves = parse_waves("1%,10,50%").unwrap();
        assert_eq!(targets(&waves, 50), [1, 10, 25, 50]);
        assert_eq!(
            targets(&waves, 2_000),
            [20, 20, 1_000, 2_000],
            "10 < 1% of 2,000"
        );
        assert_eq!(targets(&waves, 0), [0, 0, 0, 0]);
    }

    #[test]
    fn one_computers_activities_go_together() {
        let mut set = vec![
            (5, Some(2)),
            (1, None),
            (3, Some(1)),
            (4, Some(2)),
            (2, Some(1)),
        ];
        release_order(&mut set);
        assert_eq!(
            set,
            [
                (2, Some(1)),
                (3, Some(1)),
                (4, Some(2)),
                (5, Some(2)),
                (1, None)
            ]
        );
    }

    #[test]
    fn a_rollout_run_again_goes_on_from_the_first_wave_not_reached() {
        let t = [10, 100, 1_000];
        assert_eq!(resume_at(&t, 0), Some(0));
        assert_eq!(resume_at(&t, 10), Some(1), "wave 1 was released whole");
        assert_eq!(resume_at(&t, 57), Some(1), "wave 2 was under way");
        assert_eq!(resume_at(&t, 1_000), None);
    }

    #[test]
    fn a_soak_or_timeout_past_the_end_of_time_waits_forever_without_panicking() {
        let now = chrono::Utc::now();
        assert_eq!(
            run::later(now, u64::MAX),
            chrono::DateTime::<chrono::Utc>::MAX_UTC
        );
        assert_eq!(
            run::later(now, 8_640_000_000_000_000),
            chrono::DateTime::<chrono::Utc>::MAX_UTC
        );
        assert_eq!(run::later(now, 60), now + chrono::Duration::seconds(60));
    }

    #[test]
    fn a_gate_holds_up_to_its_figure() {
        let g = Gate::parse("failed<=2").unwrap();
        assert!(g.holds(2, 10) && !g.holds(3, 10));
        let p = Gate::parse("failed<=5%").unwrap();
        assert!(p.holds(1, 20) && !p.holds(2, 20));
        assert!(p.holds(0, 0), "nothing final, nothing failed");
        assert_eq!(p.to_string(), "failed<=5%");
        assert!(Gate::parse("failed>=2").is_err());
        assert!(Gate::parse("failed<=101%").is_err());
    }

    proptest::proptest! {
        /// Whatever the list and the size: each wave reaches at least as
        /// far as the last, no wave reaches past the set, the last is the
        /// whole set, and a run resumed after any count goes on with the
        /// same waves an uninterrupted one would.
        #[test]
        fn waves_partition_the_set(
            shares in proptest::collection::vec(1u32..=100, 1..6),
            total in 0u64..100_000,
            released in 0u64..100_000,
        ) {
            let mut shares = shares;
            shares.sort_unstable();
            shares.dedup();
            let text: Vec<String> = shares.iter().map(|s| format!("{s}%")).collect();
            let waves = parse_waves(&text.join(",")).unwrap();
            let t = targets(&waves, total);
            proptest::prop_assert_eq!(t.len(), waves.len());
            proptest::prop_assert!(t.windows(2).all(|w| w[0] <= w[1]));
            proptest::prop_assert_eq!(t.last().copied(), Some(total));
            let released = released.min(total);
            match resume_at(&t, released) {
                Some(k) => {
                    proptest::prop_assert!(released < t[k]);
                    proptest::prop_assert!(k == 0 || t[k - 1] <= released);
                }
                None => proptest::prop_assert_eq!(released, total),
            }
        }
    }
}
