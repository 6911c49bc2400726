"""The system description: strict pydantic models of a fixture file.

A fixture describes one Integrated Care System as a set of claims —
organisations, places, neighbourhoods, provider collaboratives, boards with
their seats, plans and arrangements — each of which may cite evidence items.
Unknown keys are errors.  A value the source documents do not give is left
out or written as ``null``: it is *unknown*, never invented.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=80)]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]

SCHEMA_VERSION = 1


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=True)


class OrgKind(str, Enum):
    acute_trust = "acute_trust"
    mental_health_trust = "mental_health_trust"
    community_trust = "community_trust"
    ambulance_trust = "ambulance_trust"
    specialist_trust = "specialist_trust"
    ccg = "ccg"
    icb = "icb"
    county_council = "county_council"
    unitary_council = "unitary_council"
    district_council = "district_council"
    metropolitan_council = "metropolitan_council"
    london_borough = "london_borough"
    combined_authority = "combined_authority"
    pcn = "pcn"
    gp_practice = "gp_practice"
    gp_federation = "gp_federation"
    healthwatch = "healthwatch"
    voluntary_sector = "voluntary_sector"
    other = "other"


class Service(str, Enum):
    """Service lines an organisation provides beyond those implied by its kind."""

    acute = "acute"
    mental_health = "mental_health"
    community = "community"
    ambulance = "ambulance"
    specialist = "specialist"
    primary_care = "primary_care"
    social_care = "social_care"
    public_health = "public_health"


class BoardKind(str, Enum):
    system_partnership_board = "system_partnership_board"
    icb_board = "icb_board"
    integrated_care_partnership = "integrated_care_partnership"
    system_leaders_group = "system_leaders_group"
    quality_group = "quality_group"
    place_partnership_board = "place_partnership_board"
    provider_collaborative_board = "provider_collaborative_board"
    committee = "committee"


class Role(str, Enum):
    chair = "chair"
    chief_executive = "chief_executive"
    finance_director = "finance_director"
    medical_director = "medical_director"
    nursing_director = "nursing_director"
    non_executive = "non_executive"
    partner_member = "partner_member"
    digital_sro = "digital_sro"
    quality_lead = "quality_lead"
    director_of_public_health = "director_of_public_health"
    primary_care_lead = "primary_care_lead"
    clinical_lead = "clinical_lead"
    place_lead = "place_lead"
    collaborative_lead = "collaborative_lead"
    lay_member = "lay_member"
    councillor = "councillor"
    member = "member"


class CollaborativeKind(str, Enum):
    acute = "acute"
    mental_health = "mental_health"
    community = "community"
    children_and_young_people = "children_and_young_people"
    specialised = "specialised"
    ambulance = "ambulance"
    mixed = "mixed"


class Status(str, Enum):
    """Delivery status of a plan or arrangement, from none to achieved."""

    none = "none"
    in_discussion = "in_discussion"
    to_be_developed = "to_be_developed"
    agreed_on_track = "agreed_on_track"
    delivering_milestones = "delivering_milestones"
    achieved = "achieved"


class ArrangementKind(str, Enum):
    """Plans and arrangements a system can hold (COA = consistent operating arrangement)."""

    coa_system_capabilities = "coa_system_capabilities"
    coa_streamlined_commissioning = "coa_streamlined_commissioning"
    coa_shared_care_record = "coa_shared_care_record"
    coa_leadership_model = "coa_leadership_model"
    coa_system_governance = "coa_system_governance"
    coa_system_plans = "coa_system_plans"
    coa_capital_and_estates = "coa_capital_and_estates"
    system_development_plan = "system_development_plan"
    system_operating_plan = "system_operating_plan"
    financial_plan = "financial_plan"
    financial_risk_management = "financial_risk_management"
    workforce_plan = "workforce_plan"
    estates_plan = "estates_plan"
    capital_plan = "capital_plan"
    digital_transformation_plan = "digital_transformation_plan"
    population_health_management = "population_health_management"
    public_engagement = "public_engagement"
    risk_register = "risk_register"
    declarations_of_interest = "declarations_of_interest"
    clinical_strategy = "clinical_strategy"
    other = "other"


class EvidenceItem(Strict):
    id: Id
    title: Text
    publisher: Text | None = None
    date: dt.date
    section: Text | None = Field(default=None, description="Section, page or paragraph cited")
    url: Text | None = None
    note: Text | None = None


class Cited(Strict):
    evidence: list[Id] = Field(default_factory=list, description="Ids of evidence items")


class SystemInfo(Cited):
    id: Id
    name: Text
    ods_code: Text | None = None
    ons_code: Text | None = None
    region: Text | None = None
    population: int | None = Field(default=None, ge=0, description="Resident population")
    registered_population: int | None = Field(default=None, ge=0)
    assessment_date: dt.date


class Organisation(Cited):
    id: Id
    name: Text
    kind: OrgKind
    ods_code: Text | None = None
    ons_code: Text | None = None
    services: list[Service] = Field(default_factory=list, description="Services beyond the kind's own")
    places: list[Id] = Field(default_factory=list, description="Places the organisation serves")


class Place(Cited):
    id: Id
    name: Text
    population: int | None = Field(default=None, ge=0)
    councils: list[Id] = Field(default_factory=list)


class Neighbourhood(Cited):
    id: Id
    name: Text
    place: Id
    population: int | None = Field(default=None, ge=0)
    pcn: Id | None = None


class Collaborative(Cited):
    id: Id
    name: Text
    kind: CollaborativeKind
    members: list[Id] = Field(default_factory=list, description="Member organisations; empty while not yet agreed or not known")
    lead: Id | None = None
    status: Status | None = None


class Seat(Cited):
    role: Role
    organisation: Id | None = None
    person: Text | None = None
    represents: list[Id] = Field(default_factory=list, description="Places or collaboratives the seat represents")


class Board(Cited):
    id: Id
    name: Text
    kind: BoardKind
    place: Id | None = None
    collaborative: Id | None = None
    sits_in_public: bool | None = None
    functions: list[Text] = Field(default_factory=list, description="Functions it decides jointly")
    joint_decision_making_with_local_government: bool | None = None
    members: list[Seat] = Field(default_factory=list)


class Arrangement(Cited):
    id: Id
    kind: ArrangementKind
    title: Text
    status: Status | None = None
    as_of: dt.date | None = None


class SystemDescription(Strict):
    """One Integrated Care System, as a fixture file describes it."""

    schema_version: int = Field(SCHEMA_VERSION, ge=1, le=SCHEMA_VERSION)
    system: SystemInfo
    evidence: list[EvidenceItem] = Field(default_factory=list)
    organisations: list[Organisation] = Field(default_factory=list)
    places: list[Place] = Field(default_factory=list)
    neighbourhoods: list[Neighbourhood] = Field(default_factory=list)
    collaboratives: list[Collaborative] = Field(default_factory=list)
    boards: list[Board] = Field(default_factory=list)
    arrangements: list[Arrangement] = Field(default_factory=list)


def json_schema() -> dict:
    """The JSON Schema of a fixture file, for editors."""
    schema = SystemDescription.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "icscheck system description"
    return schema
