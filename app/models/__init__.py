"""The ORM models of the whole domain, one module per aggregate; importing this registers them all."""

from app.models.audit import AuditEvent
from app.models.base import Base, SyncMixin, new_id
from app.models.care import ContraceptiveEpisode, FolicAcidCourse, PrepregnancyCheck
from app.models.event import VitalEvent
from app.models.followup import Followup, FollowupAnswer
from app.models.household import Household
from app.models.person import Person
from app.models.pregnancy import Pregnancy
from app.models.supply import StockMovement, SupplyItem
from app.models.support import SupportEntitlement
from app.models.sync import (
    SyncConflict,
    SyncCorrection,
    SyncImport,
    SyncKey,
    SyncPackage,
    SyncReturn,
    SyncState,
    SyncTombstone,
    TownshipProfile,
)
from app.models.user import SYSTEM_USER_ID, User
from app.models.village import VillageProfile, VillagerGroup

# Travelling tables in the dependency order of the sync package (sync-bundle.md).
TRAVELLING_MODELS: tuple[type[SyncMixin], ...] = (
    VillagerGroup,
    Household,
    Person,
    VitalEvent,
    Pregnancy,
    PrepregnancyCheck,
    ContraceptiveEpisode,
    FolicAcidCourse,
    Followup,
    FollowupAnswer,
    SupplyItem,
    StockMovement,
    SupportEntitlement,
)

__all__ = [
    "AuditEvent",
    "Base",
    "ContraceptiveEpisode",
    "FolicAcidCourse",
    "Followup",
    "FollowupAnswer",
    "Household",
    "Person",
    "Pregnancy",
    "PrepregnancyCheck",
    "SYSTEM_USER_ID",
    "StockMovement",
    "SupplyItem",
    "SupportEntitlement",
    "SyncMixin",
    "SyncConflict",
    "SyncCorrection",
    "SyncImport",
    "SyncKey",
    "SyncPackage",
    "SyncReturn",
    "SyncState",
    "SyncTombstone",
    "TownshipProfile",
    "TRAVELLING_MODELS",
    "User",
    "VillageProfile",
    "VillagerGroup",
    "VitalEvent",
    "new_id",
]
