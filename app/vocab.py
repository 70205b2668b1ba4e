"""Code lists of the domain (shared/design/domain.md). Codes are stored; labels come from i18n."""

from __future__ import annotations

from enum import StrEnum


class Sex(StrEnum):
    MALE = "M"
    FEMALE = "F"


class Relation(StrEnum):
    HEAD = "head"
    SPOUSE = "spouse"
    SON = "son"
    DAUGHTER = "daughter"
    SON_IN_LAW = "son_in_law"
    DAUGHTER_IN_LAW = "daughter_in_law"
    GRANDSON = "grandson"
    GRANDDAUGHTER = "granddaughter"
    FATHER = "father"
    MOTHER = "mother"
    SIBLING = "sibling"
    OTHER = "other"


class MaritalStatus(StrEnum):
    UNMARRIED = "unmarried"
    FIRST_MARRIAGE = "first_marriage"
    REMARRIED = "remarried"
    DIVORCED = "divorced"
    WIDOWED = "widowed"


MARRIED = (MaritalStatus.FIRST_MARRIAGE, MaritalStatus.REMARRIED)


class ResidenceStatus(StrEnum):
    RESIDENT = "resident"
    OUT_MIGRANT = "out_migrant"
    IN_MIGRANT = "in_migrant"
    MOVED_AWAY = "moved_away"
    DECEASED = "deceased"


# People who still belong to the village's population (counted, visited, shown by default).
PRESENT = (ResidenceStatus.RESIDENT, ResidenceStatus.OUT_MIGRANT, ResidenceStatus.IN_MIGRANT)


class ResidenceType(StrEnum):
    LOCAL = "local"
    IN_MIGRANT = "in_migrant"
    COLLECTIVE = "collective"


class VitalEventType(StrEnum):
    BIRTH = "birth"
    DEATH = "death"
    MARRIAGE = "marriage"
    DIVORCE = "divorce"
    MOVE_IN = "move_in"
    MOVE_OUT = "move_out"


class PregnancyOutcome(StrEnum):
    LIVE_BIRTH = "live_birth"
    STILLBIRTH = "stillbirth"
    MISCARRIAGE = "miscarriage"
    INDUCED = "induced"
    ECTOPIC = "ectopic"


class DeliveryPlace(StrEnum):
    HOSPITAL = "hospital"
    HOME = "home"
    OTHER = "other"


class RiskGrade(StrEnum):
    GENERAL = "general"
    HIGH = "high"


class ContraceptiveMethod(StrEnum):
    IUD = "iud"
    IMPLANT = "implant"
    FEMALE_STERILISATION = "female_sterilisation"
    MALE_STERILISATION = "male_sterilisation"
    PILL = "pill"
    INJECTABLE = "injectable"
    CONDOM = "condom"
    SPERMICIDE = "spermicide"
    EMERGENCY = "emergency"
    OTHER = "other"
    NONE = "none"


class FollowupStatus(StrEnum):
    DUE = "due"
    DONE = "done"
    MISSED = "missed"
    CANCELLED = "cancelled"


class FollowupType(StrEnum):
    ANC1 = "anc1"
    ANC2 = "anc2"
    ANC3 = "anc3"
    ANC4 = "anc4"
    ANC5 = "anc5"
    POSTPARTUM_VISIT = "postpartum_visit"
    POSTPARTUM_42D = "postpartum_42d"
    PREPREG_EARLY = "prepreg_early"
    PREPREG_OUTCOME = "prepreg_outcome"
    FOLIC_ADHERENCE = "folic_adherence"
    CONTRACEPTIVE_CHECK = "contraceptive_check"
    RESUPPLY = "resupply"
    INJECTION = "injection"
    REFERRAL = "referral"
    SUPPORT_VISIT = "support_visit"


class SupplyCategory(StrEnum):
    CONTRACEPTIVE = "contraceptive"
    FOLIC_ACID = "folic_acid"


class MovementType(StrEnum):
    RECEIPT = "receipt"
    ISSUE_PERSON = "issue_person"
    ISSUE_SELF_SERVICE = "issue_self_service"
    LOSS = "loss"
    ADJUSTMENT = "adjustment"
    RETURN = "return"


class SupportKind(StrEnum):
    REWARD = "reward"
    SPECIAL_DEATH = "special_death"
    SPECIAL_DISABILITY = "special_disability"


class UserRole(StrEnum):
    """What a person may do (checked in the service cores on the Actor, not only by hiding buttons)."""

    OFFICER = "officer"  # 村计生专干: the village's records
    DOCTOR = "doctor"  # 乡村医生: care records and follow-ups, not users or keys
    REVIEWER = "reviewer"  # 乡镇审核: reads; never changes a village's records
    ADMIN = "admin"  # 管理员: an officer's work plus users, keys and backups


class RecordStatus(StrEnum):
    ACTIVE = "active"
    MERGED = "merged"  # a duplicate record of a person, merged into the survivor (merged_into)
