//! Starting `serve`: bind, announce, run until Ctrl-C or SIGTERM.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;

use super::{Credentials, JwtKeys, ServerState, serve};
use crate::backend::Backend;

/// Where the credentials came from, so only generated ones are printed.
pub struct StartCredentials {
    pub credentials: Credentials,
    /// Which parts were generated (and must be shown once).
    pub generated_keys: bool,
    pub generated_login: bool,
    /// The longest a token this server issues lives (`--token-seconds`):
    /// short, a client's re-login on an expired token can be seen.
    pub token_seconds: Option<u64>,
}

impl StartCredentials {
    /// `LANDSCAPE_API_KEY`/`_SECRET` and `LANDSCAPE_EMAIL`/`_PASSWORD`, each
    /// pair generated when both are unset. Half a pair is an error naming
    /// the missing variable: nothing is made up in its place.
    pub fn from_env() -> Result<StartCredentials, String> {
        StartCredentials::from_vars(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<StartCredentials, String> {
        let pair = |a: &str, b: &str| match (var(a), var(b)) {
            (Some(x), Some(y)) => Ok(Some((x, y))),
            (None, None) => Ok(None),
            (Some(_), None) => Err(format!(
                "{a} is set but {b} is not: set both, or neither to have a pair generated"
            )),
            (None, Some(_)) => Err(format!(
                "{b} is set but {a} is not: set both, or neither to have a pair generated"
            )),
        };
        let mut c = Credentials::random();
        let keys = pair("LANDSCAPE_API_KEY", "LANDSCAPE_API_SECRET")?;
        let login = pair("LANDSCAPE_EMAIL", "LANDSCAPE_PASSWORD")?;
        let (generated_keys, generated_login) = (keys.is_none(), login.is_none());
        if let Some((key, secret)) = keys {
            c.access_key = key;
            c.secret_key = secret;
        }
        if let Some((email, password)) = login {
            c.email = email;
            c.password = password;
        }
        // The user's name: its own variable, else the email's local part.
        c.name = var("LANDSCAPE_USER_NAME")
            .unwrap_or_else(|| c.email.split('@').next().unwrap_or(&c.email).to_owned());
        if let Some(account) = var("LANDSCAPE_ACCOUNT") {
            c.account_title = account.clone();
            c.account = account;
        }
        if let Some(title) = var("LANDSCAPE_ACCOUNT_TITLE") {
            c.account_title = title;
        }
        Ok(StartCredentials {
            credentials: c,
            generated_keys,
            generated_login,
            token_seconds: None,
        })
    }
}

/// Binds `bind` and serves `backend` until Ctrl-C or SIGTERM. The banner
/// (and generated secrets, once) go to `out`; the request log to stderr.
pub async fn run(
    bind: SocketAddr,
    public_url: Option<String>,
    log: super::LogFormat,
    (backend, others): (Arc<dyn Backend>, Vec<super::Account>),
    start: StartCredentials,
    site: super::site::Site,
    out: &mut (dyn Write + Send),
) -> std::io::Result<()> {
    let listener = TcpListener::bind(bind).await?;
    let addr = listener.local_addr()?;
    if !addr.ip().is_loopback() {
        eprintln!(
            "warning: serving on {addr}, which is not a loopback address: anyone who can reach it and holds the credentials can change activities"
        );
    }
    let c = &start.credentials;
    let base = format!("http://{addr}");
    let mut banner = format!(
        "landscape-tui serve: listening on {base}\n  legacy API: {base}/api/    REST API v2: {base}/api/v2/\nexport LANDSCAPE_API_URI={base}/api/\n"
    );
    if start.generated_keys {
        banner += &format!("export LANDSCAPE_API_KEY={}\n", c.access_key);
        banner += &format!("export LANDSCAPE_API_SECRET={}\n", c.secret_key);
    }
    if start.generated_login {
        banner += &format!("export LANDSCAPE_EMAIL={}\n", c.email);
        banner += &format!("export LANDSCAPE_PASSWORD={}\n", c.password);
    }
    if start.generated_keys || start.generated_login {
        banner += "(generated credentials, shown once; set the variables above before starting to choose your own)\n";
    }
    // Comments, so `eval` of the banner keeps the default account's keys.
    for a in &others {
        banner += &format!(
            "# account {}: LANDSCAPE_API_KEY={} LANDSCAPE_API_SECRET={} (or log in with \"account\": \"{}\")\n",
            a.name, a.access_key, a.secret_key, a.name
        );
    }
    if site.web_ui.is_some() {
        banner += &format!("web UI: {base}/new_dashboard/ (log in as {})\n", c.email);
    }
    // One write; a reader that stopped listening (`| head -3`) must not
    // stop the server.
    if let Err(e) = out.write_all(banner.as_bytes()).and_then(|()| out.flush()) {
        eprintln!("landscape-tui serve: could not print the banner ({e}); serving anyway");
    }
    let state = Arc::new(ServerState {
        default_backend: backend,
        others,
        credentials: start.credentials,
        jwt: JwtKeys::random(),
        public_url: public_url.unwrap_or(base).trim_end_matches('/').to_owned(),
        throttle: super::Throttle::default(),
        log,
        site,
        sessions: Default::default(),
        check_host: addr.ip().is_loopback(),
        token_seconds: start.token_seconds,
    });
    serve(listener, state, shutdown_signal()).await?;
    eprintln!("landscape-tui serve: stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
