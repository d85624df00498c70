//! A hostile HTTP/1.1 server for tests: raw bytes on a loopback socket, so it
//! can send what no framework would (a 1 GiB body made on the fly, an endless
//! chunked answer, a trickle, redirects anywhere, escape codes). It records
//! every request's method, path and headers, so a test can prove which
//! credentials reached which listener.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Names lowercased.
    pub headers: Vec<(String, String)>,
    /// The body (the first MiB of it).
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether any credential header came with it.
    pub fn has_credentials(&self) -> bool {
        [
            "authorization",
            "x-api-key",
            "cookie",
            "proxy-authorization",
        ]
        .iter()
        .any(|h| self.header(h).is_some())
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON (`Null` when it is not JSON, e.g. empty).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// What to send back.
#[derive(Clone, Debug)]
pub enum Body {
    Bytes(Vec<u8>),
    /// `len` bytes of `fill`, generated while sending (never held in memory),
    /// with a `Content-Length` or chunked. With `stall`, the answer then
    /// neither ends nor closes for a minute (a client that buffers whole
    /// bodies sits on all of it, long enough to measure).
    Generated {
        len: u64,
        chunked: bool,
        fill: u8,
        stall: bool,
    },
    /// Chunks of 64 KiB until the client goes away.
    Endless,
    /// One byte every 100 ms until the client goes away.
    Trickle,
}

#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

impl Reply {
    pub fn json(status: u16, v: &serde_json::Value) -> Reply {
        Reply::raw(status, "application/json", v.to_string().into_bytes())
    }

    pub fn raw(status: u16, content_type: &str, body: Vec<u8>) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: Body::Bytes(body),
        }
    }

    pub fn redirect(status: u16, location: &str) -> Reply {
        Reply {
            status,
            headers: vec![("Location".into(), location.into())],
            body: Body::Bytes(Vec::new()),
        }
    }

    pub fn generated(status: u16, len: u64, chunked: bool) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: Body::Generated {
                len,
                chunked,
                fill: b' ',
                stall: false,
            },
        }
    }

    /// Like [`Reply::generated`] (chunked), then a minute of silence.
    pub fn generated_then_stall(status: u16, len: u64) -> Reply {
        let mut r = Reply::generated(status, len, true);
        if let Body::Generated { stall, .. } = &mut r.body {
            *stall = true;
        }
        r
    }

    pub fn endless(status: u16) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".into(), "application/xml".into())],
            body: Body::Endless,
        }
    }

    /// `Reply::raw` with a JSON content type and `text` as it is (not
    /// re-serialized, so a test can send exactly what a vendor page shows).
    pub fn json_text(status: u16, text: impl Into<String>) -> Reply {
        Reply::raw(status, "application/json", text.into().into_bytes())
    }

    /// This reply with one more header.
    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn trickle(status: u16) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".into(), "application/xml".into())],
            body: Body::Trickle,
        }
    }
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

/// A handler for [`HostileServer::start`] answering from a table of canned
/// vendor answers: `("METHOD /path?query-prefix", reply)`, matched against
/// the request's method and path with `strip` (the API's base path) taken
/// off; the first matching prefix wins; anything else is a 404 with an empty
/// JSON body.
pub fn routes(
    strip: &str,
    table: Vec<(&'static str, Reply)>,
) -> impl Fn(&Request) -> Reply + Send + Sync + 'static {
    let strip = strip.to_string();
    move |req| {
        let path = req.path.strip_prefix(&strip).unwrap_or(&req.path);
        let line = format!("{} {path}", req.method);
        table
            .iter()
            .find(|(prefix, _)| line.starts_with(prefix))
            .map(|(_, reply)| reply.clone())
            .unwrap_or_else(|| Reply::json_text(404, ""))
    }
}

/// The server; stops when dropped.
pub struct HostileServer {
    pub addr: SocketAddr,
    seen: Arc<Mutex<Vec<Request>>>,
    task: tokio::task::JoinHandle<()>,
}

