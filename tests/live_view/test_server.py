"""LiveServer: what it serves, to whom, and how it treats bad clients (issue 8)."""

from __future__ import annotations

import asyncio
import json
from contextlib import contextmanager
from typing import Iterator

import aiohttp
import pytest

from live_view import Command, LiveServer, LiveViewError
from live_view.server import MAX_MESSAGE_BYTES, parse_command

HELLO = json.dumps({"type": "hello", "mode": "replay"})


@contextmanager
def serving(host: str = "127.0.0.1", **options) -> Iterator[LiveServer]:
    server = LiveServer(lambda: [HELLO], host=host, port=0, **options)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def base(server: LiveServer) -> str:
    return f"http://127.0.0.1:{server.port}"


async def get(url: str, **headers: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as client, client.get(url, headers=headers) as response:
        return response.status, await response.text()


async def receive(ws: aiohttp.ClientWebSocketResponse, kind: str) -> dict:
    while True:
        message = json.loads((await ws.receive(timeout=5)).data)
        if message["type"] == kind:
            return message


def test_serves_the_page_and_nothing_else() -> None:
    with serving() as server:

        async def check() -> None:
            status, page = await get(base(server) + "/")
            assert status == 200 and '<canvas id="heatmap"' in page
            assert (await get(base(server) + "/live.js"))[0] == 200
            for path in ("/static/live.js", "/../../etc/passwd", "/index.html", "/..%2f..%2fetc%2fpasswd", "/recording.h5", "/docs/live.md"):
                assert (await get(base(server) + path))[0] == 404, path

        asyncio.run(check())


def test_beyond_loopback_every_request_needs_the_token() -> None:
    with serving(host="0.0.0.0") as server:
        assert server.token and len(server.token) >= 20 and f"token={server.token}" in server.url()

        async def check() -> None:
            assert (await get(base(server) + "/"))[0] == 403
            assert (await get(base(server) + "/?token=wrong"))[0] == 403
            assert (await get(base(server) + f"/?token={server.token}"))[0] == 200
            async with aiohttp.ClientSession() as client:
                with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                    await client.ws_connect(base(server) + "/ws")
                assert refused.value.status == 403
                async with client.ws_connect(base(server) + f"/ws?token={server.token}") as ws:
                    assert (await receive(ws, "hello"))["mode"] == "replay"

        asyncio.run(check())
    with serving() as local:
        assert local.token is None and "token" not in local.url()


def test_a_second_server_on_the_same_port_is_a_clear_error() -> None:
    with serving() as server:
        second = LiveServer(lambda: [], port=server.port)
        with pytest.raises(LiveViewError, match=rf"127.0.0.1:{server.port} is already in use.*--live-port"):
            second.start()


def test_pages_of_other_sites_cannot_connect() -> None:
    with serving() as server:

        async def check() -> None:
            async with aiohttp.ClientSession() as client:
                with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                    await client.ws_connect(base(server) + "/ws", origin="http://evil.example")
                assert refused.value.status == 403
                async with client.ws_connect(base(server) + "/ws", origin=base(server)) as ws:
                    await receive(ws, "hello")

        asyncio.run(check())


def test_bad_messages_are_rejected_and_the_stream_goes_on() -> None:
    commands: list[Command] = []
    with serving(on_command=commands.append, duration_s=10.0) as server:

        async def check() -> None:
            async with aiohttp.ClientSession() as client:
                async with client.ws_connect(base(server) + "/ws") as ws:
                    await receive(ws, "hello")
                    for bad in ("not json", "[1]", '{"cmd": "rm -rf"}', '{"cmd": "seek", "t": 99}', '{"cmd": "seek", "t": "x"}'):
                        await ws.send_str(bad)
                        assert "rejected message" in (await receive(ws, "error"))["message"]
                    await ws.send_str('{"cmd": "seek", "t": 2.5}')
                    server.publish("event", json.dumps({"type": "status", "state": "still here"}))
                    assert (await receive(ws, "status"))["state"] == "still here"
                async with client.ws_connect(base(server) + "/ws") as big:
                    await receive(big, "hello")
                    await big.send_str("x" * (MAX_MESSAGE_BYTES + 1))
                    closing = await big.receive(timeout=5)
                    assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED) and big.close_code == 1009
                async with client.ws_connect(base(server) + "/ws") as again:  # others still served
                    await receive(again, "hello")

        asyncio.run(check())
    assert commands == [Command("seek", 2.5)]


def test_a_page_that_reconnects_picks_the_stream_up_again() -> None:
    with serving() as server:

        async def check() -> None:
            async with aiohttp.ClientSession() as client:
                async with client.ws_connect(base(server) + "/ws") as ws:
                    await receive(ws, "hello")
                async with client.ws_connect(base(server) + "/ws") as ws:
                    await receive(ws, "hello")
                    for k in range(3):
                        server.publish("frame", json.dumps({"type": "frame", "t": k}))
                        server.publish("event", json.dumps({"type": "steps", "rows": [k]}))
                    got: list[dict] = []
                    while len([m for m in got if m["type"] == "steps"]) < 3:
                        got.append(json.loads((await ws.receive(timeout=5)).data))
                    assert [m["rows"] for m in got if m["type"] == "steps"] == [[0], [1], [2]]  # every event, in order
                    frames = [m["t"] for m in got if m["type"] == "frame"]
                    assert frames == sorted(frames) and len(frames) <= 3  # frames: the newest at the time, or none
                    server.publish("frame", json.dumps({"type": "frame", "t": 9}))
                    while (await receive(ws, "frame"))["t"] != 9:  # a frame sent earlier may come first
                        pass

        asyncio.run(check())


def test_commands_are_validated() -> None:
    assert parse_command('{"cmd": "play"}', None) == Command("play")
    assert parse_command('{"cmd": "seek", "t": 3}', 5.0) == Command("seek", 3.0)
    for bad in ('{"cmd": "seek", "t": -1}', '{"cmd": "seek", "t": true}', '{"cmd": "seek", "t": NaN}', '{"cmd": "seek"}', '"play"'):
        with pytest.raises(ValueError):
            parse_command(bad, 5.0)


def test_an_address_that_cannot_be_bound_is_a_clear_error() -> None:
    with pytest.raises(LiveViewError, match="cannot listen on 192.0.2.1"):
        LiveServer(lambda: [], host="192.0.2.1", port=0).start()
