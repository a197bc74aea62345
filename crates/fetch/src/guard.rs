//! The SSRF guard: which addresses the crawler may connect to.
//!
//! Publishers' feeds are untrusted input: a feed (or a redirect it answers
//! with) can point at `http://169.254.169.254/` or an intranet host. Every
//! address the client would connect to passes through [`Guard::check_ip`],
//! both for IP-literal URLs and for every address a host name resolves to.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The operator's policy for non-public addresses.
#[derive(Clone, Debug, Default)]
pub struct Guard {
    /// Allow every loopback and private address (`--allow-private-network`).
    pub allow_private: bool,
    /// Host names or IP addresses allowed even though they are not public
    /// (`--allow-host`), compared case-insensitively.
    pub allow_hosts: Vec<String>,
}

impl Guard {
    /// Whether the operator named this host (or IP, in text form) explicitly.
    pub fn host_is_allowed(&self, host: &str) -> bool {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        self.allow_hosts.iter().any(|h| {
            let h = h.trim_start_matches('[').trim_end_matches(']');
            h.eq_ignore_ascii_case(host)
                || match (h.parse::<IpAddr>(), host.parse::<IpAddr>()) {
                    (Ok(a), Ok(b)) => a == b,
                    _ => false,
                }
        })
    }

    /// Returns why connecting to `ip` for `host` is refused, or `None` if allowed.
    pub fn check_ip(&self, host: &str, ip: IpAddr) -> Option<String> {
        if self.allow_private || !is_non_public(ip) {
            return None;
        }
        if self.host_is_allowed(host) || self.host_is_allowed(&ip.to_string()) {
            return None;
        }
        Some(format!(
            "{ip} is a {} address; refusing to fetch it (use --allow-private-network or --allow-host {host} to permit)",
            describe(ip)
        ))
    }

    /// The hosts among `urls` that are not public but that this policy
    /// allows (`--allow-private-network`, `--allow-host`): what an operator
    /// consents to by adding a source while allowing them. Host names are
    /// resolved as the guarded resolver does; a name that does not resolve
    /// counts as public (the crawl's own checks still apply).
    pub async fn allowed_non_public_hosts(&self, urls: &[&url::Url]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for u in urls {
            let Some(host) = u.host_str() else { continue };
            if out.iter().any(|h| h == host) || !(self.allow_private || self.host_is_allowed(host)) {
                continue;
            }
            let non_public = match u.host() {
                Some(url::Host::Ipv4(ip)) => is_non_public(ip.into()),
                Some(url::Host::Ipv6(ip)) => is_non_public(ip.into()),
                Some(url::Host::Domain(d)) => tokio::net::lookup_host((d, u.port_or_known_default().unwrap_or(80)))
                    .await
                    .map(|mut addrs| addrs.any(|a| is_non_public(a.ip())))
                    .unwrap_or(false),
                None => false,
            };
            if non_public {
                out.push(host.to_string());
            }
        }
        out
    }
}

fn describe(ip: IpAddr) -> &'static str {
    if ip.is_loopback() {
        "loopback"
    } else {
        "private or reserved"
    }
}

/// Whether an address is anything other than a routable public unicast address.
pub fn is_non_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4_non_public(v4),
        IpAddr::V6(v6) => v6_non_public(v6),
    }
}

fn v4_non_public(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240 // reserved
}

fn v6_non_public(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return v4_non_public(v4);
    }
    let seg = ip.segments();
    // NAT64 well-known prefix embeds an IPv4 address in the last 32 bits.
    if seg[0] == 0x64 && seg[1] == 0xff9b && seg[2..6] == [0, 0, 0, 0] {
        let v4 = Ipv4Addr::new((seg[6] >> 8) as u8, seg[6] as u8, (seg[7] >> 8) as u8, seg[7] as u8);
        return v4_non_public(v4);
    }
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (seg[0] & 0xfe00) == 0xfc00 // unique local
        || (seg[0] & 0xffc0) == 0xfe80 // link-local
        || (seg[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
        || (seg[0] == 0x2001 && seg[1] == 0x0db8) // documentation
        // IPv4-compatible (deprecated) addresses, ::a.b.c.d
        || (seg[..6] == [0, 0, 0, 0, 0, 0])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn private_and_reserved_ranges_are_non_public() {
        for s in [
            "127.0.0.1",
            "127.255.255.254",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.2.1",
            "198.18.0.1",
            "240.0.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            "64:ff9b::a00:1",
            "2001:db8::1",
            "::127.0.0.1",
        ] {
            assert!(is_non_public(ip(s)), "{s} should be refused");
        }
    }

    #[test]
    fn public_addresses_are_allowed() {
        for s in ["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:8.8.8.8"] {
            assert!(!is_non_public(ip(s)), "{s} should be allowed");
            assert!(Guard::default().check_ip("example.com", ip(s)).is_none());
        }
    }

    #[test]
    fn loopback_is_refused_by_default_with_a_reason() {
        let why = Guard::default().check_ip("127.0.0.1", ip("127.0.0.1")).unwrap();
        assert!(why.contains("loopback"), "{why}");
        assert!(why.contains("--allow-private-network"), "{why}");
    }

    #[test]
    fn allow_private_network_allows_everything() {
        let g = Guard { allow_private: true, ..Guard::default() };
        assert!(g.check_ip("10.0.0.1", ip("10.0.0.1")).is_none());
    }

    #[test]
    fn an_allowed_host_permits_only_that_host() {
        let g = Guard { allow_private: false, allow_hosts: vec!["127.0.0.2".into(), "Intranet.Local".into()] };
        assert!(g.check_ip("127.0.0.2", ip("127.0.0.2")).is_none());
        assert!(g.check_ip("127.0.0.3", ip("127.0.0.3")).is_some());
        assert!(g.check_ip("intranet.local", ip("10.1.2.3")).is_none());
        assert!(g.check_ip("other.local", ip("10.1.2.3")).is_some());
    }
}
