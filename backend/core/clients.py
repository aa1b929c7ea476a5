"""The client a request comes from, as a bucket for rate limits and sign-in throttling."""

from __future__ import annotations

import ipaddress


def ip_rate_key(address: str) -> str:
    """Rate-limit bucket for a client address: IPv4 as is, IPv6 by its /64 network.

    One IPv6 subscriber usually holds a whole /64, so keying on the full address lets
    a single phone rotate through 2^64 buckets. IPv4-mapped IPv6 counts as the IPv4.
    """
    try:
        ip = ipaddress.ip_address(address.strip().split("%")[0])
    except ValueError:
        return address or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)
