"""A course from nothing, in the browser, by keyboard, with a real worker: the content team makes
a course and two lessons, uploads real recordings (Zeroth, ../shared/data), reviews the
captions (one aligned to its script, one from speech recognition, corrected by hand), puts the
lessons in order, publishes them and the course; a learner then finds it, enrols and plays the
first lesson with its captions. An administrator imports an employer's staff list enrolled in
it; one of the staff sets their password with their link and completes a lesson; the employer
contact sees their progress. axe at every step."""

from __future__ import annotations

import csv

import pytest

from conftest import SHARED_DATA

from .conftest import focus_moves_to, log_in, no_violations, tab_to

pytestmark = pytest.mark.browser

SPEECH = SHARED_DATA / "speech" / "ko"
COURSE = "Coffee shop service, step by step"


def _reference(name: str) -> str:
    with (SPEECH / "manifest.tsv").open(encoding="utf-8") as rows:
        return next(row["reference"] for row in csv.DictReader(rows, delimiter="\t")
                    if row["file"] == name)


def _type_into(page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(text)


def _press(page, selector: str, text: str, notice: str) -> None:
    tab_to(page, selector, text)
    page.keyboard.press("Enter")
    page.wait_for_selector(f".notices:has-text({notice!r})")
    page.wait_for_function("() => document.activeElement.classList.contains('notices')")


def _new_lesson(page, title: str) -> None:
    tab_to(page, "a", "New lesson")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('New lesson in')")
    no_violations(page, "new lesson form")
    _type_into(page, "#title", title)
    _press(page, "button", "Make the lesson", "Upload its media next")
    page.wait_for_selector(f"h1:has-text('Captions: {title}')")


def _upload_and_caption(page, recording: str, script: str | None) -> None:
    tab_to(page, "#media")
    page.set_input_files("#media", str(SPEECH / recording))  # the system file dialog
    if script:
        _type_into(page, "#script", script)
    _press(page, "button", "Upload and make captions", "Captions are being made")
    page.wait_for_selector("#lesson-job a:has-text('caption editor')", timeout=180_000)
    no_violations(page, "studio lesson page when captions are ready")


def _back_to_course(page) -> None:
    tab_to(page, ".breadcrumb a", COURSE)
    page.keyboard.press("Enter")
    page.wait_for_selector(f"h1:has-text('Course: {COURSE}')")


def _context_page(browser):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900},
                                  accept_downloads=True)
    return context, context.new_page()


