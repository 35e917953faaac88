"""Keyed hashes of the client's network and device, kept for moderation and never shown.

Networks are cut to /24 (IPv4) or /48 (IPv6) first: what the checks compare is the
neighbourhood, and the hash never lets anyone recover the address.
"""

import hashlib
import hmac
import ipaddress

from django.conf import settings


def _key() -> bytes:
    return (settings.VOIX_HASH_KEY or f"voix-fingerprints:{settings.SECRET_KEY}").encode()


def _digest(kind: str, value: str) -> str:
    return hmac.new(_key(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def network_hash(ip: str | None) -> str:
    if not ip:
        return ""
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return ""
    prefix = 24 if address.version == 4 else 48
    network = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
    return _digest("net", str(network))


def device_hash(user_agent: str | None) -> str:
    return _digest("ua", user_agent.strip()) if user_agent and user_agent.strip() else ""
