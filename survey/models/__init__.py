"""All models, imported here so Alembic and the app see one metadata."""

from survey.models.accounts import ApiKey, User
from survey.models.aggregates import (
    AnswerCount,
    AnswerCountDelta,
    AnswerCountUnit,
    AnswerCountYear,
    ElementItemDelta,
    ElementItemUnit,
    ElementItemYear,
    ElementPairDelta,
    ElementPairUnit,
    ElementPairYear,
)
from survey.models.alerts import Alert, AlertDigest, AlertRead, KioskHour, RatingDay, WatchState
from survey.models.audit import AuditEntry
from survey.models.base import Base, now_utc
from survey.models.comment_search import CommentSearch
from survey.models.feedback import FeedbackCase, FeedbackContact, FeedbackEvent
from survey.models.investigation import (
    CaseEvent,
    FrameContact,
    FrameDossier,
    Investigation,
    SampleCase,
)
from survey.models.kiosks import Desk, Kiosk, WebLink
from survey.models.par_index import ParIndexEntry
from survey.models.periods import ClosedYear
from survey.models.quarantine import Quarantine
from survey.models.questionnaires import Questionnaire, QuestionnaireVersion, VersionItem
from survey.models.records import DossierStat
from survey.models.responses import Answer, Response
from survey.models.tokens import DossierToken
from survey.models.units import (
    Procedure,
    ProcedureGroup,
    ServiceArea,
    Unit,
    UnitEvent,
    UnitEventSuccessor,
)

__all__ = [
    "Alert",
    "AlertDigest",
    "AlertRead",
    "Answer",
    "AnswerCount",
    "AnswerCountDelta",
    "AnswerCountUnit",
    "AnswerCountYear",
    "ApiKey",
    "AuditEntry",
    "CaseEvent",
    "ClosedYear",
    "Base",
    "CommentSearch",
    "Desk",
    "ElementItemDelta",
    "ElementItemUnit",
    "ElementItemYear",
    "ElementPairDelta",
    "ElementPairUnit",
    "ElementPairYear",
    "FeedbackCase",
    "FeedbackContact",
    "FeedbackEvent",
    "DossierToken",
    "DossierStat",
    "FrameContact",
    "FrameDossier",
    "Investigation",
    "Kiosk",
    "KioskHour",
    "ParIndexEntry",
    "Procedure",
    "ProcedureGroup",
    "RatingDay",
    "Quarantine",
    "Questionnaire",
    "QuestionnaireVersion",
    "Response",
    "SampleCase",
    "ServiceArea",
    "Unit",
    "UnitEvent",
    "UnitEventSuccessor",
    "User",
    "VersionItem",
    "WatchState",
    "WebLink",
    "now_utc",
]
