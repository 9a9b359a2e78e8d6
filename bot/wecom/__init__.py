"""The 企业微信 / 政务微信 self-built-app channel: callback crypto, API client, adapter, runner."""
