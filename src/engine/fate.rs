//! What will happen to an activity, as a pure function of the engine's seed
//! and the activity's id: so the state at any time does not depend on how
//! the clock was stepped to it, and a seed replays the same demo.

use chrono::Duration;

use super::lifecycle::is_long_running;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fate {
    /// From ready (approved, due) to delivered.
    pub delivery_delay: Duration,
    /// From delivered to finished.
    pub duration: Duration,
    pub succeeds: bool,
    /// For failing long-running activities: where in the run it fails (0..1).
    pub fails_at: f64,
    /// Picks a plausible failure text.
    pub failure: usize,
}

/// SplitMix64: a tiny, well-mixed hash for (seed, id).
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

pub fn fate(seed: u64, id: u64, activity_type: &str) -> Fate {
    let a = mix(seed ^ mix(id));
    let b = mix(a);
    let c = mix(b);
    let long = is_long_running(activity_type);
    let duration = if long { 240 + a % 1200 } else { 15 + a % 300 };
    Fate {
        delivery_delay: Duration::seconds((5 + b % 90) as i64),
        duration: Duration::seconds(duration as i64),
        succeeds: c % 100 < 86,
        fails_at: 0.2 + ((c >> 16) % 60) as f64 / 100.0,
        failure: ((c >> 32) % 1024) as usize,
    }
}

/// Failure texts an operator would recognise, with what differs from one
/// computer to the next (a process id, a mirror, a line number, a time-out)
/// taken from `pick`, as Landscape's own texts differ.
pub fn failure_text(activity_type: &str, pick: usize, package: Option<&str>) -> (String, i64) {
    let package = package.unwrap_or("libssl3");
    let pid = 900 + (pick * 37) % 30_000;
    let line = 3 + (pick / 7) % 60;
    let mirror = [
        "archive.ubuntu.com",
        "mirror-eu-2.internal",
        "mirror-us-1.internal",
    ][pick / 5 % 3];
    let ip = format!("10.1.{}.{}", 2 + pick / 11 % 3, 10 + pick / 3 % 200);
    let timeout = [300, 600, 900][pick / 13 % 3];
    let texts: Vec<(String, i64)> = match activity_type {
        "ChangePackagesRequest" | "UpgradeAllPackagesRequest" | "UpgradeKernelPackageRequest" => vec![
            (format!("E: Unable to locate package {package}"), 100),
            (format!("E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process {pid} (unattended-upgr)\nN: Be aware that removing the lock file is not a solution and may break your system."), 100),
            (format!("dpkg: error processing package {package} (--configure):\n installed {package} package post-installation script subprocess returned error exit status 1\nErrors were encountered while processing:\n {package}"), 100),
            ("E: You don't have enough free space in /var/cache/apt/archives/.".into(), 100),
            (format!("E: Failed to fetch http://{mirror}/ubuntu/pool/main/{package}.deb  Temporary failure resolving '{mirror}'\nE: Unable to fetch some archives, maybe run apt-get update or try with --fix-missing?"), 100),
        ],
        "ExecuteScriptRequest" => vec![
            (format!("Script exited with return code 1:\n/tmp/landscape-script-{pid}: line {line}: systemctl: command failed"), 1),
            (format!("Script timed out after {timeout} seconds"), 102),
            ("Permission denied: the script's user 'landscape' may not run sudo".into(), 1),
        ],
        "SyncPocketRequest" => vec![
            (format!("Failed to fetch http://{mirror}/ubuntu/dists/jammy/Release: 503 Service Unavailable [IP: {ip} 80]"), 1),
            ("GPG error: the signature of the mirror could not be verified (NO_PUBKEY 871920D1991BC93C)".into(), 1),
        ],
        "ReleaseUpgradeRequest" => vec![
            ("do-release-upgrade: could not calculate the upgrade (held packages: postgresql-14)".into(), 1),
            (format!("Not enough free disk space: the upgrade needs {}.{} GB in /usr", 1 + pick % 3, pick % 10), 1),
        ],
        _ => vec![
            (format!("The computer did not report back within {} minutes: the activity timed out", timeout / 60), 1),
            (format!("Activity failed: the client could not be reached at {ip} (computer offline)"), 1),
        ],
    };
    texts[pick % texts.len()].clone()
}

pub fn success_text(activity_type: &str, package: Option<&str>) -> String {
    match (activity_type, package) {
        ("ChangePackagesRequest", Some(p)) => format!("Package changes applied: {p}"),
        ("ChangePackagesRequest", None) => "Package changes applied".into(),
        ("UpgradeAllPackagesRequest", _) => "All packages upgraded".into(),
        ("ExecuteScriptRequest", _) => "Script completed with return code 0".into(),
        ("RestartRequest", _) => "Computer restarted".into(),
        ("SyncPocketRequest", _) => "Pocket synced".into(),
        ("ReleaseUpgradeRequest", _) => "Release upgrade completed; reboot required".into(),
        _ => "Succeeded".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fate_is_a_pure_function_of_seed_and_id() {
        assert_eq!(
            fate(7, 100, "RestartRequest"),
            fate(7, 100, "RestartRequest")
        );
        assert_ne!(
            fate(7, 100, "RestartRequest"),
            fate(8, 100, "RestartRequest")
        );
        let succeeded = (0..1000)
            .filter(|id| fate(1, *id, "RestartRequest").succeeds)
            .count();
        assert!((800..=920).contains(&succeeded), "{succeeded}");
    }
}
