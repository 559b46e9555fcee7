//! Sending a request to a TSA: one HTTP/1.0 POST over plain TCP (RFC 3161 3.4), with a
//! deadline and a cap on the reply's size.
//!
//! Only `http://`: the token is signed and checked offline against the roots the examiner
//! gives, so the transport adds no trust; public TSAs serve plain HTTP for that reason.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use crate::TsaError;

/// Content type of a request.
pub const QUERY_TYPE: &str = "application/timestamp-query";
/// Content type of a reply.
pub const REPLY_TYPE: &str = "application/timestamp-reply";
/// Bytes allowed for the reply's status line and headers.
const HEAD_CAP: usize = 64 * 1024;

/// How long to wait and how much to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpLimits {
    /// The whole exchange (connect, send, receive) must end within this.
    pub timeout: Duration,
    /// Largest reply body accepted.
    pub max_reply: usize,
}

/// An `http://` URL split up.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Target {
    host: String,
    port: u16,
    path: String,
}

/// Splits `http://host[:port][/path]`.
fn parse_url(url: &str) -> Result<Target, TsaError> {
    let bad = |why: &str| {
        TsaError::Http {
        url: url.to_owned(),
        expected: "a URL http://HOST[:PORT][/PATH] (https:// is not supported: the token is verified offline, the transport adds no trust)".to_owned(),
        found: why.to_owned(),
    }
    };
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| bad("another scheme"))?;
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6
            .split_once(']')
            .ok_or_else(|| bad("an unclosed [IPv6] host"))?;
        (h, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty() || host.contains('@') {
        return Err(bad("no host, or user information"));
    }
    let port = match port {
        Some(p) => p.parse().map_err(|_| bad("a port that is not a number"))?,
        None => 80,
    };
    Ok(Target {
        host: host.to_owned(),
        port,
        path: if path.is_empty() {
            "/".to_owned()
        } else {
            path.to_owned()
        },
    })
}

/// Sends `body` (a DER `TimeStampReq`) to `url` and returns the reply body (a DER
/// `TimeStampResp`), refusing a non-200 status, another content type, a body larger than
/// `limits.max_reply` and an exchange longer than `limits.timeout`.
pub fn post_query(url: &str, body: &[u8], limits: HttpLimits) -> Result<Vec<u8>, TsaError> {
    let target = parse_url(url)?;
    let fail = |expected: &str, found: String| TsaError::Http {
        url: url.to_owned(),
        expected: expected.to_owned(),
        found,
    };
    let deadline = Instant::now() + limits.timeout;
    let addrs: Vec<_> = (target.host.as_str(), target.port)
        .to_socket_addrs()
        .map_err(|e| fail("a host name that resolves", e.to_string()))?
        .collect();
    let mut stream = None;
    let mut last = String::from("no address");
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, limits.timeout) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = format!("{addr}: {e}"),
        }
    }
    let mut stream = stream.ok_or_else(|| fail("a TCP connection", last))?;
    let io = |e: std::io::Error| fail("an answer within the time limit", e.to_string());
    stream.set_write_timeout(Some(limits.timeout)).map_err(io)?;
    stream.set_read_timeout(Some(limits.timeout)).map_err(io)?;
    let host = if target.host.contains(':') {
        format!("[{}]:{}", target.host, target.port)
    } else {
        format!("{}:{}", target.host, target.port)
    };
    let head = format!(
        "POST {} HTTP/1.0\r\nHost: {host}\r\nContent-Type: {QUERY_TYPE}\r\nAccept: {REPLY_TYPE}\r\nContent-Length: {}\r\nConnection: close\r\nUser-Agent: cloudcase/{}\r\n\r\n",
        target.path,
        body.len(),
        env!("CARGO_PKG_VERSION")
    );
    stream.write_all(head.as_bytes()).map_err(io)?;
    stream.write_all(body).map_err(io)?;
    stream.flush().map_err(io)?;
    let cap = limits.max_reply + HEAD_CAP;
    let mut received = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(fail(
                "an answer within the time limit",
                format!("{} bytes after {:?}", received.len(), limits.timeout),
            ));
        }
        stream.set_read_timeout(Some(left)).map_err(io)?;
        let n = stream.read(&mut chunk).map_err(io)?;
        if n == 0 {
            break;
        }
        received.extend_from_slice(&chunk[..n]);
        if received.len() > cap {
            return Err(fail(
                "a reply within the size cap",
                format!("more than {} bytes", limits.max_reply),
            ));
        }
    }
    reply_body(&received, limits.max_reply).map_err(|(expected, found)| fail(expected, found))
}

