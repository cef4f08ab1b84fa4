//! Accepting connections with limits a shared server needs: headers must
//! arrive within a deadline (a client dripping them is cut off), a request
//! must finish within another, an answer the client does not read is cut
//! off when it makes no progress for a while, open connections are capped
//! in all and per client address (the next one is refused with a 503 it
//! can read, not left hanging until file descriptors run out; one address
//! cannot take every slot, and at the cap an address holding more than its
//! share gives up its oldest; when none does, as from many addresses, the
//! connection whose request has waited on its client longest is ended, as
//! nginx reuses its oldest), each connection's buffer is bounded, and
//! shutdown drains for a few seconds, then ends whatever is still open.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpListener;

/// The limits of [`accept`].
#[derive(Debug, Clone, Copy)]
pub struct Hygiene {
    /// Time for a request's headers to arrive, also between requests on a
    /// kept-alive connection.
    pub header_timeout: Duration,
    /// Time for a whole request (its body included) to be answered.
    pub request_timeout: Duration,
    pub max_connections: usize,
    /// Open connections one client address may hold.
    pub max_per_address: usize,
    /// How long an answer may wait for the client to read any of it.
    pub send_timeout: Duration,
    /// How long shutdown waits for requests under way.
    pub drain: Duration,
}

/// The most a connection buffers of what it reads (headers, and the
/// body's next chunk): a request line and headers longer than this are
/// refused. Bodies have their own limit.
pub const CONNECTION_BUFFER_BYTES: usize = 128 * 1024;

impl Default for Hygiene {
    fn default() -> Hygiene {
        Hygiene {
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_connections: 1024,
            max_per_address: 512,
            send_timeout: Duration::from_secs(30),
            drain: Duration::from_secs(5),
        }
    }
}

/// Serves `router` on `listener` until `shutdown`, within `hygiene`.
pub async fn accept(
    listener: TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    hygiene: Hygiene,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    let open = Arc::new(Registry::default());
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                // Out of descriptors, or a connection reset before it was
                // taken: wait a moment rather than spin.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let ticket = match open.enter(peer.ip(), &hygiene) {
            Ok(ticket) => ticket,
            Err(why) => {
                tokio::spawn(refuse(stream, why));
                continue;
            }
        };
        let router = router.clone();
        let service = TowerToHyperService::new(tower::util::MapRequest::new(
            router,
            move |mut request: axum::http::Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            },
        ));
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(hygiene.header_timeout)
            .max_buf_size(CONNECTION_BUFFER_BYTES)
            .keep_alive(true);
        let stream = SendDeadline::new(stream, hygiene.send_timeout, ticket.progress.clone());
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        let (ip, id) = (ticket.ip, ticket.id);
        let task = tokio::spawn(async move {
            let _ = connection.await;
            drop(ticket);
        });
        open.attach(ip, id, task.abort_handle());
    }
    drop(listener);
    // Requests under way get `drain` to finish; then the rest are dropped.
    let _ = tokio::time::timeout(hygiene.drain, graceful.shutdown()).await;
    Ok(())
}

/// A connection past a cap: told so, then closed.
async fn refuse(mut stream: tokio::net::TcpStream, why: String) {
    let body = serde_json::json!({"error": "TooManyConnections", "message": why}).to_string();
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(Duration::from_secs(2), stream.write_all(answer.as_bytes())).await;
    let _ = stream.shutdown().await;
}

/// A connection at the server's cap whose request began less than this
/// long ago is never ended to make room: it is being answered.
const YOUNGEST_ENDED: Duration = Duration::from_secs(1);

/// Open connections by client address, oldest first, each with the
/// handle that ends it and how far its request has come.
#[derive(Default)]
struct Registry(Mutex<Open>);

struct Held {
    id: u64,
    handle: Option<tokio::task::AbortHandle>,
    progress: Arc<Progress>,
}

#[derive(Default)]
struct Open {
    by_address: HashMap<IpAddr, VecDeque<Held>>,
    total: usize,
    next_id: u64,
}

/// When a connection's current request began: its first byte after the
/// last answer was written (or the connection opened). A client dripping
/// headers or not reading its answer keeps an old start however many
/// bytes it sends; a client that is answered starts afresh each request.
struct Progress {
    /// Milliseconds since [`epoch`].
    started: AtomicU64,
    answered: AtomicBool,
}

/// Milliseconds since [`epoch`], now.
fn now_ms() -> u64 {
    epoch().elapsed().as_millis() as u64
}

impl Progress {
    fn new() -> Progress {
        Progress {
            started: AtomicU64::new(now_ms()),
            answered: AtomicBool::new(false),
        }
    }

    fn read(&self) {
        if self.answered.swap(false, Ordering::Relaxed) {
            self.started.store(now_ms(), Ordering::Relaxed);
        }
    }

    fn wrote(&self) {
        self.answered.store(true, Ordering::Relaxed);
    }

    fn waited(&self) -> Duration {
        Duration::from_millis(now_ms().saturating_sub(self.started.load(Ordering::Relaxed)))
    }
}

/// One connection counted while it lives.
struct Ticket {
    registry: Arc<Registry>,
    ip: IpAddr,
    id: u64,
    progress: Arc<Progress>,
}

