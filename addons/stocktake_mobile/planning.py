"""Pure planning helpers for count-task generation (no database access).

Kept free of queries so that the generator stays set-based: the caller loads
everything with a handful of queries and this module only does arithmetic.
"""
import datetime as dt
from collections import defaultdict


def first_due(start, frequency, location_id, product_id):
    "Spread never-counted items evenly over their first cycle"
    # A stable hash keeps the phase identical from one cron run to the next
    phase = (product_id * 7919 + location_id * 104729) % max(frequency, 1)
    return start + dt.timedelta(days=phase)


def due_date(last, start, frequency, location_id, product_id):
    if last:
        return last + dt.timedelta(days=frequency)
    return first_due(start, frequency, location_id, product_id)


def assign(buckets, candidates, capacity, load, today, horizon):
    """Split buckets into tasks so no counter exceeds a daily capacity.

    buckets: {(group_key, due): [item, ...]} items sorted by location
    candidates: {group_key: [user_id, ...]} responsible first, then deputies
    capacity: {user_id: lines per day}
    load: {(user_id, day): lines already planned} (updated in place)
    Returns ([(group_key, day, user_id, [items])], deferred item count).
    Items that fit nowhere inside the horizon are deferred to a later run.
    """
    tasks, deferred = [], 0
    last_day = today + dt.timedelta(days=horizon)
    for (key, due), items in sorted(buckets.items(),
            key=lambda b: (b[0][1], str(b[0][0]))):
        users = candidates.get(key) or []
        if not users:
            tasks.append((key, max(due, today), None, items))
            continue
        day = max(due, today)
        pending = list(items)
        while pending and day <= last_day:
            for user in users:
                free = capacity.get(user, 0) - load.get((user, day), 0)
                if free <= 0 or not pending:
                    continue
                chunk, pending = pending[:free], pending[free:]
                load[(user, day)] = load.get((user, day), 0) + len(chunk)
                tasks.append((key, day, user, chunk))
            day += dt.timedelta(days=1)
        deferred += len(pending)
    return tasks, deferred


def daily_load(tasks):
    "Lines per (user, day) of planned tasks, to check capacities"
    load = defaultdict(int)
    for _, day, user, items in tasks:
        load[(user, day)] += len(items)
    return load
