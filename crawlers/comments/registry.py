"""The comment adapters by name, so a source in sources.yaml names its adapter."""

from __future__ import annotations

from crawlers.comments.base import CommentAdapter
from crawlers.comments.dantri import DanTriAdapter
from crawlers.comments.thanhnien import ThanhNienAdapter
from crawlers.comments.tindansinh import TinDanSinhAdapter
from crawlers.comments.tuoitre import TuoiTreAdapter
from crawlers.comments.vietnamnet import VietNamNetAdapter
from crawlers.comments.vnexpress import VnExpressAdapter
from crawlers.comments.voz import VozAdapter

# Adapters hold no state and open nothing: building them at import is free.
ADAPTERS: dict[str, CommentAdapter] = {
    adapter.name: adapter
    for adapter in (
        VnExpressAdapter(),
        VietNamNetAdapter(),
        ThanhNienAdapter(),
        TuoiTreAdapter(),
        DanTriAdapter(),
        VozAdapter(),
        TinDanSinhAdapter(),  # the sample site (vnopinion/demo_site)
    )
}


def get_adapter(name: str) -> CommentAdapter:
    """The adapter called ``name``; KeyError naming the known ones otherwise."""
    try:
        return ADAPTERS[name]
    except KeyError:
        known = ", ".join(sorted(ADAPTERS))
        raise KeyError(f"no comment adapter named {name!r} (known: {known})") from None