impl Registry {
    fn open(&self) -> std::sync::MutexGuard<'_, Open> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Counts a new connection from `ip`, or says why it is refused. At the
    /// server's cap, an address holding more than its share makes room:
    /// its oldest connection is ended, so a few addresses holding every
    /// slot (half-sent requests, unread answers) cannot keep a new client
    /// out; only when no address holds more than the newcomer's would
    /// after it joins is the newcomer refused.
    fn enter(self: &Arc<Self>, ip: IpAddr, limits: &Hygiene) -> Result<Ticket, String> {
        let mut open = self.open();
        let mine = open.by_address.get(&ip).map_or(0, VecDeque::len);
        if mine >= limits.max_per_address {
            return Err(format!(
                "your address has {} connections open to this server, the most one address may; close some and try again",
                limits.max_per_address
            ));
        }
        if open.total >= limits.max_connections {
            let evicted = open
                .by_address
                .iter_mut()
                .max_by_key(|(_, held)| held.len())
                .filter(|(_, held)| held.len() > mine + 1)
                .and_then(|(_, held)| {
                    let oldest = held.iter().position(|h| h.handle.is_some())?;
                    held.remove(oldest)
                })
                .or_else(|| open.longest_waiting());
            let Some(Held {
                handle: Some(handle),
                ..
            }) = evicted
            else {
                return Err(format!(
                    "this server has {} connections open, its limit, each answered within the last second; try again shortly",
                    limits.max_connections
                ));
            };
            handle.abort();
            open.total -= 1;
            open.by_address.retain(|_, held| !held.is_empty());
        }
        open.next_id += 1;
        let id = open.next_id;
        let progress = Arc::new(Progress::new());
        open.by_address.entry(ip).or_default().push_back(Held {
            id,
            handle: None,
            progress: progress.clone(),
        });
        open.total += 1;
        Ok(Ticket {
            registry: self.clone(),
            ip,
            id,
            progress,
        })
    }

    /// Gives connection `id` the handle that ends it.
    fn attach(&self, ip: IpAddr, id: u64, handle: tokio::task::AbortHandle) {
        let mut open = self.open();
        if let Some(entry) = open
            .by_address
            .get_mut(&ip)
            .and_then(|held| held.iter_mut().find(|h| h.id == id))
        {
            entry.handle = Some(handle);
        }
    }
}

/// One clock for every connection's progress.
fn epoch() -> Instant {
    static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

impl Open {
    /// Takes out the connection whose request has waited on its client
    /// longest, at least [`YOUNGEST_ENDED`].
    fn longest_waiting(&mut self) -> Option<Held> {
        let (ip, id) = self
            .by_address
            .iter()
            .flat_map(|(ip, held)| held.iter().map(move |h| (ip, h)))
            .filter(|(_, h)| h.handle.is_some())
            .map(|(ip, h)| (h.progress.waited(), *ip, h.id))
            .filter(|(waited, _, _)| *waited >= YOUNGEST_ENDED)
            .max_by_key(|(waited, _, _)| *waited)
            .map(|(_, ip, id)| (ip, id))?;
        let held = self.by_address.get_mut(&ip)?;
        let at = held.iter().position(|h| h.id == id)?;
        held.remove(at)
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut open = self.registry.open();
        // Ended to make room, it was uncounted then.
        let Some(held) = open.by_address.get_mut(&self.ip) else {
            return;
        };
        let Some(at) = held.iter().position(|h| h.id == self.id) else {
            return;
        };
        held.remove(at);
        // An address with nothing open leaves the table: it does not grow
        // with every address ever seen.
        if held.is_empty() {
            open.by_address.remove(&self.ip);
        }
        open.total -= 1;
    }
}

/// A connection whose writes must make progress within `limit`: a client
/// that stops reading its answer is cut off, rather than holding the
/// answer, its buffers and a connection slot for as long as it likes.
struct SendDeadline<S> {
    inner: S,
    limit: Duration,
    /// Started when a write could not go on; reset by any progress.
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
    progress: Arc<Progress>,
}

impl<S> SendDeadline<S> {
    fn new(inner: S, limit: Duration, progress: Arc<Progress>) -> SendDeadline<S> {
        SendDeadline {
            inner,
            limit,
            stalled: None,
            progress,
        }
    }

    /// `ready` as it came, or, while pending, an error once stalled too long.
    fn within<T>(
        &mut self,
        ready: Poll<std::io::Result<T>>,
        cx: &mut Context<'_>,
    ) -> Poll<std::io::Result<T>> {
        if ready.is_ready() {
            self.stalled = None;
            return ready;
        }
        let limit = self.limit;
        let sleep = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the client read nothing of its answer in time",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for SendDeadline<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let ready = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.progress.read();
        }
        ready
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for SendDeadline<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let ready = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(ready, Poll::Ready(Ok(n)) if n > 0) {
            self.progress.wrote();
        }
        self.within(ready, cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let ready = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(ready, Poll::Ready(Ok(n)) if n > 0) {
            self.progress.wrote();
        }
        self.within(ready, cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let ready = Pin::new(&mut self.inner).poll_flush(cx);
        self.within(ready, cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
