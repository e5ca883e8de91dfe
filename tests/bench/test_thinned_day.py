"""The increment day thinned to a fixed size, with the rest of the zone as it was."""

from __future__ import annotations

from datetime import date

from bench.thinned_day import thinned_zone, thinning

DAY = date(2025, 5, 1)


def _write(path, lines):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{line}\n" for line in lines))
    return path


def test_only_the_days_activity_files_are_thinned_and_the_rest_hard_linked(tmp_path):
    zone = tmp_path / "zone"
    events = [f'{{"id": "e{n}"}}' for n in range(10)]
    day_events = _write(zone / "dam_events" / DAY.isoformat() / "events-0000.jsonl", events)
    day_notes = _write(
        zone / "notifications" / "env-a" / DAY.isoformat() / "part-0000.jsonl", events[:7]
    )
    earlier = _write(zone / "dam_events" / "2025-04-30" / "events-0000.jsonl", events)
    snapshot = _write(zone / "users" / f"{DAY.isoformat()}.json", ['{"users": []}'])
    manifest = _write(zone / "_sample_manifest.json", ["{}"])

    target = thinned_zone(zone, tmp_path / "thinned", DAY, every=3)

    def lines(path):
        return (target / path.relative_to(zone)).read_text().splitlines()

    assert lines(day_events) == [events[n] for n in (0, 3, 6, 9)]
    assert lines(day_notes) == [events[n] for n in (0, 3, 6)]
    for kept in (earlier, snapshot, manifest):
        # The same file under a second name, a regular file as the loader reads only those.
        linked = target / kept.relative_to(zone)
        assert not linked.is_symlink() and linked.samefile(kept)
    assert not (target / day_events.relative_to(zone)).samefile(day_events)


def test_a_zone_made_again_replaces_the_earlier_one(tmp_path):
    zone = tmp_path / "zone"
    _write(zone / "dam_events" / DAY.isoformat() / "events-0000.jsonl", ["a", "b"])
    target = tmp_path / "thinned"
    _write(target / "dam_events" / "stale.jsonl", ["x"])
    thinned_zone(zone, target, DAY, every=1)
    assert sorted(p.name for p in target.rglob("*.jsonl")) == ["events-0000.jsonl"]


def test_the_thinning_brings_every_size_near_the_kept_day():
    assert thinning(2_739, 2_739) == 1
    assert thinning(1_000, 2_739) == 1  # a smaller day is kept whole
    assert thinning(27_397, 2_739) == 10
    assert thinning(82_191, 2_739) == 30
