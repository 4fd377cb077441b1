"""media_pipeline: a pure library that turns lesson media into accessible outputs.

It never imports Flask or the database: each stage is a function from files and plain data to
files and plain data, so that it can be rerun, tested and benchmarked alone.
"""

__all__ = ["captions", "probe", "narration"]
