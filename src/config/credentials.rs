//! Where a profile's credentials come from: the environment (the official
//! client's variables), a `*_command` (a password manager, run in a
//! process group of its own, bounded in time, its output never in an
//! error), or the file (which then must not be readable by others).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::{AuthMethod, ConfigError, Environment, Profile, profile_error};
use crate::backend::remote::{ApiChoice, RemoteCredentials, RemoteOptions, Secret};

pub(super) fn remote_options(
    name: &str,
    p: &Profile,
    env: &Environment,
    warnings: &mut Vec<String>,
) -> Result<RemoteOptions, ConfigError> {
    let url = p
        .url
        .clone()
        .or_else(|| env.api_uri.clone())
        .ok_or_else(|| profile_error(name, "no url (set `url` or LANDSCAPE_API_URI)"))?;
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(profile_error(
            name,
            format!("url must start with https:// or http://, got {url:?}"),
        ));
    }
    let (method, credentials) = credentials(name, p, env)?;
    if method == AuthMethod::Password && p.api == ApiChoice::Legacy {
        return Err(profile_error(
            name,
            "the legacy API signs with an access key; password login needs api = \"rest\" or \"auto\"",
        ));
    }
    let ca_file = p
        .ca_file
        .clone()
        .or_else(|| env.ssl_ca_file.clone().map(PathBuf::from));
    if let Some(ca) = &ca_file
        && !ca.exists()
    {
        warnings.push(format!(
            "profile {name}: CA file {} does not exist",
            ca.display()
        ));
    }
    let mut options = RemoteOptions::new(url, credentials);
    options.api = p.api;
    options.ca_file = ca_file;
    options.insecure = p.insecure;
    options.read_only = p.read_only;
    if let Some(s) = p.timeout_seconds {
        options.timeout = Duration::from_secs(s.max(1));
    }
    if let Some(text) = &env.timeout {
        let s: u64 = text.trim().parse().map_err(|_| ConfigError::Environment {
            variable: "LANDSCAPE_TUI_TIMEOUT",
            message: format!("must be a whole number of seconds, got {text:?}"),
        })?;
        options.timeout = Duration::from_secs(s.max(1));
    }
    if let Some(mib) = p.max_body_mib {
        let bytes = usize::try_from(mib.clamp(1, 4096)).unwrap_or(usize::MAX);
        options.max_body_bytes = bytes * 1024 * 1024;
    }
    if let Some(s) = p.connect_timeout_seconds {
        options.connect_timeout = Duration::from_secs(s.max(1));
    }
    if let Some(s) = p.refresh_seconds {
        options.poll_interval = Duration::from_secs(s.max(1));
    }
    Ok(options)
}

/// How the profile logs in, and with what. The method is chosen from what
/// is configured before any secret is resolved: a password command is
/// never run for an access-key profile.
fn credentials(
    name: &str,
    p: &Profile,
    env: &Environment,
) -> Result<(AuthMethod, RemoteCredentials), ConfigError> {
    let secret = |value: &Option<String>,
                  command: &Option<String>,
                  env: &Option<String>,
                  key: &str| { secret_value(name, value, command, env, key) };
    let email = p.email.clone().or_else(|| env.email.clone());
    let has_access_key =
        p.access_key.is_some() || p.access_key_command.is_some() || env.api_key.is_some();
    let method = p.auth.unwrap_or(if has_access_key || email.is_none() {
        AuthMethod::AccessKey
    } else {
        AuthMethod::Password
    });
    let credentials = match method {
        AuthMethod::AccessKey => {
            let access_key = secret(
                &p.access_key,
                &p.access_key_command,
                &env.api_key,
                "access_key",
            )?;
            let secret_key = secret(
                &p.secret_key,
                &p.secret_key_command,
                &env.api_secret,
                "secret_key",
            )?;
            RemoteCredentials::AccessKey {
                key: access_key.ok_or_else(|| {
                    profile_error(
                        name,
                        "no access key (access_key, access_key_command or LANDSCAPE_API_KEY)",
                    )
                })?,
                secret: Secret::new(secret_key.ok_or_else(|| {
                    profile_error(
                        name,
                        "no secret key (secret_key_command, secret_key or LANDSCAPE_API_SECRET)",
                    )
                })?),
            }
        }
        AuthMethod::Password => {
            let password = secret(&p.password, &p.password_command, &env.password, "password")?;
            RemoteCredentials::Password {
                email: email
                    .ok_or_else(|| profile_error(name, "no email (email or LANDSCAPE_EMAIL)"))?,
                password: Secret::new(password.ok_or_else(|| {
                    profile_error(
                        name,
                        "no password (password_command, password or LANDSCAPE_PASSWORD)",
                    )
                })?),
                account: p.account.clone(),
            }
        }
    };
    Ok((method, credentials))
}

