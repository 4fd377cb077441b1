"""Placing audio-description cues in the gaps of a lesson's speech (media_pipeline.place)."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from media_pipeline.place import Gap, Placement, place, report_lines, summary

# --- examples -----------------------------------------------------------------------------------


def test_fits_in_the_first_gap():
    [p] = place([(1.0, 3.0)], [Gap(2.0, 6.0), Gap(10.0, 20.0)])
    assert p == Placement(0, 1.0, 3.0, "placed", 2.0, 5.0, 1.0)
    assert p.spoken == 3.0


def test_starts_at_the_anchor_inside_a_gap():
    [p] = place([(3.0, 2.0)], [Gap(2.0, 6.0)])
    assert (p.kind, p.start, p.end) == ("placed", 3.0, 5.0)


def test_nearest_gap_wins_even_when_a_later_one_fits_without_speed_up():
    # The first gap holds 4 s: 4.5 s fits at x1.125; the second gap would fit it at speed 1.
    [p] = place([(1.0, 4.5)], [Gap(2.0, 6.0), Gap(10.0, 20.0)])
    assert p.kind == "sped-up"
    assert p.start == 2.0
    assert p.speed == 1.125
    assert p.end == 6.0


def test_nearest_fitting_gap_wins_over_a_later_one():
    [p] = place([(0.0, 2.0)], [Gap(1.0, 2.0), Gap(4.0, 7.0), Gap(8.0, 20.0)])
    assert (p.kind, p.start, p.end) == ("placed", 4.0, 6.0)


def test_needs_speed_up_exact_ratio():
    [p] = place([(10.0, 4.4)], [Gap(10.0, 14.0)])
    assert p.kind == "sped-up"
    assert p.speed == 1.1
    assert p.end == pytest.approx(14.0)
    assert p.end <= 14.0
    assert p.spoken == pytest.approx(4.0)


def test_needs_speed_up_rounded_up_to_three_decimals():
    [p] = place([(10.0, 3.5)], [Gap(10.0, 13.0)])  # 3.5 / 3 = 1.1666...
    assert p.kind == "sped-up"
    assert p.speed == 1.167
    assert p.end == pytest.approx(10.0 + 3.5 / 1.167)
    assert p.end < 13.0


def test_speed_up_at_exactly_the_maximum():
    [p] = place([(0.0, 5.0)], [Gap(0.0, 4.0)], max_speedup=1.25)
    assert (p.kind, p.speed, p.end) == ("sped-up", 1.25, 4.0)
    [p] = place([(0.0, 5.01)], [Gap(0.0, 4.0)], max_speedup=1.25)
    assert p.kind == "extended"


def test_no_speed_up_allowed():
    [p] = place([(0.0, 4.1)], [Gap(0.0, 4.0), Gap(5.0, 10.0)], max_speedup=1.0)
    assert (p.kind, p.start, p.speed) == ("placed", 5.0, 1.0)


def test_too_long_is_extended_at_the_next_gap_start():
    # The anchor is in speech (4-8 s); neither gap can hold 10 s: pause where the next gap starts.
    [p] = place([(5.0, 10.0)], [Gap(2.0, 4.0), Gap(8.0, 9.0), Gap(12.0, 13.0)])
    assert p == Placement(0, 5.0, 10.0, "extended", 8.0, 8.0, 1.0)
    assert p.spoken == 10.0


def test_too_long_inside_a_gap_pauses_at_the_anchor():
    [p] = place([(3.0, 10.0)], [Gap(2.0, 4.0), Gap(8.0, 9.0)])
    assert (p.kind, p.start, p.end) == ("extended", 3.0, 3.0)


def test_gap_beyond_the_window_is_not_used():
    [p] = place([(0.0, 2.0)], [Gap(15.0, 20.0)], window=10.0)
    assert (p.kind, p.start) == ("extended", 15.0)
    [p] = place([(0.0, 2.0)], [Gap(15.0, 20.0)], window=15.0)
    assert (p.kind, p.start, p.end) == ("placed", 15.0, 17.0)


def test_zero_window_needs_a_gap_at_the_anchor():
    assert place([(2.0, 1.0)], [Gap(2.0, 5.0)], window=0.0)[0].kind == "placed"
    assert place([(1.9, 1.0)], [Gap(2.0, 5.0)], window=0.0)[0].kind == "extended"


def test_two_descriptions_share_a_long_gap_back_to_back():
    first, second = place([(4.0, 3.0), (5.0, 4.0)], [Gap(0.0, 1.0), Gap(5.0, 20.0)])
    assert (first.kind, first.start, first.end) == ("placed", 5.0, 8.0)
    assert (second.kind, second.start, second.end) == ("placed", 8.0, 12.0)
    assert second.start >= first.end


def test_second_description_moves_on_when_the_first_fills_the_gap():
    first, second = place([(0.0, 4.0), (1.0, 2.0)], [Gap(0.0, 4.0), Gap(6.0, 9.0)])
    assert (first.start, first.end) == (0.0, 4.0)
    assert (second.kind, second.start, second.end) == ("placed", 6.0, 8.0)


def test_an_extended_description_takes_no_programme_time():
    first, second = place([(1.0, 30.0), (2.0, 3.0)], [Gap(0.0, 1.0), Gap(5.0, 9.0)])
    assert (first.kind, first.start, first.end) == ("extended", 5.0, 5.0)
    assert (second.kind, second.start, second.end) == ("placed", 5.0, 8.0)


def test_anchor_inside_speech_goes_to_the_next_gap():
    [p] = place([(3.0, 2.0)], [Gap(0.0, 2.0), Gap(6.0, 12.0)])
    assert (p.kind, p.start, p.end) == ("placed", 6.0, 8.0)


def test_anchor_after_the_last_gap_is_extended_at_the_anchor():
    [p] = place([(5.0, 2.0)], [Gap(0.0, 2.0)], media_duration=10.0)
    assert p == Placement(0, 5.0, 2.0, "extended", 5.0, 5.0, 1.0)


def test_no_gaps_at_all():
    placements = place([(1.0, 2.0), (1.0, 2.0)], [])
    assert [(p.kind, p.start) for p in placements] == [("extended", 1.0), ("extended", 1.0)]


def test_extended_point_is_clipped_to_the_media_duration():
    [p] = place([(10.0, 5.0)], [Gap(0.0, 1.0)], media_duration=10.0)
    assert (p.kind, p.start) == ("extended", 10.0)
    # A gap (slightly) past the end of the media moves the cursor beyond it: never go back.
    first, second = place([(9.0, 2.0), (10.0, 5.0)], [Gap(9.0, 11.0)], media_duration=10.0)
    assert (first.kind, first.end) == ("placed", 11.0)
    assert (second.kind, second.start) == ("extended", 11.0)


def test_no_descriptions():
    assert place([], [Gap(0.0, 1.0)]) == []


@pytest.mark.parametrize(("descriptions", "gaps", "kwargs", "message"), [
    ([(5.0, 1.0), (4.0, 1.0)], [], {}, "Description 2 is anchored at 4.00 s, before description 1"),
    ([(1.0, 0.0)], [], {}, "Description 1 has duration 0.0: the spoken duration must be more"),
    ([(1.0, -2.0)], [], {}, "spoken duration must be more than 0 s"),
    ([(-1.0, 1.0)], [], {}, "anchors must be 0 s or more"),
    ([(0.0, 1.0), (11.0, 1.0)], [], {"media_duration": 10.0},
     "Description 2 is anchored at 11.00 s, after the end of the media (10.00 s)"),
    ([(1.0, 1.0)], [Gap(0.0, 4.0), Gap(3.0, 6.0)], {},
     "Gaps must be sorted and must not overlap: gap 2 (3.00–6.00 s) starts before gap 1"),
    ([(1.0, 1.0)], [Gap(5.0, 6.0), Gap(1.0, 2.0)], {}, "Gaps must be sorted"),
    ([(1.0, 1.0)], [Gap(3.0, 2.0)], {}, "Gap 1 ends (2.00 s) at or before it starts (3.00 s)"),
    ([(1.0, 1.0)], [], {"window": -1.0}, "window must be 0 s or more"),
    ([(1.0, 1.0)], [], {"max_speedup": 0.9}, "maximum speed-up must be 1 or more"),
])
def test_validation_errors(descriptions, gaps, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        place(descriptions, gaps, **kwargs)


def test_touching_gaps_and_equal_anchors_are_allowed():
    placements = place([(0.0, 1.0), (0.0, 1.0)], [Gap(0.0, 1.0), Gap(1.0, 2.0)])
    assert [(p.start, p.end) for p in placements] == [(0.0, 1.0), (1.0, 2.0)]


def test_summary_counts_every_kind():
    placements = place([(0.0, 1.0), (0.0, 1.2), (0.0, 50.0)], [Gap(0.0, 1.0), Gap(1.0, 2.0)])
    assert summary(placements) == {"placed": 1, "sped-up": 1, "extended": 1}
    assert summary([]) == {"placed": 0, "sped-up": 0, "extended": 0}


def test_report_lines():
    placements = [
        Placement(2, 11.0, 2.7, "placed", 12.4, 15.1, 1.0),
        Placement(3, 19.5, 2.8, "sped-up", 20.0, 22.5, 1.12),
        Placement(4, 30.2, 4.2, "extended", 31.0, 31.0, 1.0),
    ]
    assert report_lines(placements) == [
        "3: placed at 12.40–15.10 s (anchor 11.00 s)",
        "4: sped up ×1.12 at 20.00–22.50 s (anchor 19.50 s)",
        "5: extended: the video pauses 4.20 s at 31.00 s (no gap within 10 s of 30.20 s fits it)",
    ]
    texts = ["", "", "A short one", "x" * 40, "A diagram of the wiring of a three-phase motor"]
    lines = report_lines(placements, texts, window=7.5)
    assert lines[0].endswith('(anchor 11.00 s) "A short one"')
    assert lines[1].endswith(' "' + "x" * 40 + '"')
    assert lines[2] == ("5: extended: the video pauses 4.20 s at 31.00 s (no gap within 7.5 s of "
                        '30.20 s fits it) "A diagram of the wiring of a three-phase…"')


def test_report_lines_show_a_third_decimal_of_speed_only_when_needed():
    [line] = report_lines([Placement(0, 0.0, 3.5, "sped-up", 10.0, 12.999, 1.167)])
    assert line.startswith("1: sped up ×1.167 at 10.00–13.00 s")


# --- properties ---------------------------------------------------------------------------------

_times = st.one_of(st.integers(0, 3000).map(lambda v: v / 10),
                   st.floats(0.0, 300.0, allow_nan=False, allow_infinity=False))


def _span(low: float, high: float):
    """A length in [low, high]: on a 0.1 s grid (edges then often coincide with anchors and
    with each other) or any float."""
    return st.one_of(st.integers(math.ceil(low * 10), int(high * 10)).map(lambda v: v / 10),
                     st.floats(low, high))


@st.composite
def layouts(draw):
    """Sorted, disjoint gaps within 0-300 s (alternating with speech, sometimes none between
    two gaps), sorted anchors, durations 0.2-15 s, a window and a maximum speed-up."""
    gaps = []
    position = draw(st.one_of(st.just(0.0), _span(0.0, 20.0)))
    for _ in range(draw(st.integers(0, 30))):
        end = min(position + draw(_span(0.05, 20.0)), 300.0)
        if end <= position:
            break
        gaps.append(Gap(position, end))
        position = end + draw(st.one_of(st.just(0.0), _span(0.0, 15.0)))
    anchors = sorted(draw(st.lists(_times, max_size=20)))
    durations = draw(st.lists(_span(0.2, 15.0), min_size=len(anchors), max_size=len(anchors)))
    window = draw(st.one_of(st.sampled_from([0.0, 10.0]), st.floats(0.0, 60.0)))
    max_speedup = draw(st.one_of(st.sampled_from([1.0, 1.25]), st.floats(1.0, 2.0)))
    media_duration = draw(st.sampled_from([None, 300.0]))
    return list(zip(anchors, durations, strict=True)), gaps, window, max_speedup, media_duration


def _candidates(anchor, duration, t0, gaps, window):
    """(gap, usable start, usable length) of every gap usable from t0 and starting in the
    window, in time order."""
    out = []
    for gap in gaps:
        start = max(gap.start, t0)
        if gap.end > start and start <= anchor + window:
            out.append((gap, start, gap.end - start))
    return out


@settings(max_examples=300, deadline=None)
@given(layouts())
def test_placement_properties(layout):
    descriptions, gaps, window, max_speedup, media_duration = layout
    placements = place(descriptions, gaps, window=window, max_speedup=max_speedup,
                       media_duration=media_duration)

    assert len(placements) == len(descriptions)
    assert sum(summary(placements).values()) == len(descriptions)
    assert len(report_lines(placements)) == len(descriptions)
    cursor = 0.0
    previous = None
    for i, (p, (anchor, duration)) in enumerate(zip(placements, descriptions, strict=True)):
        assert (p.index, p.anchor, p.duration) == (i, anchor, duration)
        assert p.kind in ("placed", "sped-up", "extended")
        t0 = max(anchor, cursor)  # independent of place(): from the previous placement's end
        candidates = _candidates(anchor, duration, t0, gaps, window)
        fitting = [c for c in candidates if duration / max_speedup <= c[2]]

        if p.kind == "extended":
            # Only when nothing in the window could hold it, even sped up.
            assert not fitting
            assert p.start == p.end and p.speed == 1.0
            assert p.start >= t0
            later = [g for g in gaps if g.end > t0]
            if later:  # at the usable start of the next gap: between words, never in speech
                assert p.start == max(later[0].start, t0)
                assert any(g.start <= p.start <= g.end for g in gaps)
            elif media_duration is None:
                assert p.start == t0
            else:
                assert p.start == max(min(t0, media_duration), cursor)
        else:
            # Inside a single gap, at or after the anchor and within the window.
            assert any(g.start <= p.start and p.end <= g.end for g in gaps)
            assert anchor <= p.start <= anchor + window
            assert p.start >= t0
            # The nearest gap that can hold it wins, at speed 1 if it fits at speed 1.
            assert fitting
            gap, start, usable = fitting[0]
            assert p.start == start
            assert p.end <= gap.end
            assert p.end == pytest.approx(p.start + p.spoken, rel=1e-9, abs=1e-9)
            if usable >= duration:
                assert p.kind == "placed"
                assert p.speed == 1.0 and p.end == p.start + duration
            else:
                assert p.kind == "sped-up"
                assert 1.0 < p.speed <= max_speedup
                assert p.speed >= duration / usable - 1e-9
                assert p.speed == max_speedup or p.speed == round(p.speed, 3)

        # Order kept, and no two spoken intervals overlap (an extended one is a point).
        if previous is not None:
            assert p.start >= previous.start
            assert p.start >= previous.end
        assert p.end >= p.start
        assert math.isfinite(p.spoken) and p.spoken > 0
        previous = p
        cursor = p.end


@settings(max_examples=300, deadline=None)
@given(layouts())
def test_placed_descriptions_never_overlap_speech(layout):
    descriptions, gaps, window, max_speedup, media_duration = layout
    placements = place(descriptions, gaps, window=window, max_speedup=max_speedup,
                       media_duration=media_duration)
    # Speech is everything outside the gaps.
    edges = [0.0] + [t for g in gaps for t in (g.start, g.end)] + [math.inf]
    speech = [(a, b) for a, b in zip(edges[::2], edges[1::2], strict=True) if b > a]
    for p in placements:
        if p.kind == "extended":
            assert not any(a < p.start < b for a, b in speech) or not any(
                g.end > max(p.anchor, p.start) for g in gaps)
        else:
            assert not any(min(p.end, b) > max(p.start, a) for a, b in speech)
