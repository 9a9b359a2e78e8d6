"""A fake WeCom server on 127.0.0.1 for the channel's end-to-end tests (see server.py)."""
from .server import FakeWeCom, Sent

__all__ = ["FakeWeCom", "Sent"]
