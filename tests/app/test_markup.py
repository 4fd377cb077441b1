"""The Nu Html Checker that the access, bad-input and browser tests put every page through
(tests/conftest.py): it finds the defects it is there for, and lets htmx's attributes pass."""

from __future__ import annotations

from conftest import nu_errors

PAGE = """<!DOCTYPE html><html lang="en"><head><title>A form</title></head><body><main>
<div class="error-summary" aria-labelledby="error-summary-title" tabindex="-1">
<h2 id="error-summary-title">There is a problem</h2></div>
<form method="post" hx-post="/x" hx-target="#result"><input id="csrf_token" name="a" type="hidden">
<input id="csrf_token" name="b" type="hidden"><button>Send</button></form>
<div id="result"></div></main></body></html>"""


def test_the_checker_finds_an_unnamed_label_and_a_duplicate_id_but_not_htmx():
    errors = nu_errors(PAGE)
    assert len(errors) == 2, errors
    assert "“aria-labelledby” attribute must not be specified on any “div”" in errors[0]
    assert "Duplicate ID “csrf_token”" in errors[1]
    fixed = (PAGE.replace('class="error-summary"', 'class="error-summary" role="region"')
             .replace('<input id="csrf_token" name="b"', '<input name="b"'))
    assert nu_errors(fixed) == []
