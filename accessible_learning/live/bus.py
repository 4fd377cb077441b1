"""The live captions' bus: the captioner publishes each event once, and every web process that
has a viewer of the class follows it (Server-Sent Events).

On one machine (the default) the bus is a file per class, appended by the captioner and
followed by each web process (gunicorn's workers are processes: memory is not shared). With
``REDIS_URL`` set (several web nodes) it is Redis pub/sub on the channel ``live:<class id>``,
and the newest events are also kept in a capped list so that a viewer who reconnects gets what
it missed. Each event carries ``seq``, its number in the class, which the browser sends back as
``Last-Event-ID`` when it reconnects.

It must not decide who may follow a class (the view asks ``access``) nor touch the database.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

POLL_S = 0.05  # how often a follower looks for new events in the file
KEPT = 500  # the newest events Redis keeps for viewers who reconnect


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
                    last = json.loads(line)["seq"]
                except (ValueError, KeyError):
                    continue
        return last

    def publish(self, class_id: int, event: dict) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        line = json.dumps(event, ensure_ascii=False) + "\n"
        # One write of one line in append mode: followers never see half an event.
        with open(self.path(class_id), "a", encoding="utf-8") as fh:
            fh.write(line)

    def follow(self, class_id: int, after: int | None) -> Iterator[dict | None]:
        """The class's events after ``after`` (from now on when None), as they come; ``None``
        each time it has caught up and nothing new is there (the caller may send a
        keep-alive, look at the class, or stop)."""
        path = self.path(class_id)
        position = None
        partial = b""
        while True:
            if position is None and path.is_file():
                position = 0 if after is not None else path.stat().st_size
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
                    if after is not None and event.get("seq", 0) <= after:
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
        newest = self.client.lindex(self._channel(class_id) + ":kept", -1)
        return json.loads(newest)["seq"] if newest else 0

    def publish(self, class_id: int, event: dict) -> None:
        data = json.dumps(event, ensure_ascii=False)
        kept = self._channel(class_id) + ":kept"
        with self.client.pipeline() as pipe:
            pipe.rpush(kept, data)
            pipe.ltrim(kept, -KEPT, -1)
            pipe.expire(kept, 24 * 3600)
            pipe.publish(self._channel(class_id), data)
            pipe.execute()

    def follow(self, class_id: int, after: int | None) -> Iterator[dict | None]:
        pubsub = self.client.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(self._channel(class_id))
        try:
            last = after
            if after is not None:  # what was missed, then what comes
                for data in self.client.lrange(self._channel(class_id) + ":kept", 0, -1):
                    event = json.loads(data)
                    if event.get("seq", 0) > after:
                        last = event["seq"]
                        yield event
            while True:
                message = pubsub.get_message(timeout=POLL_S)
                if message is None:
                    yield None
                    continue
                event = json.loads(message["data"])
                if last is not None and event.get("seq", 0) <= last:
                    continue
                yield event
        finally:
            pubsub.close()


def bus_for(config) -> FileBus | RedisBus:
    if config.get("REDIS_URL"):
        return RedisBus(config["REDIS_URL"])
    return FileBus(config["LIVE_ROOT"])
