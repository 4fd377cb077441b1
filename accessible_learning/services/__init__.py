"""The application's logic, one module an area: what happens when a learner, the content team,
an examiner or an administrator acts, and the read models the pages show. Services end
their own transactions. They must not import a view, render a page, read the request or
decide who may see a thing (``access`` does).
"""
