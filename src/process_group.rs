//! Commands run for the operator (`*_command`, `[[commands]]`) start in a
//! process group of their own and are stopped as a group: `sh -c 'a | b'`
//! killed alone would leave `a` and `b` running, orphaned, holding the
//! output pipe open (a reader waiting for it would wait for ever).

/// Makes the command's first process the leader of a new group.
pub fn own_group(command: &mut std::process::Command) {
    use std::os::unix::process::CommandExt;
    command.process_group(0);
}

/// The same for a tokio command.
pub fn own_group_async(command: &mut tokio::process::Command) {
    command.process_group(0);
}

/// Kills every process of the group `leader` started (see [`own_group`]).
pub fn kill_group(leader: u32) {
    let Some(pid) = i32::try_from(leader)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    else {
        return;
    };
    // Already gone is fine: there is nothing left to stop.
    let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
}
