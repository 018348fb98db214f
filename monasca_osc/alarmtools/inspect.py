"""``alarm explain`` and ``alarm definition explain``: fetch, then ask the
engine.

``explain_alarm``: the alarm, its definition and its metrics' measurements
around the instant (``--at`` or now) go into the engine's
``Alarm.explain``; the stored state beside it is the alarm's (now) or the
state-history entry in force at ``--at``; the actions are the definition's
for the resulting state, with the notification methods' names and types.

``explain_definition``: the metrics named by the sub-expressions go
through the engine's ``AlarmMatcher`` (monasca-thresh's grouping by
``match_by``); the metrics of those names that feed nothing are near
misses, with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from monasca_osc import alarming as al
from monasca_osc.alarmtools import replay as replay_mod
from monasca_osc.common import timeutil

__all__ = ['explain_alarm', 'explain_definition']

# last() looks back this far first, then to the alarm's birth.
_LAST_LOOKBACKS_MS = (3_600_000, 86_400_000)


def _ms(text: str) -> int:
    return timeutil.to_epoch_ms(timeutil.parse_iso(text))


def _metric(item: dict[str, Any]) -> al.Metric:
    return al.Metric.of(item['name'], item.get('dimensions') or {})


def _fetch(client: Any, metrics: Iterable[al.Metric], start_ms: int,
           end_ms: int, source: al.MemorySource) -> int:
    """Load the measurements of ``metrics`` in range into ``source``."""
    wanted = set(metrics)
    count = 0
    if start_ms >= end_ms or not wanted:
        return 0
    for name in sorted({m.name for m in wanted}):
        for element in client.metrics.iter_measurements(
                name=name, start_time=replay_mod.iso(start_ms),
                end_time=replay_mod.iso(end_ms), group_by=['*']):
            metric = _metric(element)
            if metric not in wanted:
                continue
            columns = element.get('columns') or ['timestamp', 'value']
            ts_at = columns.index('timestamp')
            value_at = columns.index('value')
            points = [(_ms(p[ts_at]), float(p[value_at]))
                      for p in element.get('measurements') or ()]
            source.extend(metric, points)
            count += len(points)
    return count


def _stored_at(client: Any, alarm: dict[str, Any], at_ms: int
               ) -> tuple[str | None, dict[str, Any] | None]:
    """The stored state at ``at`` and the history entry that set it."""
    entries = sorted(client.alarms.iter_history(alarm['id']),
                     key=lambda e: _ms(e['timestamp']))
    before = [e for e in entries if _ms(e['timestamp']) <= at_ms]
    if before:
        return before[-1]['new_state'], before[-1]
    if entries:
        return entries[0]['old_state'], None
    created = alarm.get('created_timestamp')
    if created and _ms(created) > at_ms:
        return None, None
    return alarm.get('state'), None


def _notifications(client: Any, ids: Iterable[str]) -> list[dict[str, Any]]:
    out = []
    for one in ids:
        try:
            method = client.notifications.get(one)
        except Exception:  # noqa: BLE001 - a deleted method still shows
            out.append({'id': one, 'name': None, 'type': None})
            continue
        out.append({'id': one, 'name': method.get('name'),
                    'type': method.get('type')})
    return out


def explain_alarm(client: Any, alarm_id: str, at_ms: int | None
                  ) -> dict[str, Any]:
    """The documented explanation of a stored alarm at ``at`` (or now)."""
    alarm = client.alarms.get(alarm_id)
    api_def = client.alarm_definitions.get(alarm['alarm_definition']['id'])
    definition = al.Definition.from_dict(api_def)
    moment = at_ms if at_ms is not None else timeutil.now_ms()
    born = _ms(alarm.get('created_timestamp') or replay_mod.iso(moment))
    metrics = [_metric(m) for m in alarm.get('metrics') or ()]
    group = al.AlarmGroup(metrics, min(born, moment))
    engine_alarm = al.Alarm(definition, alarm['id'], group)
    source = al.MemorySource()
    begin = moment - replay_mod.lookback_ms(definition.expression)
    _fetch(client, metrics, max(begin, al.model.floor_minute(group.born_ms)),
           moment + 1, source)
    lasts = [s for s in definition.expression.sub_expressions
             if s.function == 'LAST']
    for lookback in _LAST_LOOKBACKS_MS + (moment - group.born_ms,):
        if not lasts or all(source.last(engine_alarm.sub_metrics(s),
                                        group.born_ms, moment + 1)
                            for s in lasts):
            break
        _fetch(client, [m for s in lasts for m in
                        engine_alarm.sub_metrics(s)],
               max(moment - lookback, group.born_ms), begin, source)
    result = engine_alarm.explain(moment, source)
    if at_ms is None:
        stored, entry = alarm.get('state'), None
    else:
        stored, entry = _stored_at(client, alarm, at_ms)
    data = replay_mod.explanation(
        definition, result, engine_alarm.match,
        title=f"alarm {alarm['id']} of {definition.name}",
        stored_state=stored,
        notifications=_notifications(
            client, definition.actions_for(result.state)))
    if entry is not None:
        data['history_entry'] = {
            'timestamp': entry['timestamp'], 'old_state': entry['old_state'],
            'new_state': entry['new_state'], 'reason': entry.get('reason'),
            'sub_alarms': entry.get('sub_alarms')}
    return data


def _mismatch(definition: al.Definition, metric: al.Metric) -> str:
    """Why a metric of a sub-expression's name feeds none of them."""
    dims = metric.dimensions
    reasons = []
    for sub in definition.expression.sub_expressions:
        if sub.metric_name != metric.name:
            continue
        for key, value in sub.dimensions:
            if key not in dims:
                reasons.append(f'lacks dimension {key} (wants {key}={value})')
            elif dims[key] != value:
                reasons.append(f'{key}={dims[key]} (wants {key}={value})')
    return '; '.join(dict.fromkeys(reasons)) or 'no sub-expression matches'


