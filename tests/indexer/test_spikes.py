"""The spike detector on synthetic series (no Elasticsearch)."""

from __future__ import annotations

import pytest

from indexer.spikes import MAD_SCALE, detect, robust_z


def test_robust_z_is_the_documented_formula() -> None:
    history = [10, 12, 9, 11, 10, 30, 10, 8]  # median 10, deviations 0 2 1 1 0 20 0 2 -> MAD 1
    result = robust_z(history, 20)
    assert (result.median, result.mad) == (10, 1)
    assert result.z == pytest.approx((20 - 10) / (MAD_SCALE * 1 + 1), abs=1e-3)


def test_flat_series_has_no_spike() -> None:
    assert detect([20] * 29) == []
    assert detect([20] * 28 + [23]) == []  # three above a flat history: z = 3 < 3.5


def test_spike_after_a_flat_history() -> None:
    [found] = detect([20] * 28 + [25])
    assert (found.index, found.count, found.median, found.mad, found.z) == (28, 25, 20, 0, 5.0)


def test_spike_from_nothing_needs_the_floor() -> None:
    assert detect([0] * 28 + [9]) == []  # z = 9 but under min_count 10
    assert [d.count for d in detect([0] * 28 + [10])] == [10]
    assert detect([0] * 28 + [9], min_count=5) != []


def test_noisy_history_absorbs_a_bump_but_not_a_surge() -> None:
    history = [52, 41, 58, 47, 60, 44, 55, 49, 43, 57, 51, 46, 59, 40,
               54, 48, 56, 42, 50, 53, 45, 60, 41, 58, 47, 52, 44, 55]  # fmt: skip
    assert detect([*history, 62]) == []
    assert detect([*history, 62 + 60])[0].index == 28


def test_one_past_outlier_does_not_hide_a_spike() -> None:
    # the median and MAD ignore a single earlier burst, a mean and standard deviation would not
    history = [10] * 27 + [200]
    assert detect([*history, 30]) != []


def test_only_recent_buckets_are_tested_each_against_its_own_past() -> None:
    series = [5] * 20 + [40] + [5] * 8
    assert detect(series, min_count=5) == []  # the burst is 8 buckets old
    [found] = detect(series, min_count=5, recent=9)
    assert found.index == 20
    # the burst is now part of the history of later buckets, and they are not spikes
    assert all(d.index == 20 for d in detect(series, min_count=5, recent=9))


def test_short_history_is_not_trusted() -> None:
    assert detect([0, 0, 0, 0, 0, 50]) == []
    assert detect([0] * 7 + [50])[0].index == 7


def test_baseline_window_is_bounded() -> None:
    # 60 old buckets at 100 are out of a 28-bucket baseline of 10s: 40 is a spike
    series = [100] * 60 + [10] * 28 + [40]
    assert detect(series, baseline=28)[0].count == 40
    assert detect(series, baseline=89) == []


def test_threshold_parameter() -> None:
    series = [10] * 28 + [16]  # z = 6
    assert detect(series, threshold=5) != []
    assert detect(series, threshold=7) == []
    assert detect([3, 9] * 14 + [4]) == []  # a drop is never a spike
