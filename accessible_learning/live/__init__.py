"""Live classes' running parts (issue 28): the RTMP ingest (nginx with Debian's
libnginx-mod-rtmp, supervised by ``ingest``), one captioner process per live class
(``captioner``: ffmpeg from the RTMP stream into ``media_pipeline.live``), and the bus that
carries its captions to every web process (``bus``: a file per class on one machine, Redis
pub/sub across machines).

Nothing here is imported by a view except ``bus``; it must not decide access nor render pages.
"""