def explain_definition(client: Any, name_or_id: str, start_ms: int,
                       end_ms: int) -> dict[str, Any]:
    """Which metrics feed the definition, their alarms, the near misses."""
    api_def = client.alarm_definitions.find(name_or_id)
    definition = al.Definition.from_dict(api_def)
    names = sorted({s.metric_name
                    for s in definition.expression.sub_expressions})
    every: list[al.Metric] = []
    active: set[al.Metric] = set()
    for name in names:
        every.extend(_metric(m) for m in client.metrics.iter_list(name=name))
        active.update(_metric(m) for m in client.metrics.iter_list(
            name=name, start_time=replay_mod.iso(start_ms),
            end_time=replay_mod.iso(end_ms)))
    matcher = al.AlarmMatcher(definition)
    misses = []
    for metric in every:
        if not definition.feeds(metric):
            misses.append({'metric': metric.to_dict(),
                           'reason': 'dimension_mismatch',
                           'detail': _mismatch(definition, metric)})
            continue
        matcher.add(metric, 0)
        lacking = [k for k in definition.match_by
                   if k not in metric.dimensions]
        if lacking:
            plural = 's' if len(lacking) > 1 else ''
            misses.append({
                'metric': metric.to_dict(), 'reason': 'missing_match_by_key',
                'detail': f"lacks match_by key{plural} {', '.join(lacking)}:"
                          ' it is grouped with every metric it agrees with '
                          '(as monasca-thresh does)'})
        if metric not in active:
            misses.append({'metric': metric.to_dict(), 'reason': 'no_data',
                           'detail': 'no measurement in '
                                     f'{replay_mod.iso(start_ms)} .. '
                                     f'{replay_mod.iso(end_ms)}'})
    alarms = [{'match': group.match_values(definition.match_by),
               'metrics': [m.to_dict() for m in group.metrics],
               'with_data': sum(m in active for m in group.metrics)}
              for group in matcher.alarms]
    waiting = [{'metrics': [m.to_dict() for m in group.metrics],
                'detail': 'no alarm yet: some sub-expression has no metric'}
               for group in matcher.waiting]
    return {
        'definition': {'id': definition.id, 'name': definition.name,
                       'expression': definition.expression.text,
                       'match_by': list(definition.match_by)},
        'range': {'start': replay_mod.iso(start_ms),
                  'end': replay_mod.iso(end_ms)},
        'metrics': len(every), 'alarms': alarms, 'incomplete': waiting,
        'near_misses': misses}


def render_definition(data: dict[str, Any]) -> list[str]:
    """The text form of ``explain_definition``."""
    def label(metric: dict[str, Any]) -> str:
        dims = ','.join(f'{k}={v}' for k, v in
                        sorted(metric['dimensions'].items()))
        return f"{metric['name']}{{{dims}}}" if dims else metric['name']

    head = data['definition']
    match_by = ', '.join(head['match_by']) or 'none'
    lines = [f"{head['name']}: {head['expression']}",
             f"match_by: {match_by}; {data['metrics']} metrics of these "
             f"names; range {data['range']['start']} .. "
             f"{data['range']['end']}",
             f"alarms ({len(data['alarms'])}):"]
    for alarm in data['alarms']:
        match = ','.join(f'{k}={v}' for k, v in
                         sorted(alarm['match'].items())) or '(all)'
        lines.append(f'  {match}: {len(alarm["metrics"])} metrics, '
                     f'{alarm["with_data"]} with data in range')
        lines.extend(f'    {label(m)}' for m in alarm['metrics'])
    for group in data['incomplete']:
        lines.append(f"  (incomplete) {group['detail']}: "
                     + ', '.join(label(m) for m in group['metrics']))
    lines.append(f"near misses ({len(data['near_misses'])}):")
    lines.extend(f"  {label(m['metric'])}: {m['reason']}: {m['detail']}"
                 for m in data['near_misses'])
    return lines
