//! Several servers (profiles, accounts) as one backend: one list newest
//! first across all, each id tagged with its server
//! ([`crate::model::origin`]), each read and action routed to the server
//! its ids belong to. A server that is down leaves the others live: the
//! list says which answered ([`RowPage::servers`]).

use std::sync::Arc;

use async_trait::async_trait;
use futures::future::join_all;
use tokio::sync::watch;

use super::{Backend, BackendError, BackendInfo, CompletionValues, EventFilter, Selection};
use crate::model::operation::Operation;
use crate::model::origin::{self, ServerRows, tag_activity};
use crate::model::{Activity, Computer, ListSort, Page, RowPage, SortColumn};
use crate::query::route::{self, Routed};

/// One server of several, as the dashboard names it.
#[derive(Clone)]
pub struct Server {
    pub name: String,
    /// Its rows refuse actions; the others act.
    pub read_only: bool,
    /// Reads and actions on this server alone, its ids tagged.
    pub backend: Arc<dyn Backend>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("name", &self.name)
            .field("read_only", &self.read_only)
            .finish()
    }
}

/// One server's backend with its ids tagged: what it answers carries
/// its index, what it is asked is made its own.
struct OnServer {
    index: usize,
    name: String,
    read_only: bool,
    inner: Arc<dyn Backend>,
}

fn tag_page(page: Page<Activity>, index: usize) -> Page<Activity> {
    Page {
        results: page
            .results
            .into_iter()
            .map(|a| tag_activity(a, index))
            .collect(),
        ..page
    }
}

fn tag_rows(mut page: RowPage, index: usize) -> RowPage {
    page.rows = tag_page(page.rows, index);
    page.matching_children = std::mem::take(&mut page.matching_children)
        .into_iter()
        .map(|(k, v)| (origin::tag(index, k), v))
        .collect();
    page
}

fn tag_computer(mut c: Computer, index: usize) -> Computer {
    c.id = origin::tag(index, c.id);
    c
}

impl OnServer {
    /// `ids` this server holds, as it knows them; an untagged id is
    /// anyone's.
    fn own(&self, ids: &[u64]) -> Vec<u64> {
        ids.iter()
            .filter(|&&id| origin::server_of(id).is_none_or(|k| k == self.index))
            .map(|&id| origin::local(id))
            .collect()
    }

    fn own_one(&self, id: u64) -> Result<u64, BackendError> {
        match origin::server_of(id) {
            Some(k) if k != self.index => Err(BackendError::NotFound(origin::local(id))),
            _ => Ok(origin::local(id)),
        }
    }

    fn writable(&self) -> Result<(), BackendError> {
        if self.read_only {
            return Err(BackendError::Unsupported(format!(
                "{} is read-only",
                self.name
            )));
        }
        Ok(())
    }

    fn tag_ids(&self, ids: Vec<u64>) -> Vec<u64> {
        ids.into_iter()
            .map(|id| origin::tag(self.index, id))
            .collect()
    }
}

#[async_trait]
impl Backend for OnServer {
    fn info(&self) -> BackendInfo {
        self.inner.info()
    }

    async fn activities(
        &self,
        query: &str,
        limit: u64,
        offset: u64,
    ) -> Result<Page<Activity>, BackendError> {
        match route::activity_query(query, self.index) {
            Routed::Nothing => Ok(Page::empty()),
            Routed::Send(q) => Ok(tag_page(
                self.inner.activities(&q, limit, offset).await?,
                self.index,
            )),
        }
    }

    async fn top_level(
        &self,
        query: &str,
        limit: u64,
        offset: u64,
    ) -> Result<RowPage, BackendError> {
        self.top_level_sorted(query, ListSort::default(), limit, offset)
            .await
    }