/// The body of an HTTP response, checked: status 200, the reply content type, no chunked
/// coding, the announced length, at most `max` bytes. `Err` is (expected, found).
fn reply_body(received: &[u8], max: usize) -> Result<Vec<u8>, (&'static str, String)> {
    let end = received.windows(4).position(|w| w == b"\r\n\r\n").ok_or((
        "a complete HTTP response",
        format!("{} bytes without the end of the headers", received.len()),
    ))?;
    let head = String::from_utf8_lossy(&received[..end]);
    let body = &received[end + 4..];
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap_or("");
    let code = status.split_whitespace().nth(1).unwrap_or("");
    if !status.starts_with("HTTP/1.") || code != "200" {
        return Err(("HTTP status 200", format!("{status:?}")));
    }
    let header = |name: &str| {
        head.split("\r\n").skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        })
    };
    let ctype = header("content-type").unwrap_or_default();
    let media = ctype.split(';').next().unwrap_or("").trim();
    if !media.eq_ignore_ascii_case(REPLY_TYPE) {
        return Err((
            "Content-Type application/timestamp-reply",
            format!("{ctype:?}"),
        ));
    }
    if header("transfer-encoding").is_some_and(|t| !t.eq_ignore_ascii_case("identity")) {
        return Err((
            "an HTTP/1.0 reply without transfer coding",
            "Transfer-Encoding".to_owned(),
        ));
    }
    let body = match header("content-length") {
        Some(len) => {
            let len: usize = len
                .parse()
                .map_err(|_| ("a numeric Content-Length", len.clone()))?;
            body.get(..len).ok_or((
                "as many body bytes as Content-Length",
                format!("{} of {len}", body.len()),
            ))?
        }
        None => body,
    };
    if body.len() > max {
        return Err((
            "a reply within the size cap",
            format!("{} bytes", body.len()),
        ));
    }
    Ok(body.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_host_port_and_path() {
        let t = parse_url("http://127.0.0.1:8080/tsa").expect("url");
        assert_eq!(
            (t.host.as_str(), t.port, t.path.as_str()),
            ("127.0.0.1", 8080, "/tsa")
        );
        let t = parse_url("http://[::1]:99").expect("v6");
        assert_eq!((t.host.as_str(), t.port, t.path.as_str()), ("::1", 99, "/"));
        assert_eq!(parse_url("http://tsa.example").expect("default").port, 80);
        let err = parse_url("https://tsa.example/").expect_err("https");
        assert!(
            err.to_string().contains("https:// is not supported"),
            "{err}"
        );
        assert!(parse_url("http://h:x/").is_err());
    }

    #[test]
    fn replies_are_checked_before_their_body_is_taken() {
        let ok = b"HTTP/1.0 200 OK\r\nContent-Type: application/timestamp-reply\r\nContent-Length: 3\r\n\r\nabcdef";
        assert_eq!(reply_body(ok, 10).expect("ok"), b"abc");
        let err = reply_body(b"HTTP/1.0 500 Boom\r\n\r\n", 10).expect_err("500");
        assert!(err.1.contains("500"));
        let html = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html>";
        assert_eq!(
            reply_body(html, 10).expect_err("type").0,
            "Content-Type application/timestamp-reply"
        );
        let big =
            b"HTTP/1.0 200 OK\r\ncontent-type: application/timestamp-reply\r\n\r\n0123456789ab";
        assert_eq!(
            reply_body(big, 10).expect_err("cap").0,
            "a reply within the size cap"
        );
        let short = b"HTTP/1.0 200 OK\r\nContent-Type: application/timestamp-reply\r\nContent-Length: 9\r\n\r\nab";
        assert!(reply_body(short, 10).is_err());
    }
}
