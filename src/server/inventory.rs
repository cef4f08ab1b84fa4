//! The computer side of the web UI's pages where activities appear
//! (Overview, Instances): tags, availability zones, access groups,
//! computers waiting for acceptance, a computer's recovery key. Answered
//! from the backend's computers; shapes as Landscape answers them.

use std::collections::BTreeSet;

use axum::Json;
use axum::http::Uri;
use serde_json::{Value, json};

use super::ApiError;
use super::authorised::Authorised;
use crate::model::Computer;

/// The root access group every account has.
const GLOBAL: &str = "global";

/// `GET /tags`: every computer tag, sorted, as a page.
pub async fn tags(Authorised(backend): Authorised, uri: Uri) -> Result<Json<Value>, ApiError> {
    let computers = backend.computers().await?;
    let tags: BTreeSet<&str> = computers
        .iter()
        .flat_map(|c| c.tags.iter().map(String::as_str))
        .collect();
    let pairs = super::params::of_query(uri.query());
    let get = |name: &str| super::params::first(&pairs, name).map(str::to_owned);
    let search = get("search").unwrap_or_default().to_lowercase();
    let found: Vec<&str> = tags
        .into_iter()
        .filter(|t| t.to_lowercase().contains(&search))
        .collect();
    let offset: usize = get("offset").and_then(|v| v.parse().ok()).unwrap_or(0);
    let limit: usize = get("limit").and_then(|v| v.parse().ok()).unwrap_or(1000);
    let results: Vec<&str> = found.iter().skip(offset).take(limit).copied().collect();
    Ok(Json(json!({
        "results": results,
        "count": found.len(),
        "next": null,
        "previous": null,
    })))
}

/// `GET /computers/availability-zones`: the zones computers report (a
/// cloud instance's `availability_zone`); none for computers without.
pub async fn availability_zones(Authorised(backend): Authorised) -> Result<Json<Value>, ApiError> {
    let computers = backend.computers().await?;
    let zones: BTreeSet<&str> = computers
        .iter()
        .filter_map(|c| c.extra.get("availability_zone").and_then(Value::as_str))
        .collect();
    Ok(Json(json!({ "values": zones })))
}

/// `GET /computers/<id>/recovery-key`: its full-disk-encryption recovery
/// key and the activity making one. The engine's computers keep none.
pub async fn recovery_key(
    Authorised(backend): Authorised,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Json<Value>, ApiError> {
    let missing = || {
        ApiError::new(
            axum::http::StatusCode::NOT_FOUND,
            "NotFound",
            format!("no computer {id:?}"),
        )
    };
    let n: u64 = id.parse().map_err(|_| missing())?;
    if backend.computers_by_id(&[n]).await?.is_empty() {
        return Err(missing());
    }
    Ok(Json(json!({"fde_recovery_key": null, "activity": null})))
}

/// `GetAccessGroups`: the groups the computers are in, under `global`.
pub fn access_groups(computers: &[Computer]) -> Value {
    let mut names: BTreeSet<&str> = computers
        .iter()
        .map(|c| c.access_group.as_str())
        .filter(|g| !g.is_empty() && *g != GLOBAL)
        .collect();
    let children: Vec<&str> = names.iter().copied().collect();
    let mut groups = vec![json!({
        "name": GLOBAL,
        "title": "Global access",
        "parent": "",
        "children": children.join(","),
    })];
    groups.extend(std::mem::take(&mut names).into_iter().map(|name| {
        json!({
            "name": name,
            "title": title_of(name),
            "parent": GLOBAL,
            "children": "",
        })
    }));
    Value::Array(groups)
}

/// `web-servers` → `Web servers`.
fn title_of(name: &str) -> String {
    let words = name.replace(['-', '_'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_titles() {
        assert_eq!(title_of("web-servers"), "Web servers");
        assert_eq!(title_of("datacenter"), "Datacenter");
    }
}
