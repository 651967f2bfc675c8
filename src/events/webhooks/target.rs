//! Webhook endpoint URLs and the addresses the sender may connect to.
//!
//! `http://` and `https://host[:port][/path][?query]` are accepted: the sender is an HTTP/1.1
//! client over `std::net`, with rustls over the same socket for `https` (see [`super::tls`]:
//! certificates verified against the webpki roots). The grammar is strict on purpose: no
//! user-info, no fragment, no spaces or control characters (the path goes into the request
//! line verbatim).
//!
//! Address policy (the decision): an admin can register any URL, so without a check the
//! server could be made to POST to its own loopback admin, to the cloud metadata service
//! (169.254.169.254) or to other local daemons. Loopback, link-local, unspecified, multicast
//! and broadcast addresses are refused — at creation for literal hosts and `localhost`, and at
//! every delivery for the resolved addresses (the sender connects to the address it checked,
//! so DNS rebinding cannot slip past). Private (RFC 1918) networks stay allowed: a shop's own
//! back office often lives there. `allow_loopback` (`--webhooks-allow-loopback`) admits
//! loopback only, for a receiver on the same host.

use crate::error::{Error, Result};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};

/// A parsed endpoint URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Host name or IP literal (IPv6 without brackets).
    pub host: String,
    /// TCP port (80, or 443 for https, by default).
    pub port: u16,
    /// Path and query, from `/`.
    pub path: String,
    /// `https`: TLS over the connection, the certificate verified for `host`.
    pub tls: bool,
}

/// Longest URL accepted.
const MAX_URL: usize = 2048;

fn refuse(url: &str, why: &str) -> Error {
    Error::invalid(format!("webhook url '{url}' {why}"))
}

impl Target {
    /// Parses `url`.
    ///
    /// # Errors
    /// 400 for anything but a well-formed `http://` or `https://` URL.
    pub fn parse(url: &str) -> Result<Target> {
        if url.len() > MAX_URL || url.bytes().any(|b| !(0x21..0x7f).contains(&b)) {
            return Err(refuse(
                url,
                "must be printable ASCII without spaces, at most 2048 characters",
            ));
        }
        let lower = url.to_ascii_lowercase();
        let (tls, rest) = if lower.starts_with("https://") {
            (true, &url["https://".len()..])
        } else if lower.starts_with("http://") {
            (false, &url["http://".len()..])
        } else {
            return Err(refuse(url, "must start with http:// or https://"));
        };
        if rest.contains('#') {
            return Err(refuse(url, "must not have a fragment"));
        }
        let (authority, path) = match rest.find(['/', '?']) {
            Some(at) => (&rest[..at], &rest[at..]),
            None => (rest, "/"),
        };
        let path = if path.starts_with('?') {
            format!("/{path}")
        } else {
            path.to_string()
        };
        if authority.contains('@') {
            return Err(refuse(url, "must not carry credentials"));
        }
        let default_port = if tls { 443 } else { 80 };
        let (host, port) = split_host_port(authority, default_port)
            .ok_or_else(|| refuse(url, "has no valid host and port"))?;
        Ok(Target {
            host,
            port,
            path,
            tls,
        })
    }

    /// Refuses hosts that are plainly off limits before any lookup: `localhost` names and
    /// literal addresses [`allowed`] refuses.
    ///
    /// # Errors
    /// 400 naming the host.
    pub fn check_host(&self, allow_loopback: bool) -> Result<()> {
        let host = self.host.to_ascii_lowercase();
        let local_name = host == "localhost" || host.ends_with(".localhost");
        let refused = match host.parse::<IpAddr>() {
            Ok(ip) => !allowed(ip, allow_loopback),
            Err(_) => local_name && !allow_loopback,
        };
        if refused {
            return Err(Error::invalid(format!(
                "webhook host '{}' is a loopback, link-local or otherwise local address, which \
                 webhooks may not target (the server would be posting to itself)",
                self.host
            )));
        }
        Ok(())
    }

    /// The addresses to try, resolved now, with the refused ones left out.
    ///
    /// # Errors
    /// The name does not resolve, or resolves only to refused addresses.
    pub fn resolve(&self, allow_loopback: bool) -> std::result::Result<Vec<SocketAddr>, String> {
        let all: Vec<SocketAddr> = (self.host.as_str(), self.port)
            .to_socket_addrs()
            .map_err(|e| format!("cannot resolve {}: {e}", self.host))?
            .collect();
        let usable: Vec<SocketAddr> = all
            .iter()
            .copied()
            .filter(|a| allowed(a.ip(), allow_loopback))
            .collect();
        if usable.is_empty() {
            return Err(format!(
                "{} resolves only to refused (local) addresses",
                self.host
            ));
        }
        Ok(usable)
    }