/// A secret from the profile's `*_command`, the file, or the environment, in
/// that order. A failing command is an error that never prints its output.
fn secret_value(
    profile: &str,
    value: &Option<String>,
    command: &Option<String>,
    env: &Option<String>,
    key: &str,
) -> Result<Option<String>, ConfigError> {
    if let Some(command) = command {
        return run_secret_command(command, key)
            .map(Some)
            .map_err(|why| profile_error(profile, why));
    }
    Ok(value.clone().or_else(|| env.clone()))
}

/// How long a `*_command` may take (a password manager waiting for a
/// touch is slow; one that hangs must not hang the start).
pub const SECRET_COMMAND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The first line a `*_command` prints; errors never carry its output.
fn run_secret_command(command: &str, key: &str) -> Result<String, String> {
    run_secret_command_within(command, key, SECRET_COMMAND_TIMEOUT)
}

fn run_secret_command_within(
    command: &str,
    key: &str,
    timeout: std::time::Duration,
) -> Result<String, String> {
    use std::io::Read;
    use std::process::Stdio;
    let mut sh = Command::new("sh");
    sh.arg("-c")
        .arg(command)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    crate::process_group::own_group(&mut sh);
    let mut child = sh
        .spawn()
        .map_err(|e| format!("{key}_command could not run: {e}"))?;
    let mut stdout = child.stdout.take();
    // Read apart, so a command printing a lot cannot block on a full pipe.
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(s) = stdout.as_mut() {
            let _ = s.take(64 * 1024).read_to_end(&mut out);
        }
        out
    });
    let started = std::time::Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() < timeout => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Ok(None) => {
                // Everything it started: a pipeline's parts too.
                crate::process_group::kill_group(child.id());
                let _ = child.wait();
                return Err(format!(
                    "{key}_command did not finish within {:.1} s and was stopped",
                    timeout.as_secs_f64()
                ));
            }
            Err(e) => return Err(format!("{key}_command could not be waited for: {e}")),
        }
    };
    let out = reader.join().unwrap_or_default();
    if !status.success() {
        return Err(format!("{key}_command failed ({status})"));
    }
    let text = String::from_utf8_lossy(&out);
    let first = text.lines().next().unwrap_or("").trim_end_matches('\r');
    if first.is_empty() {
        return Err(format!("{key}_command printed nothing"));
    }
    Ok(first.to_owned())
}

#[cfg(unix)]
pub(super) fn readable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
}

#[cfg(not(unix))]
pub(super) fn readable_by_others(_path: &Path) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_command_gives_its_first_line_and_is_stopped_when_it_hangs() {
        assert_eq!(
            run_secret_command("printf 'tok3n\\nsecond line\\n'", "password").unwrap(),
            "tok3n"
        );
        let e = run_secret_command_within(
            "sleep 20; echo late",
            "password",
            std::time::Duration::from_millis(300),
        )
        .unwrap_err();
        assert!(e.contains("did not finish within 0.3 s"), "{e}");
    }

    /// A command stopped at its time limit takes what it started with it:
    /// no part of a pipeline is left running, orphaned.
    #[test]
    fn a_stopped_secret_command_leaves_nothing_running() {
        let dir = tempfile::tempdir().unwrap();
        let pids = dir.path().join("pids");
        let command = format!(
            "sleep 30 & echo $! > {0}; (sleep 30; echo late) | cat & echo $! >> {0}; wait",
            pids.display()
        );
        let e =
            run_secret_command_within(&command, "password", std::time::Duration::from_millis(500))
                .unwrap_err();
        assert!(e.contains("was stopped"), "{e}");
        std::thread::sleep(std::time::Duration::from_millis(200));
        let started = std::fs::read_to_string(&pids).unwrap();
        for pid in started.split_whitespace() {
            let alive = std::path::Path::new(&format!("/proc/{pid}")).exists()
                && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
                    .unwrap_or_default()
                    .contains(") Z");
            assert!(!alive, "process {pid} still runs");
        }
    }
}
