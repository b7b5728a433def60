"""The action center: rules turn records into action items for the person who must act.

Public entry points: `stip.actions.evaluate.evaluate(stip, as_of)`,
`stip.actions.items.ItemStore`, `stip.actions.closed_loop.closed_loop_values(stip, period,
as_of)` and `stip.actions.meeting.build_agenda(stip, team_id, as_of)`.
"""
