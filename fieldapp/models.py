"""Every model in one namespace, for migrations, the shell and the tests."""
from .accountability.models import AuditEvent, Incident, VillageReview
from .auth.models import Assignment, User, UserSession
from .auth.throttle import SignInFailure
from .backup.models import RestoreEpoch
from .campaigns.models import Campaign, CampaignTopic, Topic
from .changes.models import RegisterChange
from .coverage import rollups  # noqa: F401  (keeps the summary rows current on every commit)
from .coverage.models import (HouseholdMark, VillageCheckSummary, VillageDaySummary, VillageRegisterSummary,
                              VillageStatusSummary)
from .downloads.models import Download
from .households.models import DuplicateDismissal, Household, HouseholdMember, HouseholdMerge
from .jobs.models import Job, StoredFile, Worker
from .photos.models import CommitmentPhoto
from .proof.models import CheckReview, LearntPoint, Verification, VerificationDraw, VisitCheck
from .leases import Lease
from .register.models import Commune, CommuneHistory, ImportRun, Province, Village
from .sync.models import QuarantinedEntry, SyncReceipt
from .visits.models import Visit, VisitMaterial, VisitTopic, VisitWithdrawal, visit_companions

__all__ = [
    "Assignment", "AuditEvent", "Campaign", "CampaignTopic", "Commune", "CommuneHistory", "Download", "DuplicateDismissal",
    "Household", "HouseholdMark", "HouseholdMember", "HouseholdMerge", "ImportRun", "Incident", "Job", "Lease",
    "Province", "QuarantinedEntry", "RegisterChange", "RestoreEpoch", "SignInFailure", "StoredFile", "SyncReceipt",
    "Topic", "User", "UserSession", "Village", "VillageCheckSummary", "VillageDaySummary", "VillageRegisterSummary",
    "VillageReview", "VillageStatusSummary", "Visit", "VisitMaterial", "VisitTopic",
    "VisitWithdrawal", "Worker", "visit_companions",
    "CheckReview", "CommitmentPhoto", "LearntPoint", "Verification", "VerificationDraw", "VisitCheck",
]
