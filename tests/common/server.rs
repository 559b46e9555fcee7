//! Local servers for the tests against real components (moto's server mode, stubs): started on
//! a free port of 127.0.0.1, waited for, and killed when dropped.

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A local server process, killed when dropped.
pub struct Server {
    /// The process.
    pub child: Child,
    /// Its `http://127.0.0.1:PORT` address.
    pub endpoint: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether moto's server and boto3 can run here; prints the skip line when not, and fails when
/// `CLOUDCASE_REQUIRE_MOTO=1` (as in CI).
pub fn moto_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import moto.server, boto3, flask"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var("CLOUDCASE_REQUIRE_MOTO").as_deref() != Ok("1"),
            "CLOUDCASE_REQUIRE_MOTO=1 but python3 -c 'import moto.server, boto3' failed: install moto[server]"
        );
        println!("SKIPPED: moto not installed");
    }
    ok
}

/// A port of 127.0.0.1 nothing listens on now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free local port")
        .port()
}

/// Runs `python3 args…` (which must listen on `port`) and waits until it accepts connections.
pub fn start_python(args: &[&str], port: u16) -> Server {
    let mut child = Command::new("python3")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start a python3 server");
    wait_listening(port, &mut child);
    Server {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    }
}

/// Starts `python3 -m moto.server` on a free port of 127.0.0.1.
pub fn start_moto() -> Server {
    let port = free_port();
    let port_text = port.to_string();
    start_python(
        &["-m", "moto.server", "-H", "127.0.0.1", "-p", &port_text],
        port,
    )
}

/// Waits until something listens on `port`, failing if `child` exits first or after 60 s.
pub fn wait_listening(port: u16, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("server on port {port} exited early: {status}");
        }
        assert!(
            Instant::now() < deadline,
            "server on port {port} did not listen within 60 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
