"""Blueprints, one per area, each a thin layer: read the request, load through ``access``, call
a service, render through ``rendering``. Views must not query the database, decide who may
see a thing, or touch ``db.session`` (services end their transactions).
"""
