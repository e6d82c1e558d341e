"""Every model in one namespace, for migrations, the shell and the tests."""
from .accountability.models import AuditEvent, Incident, VillageReview
from .auth.models import Assignment, User, UserSession
from .auth.throttle import SignInFailure
from .backup.models import RestoreEpoch
from .campaigns.models import Campaign, CampaignTopic, Topic
from .downloads.models import Download
from .households.models import Household
from .jobs.models import Job, StoredFile, Worker
from .photos.models import CommitmentPhoto
from .proof.models import CheckReview, LearntPoint, Verification, VerificationDraw, VisitCheck
from .leases import Lease
from .register.models import Commune, ImportRun, Village
from .sync.models import QuarantinedEntry, SyncReceipt
from .visits.models import Visit, VisitMaterial, VisitTopic, VisitWithdrawal, visit_companions

__all__ = [
    "Assignment", "AuditEvent", "Campaign", "CampaignTopic", "Commune", "Download", "Household",
    "ImportRun", "Incident", "Job", "Lease", "QuarantinedEntry", "RestoreEpoch", "SignInFailure", "StoredFile", "SyncReceipt",
    "Topic", "User", "UserSession", "Village", "VillageReview", "Visit", "VisitMaterial", "VisitTopic",
    "VisitWithdrawal", "Worker", "visit_companions",
    "CheckReview", "CommitmentPhoto", "LearntPoint", "Verification", "VerificationDraw", "VisitCheck",
]
