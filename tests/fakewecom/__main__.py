"""Try the WeCom channel by hand against the fake server (127.0.0.1 only).

    python -m tests.fakewecom serve [--port 9100]        # prints the PANDENG_* lines, then every message the bot sends
    python -m tests.fakewecom say USERID "文字" [--bot http://127.0.0.1:8080/wecom/callback]
    python -m tests.fakewecom press USERID "ap:v:1" [--bot …]   # a template-card press carrying that key
"""
from __future__ import annotations

import argparse
import asyncio
import json
import secrets

import aiohttp

from .server import FakeWeCom


async def serve(port: int) -> None:
    fake = FakeWeCom()
    await fake.start_on(port)
    for key, value in fake.env().items():
        print(f"export {key}={value}")
    print("# fake WeCom server running; Ctrl+C stops it", flush=True)
    shown = 0
    try:
        while True:
            for m in fake.sent[shown:]:
                buttons = "  ".join(f"[{t} → {k}]" for t, k in m.buttons.items())
                print(f"→ {m.userid} ({m.msgtype}{', 更新卡片' if m.updated else ''}): {m.text} {buttons}", flush=True)
            shown = len(fake.sent)
            await asyncio.sleep(0.2)
    finally:
        await fake.stop()


async def post(bot: str, userid: str, msgtype: str, fields: dict[str, str]) -> None:
    fake = FakeWeCom()
    query, body = fake.sign_and_wrap(fake.message_xml(userid, msgtype, fields))
    async with aiohttp.ClientSession() as http:
        async with http.post(bot, params=query, data=body) as resp:
            print(resp.status, await resp.text())


def main() -> None:
    parser = argparse.ArgumentParser(description="fake WeCom server and callback client")
    sub = parser.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--port", type=int, default=9100)
    for name in ("say", "press"):
        p = sub.add_parser(name)
        p.add_argument("userid")
        p.add_argument("value")
        p.add_argument("--bot", default="http://127.0.0.1:8080/wecom/callback")
    args = parser.parse_args()
    if args.cmd == "serve":
        try:
            asyncio.run(serve(args.port))
        except KeyboardInterrupt:
            pass
    elif args.cmd == "say":
        asyncio.run(post(args.bot, args.userid, "text", {"Content": args.value, "MsgId": str(secrets.randbelow(10**18))}))
    else:
        asyncio.run(post(args.bot, args.userid, "event", {"Event": "template_card_event", "EventKey": args.value,
                                                         "TaskId": "manual", "CardType": "button_interaction",
                                                         "ResponseCode": ""}))


if __name__ == "__main__":
    main()
