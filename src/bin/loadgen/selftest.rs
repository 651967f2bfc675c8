//! The `--self-test` server: an in-process keep-alive HTTP/1.1 server on 127.0.0.1 answering
//! every request with a fixed 2 KB JSON body, to measure the generator's own ceiling.

use crate::http::find;
use crate::scenarios::to_bytes;
use serde_json::{Value, json};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;

/// Size of the self-test response body.
pub const SELF_TEST_BODY: usize = 2048;

/// A realistic product-list JSON body padded to exactly [`SELF_TEST_BODY`] bytes.
fn self_test_body() -> Vec<u8> {
    let mut products: Vec<Value> = Vec::new();
    let doc = |p: &[Value], pad: &str| {
        to_bytes(&json!({"products": p, "count": p.len(), "offset": 0, "limit": 20, "pad": pad}))
    };
    for i in 0.. {
        products.push(json!({
            "id": format!("prod_{i:026}"), "title": format!("Bench product {i}"),
            "handle": format!("bench-product-{i}"), "status": "published",
            "variants": [{"id": format!("variant_{i:026}"),
                "calculated_price": {"calculated_amount": 1000 + i, "currency_code": "usd"}}],
        }));
        if doc(&products, "").len() > SELF_TEST_BODY - 64 {
            products.pop();
            break;
        }
    }
    let base = doc(&products, "").len();
    doc(&products, &"x".repeat(SELF_TEST_BODY.saturating_sub(base)))
}

/// Starts the in-process keep-alive server on 127.0.0.1:0 (thread per connection).
pub fn start_self_test_server() -> io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let body = self_test_body();
    let mut resp = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: keep-alive\r\n\r\n",
        body.len()
    )
    .into_bytes();
    resp.extend_from_slice(&body);
    let resp: Arc<[u8]> = resp.into();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let resp = Arc::clone(&resp);
            thread::spawn(move || serve_fixed(stream, &resp));
        }
    });
    Ok(addr)
}

/// `Content-Length` of a request head (0 when absent or unparsable).
fn content_length(head: &[u8]) -> usize {
    head.split(|&b| b == b'\n')
        .filter_map(|l| {
            let c = l.iter().position(|&b| b == b':')?;
            if !l[..c].trim_ascii().eq_ignore_ascii_case(b"content-length") {
                return None;
            }
            std::str::from_utf8(l[c + 1..].trim_ascii())
                .ok()?
                .parse::<usize>()
                .ok()
        })
        .next()
        .unwrap_or(0)
}

/// Serves `resp` for every request on one connection until the client closes it.
fn serve_fixed(mut s: TcpStream, resp: &[u8]) {
    let _ = s.set_nodelay(true);
    let mut buf = vec![0u8; 16 * 1024];
    let (mut start, mut len) = (0usize, 0usize);
    loop {
        while let Some(i) = find(&buf[start..len], b"\r\n\r\n") {
            let total = i + 4 + content_length(&buf[start..start + i]);
            if len - start < total {
                break;
            }
            start += total;
            if s.write_all(resp).is_err() {
                return;
            }
        }
        if start == len {
            (start, len) = (0, 0);
        } else if start > 0 {
            buf.copy_within(start..len, 0);
            len -= start;
            start = 0;
        }
        if len == buf.len() {
            if buf.len() >= 1 << 20 {
                return;
            }
            let n = buf.len() * 2;
            buf.resize(n, 0);
        }
        match s.read(&mut buf[len..]) {
            Ok(0) | Err(_) => return,
            Ok(n) => len += n,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_test_body_is_2kb_json() {
        let b = self_test_body();
        assert_eq!(b.len(), SELF_TEST_BODY);
        assert!(serde_json::from_slice::<Value>(&b).is_ok());
    }
}