def test_a_course_from_nothing_to_a_learner(live_server, worker, page, browser, tmp_path):
    base = live_server["url"]
    log_in(page, base, "content")
    page.goto(base + "/studio/")
    tab_to(page, "a", "New course")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('New course')")
    no_violations(page, "new course form")

    # Sent without a title first: the error summary takes the focus and names the field.
    tab_to(page, "button", "Make the course")
    page.keyboard.press("Enter")
    focus_moves_to(page, "error-summary")
    assert "Give the course a title." in page.inner_text("#error-summary")
    no_violations(page, "new course form with errors")

    _type_into(page, "#title", COURSE)
    _type_into(page, "#summary", "Take an order, make the coffee, serve it.")
    tab_to(page, "#trade_id")
    page.keyboard.type("Cooking")  # a closed select takes typed letters
    assert page.eval_on_selector("#trade_id", "s => s.selectedOptions[0].text") == "Cooking"
    _press(page, "button", "Make the course", "as a draft that learners do not see")
    page.wait_for_selector(f"h1:has-text('Course: {COURSE}')")
    no_violations(page, "new course page")
    course_url = page.url.split("#")[0]

    # The second lesson is made first, to be moved into place later.
    _new_lesson(page, "Serving the cup")
    _upload_and_caption(page, "zeroth_104_003_0193.wav", None)
    # Recognised without a script: the content team reviews it in the editor and corrects it.
    tab_to(page, "#lesson-job a")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Caption editor')")
    no_violations(page, "caption editor of recognised captions")
    _type_into(page, "#cue-0-text", _reference("zeroth_104_003_0193.wav")[:30])
    # Every other flagged cue is listed to check; the reviewer ticks its "I checked" box.
    boxes = [box.get_attribute("id")
             for box in page.locator("[name$='-confirmed']:not(:checked)").all()]
    for box in boxes:
        tab_to(page, f"#{box}")
        page.keyboard.press("Space")
        assert page.is_checked(f"#{box}")
    # A split, announced where it was made, then undone: the typed text and ticks come back.
    tab_to(page, "button[value='split-0']", key="Shift+Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector("[role=status]:has-text('Cue 1 is split in two')")
    page.wait_for_function("() => document.activeElement.matches('[role=status]')")
    no_violations(page, "caption editor after a split")
    tab_to(page, "button[value='undo']", key="Shift+Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector("[role=status]:has-text('The last change is undone')")
    no_violations(page, "caption editor after undoing")
    assert page.input_value("#cue-0-text") == _reference("zeroth_104_003_0193.wav")[:30].strip()
    # (cue 1's words were changed, so it counts as checked and has no box any more)
    assert all(page.is_checked(f"#{box}") for box in boxes if box != "cue-0-confirmed")
    _press(page, "button", "Save as a new version", "Earlier versions are kept")
    version = int(page.url.rsplit("/", 1)[1])
    assert "Every flagged cue has been checked or corrected." in page.inner_text("main") or (
        page.locator("[name$='-confirmed']").count() == 0)
    no_violations(page, "caption editor after the review")
    tab_to(page, ".breadcrumb a", "Captions: Serving the cup")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Captions: Serving the cup')")
    _press(page, "button", f"Publish version {version}",
           "is published: learners now see these captions")
    _back_to_course(page)

    _new_lesson(page, "Taking the order")
    _upload_and_caption(page, "zeroth_104_003_0294.wav", _reference("zeroth_104_003_0294.wav"))
    # Aligned to its script: the editor shows the script's words and nothing to check.
    tab_to(page, "#lesson-job a")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Caption editor')")
    assert page.input_value("#cue-0-text").startswith("한 잔의 커피가")
    assert page.locator("#check-heading ~ ul a").count() == 0
    tab_to(page, ".breadcrumb a", "Captions: Taking the order")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Captions: Taking the order')")
    _press(page, "button", "Publish version 1", "is published: learners now see these captions")
    _back_to_course(page)

    # Order: "Taking the order" goes first.
    _press(page, "input[value=up] + button", "Taking the order",
           "“Taking the order” is now lesson 1.")
    rows = page.locator("table tbody th").all_inner_texts()
    assert rows == ["Taking the order", "Serving the cup"]
    no_violations(page, "course page after reordering")

    # A course is not published before a lesson is; then each lesson, then the course.
    publish = "input[value=publish] + button"
    tab_to(page, publish, COURSE)
    page.keyboard.press("Enter")
    focus_moves_to(page, "error-summary")
    assert "no published lesson" in page.inner_text("#error-summary")
    no_violations(page, "course page, publishing refused")
    _press(page, publish, "Taking the order", "“Taking the order” is published")
    _press(page, publish, "Serving the cup", "“Serving the cup” is published")
    _press(page, publish, COURSE, "learners find it in the catalogue")
    no_violations(page, "course page, published")

    # A learner finds it in the catalogue, enrols and plays the first lesson with captions.
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    learner = context.new_page()
    log_in(learner, base, "learner")
    learner.goto(base + "/courses")
    tab_to(learner, "a", COURSE)
    learner.keyboard.press("Enter")
    learner.wait_for_selector(f"h1:has-text('{COURSE}')")
    assert learner.url.split("#")[0].rsplit("/", 1)[1] == course_url.rsplit("/", 1)[1]
    _press(learner, "button", "Enrol in this course", "You are enrolled")
    assert learner.locator(".lesson-list a").all_inner_texts() == [
        "Taking the order", "Serving the cup"]
    no_violations(learner, "the new course, enrolled")
    tab_to(learner, "a", "Taking the order")
    learner.keyboard.press("Enter")
    learner.wait_for_selector("h1:has-text('Taking the order')")
    no_violations(learner, "the new course's first lesson")
    captions = learner.evaluate(
        "() => fetch(document.querySelector('track[kind=captions]').src).then(r => r.text())")
    assert captions.startswith("WEBVTT") and "커피" in captions
    context.close()

    # An administrator imports Fresh Market Retail's new staff, enrolled in the course.
    context, admin = _context_page(browser)
    log_in(admin, base, "admin")
    admin.goto(base + "/admin/")
    tab_to(admin, "a", "Import learners")
    admin.keyboard.press("Enter")
    admin.wait_for_selector("h1:has-text('Import learners')")
    no_violations(admin, "import form")
    staff = tmp_path / "staff.csv"
    with staff.open("w", encoding="utf-8", newline="") as out:  # the title has a comma
        csv.writer(out).writerows([
            ["name", "email", "organisation", "courses"],
            ["Choi Barista", "choi.barista@example.org", "Fresh Market Retail", COURSE],
            ["Han Cashier", "han.cashier@example.org", "Fresh Market Retail", COURSE]])
    # A file with a wrong row first: nothing is imported, the line is named.
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("name,email\nChoi Barista,choi-at-example.org\n", encoding="utf-8")
    tab_to(admin, "#staff_list")
    admin.set_input_files("#staff_list", str(wrong))
    tab_to(admin, "button", "Import the staff list")
    admin.keyboard.press("Enter")
    admin.wait_for_selector("#error-summary")
    assert admin.evaluate("document.activeElement.id") == "error-summary"
    assert "Line 2:" in admin.inner_text("#error-summary")
    no_violations(admin, "import refused")
    tab_to(admin, "#staff_list")
    admin.set_input_files("#staff_list", str(staff))  # the system file dialog
    _press(admin, "button", "Import the staff list", "2 rows imported: 2 new accounts")
    no_violations(admin, "import done")
    tab_to(admin, "a", "Download the 2 set-password links")
    with admin.expect_download() as download:
        admin.keyboard.press("Enter")
    links = list(csv.reader(open(download.value.path(), encoding="utf-8-sig")))
    assert [row[1] for row in links[1:]] == ["choi.barista@example.org",
                                             "han.cashier@example.org"]
    context.close()

    # Choi sets a password with the link, logs in and completes the first lesson.
    context, choi = _context_page(browser)
    choi.goto(base + "/reset-password/" + links[1][2].rsplit("/", 1)[1])
    _type_into(choi, "#password", "espresso and steamed milk")
    _type_into(choi, "#confirm", "espresso and steamed milk")
    tab_to(choi, "button", "Save the new password")
    choi.keyboard.press("Enter")
    choi.wait_for_url(base + "/login*")
    choi.fill("#email", "choi.barista@example.org")
    choi.fill("#password", "espresso and steamed milk")
    choi.click("main button[type=submit]")
    choi.wait_for_url(f"{base}/dashboard")
    tab_to(choi, "a", COURSE)
    choi.keyboard.press("Enter")
    choi.wait_for_selector(f"h1:has-text('{COURSE}')")
    tab_to(choi, "a", "Taking the order")
    choi.keyboard.press("Enter")
    choi.wait_for_selector("h1:has-text('Taking the order')")
    tab_to(choi, "button", "I have read the transcript")
    choi.keyboard.press("Enter")
    choi.wait_for_selector("#completion :text('Completed.')")
    context.close()

    # The employer contact sees their staff's progress in the new course.
    context, employer = _context_page(browser)
    log_in(employer, base, "employer")
    tab_to(employer, "a", "Our staff", key="Shift+Tab")  # the menu is above the notice
    employer.keyboard.press("Enter")
    employer.wait_for_selector("h1:has-text('Staff of Fresh Market Retail')")
    no_violations(employer, "the employer's staff")
    rows = employer.locator("main tbody tr").all_inner_texts()
    choi_row = next(r for r in rows if "Choi Barista" in r)
    assert COURSE in choi_row and "50% (1 of 2 lessons)" in choi_row
    han_row = next(r for r in rows if "Han Cashier" in r)
    assert "0% (0 of 2 lessons)" in han_row
    context.close()
