//! The reads that feed the lazy fold of rows (`rows.rs`): raw pages of a
//! query, a refresh's look at the newest matches, the legacy count probe,
//! and the parents a page of rows needs.

use std::time::Instant;

use reqwest::Method;

use super::rows::{LazyRows, Need, RAW_PAGE};
use super::state::*;
use super::transport::*;
use crate::backend::Backend;
use crate::backend::BackendError;
use crate::model::{Activity, Page, RowPage};

impl RemoteBackend {
    pub(super) async fn page(
        &self,
        query: &str,
        limit: u64,
        offset: u64,
    ) -> Result<Page<Activity>, BackendError> {
        check_query(query)?;
        match self.api().await? {
            Api::Rest => {
                let params = list_params(query, limit, offset);
                self.retrying(|| self.rest(Method::GET, "/activities", &params, None))
                    .await
                    .map_err(|e| with_local_span(e, query))
            }
            Api::Legacy => {
                // The legacy answer is a bare list: ask for one more to learn
                // whether there are further pages.
                let args = [
                    ("query", query.to_owned()),
                    ("limit", limit.saturating_add(1).to_string()),
                    ("offset", offset.to_string()),
                ];
                let mut results: Vec<Activity> = self
                    .retrying(|| self.legacy("GetActivities", &args))
                    .await
                    .map_err(|e| with_local_span(e, query))?;
                let more = results.len() as u64 > limit;
                results.truncate(limit as usize);
                Ok(Page {
                    count: offset
                        .saturating_add(results.len() as u64)
                        .saturating_add(u64::from(more)),
                    results,
                    next: None,
                    previous: None,
                    count_is_lower_bound: more,
                })
            }
        }
    }

    /// A fold of `query` with its first raw page read and its matches
    /// counted (REST pages carry the count; the legacy API is probed).
    pub(super) async fn start_rows(
        &self,
        query: &str,
        ratio_of: Option<&LazyRows>,
    ) -> Result<LazyRows, BackendError> {
        let first = self.page(query, RAW_PAGE, 0).await?;
        let count = match self.api().await? {
            Api::Rest => first.count,
            Api::Legacy if (first.results.len() as u64) < RAW_PAGE => first.results.len() as u64,
            Api::Legacy => self.count_from(query, RAW_PAGE - 1).await?,
        };
        let mut lazy = match ratio_of {
            Some(old) => old.restart(count),
            None => LazyRows::new(query, count),
        };
        lazy.absorb(0, first.results);
        Ok(lazy)
    }

    /// A refresh: the newest matches until one already read. Only new
    /// ones: they are folded in on top (`None`). Anything else moved (a count that
    /// new ones do not explain, or too many new to see the known ones):
    /// the fold starts again, which costs a page, not the account.
    pub(super) async fn look_for_new(
        &self,
        lazy: &mut LazyRows,
    ) -> Result<Option<LazyRows>, BackendError> {
        let top = self.page(&lazy.query, NEWEST_CHECK, 0).await?;
        let known = top.results.iter().position(|a| lazy.knows(a.id));
        let counted = self.api().await? == Api::Rest;
        let fresh = match known {
            Some(k) if !counted || top.count == lazy.raw_count + k as u64 => {
                let mut new = top.results;
                new.truncate(k);
                if !new.is_empty() {
                    lazy.prepend(new);
                }
                None
            }
            _ if top.results.is_empty() => Some(lazy.restart(0)),
            _ => Some(self.start_rows(&lazy.query, Some(lazy)).await?),
        };
        lazy.checked = Instant::now();
        Ok(fresh.map(|mut f| {
            f.checked = Instant::now();
            f
        }))
    }

    /// The legacy count of `query`, knowing there is a match at `low`
    /// (at most 31 probes up, as many down):
    /// one-record pages at doubling offsets, then halving.
    pub(super) async fn count_from(&self, query: &str, low: u64) -> Result<u64, BackendError> {
        let exists = |offset: u64| async move {
            Ok::<bool, BackendError>(!self.page(query, 1, offset).await?.results.is_empty())
        };
        // Invariant: a match at `low`, none at `high`.
        let mut low = low;
        let mut high = low.max(1).saturating_mul(2);
        while exists(high).await? {
            if high >= MAX_PROBED_COUNT {
                // No real account is this large: a server whose pages
                // never end. Stop rather than ask for ever.
                return Err(BackendError::Protocol(format!(
                    "the server answers a match at every offset up to {} for {:?}: its pages never end; stopped counting",
                    crate::printable::thousands(high),
                    crate::printable::printable(query)
                )));
            }
            low = high;
            high = high.saturating_mul(2);
        }
        while high - low > 1 {
            let mid = low + (high - low) / 2;
            if exists(mid).await? {
                low = mid;
            } else {
                high = mid;
            }
        }
        Ok(high)
    }

    /// Reads what `lazy` needs to answer `limit` rows from `offset`.
    pub(super) async fn fill(
        &self,
        lazy: &mut LazyRows,
        offset: u64,
        limit: u64,
    ) -> Result<RowPage, BackendError> {
        loop {
            match lazy.need(offset, limit) {
                Need::Raw {
                    offset: at,
                    limit: n,
                } => {
                    let page = self.page(&lazy.query, n, at).await?;
                    lazy.absorb(at, page.results);
                }
                Need::Parents(ids) => {
                    let found = self.activities_by_id(&ids).await?;
                    lazy.add_parents(found);
                }
                Need::Ready => return Ok(lazy.page(offset, limit)),
            }
        }
    }

    /// The dashboard's rows folded from raw pages, lazily: the rows asked
    /// for and what leads to them. A refresh (a call a while after the
    /// last look) asks only what is new and re-reads the rows answered
    /// that are not final yet.
    pub(super) async fn lazy_rows(
        &self,
        query: &str,
        limit: u64,
        offset: u64,
    ) -> Result<RowPage, BackendError> {
        // Worked on in place, under the lock: a call abandoned half way
        // (a newer request made it stale) leaves what it read.
        let mut cache = self.lazy.lock().await;
        let lazy = match &mut *cache {
            Some(l) if l.query == query => l,
            slot => slot.insert(self.start_rows(query, None).await?),
        };
        let refresh = lazy.checked.elapsed() >= self.options.poll_interval / 2;
        if refresh {
            let looked = self.look_for_new(lazy).await?;
            if let Some(fresh) = looked {
                *lazy = fresh;
            }
        }
        let mut page = self.fill(lazy, offset, limit).await?;
        let unsettled = LazyRows::unsettled(&page);
        if refresh && !unsettled.is_empty() {
            let fresh = self.activities_by_id(&unsettled).await?;
            // A status that moved can move a row out of a query about
            // status: the next call folds afresh.
            let moved = fresh.iter().any(|a| {
                page.rows
                    .results
                    .iter()
                    .any(|old| old.id == a.id && old.activity_status != a.activity_status)
            });
            for row in &mut page.rows.results {
                if let Some(a) = fresh.iter().find(|a| a.id == row.id) {
                    *row = a.clone();
                }
            }
            lazy.refresh_records(fresh);
            if moved && query.to_ascii_lowercase().contains("status:") {
                *lazy = lazy.restart(lazy.raw_count);
            }
        }
        Ok(page)
    }
}

/// `limit`, `offset` and (when there is one) `query` of a REST list route.
pub(super) fn list_params(query: &str, limit: u64, offset: u64) -> Vec<(&'static str, String)> {
    let mut params = vec![("limit", limit.to_string()), ("offset", offset.to_string())];
    if !query.trim().is_empty() {
        params.push(("query", query.to_owned()));
    }
    params
}
