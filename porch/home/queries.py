"""What needs the person's attention now, for the home page.

Each part comes from the app that owns it, through that app's own query with the
request's access context; the home page shows only what Porch really has.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from porch.access.context import AccessContext
from porch.messaging import queries as messaging
from porch.results import queries as results

# The home page looks at this many of the newest results for ones not yet opened.
RECENT_RESULTS = 20
# ...and lists at most this many, with a link to the rest.
SHOWN_RESULTS = 3


@dataclass(frozen=True)
class Attention:
    new_results: list[results.ReportLine] = field(default_factory=list)
    more_new_results: bool = False
    unread_conversations: int = 0

    @property
    def anything(self) -> bool:
        return bool(self.new_results or self.unread_conversations)


def attention(ctx: AccessContext, user_id: int) -> Attention:
    """For a patient or proxy with a record open; an empty Attention for anyone else."""
    if not ctx.acting_for or not results.patient_facing(ctx):
        return Attention()
    ctx, patient_id = results.open_record(ctx)
    lines = results.list_reports(ctx, patient_id, user_id, limit=RECENT_RESULTS)
    new = [line for line in lines if line.is_new]
    return Attention(
        new_results=new[:SHOWN_RESULTS],
        more_new_results=len(new) > SHOWN_RESULTS,
        unread_conversations=messaging.unread_count(ctx, patient_id, user_id),
    )