impl HostileServer {
    /// Listen on 127.0.0.1 (a free port) and answer every request with `handler`.
    pub async fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let log = seen.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let handler = handler.clone();
                let log = log.clone();
                tokio::spawn(async move {
                    let _ = serve(stream, &*handler, &log).await;
                });
            }
        });
        HostileServer { addr, seen, task }
    }

    /// `http://127.0.0.1:port`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `127.0.0.1:port`
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    pub fn requests(&self) -> Vec<Request> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(
    mut stream: TcpStream,
    handler: &Handler,
    log: &Mutex<Vec<Request>>,
) -> std::io::Result<()> {
    let Some(req) = read_request(&mut stream).await? else {
        return Ok(());
    };
    log.lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(req.clone());
    let reply = handler(&req);
    let mut head = format!("HTTP/1.1 {} Hostile\r\nConnection: close\r\n", reply.status);
    for (k, v) in &reply.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    let chunked = match &reply.body {
        Body::Bytes(b) => {
            head.push_str(&format!("Content-Length: {}\r\n", b.len()));
            false
        }
        Body::Generated { len, chunked, .. } if !chunked => {
            head.push_str(&format!("Content-Length: {len}\r\n"));
            false
        }
        _ => {
            head.push_str("Transfer-Encoding: chunked\r\n");
            true
        }
    };
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    const BLOCK: usize = 64 * 1024;
    let chunk = |data: &[u8]| -> Vec<u8> {
        let mut out = format!("{:x}\r\n", data.len()).into_bytes();
        out.extend_from_slice(data);
        out.extend_from_slice(b"\r\n");
        out
    };
    match reply.body {
        Body::Bytes(b) => stream.write_all(&b).await?,
        Body::Generated {
            len, fill, stall, ..
        } => {
            let block = vec![fill; BLOCK];
            let framed = chunk(&block);
            let mut left = len;
            while left > 0 {
                let n = left.min(BLOCK as u64) as usize;
                if chunked && n == BLOCK {
                    stream.write_all(&framed).await?;
                } else if chunked {
                    stream.write_all(&chunk(&block[..n])).await?;
                } else {
                    stream.write_all(&block[..n]).await?;
                }
                left -= n as u64;
            }
            if stall {
                tokio::time::sleep(Duration::from_secs(60)).await;
                return Ok(());
            }
            if chunked {
                stream.write_all(b"0\r\n\r\n").await?;
            }
        }
        Body::Endless => {
            let framed = chunk(&[b'<'; BLOCK]);
            loop {
                stream.write_all(&framed).await?;
            }
        }
        Body::Trickle => loop {
            stream.write_all(&chunk(b" ")).await?;
            stream.flush().await?;
            tokio::time::sleep(Duration::from_millis(100)).await;
        },
    }
    stream.flush().await?;
    stream.shutdown().await
}

/// Read one request: head, then a `Content-Length` body (kept up to 1 MiB).
async fn read_request(stream: &mut TcpStream) -> std::io::Result<Option<Request>> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > 256 * 1024 {
            return Ok(None);
        }
        let n = stream.read(&mut tmp).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&tmp[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let method = first.next().unwrap_or("").to_string();
    let path = first.next().unwrap_or("").to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let len: u64 = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    let mut got = body.len() as u64;
    while got < len {
        let n = stream.read(&mut tmp).await?;
        if n == 0 {
            break;
        }
        got += n as u64;
        if body.len() < 1 << 20 {
            body.extend_from_slice(&tmp[..n]);
        }
    }
    Ok(Some(Request {
        method,
        path,
        headers,
        body,
    }))
}

/// Peak and current resident memory of a process, in KiB (Linux `/proc`).
pub fn memory_kib(pid: &str) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u64> {
        status
            .lines()
            .find(|l| l.starts_with(name))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    };
    Some((field("VmHWM:")?, field("VmRSS:")?))
}