    /// The `Host` header value.
    pub fn host_header(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        if self.port == if self.tls { 443 } else { 80 } {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }
}

fn split_host_port(authority: &str, default_port: u16) -> Option<(String, u16)> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        host.parse::<Ipv6Addr>().ok()?;
        (host, after.strip_prefix(':'))
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let name_ok = !host.is_empty()
        && host.len() <= 253
        && (host.parse::<Ipv6Addr>().is_ok()
            || host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-'));
    if !name_ok {
        return None;
    }
    let port = match port {
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
            p.parse::<u16>().ok().filter(|p| *p != 0)?
        }
        Some(_) => return None,
        None => default_port,
    };
    Some((host.to_string(), port))
}

/// Whether the sender may connect to `ip`: never unspecified, link-local (cloud metadata),
/// multicast or broadcast; loopback only when `allow_loopback`. IPv4-mapped IPv6 addresses
/// are judged as the IPv4 address they carry.
pub fn allowed(ip: IpAddr, allow_loopback: bool) -> bool {
    match ip {
        IpAddr::V4(v4) => allowed_v4(v4, allow_loopback),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => allowed_v4(v4, allow_loopback),
            None => {
                let link_local = (v6.segments()[0] & 0xffc0) == 0xfe80;
                if v6.is_loopback() {
                    allow_loopback
                } else {
                    !(v6.is_unspecified() || v6.is_multicast() || link_local)
                }
            }
        },
    }
}

fn allowed_v4(ip: Ipv4Addr, allow_loopback: bool) -> bool {
    if ip.is_loopback() {
        return allow_loopback;
    }
    let this_network = ip.octets()[0] == 0;
    !(this_network || ip.is_link_local() || ip.is_multicast() || ip.is_broadcast())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_urls_parse() {
        let t = Target::parse("http://hooks.example.com/in?x=1").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.path.as_str()),
            ("hooks.example.com", 80, "/in?x=1")
        );
        let t = Target::parse("http://10.0.0.5:8080").unwrap();
        assert_eq!((t.port, t.path.as_str()), (8080, "/"));
        let t = Target::parse("HTTP://[2001:db8::1]:81/a").unwrap();
        assert_eq!((t.host.as_str(), t.port), ("2001:db8::1", 81));
        assert_eq!(t.host_header(), "[2001:db8::1]:81");
    }

    #[test]
    fn malformed_or_unsupported_urls_are_refused() {
        for bad in [
            "ftp://example.com/",
            "https://user:pw@example.com/",
            "https://example.com:0/",
            "http://user:pw@example.com/",
            "http://example.com/a b",
            "http://example.com/a\r\nX-Injected: 1",
            "http://example.com:0/",
            "http://example.com:99999/",
            "http://example.com:/",
            "http:///path",
            "http://exa_mple.com/",
            "http://example.com/#frag",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn https_urls_parse_with_their_default_port() {
        let t = Target::parse("HTTPS://hooks.example.com/in").unwrap();
        assert_eq!((t.port, t.tls, t.path.as_str()), (443, true, "/in"));
        assert_eq!(t.host_header(), "hooks.example.com");
        let t = Target::parse("https://hooks.example.com:8443").unwrap();
        assert_eq!(t.host_header(), "hooks.example.com:8443");
        assert!(!Target::parse("http://hooks.example.com").unwrap().tls);
        let local = Target::parse("https://127.0.0.1/x").unwrap();
        assert!(local.check_host(false).is_err(), "the same address checks");
    }

    #[test]
    fn local_addresses_are_refused_unless_loopback_is_allowed() {
        let check = |url: &str, allow| Target::parse(url).unwrap().check_host(allow);
        for local in [
            "http://127.0.0.1:9000/admin",
            "http://localhost/",
            "http://api.localhost/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
        ] {
            assert!(check(local, false).is_err(), "{local}");
            assert!(check(local, true).is_ok(), "{local} with loopback allowed");
        }
        for never in [
            "http://169.254.169.254/latest/meta-data",
            "http://0.0.0.0/",
            "http://[fe80::1]/",
            "http://224.0.0.1/",
            "http://255.255.255.255/",
        ] {
            assert!(check(never, true).is_err(), "{never}");
        }
        assert!(check("http://192.168.1.20/hooks", false).is_ok());
        assert!(check("http://shop-erp.internal/hooks", false).is_ok());
    }
}
