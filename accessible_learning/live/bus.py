"""The live captions' bus: the captioner publishes each event once, and every web process that
has a viewer of the class follows it (Server-Sent Events).

On one machine (the default) the bus is a file per class, appended by the captioner and
followed by each web process (gunicorn's workers are processes: memory is not shared). With
``REDIS_URL`` set (several web nodes) it is Redis pub/sub on the channel ``live:<class id>``,
and the newest events are also kept in a capped list so that a viewer who reconnects gets what
it missed. Each event of the captioner carries ``seq``, its number in the class, which the
browser sends back as ``Last-Event-ID`` when it reconnects; the web app's own events (a question
for the teacher, a corrected caption line) have none: a page opened later reads them from the
database.

Each web process reads a class's events once and hands them to each of its viewers (``Hub``).

It must not decide who may follow a class (the view asks ``access``) nor touch the database.
"""

from __future__ import annotations

import itertools
import json
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path

POLL_S = 0.05  # how often a follower looks for new events in the file
KEPT = 500  # the newest events Redis keeps for viewers who reconnect


def _after(events: list[dict], after: int) -> list[dict]:
    """The events that came after the numbered event ``after``: the numbered ones after it and
    the web app's own (unnumbered) ones published since."""
    found, passed = [], after == 0
    for event in events:
        seq = event.get("seq")
        if seq is None:
            if passed:
                found.append(event)
        elif seq >= after:
            passed = True
            if seq > after:
                found.append(event)
    return found


class FileBus:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root) / "events"

    def path(self, class_id: int) -> Path:
        return self.root / f"{class_id}.jsonl"

    def last_seq(self, class_id: int) -> int:
        path = self.path(class_id)
        if not path.is_file():
            return 0
        last = 0
        with open(path, "rb") as fh:
            for line in fh:
                try:
                    last = json.loads(line).get("seq") or last
                except (ValueError, KeyError):
                    continue
        return last

    def publish(self, class_id: int, event: dict) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        line = json.dumps(event, ensure_ascii=False) + "\n"
        # One write of one line in append mode: followers never see half an event.
        with open(self.path(class_id), "a", encoding="utf-8") as fh:
            fh.write(line)

    def since(self, class_id: int, after: int) -> list[dict]:
        """The events kept after ``after`` (for a viewer who reconnects)."""
        path = self.path(class_id)
        if not path.is_file():
            return []
        events = []
        with open(path, "rb") as fh:
            for line in fh:
                try:
                    events.append(json.loads(line))
                except ValueError:
                    continue
        return _after(events, after)

    def follow(self, class_id: int, after: int | None) -> Iterator[dict | None]:
        """The class's events after ``after`` (from now on when None), as they come; ``None``
        each time it has caught up and nothing new is there (the caller may send a
        keep-alive, look at the class, or stop)."""
        path = self.path(class_id)
        # From now on: the file's end, or its start when it is made later (all of it is new).
        position = None if after is not None or not path.is_file() else path.stat().st_size
        partial = b""
        while True:
            if position is None and path.is_file():
                position = 0
            if position is not None:
                with open(path, "rb") as fh:
                    fh.seek(position)
                    data = fh.read()
                position += len(data)
                partial += data
                *lines, partial = partial.split(b"\n")
                for line in lines:
                    try:
                        event = json.loads(line)
                    except ValueError:
                        continue
                    if after is not None and event.get("seq") is not None \
                            and event["seq"] <= after:
                        continue
                    yield event
            yield None
            time.sleep(POLL_S)