    async fn top_level_sorted(
        &self,
        query: &str,
        sort: ListSort,
        limit: u64,
        offset: u64,
    ) -> Result<RowPage, BackendError> {
        match route::activity_query(query, self.index) {
            Routed::Nothing => Ok(RowPage::default()),
            Routed::Send(q) => Ok(tag_rows(
                self.inner.top_level_sorted(&q, sort, limit, offset).await?,
                self.index,
            )),
        }
    }

    async fn activity(&self, id: u64) -> Result<Activity, BackendError> {
        let local = self.own_one(id)?;
        Ok(tag_activity(self.inner.activity(local).await?, self.index))
    }

    async fn children(
        &self,
        parent_id: u64,
        query: Option<&str>,
    ) -> Result<Vec<Activity>, BackendError> {
        let parent = self.own_one(parent_id)?;
        let query = match query.map(|q| route::activity_query(q, self.index)) {
            Some(Routed::Nothing) => return Ok(Vec::new()),
            Some(Routed::Send(q)) => Some(q),
            None => None,
        };
        let children = self.inner.children(parent, query.as_deref()).await?;
        Ok(children
            .into_iter()
            .map(|a| tag_activity(a, self.index))
            .collect())
    }

    async fn activity_types(&self) -> Result<Vec<String>, BackendError> {
        self.inner.activity_types().await
    }

    async fn completion_values(&self) -> Result<CompletionValues, BackendError> {
        self.inner.completion_values().await
    }

    async fn computers(&self) -> Result<Vec<Computer>, BackendError> {
        let all = self.inner.computers().await?;
        Ok(all
            .into_iter()
            .map(|c| tag_computer(c, self.index))
            .collect())
    }

    async fn computers_page(
        &self,
        query: &str,
        limit: u64,
        offset: u64,
    ) -> Result<Page<Computer>, BackendError> {
        let q = match route::computer_query(query, self.index) {
            Routed::Nothing => return Ok(Page::empty()),
            Routed::Send(q) => q,
        };
        let page = self.inner.computers_page(&q, limit, offset).await?;
        Ok(Page {
            results: page
                .results
                .into_iter()
                .map(|c| tag_computer(c, self.index))
                .collect(),
            ..page
        })
    }

    async fn pending_computers(&self) -> Result<Vec<serde_json::Value>, BackendError> {
        self.inner.pending_computers().await
    }

    async fn saved_searches(&self) -> Result<Vec<crate::model::SavedSearch>, BackendError> {
        self.inner.saved_searches().await
    }

    async fn events(
        &self,
        filter: &EventFilter,
    ) -> Result<Page<crate::model::event::ServerEvent>, BackendError> {
        self.inner.events(filter).await
    }

    async fn computers_by_id(&self, ids: &[u64]) -> Result<Vec<Computer>, BackendError> {
        let own = self.own(ids);
        if own.is_empty() {
            return Ok(Vec::new());
        }
        let all = self.inner.computers_by_id(&own).await?;
        Ok(all
            .into_iter()
            .map(|c| tag_computer(c, self.index))
            .collect())
    }

    async fn computer_titles(
        &self,
        ids: &[u64],
        fresh: bool,
    ) -> Result<std::collections::HashMap<u64, String>, BackendError> {
        let own = self.own(ids);
        if own.is_empty() {
            return Ok(Default::default());
        }
        let titles = self.inner.computer_titles(&own, fresh).await?;
        Ok(titles
            .into_iter()
            .map(|(id, t)| (origin::tag(self.index, id), t))
            .collect())
    }

    async fn activities_by_id(&self, ids: &[u64]) -> Result<Vec<Activity>, BackendError> {
        let own = self.own(ids);
        if own.is_empty() {
            return Ok(Vec::new());
        }
        let all = self.inner.activities_by_id(&own).await?;
        Ok(all
            .into_iter()
            .map(|a| tag_activity(a, self.index))
            .collect())
    }

    async fn count(&self, query: &str) -> Result<u64, BackendError> {
        match route::activity_query(query, self.index) {
            Routed::Nothing => Ok(0),
            Routed::Send(q) => self.inner.count(&q).await,
        }
    }

