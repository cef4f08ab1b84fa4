//! The words the language knows: keys, activity types, computer keys,
//! alerts, Ubuntu releases; and the closest one to a misspelling.

/// Activity search keys.
pub const KEYS: [&str; 8] = [
    "id",
    "parent-id",
    "status",
    "created-after",
    "created-before",
    "creator",
    "computer",
    "type",
];

/// Keys of the computer terms inside `computer:`.
pub const COMPUTER_KEYS: [&str; 12] = [
    "id",
    "tag",
    "hostname",
    "title",
    "distribution",
    "access-group",
    "alert",
    "mac",
    "ip",
    "annotation",
    "needs",
    "search",
];

/// Computer alerts Landscape documents.
pub const ALERTS: [&str; 10] = [
    "package-upgrades",
    "security-upgrades",
    "package-profiles",
    "package-reporter",
    "computer-offline",
    "computer-reboot",
    // What Canonical's web UI asks for too (its Overview's cards).
    "esm-disabled",
    "computer-duplicates",
    "unapproved-activities",
    "child-instance-profiles",
];

/// Every activity type Landscape documents (`GetActivityTypes`).
pub const KNOWN_TYPES: &[&str] = &[
    "ActivityGroup",
    "ResynchronizeRequest",
    "CreateUserRequest",
    "EditUserRequest",
    "DeleteUserRequest",
    "LockUserRequest",
    "UnlockUserRequest",
    "CreateGroupRequest",
    "AddGroupMemberRequest",
    "RemoveGroupMemberRequest",
    "ChangePackagesRequest",
    "UpgradeAllPackagesRequest",
    "ReleaseUpgradeRequest",
    "ChangePackageProfilesRequest",
    "ChangeRepositoryProfilesRequest",
    "ChangeUpgradeProfilesRequest",
    "UpgradeKernelPackageRequest",
    "DowngradeKernelPackageRequest",
    "SignalProcessRequest",
    "ExecuteScriptRequest",
    "RestartRequest",
    "ShutdownRequest",
    "SyncPocketRequest",
    "TerminateSystemRequest",
    "InstallSnaps",
    "RemoveSnaps",
    "RefreshSnaps",
    "HoldSnaps",
    "UnholdSnaps",
    "StartChildComputerActivity",
    "StopChildComputerActivity",
    "DeleteChildComputerActivity",
    "SetDefaultChildComputerActivity",
    "CreateChildComputerActivity",
    "ShutdownHostComputerActivity",
    "DeleteUnmanagedWSLInstanceActivity",
    "ArchiveRequest",
    "UsgActivity",
    "GenerateUsgReportActivity",
    "RemoveComputerActivity",
    "AttachProRequest",
    "DetachProRequest",
    "GenerateFDERecoveryKeyRequest",
];

/// Ubuntu releases: code name and release number.
pub const RELEASES: &[(&str, &str)] = &[
    ("dapper", "6.06"),
    ("hardy", "8.04"),
    ("lucid", "10.04"),
    ("precise", "12.04"),
    ("trusty", "14.04"),
    ("xenial", "16.04"),
    ("bionic", "18.04"),
    ("cosmic", "18.10"),
    ("disco", "19.04"),
    ("eoan", "19.10"),
    ("focal", "20.04"),
    ("groovy", "20.10"),
    ("hirsute", "21.04"),
    ("impish", "21.10"),
    ("jammy", "22.04"),
    ("kinetic", "22.10"),
    ("lunar", "23.04"),
    ("mantic", "23.10"),
    ("noble", "24.04"),
    ("oracular", "24.10"),
    ("plucky", "25.04"),
    ("questing", "25.10"),
    ("resolute", "26.04"),
];

/// The release number for a code name or number (`jammy` → `22.04`).
pub fn release_number(value: &str) -> Option<String> {
    if let Some((_, number)) = RELEASES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(value))
    {
        return Some((*number).to_owned());
    }
    let (major, minor) = value.split_once('.')?;
    let numeric = |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
    (numeric(major) && numeric(minor)).then(|| value.to_owned())
}

/// The code name of a release number, for display and completion.
pub fn code_name(number: &str) -> Option<&'static str> {
    RELEASES.iter().find(|(_, n)| *n == number).map(|(c, _)| *c)
}

/// The candidate most like `word` (ignoring case).
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&word, &c.to_lowercase()), c))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_by_name_or_number() {
        assert_eq!(release_number("jammy").as_deref(), Some("22.04"));
        assert_eq!(release_number("Noble").as_deref(), Some("24.04"));
        assert_eq!(release_number("22.04").as_deref(), Some("22.04"));
        assert_eq!(release_number("jamy"), None);
        assert_eq!(code_name("20.04"), Some("focal"));
    }

    #[test]
    fn closest_names_the_likely_intent() {
        assert_eq!(closest("stauts", KEYS), Some("status"));
        assert_eq!(
            closest("ChangePackageRequest", KNOWN_TYPES.iter().copied()),
            Some("ChangePackagesRequest")
        );
    }
}