class RedisBus:
    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url)

    @staticmethod
    def _channel(class_id: int) -> str:
        return f"live:{class_id}"

    def last_seq(self, class_id: int) -> int:
        kept = self.client.lrange(self._channel(class_id) + ":kept", 0, -1)
        return max((json.loads(e).get("seq") or 0 for e in kept), default=0)

    def publish(self, class_id: int, event: dict) -> None:
        data = json.dumps(event, ensure_ascii=False)
        kept = self._channel(class_id) + ":kept"
        with self.client.pipeline() as pipe:
            pipe.rpush(kept, data)
            pipe.ltrim(kept, -KEPT, -1)
            pipe.expire(kept, 24 * 3600)
            pipe.publish(self._channel(class_id), data)
            pipe.execute()

    def since(self, class_id: int, after: int) -> list[dict]:
        kept = self.client.lrange(self._channel(class_id) + ":kept", 0, -1)
        return _after([json.loads(e) for e in kept], after)

    def follow(self, class_id: int, after: int | None) -> Iterator[dict | None]:
        pubsub = self.client.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(self._channel(class_id))
        try:
            last = after
            if after is not None:  # what was missed, then what comes
                for data in self.client.lrange(self._channel(class_id) + ":kept", 0, -1):
                    event = json.loads(data)
                    if (event.get("seq") or 0) > after:
                        last = event["seq"]
                        yield event
            while True:
                message = pubsub.get_message(timeout=POLL_S)
                if message is None:
                    yield None
                    continue
                event = json.loads(message["data"])
                if last is not None and event.get("seq") is not None and event["seq"] <= last:
                    continue
                yield event
        finally:
            pubsub.close()


class Viewer:
    """One viewer's events: those it missed (after its ``Last-Event-ID``), then what comes."""

    def __init__(self, hub: Hub, class_id: int, after: int | None) -> None:
        self.hub, self.class_id = hub, class_id
        # In the order of the events' numbers: those missed come first even when an event
        # published meanwhile was handed over before they were read.
        self.queue: queue.PriorityQueue = queue.PriorityQueue()
        self._count = itertools.count()
        self.last = after
        hub._join(self)  # first, so that nothing published meanwhile is lost
        if after is not None:
            for event in hub.bus.since(class_id, after):
                self.put(event)

    def put(self, event: dict) -> None:
        self.queue.put((event.get("seq") or 0, next(self._count), event))

    def next(self, timeout: float) -> dict | None:
        """The next event, or None after ``timeout`` without one."""
        while True:
            try:
                _seq, _n, event = self.queue.get(timeout=timeout)
            except queue.Empty:
                return None
            seq = event.get("seq")
            if seq is None:  # from the web app (a question, a correction): not numbered
                return event
            if self.last is not None and seq <= self.last:
                continue  # had it already (published while the missed ones were read)
            self.last = seq
            return event

    def close(self) -> None:
        self.hub._leave(self)


class Hub:
    """The events of each class that has viewers in this process, read from the bus once and
    handed to each viewer: one follower (a thread) per class and process, however many watch,
    instead of one per viewer. A class's follower stops a while after its last viewer left."""

    IDLE_S = 30

    def __init__(self, bus: FileBus | RedisBus) -> None:
        self.bus = bus
        self._lock = threading.Lock()
        self._viewers: dict[int, set[Viewer]] = {}
        self._threads: dict[int, threading.Thread] = {}

    def viewer(self, class_id: int, after: int | None) -> Viewer:
        return Viewer(self, class_id, after)

    def _join(self, viewer: Viewer) -> None:
        with self._lock:
            self._viewers.setdefault(viewer.class_id, set()).add(viewer)
            thread = self._threads.get(viewer.class_id)
            if thread is None or not thread.is_alive():
                thread = threading.Thread(target=self._follow, args=(viewer.class_id,),
                                          name=f"live-{viewer.class_id}", daemon=True)
                self._threads[viewer.class_id] = thread
                thread.start()

    def _leave(self, viewer: Viewer) -> None:
        with self._lock:
            self._viewers.get(viewer.class_id, set()).discard(viewer)

    def _follow(self, class_id: int) -> None:
        alone_since = None
        for event in self.bus.follow(class_id, None):
            with self._lock:
                viewers = list(self._viewers.get(class_id, ()))
                if not viewers:
                    alone_since = alone_since or time.monotonic()
                    if time.monotonic() - alone_since > self.IDLE_S:
                        del self._threads[class_id]
                        return
                else:
                    alone_since = None
            if event is not None:
                for viewer in viewers:
                    viewer.put(event)


_hubs: dict[str, Hub] = {}
_hubs_lock = threading.Lock()


def hub_for(config) -> Hub:
    """This process's hub for the configured bus."""
    key = config.get("REDIS_URL") or str(config["LIVE_ROOT"])
    with _hubs_lock:
        if key not in _hubs:
            _hubs[key] = Hub(bus_for(config))
        return _hubs[key]


def bus_for(config) -> FileBus | RedisBus:
    if config.get("REDIS_URL"):
        return RedisBus(config["REDIS_URL"])
    return FileBus(config["LIVE_ROOT"])
