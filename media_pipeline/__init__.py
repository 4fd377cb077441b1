"""media_pipeline: a pure library that turns lesson media into accessible outputs.

It never imports Flask or the database: each stage is a function from files and plain data to
files and plain data, so that it can be rerun, tested and benchmarked alone.

Owns nothing but the package; each module's docstring says what it owns and must not do.
Language facts are in ``languages``, the one table every stage reads.
"""

__all__ = ["captions", "probe", "narration"]
