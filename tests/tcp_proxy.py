"""A small threaded TCP proxy that puts real network faults between the app and PostgreSQL.

    proxy = TcpProxy(("127.0.0.1", 5432)).start()
    url = <database URL with host 127.0.0.1 and port proxy.port>
    proxy.stop()                      # "database stopped": new connections are reset, live ones cut
    proxy.cut_all()                   # "connection cut": every live connection is closed at once
    proxy.cut_on(b"INSERT INTO", 2)   # cut the connection that sends the 2nd message containing it
    proxy.stall()                     # "server hung": new connections are accepted, then never answered
    proxy.resume()                    # the database is back
    proxy.close()

Connections are cut with a TCP reset on both sides (SO_LINGER 0), so the client sees the
connection drop at once and PostgreSQL ends the backend, rolling back its open transaction.
A message that triggers `cut_on` is never forwarded: the server sees the transaction up to
the message before it. A stalled connection is accepted by the kernel and then left alone: what
the client sends is acknowledged but never read or answered (live connections keep working).
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading

_LINGER_RESET = struct.pack("ii", 1, 0)  # close() sends RST instead of FIN


def _reset(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RESET)
    with contextlib.suppress(OSError):
        sock.close()


class _Pair:
    """One client connection and its connection to the server, pumped by one thread."""

    def __init__(self, proxy: TcpProxy, client: socket.socket, server: socket.socket):
        self.proxy = proxy
        self.client = client
        self.server = server
        self.closed = threading.Event()

    def cut(self) -> None:
        if not self.closed.is_set():
            self.closed.set()
            _reset(self.client)
            _reset(self.server)

    def pump(self) -> None:
        sockets = [self.client, self.server]
        try:
            while not self.closed.is_set():
                readable, _, _ = select.select(sockets, [], [], 0.05)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    if sock is self.client:
                        if self.proxy._should_cut(data):
                            return
                        self.server.sendall(data)
                    else:
                        self.client.sendall(data)
        except (OSError, ValueError):  # cut from another thread, or the peer went away
            return
        finally:
            self.cut()
            self.proxy._forget(self)


class TcpProxy:
    def __init__(self, target: tuple[str, int], host: str = "127.0.0.1"):
        self.target = target
        self._listener = socket.create_server((host, 0))
        self.host, self.port = self._listener.getsockname()[:2]
        self._lock = threading.Lock()
        self._pairs: set[_Pair] = set()
        self._accepting = True
        self._stalling = False
        self._stalled: list[socket.socket] = []
        self._pattern: bytes | None = None
        self._remaining = 0
        self._closing = False
        #: Set when a `cut_on` trigger has cut a connection.
        self.triggered = threading.Event()
        #: Connections accepted, refused and stalled so far (for the tests' own checks).
        self.accepted = 0
        self.refused = 0
        self.stalled = 0
        self._thread = threading.Thread(target=self._accept_loop, name=f"tcp-proxy-{self.port}", daemon=True)

    # --- control -------------------------------------------------------------------------------
    def start(self) -> TcpProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        """The database is down: reset new connections and cut the live ones."""
        with self._lock:
            self._accepting = False
        self.cut_all()

    def stall(self) -> None:
        """The server hangs: new connections are accepted but nothing is ever forwarded or answered."""
        with self._lock:
            self._stalling = True

    def resume(self) -> None:
        """The database is back: accept and forward connections again (and forget any trigger);
        stalled connections are reset."""
        with self._lock:
            self._accepting = True
            self._stalling = False
            self._pattern = None
            stalled, self._stalled = self._stalled, []
        for sock in stalled:
            _reset(sock)

    def cut_all(self) -> int:
        """Cut every live connection at once; return how many were cut."""
        with self._lock:
            pairs = list(self._pairs)
        for pair in pairs:
            pair.cut()
        return len(pairs)

    def cut_on(self, pattern: bytes, nth: int = 1) -> None:
        """Cut the connection whose client sends the `nth` occurrence of `pattern` (counted from now)."""
        with self._lock:
            self._pattern = pattern
            self._remaining = nth
            self.triggered.clear()

    @property
    def live(self) -> int:
        with self._lock:
            return len(self._pairs)

    def close(self) -> None:
        self._closing = True
        self._thread.join(timeout=2)
        with contextlib.suppress(OSError):
            self._listener.close()
        self.cut_all()
        self.resume()  # resets the stalled connections

    def __enter__(self) -> TcpProxy:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.close()

    # --- the machinery -------------------------------------------------------------------------
    def _should_cut(self, data: bytes) -> bool:
        with self._lock:
            if self._pattern is None:
                return False
            self._remaining -= data.count(self._pattern)
            if self._remaining > 0:
                return False
            self._pattern = None
        self.triggered.set()
        return True

    def _forget(self, pair: _Pair) -> None:
        with self._lock:
            self._pairs.discard(pair)

    def _accept_loop(self) -> None:
        while not self._closing:
            try:  # wake up now and then: close() does not interrupt a blocking accept()
                readable, _, _ = select.select([self._listener], [], [], 0.05)
                if not readable:
                    continue
                client, _ = self._listener.accept()
            except (OSError, ValueError):
                return
            with self._lock:
                accepting, stalling = self._accepting, self._stalling
                if accepting and stalling:
                    self._stalled.append(client)
                    self.stalled += 1
            if accepting and stalling:
                continue
            if not accepting:
                self.refused += 1
                _reset(client)
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
                server.settimeout(None)
            except OSError:
                _reset(client)
                continue
            self.accepted += 1
            pair = _Pair(self, client, server)
            with self._lock:
                self._pairs.add(pair)
            threading.Thread(target=pair.pump, name=f"tcp-proxy-pair-{self.port}", daemon=True).start()
