"""The registry's tables (SQLAlchemy 2.0), one module per aggregate, one MetaData."""

from laosp.models.access import AuditSeal, ChangeRequest, SignInAttempt, UserSession
from laosp.models.audit import AuditEvent
from laosp.models.base import Base, metadata
from laosp.models.enrolment import Enrolment
from laosp.models.grievance import Grievance
from laosp.models.history import EnrolmentStatusHistory, HouseholdHistory, PersonHistory
from laosp.models.ledger import BenefitPayment, Contribution, PaymentCycle
from laosp.models.receipt import DecisionReceipt
from laosp.models.reference import District, Province, Village
from laosp.models.registry import Household, Person
from laosp.models.user import User

__all__ = [
    "AuditEvent",
    "AuditSeal",
    "Base",
    "BenefitPayment",
    "ChangeRequest",
    "Contribution",
    "DecisionReceipt",
    "District",
    "Enrolment",
    "EnrolmentStatusHistory",
    "Grievance",
    "Household",
    "HouseholdHistory",
    "PaymentCycle",
    "Person",
    "PersonHistory",
    "Province",
    "SignInAttempt",
    "User",
    "UserSession",
    "Village",
    "metadata",
]
