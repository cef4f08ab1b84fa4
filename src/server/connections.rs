//! Accepting connections with limits a shared server needs: headers must
//! arrive within a deadline (a client dripping them is cut off), a request
//! must finish within another, open connections are capped (the next one
//! is refused with a 503 it can read, not left hanging until file
//! descriptors run out), and shutdown drains for a few seconds, then ends
//! whatever is still open.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::AsyncWriteExt;
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
    /// How long shutdown waits for requests under way.
    pub drain: Duration,
}

impl Default for Hygiene {
    fn default() -> Hygiene {
        Hygiene {
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_connections: 1024,
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
    let open = Arc::new(AtomicUsize::new(0));
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
        if open.load(Ordering::Relaxed) >= hygiene.max_connections {
            tokio::spawn(refuse(stream, hygiene.max_connections));
            continue;
        }
        let counted = Counted::new(open.clone());
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
            .keep_alive(true);
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            let _ = connection.await;
            drop(counted);
        });
    }
    drop(listener);
    // Requests under way get `drain` to finish; then the rest are dropped.
    let _ = tokio::time::timeout(hygiene.drain, graceful.shutdown()).await;
    Ok(())
}

/// A connection past the cap: told so, then closed.
async fn refuse(mut stream: tokio::net::TcpStream, cap: usize) {
    let body = format!(
        r#"{{"error":"TooManyConnections","message":"this server has {cap} connections open, its limit; try again shortly"}}"#
    );
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(Duration::from_secs(2), stream.write_all(answer.as_bytes())).await;
    let _ = stream.shutdown().await;
}

/// One open connection, counted while it lives.
struct Counted(Arc<AtomicUsize>);

impl Counted {
    fn new(open: Arc<AtomicUsize>) -> Counted {
        open.fetch_add(1, Ordering::Relaxed);
        Counted(open)
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}
