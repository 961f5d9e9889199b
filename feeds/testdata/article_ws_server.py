"""The original article's WebSocket server, for Feedscope's heartbeat test.

Like the article's Python server it is built on the websockets library,
which answers protocol pings by itself; it replies "pong" to a text "ping",
sends one reading when a client connects and is quiet otherwise. It prints
"port N" once listening, then "open C" for each connection and "ping C"
for each text ping, so the test can count them per connection.
"""

import asyncio
import itertools

import websockets

connections = itertools.count(1)


async def handler(ws, path=None):  # websockets < 10.1 passes the path
    n = next(connections)
    print(f"open {n}", flush=True)
    await ws.send('{"cpu": 12.5}')
    async for message in ws:
        if message == "ping":
            print(f"ping {n}", flush=True)
            await ws.send("pong")


async def main():
    async with websockets.serve(handler, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"port {port}", flush=True)
        await asyncio.Future()  # until the test kills the process


asyncio.run(main())
