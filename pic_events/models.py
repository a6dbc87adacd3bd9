"""Import every module's models so that the metadata (and Alembic) sees all tables."""

from pic_events.accounts.models import ApiToken, User
from pic_events.calendar.models import CalendarSettings, FeedState, ReminderSent
from pic_events.consortia.models import (
    ConsortiumMeeting,
    ConsortiumScheduleRequest,
    Idea,
    Interest,
    PitchSession,
    Role,
)
from pic_events.directory.models import Cluster, ClusterSector, Organisation
from pic_events.documents.models import DocumentJob
from pic_events.events.models import Event
from pic_events.matchmaking.models import (
    B2BSettings,
    B2BTable,
    MatchProfile,
    Meeting,
    MeetingOutcome,
    MeetingRequest,
    MeetingSeat,
    NudgeSent,
    Slot,
    Unavailability,
)
from pic_events.matchmaking.scheduling_models import ScheduleRun
from pic_events.notifications.models import OutboxMessage
from pic_events.programme.models import ProgrammeSession, Room, Speaker
from pic_events.registration.models import (
    AuditLog,
    OptionPick,
    Question,
    QuestionOption,
    Registration,
    SessionChoice,
)

__all__ = [
    "ApiToken",
    "AuditLog",
    "B2BSettings",
    "B2BTable",
    "CalendarSettings",
    "FeedState",
    "ReminderSent",
    "MatchProfile",
    "Meeting",
    "MeetingOutcome",
    "MeetingRequest",
    "MeetingSeat",
    "NudgeSent",
    "ScheduleRun",
    "Slot",
    "Unavailability",
    "Cluster",
    "ConsortiumMeeting",
    "ConsortiumScheduleRequest",
    "Idea",
    "Interest",
    "Role",
    "ClusterSector",
    "DocumentJob",
    "Event",
    "Organisation",
    "PitchSession",
    "OptionPick",
    "OutboxMessage",
    "ProgrammeSession",
    "Question",
    "QuestionOption",
    "Registration",
    "Room",
    "SessionChoice",
    "Speaker",
    "User",
]