    async fn first_page(&self, query: &str, limit: u64) -> Result<Page<Activity>, BackendError> {
        match route::activity_query(query, self.index) {
            Routed::Nothing => Ok(Page::empty()),
            Routed::Send(q) => Ok(tag_page(
                self.inner.first_page(&q, limit).await?,
                self.index,
            )),
        }
    }

    async fn approve(&self, selection: &Selection) -> Result<Vec<u64>, BackendError> {
        match self.selection(selection) {
            Some(s) => {
                self.writable()?;
                Ok(self.tag_ids(self.inner.approve(&s).await?))
            }
            None => Ok(Vec::new()),
        }
    }

    async fn cancel(&self, selection: &Selection) -> Result<Vec<u64>, BackendError> {
        match self.selection(selection) {
            Some(s) => {
                self.writable()?;
                Ok(self.tag_ids(self.inner.cancel(&s).await?))
            }
            None => Ok(Vec::new()),
        }
    }

    async fn reapply(&self, ids: &[u64]) -> Result<Vec<Activity>, BackendError> {
        let own = self.own(ids);
        if own.is_empty() {
            return Ok(Vec::new());
        }
        self.writable()?;
        let made = self.inner.reapply(&own).await?;
        Ok(made
            .into_iter()
            .map(|a| tag_activity(a, self.index))
            .collect())
    }

    async fn revert(&self, ids: &[u64]) -> Result<Vec<Activity>, BackendError> {
        let own = self.own(ids);
        if own.is_empty() {
            return Ok(Vec::new());
        }
        self.writable()?;
        let made = self.inner.revert(&own).await?;
        Ok(made
            .into_iter()
            .map(|a| tag_activity(a, self.index))
            .collect())
    }

    async fn operations_in_flight(&self) -> Result<Vec<Operation>, BackendError> {
        self.inner.operations_in_flight().await
    }

    async fn operations(&self, names: &[String]) -> Result<Vec<Operation>, BackendError> {
        self.inner.operations(names).await
    }

    fn changes(&self) -> watch::Receiver<u64> {
        self.inner.changes()
    }

    fn now(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.inner.now()
    }

    fn retry_credentials(&self) {
        self.inner.retry_credentials()
    }
}

impl OnServer {
    /// `selection` as this server's, or `None` when none of it is here.
    fn selection(&self, selection: &Selection) -> Option<Selection> {
        match selection {
            Selection::Query(q) => match route::activity_query(q, self.index) {
                Routed::Nothing => None,
                Routed::Send(q) => Some(Selection::Query(q)),
            },
            Selection::Ids(ids) => {
                let own = self.own(ids);
                (!own.is_empty()).then_some(Selection::Ids(own))
            }
        }
    }
}

/// Every answer, or the first error.
async fn all<T>(
    asks: impl Iterator<Item = impl std::future::Future<Output = Result<T, BackendError>>>,
) -> Result<Vec<T>, BackendError> {
    join_all(asks).await.into_iter().collect()
}

/// Several servers as one backend.
pub struct Several {
    servers: Vec<Server>,
    colours: Vec<Option<String>>,
    changes: watch::Receiver<u64>,
}

impl Several {
    /// `servers` as (name, read-only, backend), in the order the operator
    /// named them. Must run inside the tokio runtime (it listens to
    /// each server's changes).
    pub fn new(servers: Vec<(String, bool, Arc<dyn Backend>)>) -> Arc<Several> {
        Several::coloured(servers, Vec::new())
    }

