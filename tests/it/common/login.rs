//! A REST v2 password login, as a script would make it (also used by the
//! benches, through `#[path]`).

use serde_json::Value;

/// The answer to a password login at the server whose API base
/// (`…/api/`) is `api`: the token, the user, the accounts.
pub async fn rest_login(http: &reqwest::Client, api: &str, email: &str, password: &str) -> Value {
    http.post(format!("{api}v2/login"))
        .json(&serde_json::json!({"email": email, "password": password}))
        .send()
        .await
        .expect("the login is answered")
        .json()
        .await
        .expect("the login answer is JSON")
}

/// A REST v2 token from the server whose API base (`…/api/`) is `api`.
pub async fn rest_token(http: &reqwest::Client, api: &str, email: &str, password: &str) -> String {
    let answer = rest_login(http, api, email, password).await;
    answer["token"]
        .as_str()
        .expect("the login answer has a token")
        .to_owned()
}
