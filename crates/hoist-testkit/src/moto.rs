//! A real S3-compatible server for tests: `moto_server` from PyPI on a free
//! loopback port, stopped when dropped.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `moto_server`; killed and reaped when dropped.
pub struct Moto {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start `moto_server` and wait until it answers. Panics with how to install
/// it when it is missing (setup.sh installs it; a test must not skip).
pub async fn start_moto() -> Moto {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let child = Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "moto_server could not be started ({e}). The S3-mode tests need it: \
                 install it with `pip install 'moto[server]'` and make sure `moto_server` is on PATH"
            )
        });
    let mut moto = Moto {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    };
    let http = reqwest::Client::new();
    let start = Instant::now();
    loop {
        if let Ok(Some(status)) = moto.child.try_wait() {
            panic!(
                "moto_server exited early ({status}); install it with `pip install 'moto[server]'`"
            );
        }
        if http.get(&moto.endpoint).send().await.is_ok() {
            return moto;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "moto_server did not start within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