    /// [`Several::new`] with each server's name in the colour its profile
    /// asks (`colours[k]`, by position; none: the theme's).
    pub fn coloured(
        servers: Vec<(String, bool, Arc<dyn Backend>)>,
        colours: Vec<Option<String>>,
    ) -> Arc<Several> {
        let (tx, rx) = watch::channel(0u64);
        let tx = Arc::new(tx);
        let servers: Vec<Server> = servers
            .into_iter()
            .enumerate()
            .map(|(index, (name, read_only, inner))| {
                let mut changes = inner.changes();
                let tx = tx.clone();
                tokio::spawn(async move {
                    while changes.changed().await.is_ok() {
                        tx.send_modify(|n| *n += 1);
                    }
                });
                let backend: Arc<dyn Backend> = Arc::new(OnServer {
                    index,
                    name: name.clone(),
                    read_only,
                    inner,
                });
                Server {
                    name,
                    read_only,
                    backend,
                }
            })
            .collect();
        Arc::new(Several {
            servers,
            colours,
            changes: rx,
        })
    }

    /// The server an id belongs to; an untagged id is asked of each.
    fn of(&self, id: u64) -> Vec<&Server> {
        match origin::server_of(id) {
            Some(k) => self.servers.get(k).into_iter().collect(),
            None => self.servers.iter().collect(),
        }
    }

    /// A page of the merged list: each server's rows read from the end
    /// nearer `offset` (past the middle, from the oldest), merged, cut.
    /// `G` costs a page of each server, not the account.
    async fn merged_rows(
        &self,
        query: &str,
        sort: ListSort,
        limit: u64,
        offset: u64,
    ) -> Result<RowPage, BackendError> {
        let oldest_first = sort.column == SortColumn::Created && !sort.descending;
        let mut reverse = false;
        let mut read = offset.saturating_add(limit);
        if offset > 0 {
            let counts = join_all(
                self.servers
                    .iter()
                    .map(|s| s.backend.top_level(query, 1, 0)),
            )
            .await;
            let total: u64 = counts.iter().flatten().map(|p| p.rows.count).sum();
            let from_end = total.saturating_sub(offset);
            if from_end < offset {
                (reverse, read) = (true, from_end);
            }
        }
        let direction = if oldest_first == reverse {
            ListSort::default()
        } else {
            ListSort {
                column: SortColumn::Created,
                descending: false,
            }
        };
        let answers = join_all(
            self.servers
                .iter()
                .map(|s| s.backend.top_level_sorted(query, direction, read, 0)),
        )
        .await;
        let mut page = self.gather(answers)?;
        // Newest first across servers; the same time in server order.
        let ascending = direction.column == SortColumn::Created && !direction.descending;
        page.rows.results.sort_by(|a, b| {
            let order = b.creation_time.cmp(&a.creation_time).then(a.id.cmp(&b.id));
            if ascending { order.reverse() } else { order }
        });
        let rows = std::mem::take(&mut page.rows.results);
        page.rows.results = if reverse {
            // Read from the other end: the page is the last `limit` of
            // the first `read`, turned round.
            let rows: Vec<Activity> = rows.into_iter().take(read as usize).collect();
            let skip = rows.len().saturating_sub(limit as usize);
            rows.into_iter().skip(skip).rev().collect()
        } else {
            rows.into_iter()
                .skip(offset as usize)
                .take(limit as usize)
                .collect()
        };
        Ok(page)
    }

    /// The servers' answers as one page (rows not yet in order), each
    /// server's count or that it is down; an error only when all are.
    fn gather(&self, answers: Vec<Result<RowPage, BackendError>>) -> Result<RowPage, BackendError> {
        let mut page = RowPage::default();
        let mut first_error = None;
        for (server, answer) in self.servers.iter().zip(answers) {
            match answer {
                Ok(p) => {
                    page.servers.push(ServerRows {
                        name: server.name.clone(),
                        rows: p.rows.count,
                        down: None,
                    });
                    page.rows.count += p.rows.count;
                    page.activity_count += p.activity_count;
                    page.rows_estimated |= p.rows_estimated;
                    page.rows.count_is_lower_bound |= p.rows.count_is_lower_bound;
                    page.matching_children.extend(p.matching_children);
                    page.rows.results.extend(p.rows.results);
                }
                Err(e) => {
                    page.servers.push(ServerRows {
                        name: server.name.clone(),
                        rows: 0,
                        down: Some(e.to_string()),
                    });
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(e) if page.servers.iter().all(|s| s.down.is_some()) => Err(e),
            _ => Ok(page),
        }
    }
}

#[async_trait]
impl Backend for Several {
    fn info(&self) -> BackendInfo {
        let infos: Vec<BackendInfo> = self.servers.iter().map(|s| s.backend.info()).collect();
        BackendInfo {
            label: self
                .servers
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            embedded: false,
            sends_action_flags: infos.iter().all(|i| i.sends_action_flags),
            sorts_every_column: false,
            unverified_tls: infos.iter().any(|i| i.unverified_tls),
            servers: self
                .servers
                .iter()
                .zip(&infos)
                .enumerate()
                .map(|(k, (s, info))| origin::ServerName {
                    name: s.name.clone(),
                    read_only: s.read_only,
                    label: info.label.clone(),
                    embedded: info.embedded,
                    colour: self.colours.get(k).cloned().flatten(),
                })
                .collect(),
        }
    }

    fn servers(&self) -> Vec<Server> {
        self.servers.clone()
    }

    async fn activities(
        &self,
        query: &str,
        limit: u64,
        offset: u64,
    ) -> Result<Page<Activity>, BackendError> {
        let end = offset.saturating_add(limit);
        let pages = all(self
            .servers
            .iter()
            .map(|s| s.backend.activities(query, end, 0)))
        .await?;
        let mut all = Page::empty();
        for p in pages {
            all.count += p.count;
            all.count_is_lower_bound |= p.count_is_lower_bound;
            all.results.extend(p.results);
        }
        all.results
            .sort_by(|a, b| b.creation_time.cmp(&a.creation_time).then(a.id.cmp(&b.id)));
        all.results = all
            .results
            .into_iter()
            .skip(offset as usize)
            .take(limit as usize)
            .collect();
        Ok(all)
    }

    async fn top_level(
        &self,
        query: &str,
        limit: u64,
        offset: u64,
    ) -> Result<RowPage, BackendError> {
        self.merged_rows(query, ListSort::default(), limit, offset)
            .await
    }

    async fn top_level_sorted(
        &self,
        query: &str,
        sort: ListSort,
        limit: u64,
        offset: u64,
    ) -> Result<RowPage, BackendError> {
        self.merged_rows(query, sort, limit, offset).await
    }

    async fn activity(&self, id: u64) -> Result<Activity, BackendError> {
        let mut last = BackendError::NotFound(origin::local(id));
        for s in self.of(id) {
            match s.backend.activity(id).await {
                Ok(a) => return Ok(a),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    async fn children(
        &self,
        parent_id: u64,
        query: Option<&str>,
    ) -> Result<Vec<Activity>, BackendError> {
        let mut all = Vec::new();
        for s in self.of(parent_id) {
            all.extend(s.backend.children(parent_id, query).await?);
        }
        Ok(all)
    }

    async fn activity_types(&self) -> Result<Vec<String>, BackendError> {
        let lists = all(self.servers.iter().map(|s| s.backend.activity_types())).await?;
        let mut all: Vec<String> = lists.into_iter().flatten().collect();
        all.sort();
        all.dedup();
        Ok(all)
    }

    async fn completion_values(&self) -> Result<CompletionValues, BackendError> {
        let each = all(self.servers.iter().map(|s| s.backend.completion_values())).await?;
        let mut all = CompletionValues::default();
        for v in each {
            all.tags.extend(v.tags);
            all.hostnames.extend(v.hostnames);
            all.titles.extend(v.titles);
            all.access_groups.extend(v.access_groups);
            all.creators.extend(v.creators);
            all.types.extend(v.types);
        }
        for list in [
            &mut all.tags,
            &mut all.hostnames,
            &mut all.titles,
            &mut all.access_groups,
            &mut all.creators,
            &mut all.types,
        ] {
            list.sort();
            list.dedup();
        }
        Ok(all)
    }

    async fn computers(&self) -> Result<Vec<Computer>, BackendError> {
        let each = all(self.servers.iter().map(|s| s.backend.computers())).await?;
        Ok(each.into_iter().flatten().collect())
    }

    async fn computers_page(
        &self,
        query: &str,
        limit: u64,
        offset: u64,
    ) -> Result<Page<Computer>, BackendError> {
        let end = offset.saturating_add(limit);
        let pages = all(self
            .servers
            .iter()
            .map(|s| s.backend.computers_page(query, end, 0)))
        .await?;
        let mut all = Page::empty();
        for p in pages {
            all.count += p.count;
            all.results.extend(p.results);
        }
        all.results = all
            .results
            .into_iter()
            .skip(offset as usize)
            .take(limit as usize)
            .collect();
        Ok(all)
    }

    async fn computers_by_id(&self, ids: &[u64]) -> Result<Vec<Computer>, BackendError> {
        let each = all(self.servers.iter().map(|s| s.backend.computers_by_id(ids))).await?;
        Ok(each.into_iter().flatten().collect())
    }

    async fn computer_titles(
        &self,
        ids: &[u64],
        fresh: bool,
    ) -> Result<std::collections::HashMap<u64, String>, BackendError> {
        let each = all(self
            .servers
            .iter()
            .map(|s| s.backend.computer_titles(ids, fresh)))
        .await?;
        Ok(each.into_iter().flatten().collect())
    }

    async fn activities_by_id(&self, ids: &[u64]) -> Result<Vec<Activity>, BackendError> {
        let each = all(self.servers.iter().map(|s| s.backend.activities_by_id(ids))).await?;
        Ok(each.into_iter().flatten().collect())
    }

    async fn count(&self, query: &str) -> Result<u64, BackendError> {
        let each = all(self.servers.iter().map(|s| s.backend.count(query))).await?;
        Ok(each.into_iter().sum())
    }

    async fn first_page(&self, query: &str, limit: u64) -> Result<Page<Activity>, BackendError> {
        self.activities(query, limit, 0).await
    }

    async fn approve(&self, selection: &Selection) -> Result<Vec<u64>, BackendError> {
        let each = all(self.servers.iter().map(|s| s.backend.approve(selection))).await?;
        Ok(each.into_iter().flatten().collect())
    }

    async fn cancel(&self, selection: &Selection) -> Result<Vec<u64>, BackendError> {
        let each = all(self.servers.iter().map(|s| s.backend.cancel(selection))).await?;
        Ok(each.into_iter().flatten().collect())
    }

    async fn reapply(&self, ids: &[u64]) -> Result<Vec<Activity>, BackendError> {
        let each = all(self.servers.iter().map(|s| s.backend.reapply(ids))).await?;
        Ok(each.into_iter().flatten().collect())
    }

    async fn revert(&self, ids: &[u64]) -> Result<Vec<Activity>, BackendError> {
        let each = all(self.servers.iter().map(|s| s.backend.revert(ids))).await?;
        Ok(each.into_iter().flatten().collect())
    }

    async fn operations_in_flight(&self) -> Result<Vec<Operation>, BackendError> {
        // A server without the service, or down, adds none.
        let each = join_all(
            self.servers
                .iter()
                .map(|s| s.backend.operations_in_flight()),
        )
        .await;
        Ok(each.into_iter().flatten().flatten().collect())
    }

    async fn operations(&self, names: &[String]) -> Result<Vec<Operation>, BackendError> {
        let each = join_all(self.servers.iter().map(|s| s.backend.operations(names))).await;
        let found: Vec<Operation> = each.into_iter().flatten().flatten().collect();
        Ok(found)
    }

    fn changes(&self) -> watch::Receiver<u64> {
        self.changes.clone()
    }

    fn now(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.servers.first().and_then(|s| s.backend.now())
    }

    fn retry_credentials(&self) {
        self.servers
            .iter()
            .for_each(|s| s.backend.retry_credentials());
    }
}
