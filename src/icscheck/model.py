"""The system description: strict pydantic models of a fixture file.

A fixture describes one Integrated Care System as a set of claims —
organisations, places, neighbourhoods, provider collaboratives, boards with
their seats, plans and arrangements — each of which may cite evidence items.
Unknown keys are errors.  A value the source documents do not give is left
out or written as ``null``: it is *unknown*, never invented.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, PrivateAttr, Strict as StrictType, StringConstraints, Tag, model_validator

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=80)]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


def _iso_date(value: object) -> object:
    """A date written as YAML's date or as quoted ISO text (YYYY-MM-DD); nothing else becomes a date."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"'{value}' is not a valid date ({exc})") from None
    return value


Date = Annotated[dt.date, BeforeValidator(_iso_date)]

#: How field descriptions say what an id may be, and what leaving a value out means.
ID_WORDS = "lower-case letters, digits, '_', '.' and '-', starting with a letter or digit, unique across the file"
UNSTATED = "; left out: not stated"

SCHEMA_VERSION = 1


class _Choice:
    """``Choice[SomeEnum]``: one of an enumeration's values, written as its text (models are otherwise strict)."""

    def __class_getitem__(cls, item):
        return Annotated[item, StrictType(False)]


Choice = _Choice


class Strict(BaseModel):
    """Unknown keys are errors, and values are never coerced: ``"100000"`` is not an integer, ``1.0``
    not an integer, ``"yes"`` or ``1`` not true/false, ``12`` not text; numbers must be finite."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=True, strict=True, allow_inf_nan=False)


class OrgKind(str, Enum):
    """Kinds of organisation: NHS trusts, commissioners, councils, primary care, Healthwatch, the voluntary sector."""

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
    """Kinds of board, partnership, committee or group."""

    system_partnership_board = "system_partnership_board"
    icb_board = "icb_board"
    integrated_care_partnership = "integrated_care_partnership"
    system_leaders_group = "system_leaders_group"
    quality_group = "quality_group"
    place_partnership_board = "place_partnership_board"
    provider_collaborative_board = "provider_collaborative_board"
    clinical_leadership_group = "clinical_leadership_group"
    health_and_wellbeing_board = "health_and_wellbeing_board"
    committee = "committee"


class Role(str, Enum):
    """Roles of a seat on a board."""

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
    """The services a provider collaborative brings together."""

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


#: Statuses from worst to best: the one ranking used wherever a "best" or "worst" status is picked.
STATUS_RANK: dict[str, int] = {s.value: i for i, s in enumerate(Status)}


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
    engagement_strategy = "engagement_strategy"
    shared_analytics = "shared_analytics"
    citizen_digital_roadmap = "citizen_digital_roadmap"
    cyber_security_compliance = "cyber_security_compliance"
    commissioning_framework = "commissioning_framework"
    people_plan = "people_plan"
    icb_constitution = "icb_constitution"
    integrated_care_strategy = "integrated_care_strategy"
    joint_forward_plan = "joint_forward_plan"
    other = "other"


class Criterion(str, Enum):
    """Judgement criteria a system attests to with dated evidence.

    Where a source asks for something no structure can show ("a culture of
    learning"), the description carries an attestation: a statement, its
    status, its date and at least one evidence item.  The rule then checks
    that such an attestation exists at the status the stage needs.  A few
    criteria (:data:`PLACE_CRITERIA`) are about each place: their
    attestations name the place, and the rules read them place by place.
    """

    leaders_signed_up = "leaders_signed_up"
    shared_vision = "shared_vision"
    progress_visible = "progress_visible"
    involvement_plans = "involvement_plans"
    public_involvement = "public_involvement"
    change_capacity = "change_capacity"
    learning_culture = "learning_culture"
    leadership_track_record = "leadership_track_record"
    hwb_alignment = "hwb_alignment"
    future_leaders = "future_leaders"
    clinical_management_capacity = "clinical_management_capacity"
    public_narrative = "public_narrative"
    delivery_architecture_plan = "delivery_architecture_plan"
    financial_drivers_understood = "financial_drivers_understood"
    oversight_responsibility = "oversight_responsibility"
    self_assurance = "self_assurance"
    collective_resource_management = "collective_resource_management"
    ics_financial_framework = "ics_financial_framework"
    population_health_risk_modelling = "population_health_risk_modelling"
    aligned_incentives = "aligned_incentives"
    enabler_improvement = "enabler_improvement"
    service_changes = "service_changes"
    care_model_design = "care_model_design"
    pcn_care_models = "pcn_care_models"
    population_data_use = "population_data_use"
    integrated_care_teams = "integrated_care_teams"
    unwarranted_variation = "unwarranted_variation"
    prevention_and_inequalities = "prevention_and_inequalities"
    population_health_management = "population_health_management"
    outcome_improvement = "outcome_improvement"
    national_priorities_progress = "national_priorities_progress"
    constitutional_standards = "constitutional_standards"
    challenged_organisations_support = "challenged_organisations_support"
    control_total_delivery = "control_total_delivery"
    collective_problem_solving = "collective_problem_solving"
    patient_flows = "patient_flows"
    local_authority_boundaries = "local_authority_boundaries"
    clinically_led_plans = "clinically_led_plans"
    stakeholder_engagement = "stakeholder_engagement"
    realistic_workforce_assumptions = "realistic_workforce_assumptions"
    ltp_commitments = "ltp_commitments"
    phased_by_local_need = "phased_by_local_need"
    inequalities_funding = "inequalities_funding"
    prevention_focus = "prevention_focus"
    local_authority_engagement = "local_authority_engagement"
    demand_growth_moderation = "demand_growth_moderation"
    unjustified_variation_reduction = "unjustified_variation_reduction"
    capital_use = "capital_use"
    provider_mutual_aid = "provider_mutual_aid"
    provider_open_book = "provider_open_book"
    one_workforce = "one_workforce"
    place_resources_autonomy = "place_resources_autonomy"
    clinical_networks = "clinical_networks"
    wider_professional_leadership = "wider_professional_leadership"
    organisational_accountability = "organisational_accountability"
    lay_and_resident_voice = "lay_and_resident_voice"
    service_change_involvement = "service_change_involvement"
    public_insight = "public_insight"
    place_budget_delegation = "place_budget_delegation"
    fair_share_resources = "fair_share_resources"
    national_digital_standards = "national_digital_standards"
    digital_literacy = "digital_literacy"
    system_by_default_oversight = "system_by_default_oversight"
    strategic_commissioning = "strategic_commissioning"
    commissioning_coterminous = "commissioning_coterminous"
    innovation = "innovation"
    # 'Integrating care: next steps' (26 November 2020)
    collective_priority_setting = "collective_priority_setting"  # para 1.12
    provider_programme_delivery = "provider_programme_delivery"  # para 2.11, first bullet
    network_proposals_implemented = "network_proposals_implemented"  # para 2.11, second bullet
    local_labour_market = "local_labour_market"  # para 2.16, second bullet
    system_career_pathways = "system_career_pathways"  # para 2.16, third bullet
    representative_workforce = "representative_workforce"  # para 2.16, fourth bullet
    organisational_development = "organisational_development"  # para 2.16, fifth bullet
    place_leader_roles = "place_leader_roles"  # para 2.18 (about one place)
    ics_leader_capacity = "ics_leader_capacity"  # para 2.29, third bullet
    chair_appointed_per_guidance = "chair_appointed_per_guidance"  # para 2.29, third bullet
    elected_member_involvement = "elected_member_involvement"  # para 2.37, second sentence
    transparent_decision_making = "transparent_decision_making"  # para 2.37, second sentence
    excluded_groups_engagement = "excluded_groups_engagement"  # para 2.38, second sentence
    joint_service_model = "joint_service_model"  # para 2.63, second bullet
    outcome_focused_analytics = "outcome_focused_analytics"  # para 2.63, third bullet
    regional_priorities_agreed = "regional_priorities_agreed"  # para 4.23
    collective_functions_resourced = "collective_functions_resourced"  # para 4.24
    development_plan_april_2021 = "development_plan_april_2021"  # para 4.25, first bullet
    development_plan_september_2021 = "development_plan_september_2021"  # para 4.25, second bullet
    # Health and Care Act 2022, section 26 (integrated care strategy)
    healthwatch_strategy_involvement = "healthwatch_strategy_involvement"
    # Lancashire and South Cumbria ICS Board, 2 December 2020: the ICP narrative, section 2 (each about one place)
    icp_leadership_collaboration = "icp_leadership_collaboration"  # 2.1
    icp_community_voice = "icp_community_voice"  # 2.2
    icp_integrated_planning = "icp_integrated_planning"  # 2.3
    icp_integrated_delivery = "icp_integrated_delivery"  # 2.4
    icp_population_health = "icp_population_health"  # 2.5
    icp_quality_improvement = "icp_quality_improvement"  # 2.6
    icp_resource_use = "icp_resource_use"  # 2.7
    icp_workforce = "icp_workforce"  # 2.8


#: Criteria about one place: their attestations name the place (``place``), and rules read them per place.
#: Every other criterion is about the whole system and its attestations name no place.
PLACE_CRITERIA = frozenset(
    {
        Criterion.place_leader_roles.value,
        Criterion.icp_leadership_collaboration.value,
        Criterion.icp_community_voice.value,
        Criterion.icp_integrated_planning.value,
        Criterion.icp_integrated_delivery.value,
        Criterion.icp_population_health.value,
        Criterion.icp_quality_improvement.value,
        Criterion.icp_resource_use.value,
        Criterion.icp_workforce.value,
    }
)


class ServiceArea(str, Enum):
    """Service areas of a minimum all-age offer at place."""

    public_health = "public_health"
    community_wellbeing = "community_wellbeing"
    primary_care = "primary_care"
    community_health = "community_health"
    community_mental_health = "community_mental_health"
    urgent_and_emergency_care = "urgent_and_emergency_care"
    long_term_conditions = "long_term_conditions"
    local_acute = "local_acute"
    social_care_housing_employment = "social_care_housing_employment"


class EvidenceItem(Strict):
    """A document the description rests on; claims cite it by its id."""

    id: Id = Field(description=f"Its id, cited by claims; {ID_WORDS}")
    title: Text = Field(description="The document's title, as it gives it")
    publisher: Text | None = Field(default=None, description="Who published the document")
    date: Date = Field(description="The document's date, YYYY-MM-DD")
    section: Text | None = Field(default=None, description="Section, page or paragraph cited")
    url: Text | None = Field(default=None, description="Where the document is published")
    note: Text | None = Field(default=None, description="A note on how the document was read")
    document: Text | None = Field(
        default=None,
        description="File name of the document in a folder of source documents (for 'icscheck quotes'); else it is matched by title",
    )
    quote: Text | None = Field(default=None, description="A short verbatim passage of the document that the item rests on")


class Citation(Strict):
    """One citation of an evidence item by a claim, with the words the claim rests on."""

    id: Id = Field(description="Id of the evidence item cited")
    quote: Text | None = Field(default=None, description="A short verbatim passage of the document")
    locator: Text | None = Field(default=None, description="Where in the document: section, page, table row")


def _citation_or_id(value: object) -> str:
    return "citation" if isinstance(value, (dict, Citation)) else "id"


EvidenceRef = Annotated[
    Annotated[Id, Tag("id")] | Annotated[Citation, Tag("citation")],
    Discriminator(_citation_or_id),
]


class Cited(Strict):
    evidence: list[EvidenceRef] = Field(
        default_factory=list,
        description="Evidence items cited: each an id, or {id, quote, locator} giving the words the claim rests on",
    )
    _citations: tuple[Citation, ...] = PrivateAttr(default=())

    @model_validator(mode="after")
    def _ids_and_citations(self):
        """Keep ``evidence`` a list of ids (what the graph and findings use); keep the quotes in ``citations``."""
        cited = tuple(entry if isinstance(entry, Citation) else Citation(id=entry) for entry in self.evidence)
        self.evidence[:] = [c.id for c in cited]
        self._citations = cited
        return self

    @property
    def citations(self) -> tuple[Citation, ...]:
        """Every evidence entry as a :class:`Citation` (a plain id has no quote), in order."""
        return self._citations


class Finance(Cited):
    """The system's financial position, as its plans and accounts state it."""

    in_financial_balance: bool | None = Field(default=None, description=f"The system is in financial balance{UNSTATED}")
    recovery_trajectory_agreed: bool | None = Field(
        default=None, description=f"A financial recovery trajectory is collectively agreed{UNSTATED}"
    )
    control_total_plan_credible: bool | None = Field(
        default=None, description=f"The plans to meet the system control total are credible{UNSTATED}"
    )
    control_total_met: bool | None = Field(default=None, description=f"The system met its control total{UNSTATED}")
    productivity_growth_pct: float | None = Field(default=None, description="Planned cash-releasing productivity growth, % a year")
    financial_risk_shared: bool | None = Field(default=None, description=f"Financial risk is shared across the system{UNSTATED}")


class SystemInfo(Cited):
    """The system itself: its names and codes, population, the date it is described as of, and its finances."""

    id: Id = Field(description=f"The system's id; {ID_WORDS}")
    name: Text = Field(description="The system's name, as its documents give it")
    ods_code: Text | None = Field(default=None, description="ODS code of the system's ICB (or STP), e.g. QH8")
    ons_code: Text | None = Field(default=None, description="ONS code of the system's area, e.g. E54000056")
    region: Text | None = Field(default=None, description="NHS England region")
    population: int | None = Field(default=None, ge=0, description=f"Resident population, a whole number{UNSTATED}")
    registered_population: int | None = Field(
        default=None, ge=0, description=f"Registered (GP list) population, a whole number{UNSTATED}"
    )
    assessment_date: Date = Field(description="The date the description describes the system as of, YYYY-MM-DD")
    finance: Finance | None = Field(default=None, description="The system's financial position, as its plans and accounts state it")
    rule_packs: list[Id] = Field(default_factory=list, description="Local rule packs (folders of rules-local/) that apply to this system")


class Organisation(Cited):
    """An organisation of the system: a trust, commissioner, council, primary care, Healthwatch or voluntary body."""

    id: Id = Field(description=f"Its id; {ID_WORDS}")
    name: Text = Field(description="Its name, as the sources give it")
    kind: Choice[OrgKind] = Field(description="What kind of organisation it is")
    ods_code: Text | None = Field(default=None, description="Its ODS code, where the sources give it")
    ons_code: Text | None = Field(default=None, description="Its ONS code (councils), where the sources give it")
    services: list[Choice[Service]] = Field(default_factory=list, description="Services beyond the kind's own")
    places: list[Id] = Field(default_factory=list, description="Places the organisation serves")
    digital_lead_on_board: bool | None = Field(default=None, description="A CCIO or CIO sits on its board")
    cyber_security_compliant: bool | None = Field(
        default=None, description="Complies in full (100%) with the mandated cyber security standards; null: the sources do not say"
    )


class Place(Cited):
    """A place of the system (typically a local authority area), with its partnership."""

    id: Id = Field(description=f"Its id; {ID_WORDS}")
    name: Text = Field(description="Its name, as the sources give it")
    population: int | None = Field(default=None, ge=0, description=f"Its resident population, a whole number{UNSTATED}")
    councils: list[Id] = Field(default_factory=list, description="Ids of the councils (organisations) that cover the place")
    service_offer: list[Choice[ServiceArea]] = Field(default_factory=list, description="Service areas of the offer at place")


class Neighbourhood(Cited):
    """A neighbourhood within a place, typically served by a primary care network."""

    id: Id = Field(description=f"Its id; {ID_WORDS}")
    name: Text = Field(description="Its name, as the sources give it")
    place: Id = Field(description="Id of the place it is in")
    population: int | None = Field(default=None, ge=0, description=f"Its population, a whole number{UNSTATED}")
    pcn: Id | None = Field(default=None, description="Id of the primary care network (an organisation of kind pcn) that serves it")


class Collaborative(Cited):
    """A provider collaborative: providers working together at scale."""

    id: Id = Field(description=f"Its id; {ID_WORDS}")
    name: Text = Field(description="Its name, as the sources give it")
    kind: Choice[CollaborativeKind] = Field(description="The services it brings together")
    members: list[Id] = Field(default_factory=list, description="Member organisations; empty while not yet agreed or not known")
    members_complete: bool = Field(
        default=True,
        description="false when the members listed are only some of its members (the sources name only some): counts over them are then lower bounds",
    )
    lead: Id | None = Field(default=None, description="Id of the lead organisation (one of the members)")
    status: Choice[Status] | None = Field(default=None, description=f"How far it is agreed and delivering, from none to achieved{UNSTATED}")


class Attendance(str, Enum):
    """How a seat's holder takes part in a board."""

    member = "member"
    in_attendance = "in_attendance"
    as_needed = "as_needed"


class Seat(Cited):
    """A seat on a board: its role, and who holds it and whom it represents where the sources say."""

    role: Choice[Role] = Field(description="The seat's role")
    organisation: Id | None = Field(default=None, description="Id of the organisation holding the seat")
    person: Text | None = Field(default=None, description="The person in the seat, as the sources name them")
    represents: list[Id] = Field(default_factory=list, description="Places or collaboratives the seat represents")
    attendance: Choice[Attendance] | None = Field(
        default=None,
        description="member; in_attendance (attends, not said to be a member); as_needed (attends when needed); null: the sources do not say",
    )


class DeclarationsOfInterest(Cited):
    """How a board handles declarations of interest."""

    asked_each_meeting: bool | None = Field(default=None, description=f"Declarations are asked for at each meeting{UNSTATED}")
    recorded_in_minutes: bool | None = Field(default=None, description=f"Declarations are recorded in the minutes{UNSTATED}")
    chair_decision_recorded: bool | None = Field(
        default=None, description=f"The chair's decision on each declaration is recorded{UNSTATED}"
    )


class Board(Cited):
    """A board, partnership, committee or group of the system, with its seats."""

    id: Id = Field(description=f"Its id; {ID_WORDS}")
    name: Text = Field(description="Its name, as the sources give it")
    kind: Choice[BoardKind] = Field(description="What kind of board it is")
    place: Id | None = Field(default=None, description="Id of the place whose board it is (required for a place_partnership_board)")
    collaborative: Id | None = Field(
        default=None, description="Id of the collaborative whose board it is (required for a provider_collaborative_board)"
    )
    sits_in_public: bool | None = Field(default=None, description=f"It meets in public{UNSTATED}")
    functions: list[Text] = Field(default_factory=list, description="Functions it decides jointly")
    joint_decision_making_with_local_government: bool | None = Field(
        default=None, description=f"It takes decisions jointly with local government{UNSTATED}"
    )
    scheme_of_delegation: bool | None = Field(default=None, description=f"It has a scheme of delegation{UNSTATED}")
    risk_share_mechanism: bool | None = Field(default=None, description=f"It has a risk-share mechanism{UNSTATED}")
    mutual_accountability: bool | None = Field(default=None, description=f"Its members are mutually accountable through it{UNSTATED}")
    declarations_of_interest: DeclarationsOfInterest | None = Field(
        default=None, description="How it handles declarations of interest"
    )
    members: list[Seat] = Field(default_factory=list, description="Seats; an empty list means the membership is not described")
    members_complete: bool = Field(
        default=True,
        description="false when the seats listed are only some of the board's seats (the sources name only some): counts over them are then lower bounds",
    )


TRANSCRIBED = "Id of the self-assessment this status was copied from (the system's own judgement, not an independent reading)"


class Arrangement(Cited):
    """A plan or arrangement the system holds, with its delivery status."""

    id: Id = Field(description=f"Its id; {ID_WORDS}")
    kind: Choice[ArrangementKind] = Field(description="What plan or arrangement it is (coa_...: a consistent operating arrangement)")
    title: Text = Field(description="Its title, as the sources give it")
    status: Choice[Status] | None = Field(default=None, description=f"Its delivery status, from none to achieved{UNSTATED}")
    as_of: Date | None = Field(default=None, description="The date the status is as of, YYYY-MM-DD")
    transcribed_from: Id | None = Field(default=None, description=TRANSCRIBED)


class Attestation(Cited):
    """A dated, evidenced statement that a judgement criterion is met (to a status)."""

    id: Id = Field(description=f"Its id; {ID_WORDS}")
    criterion: Choice[Criterion] = Field(description="The judgement criterion attested")
    place: Id | None = Field(
        default=None,
        description="The place the attestation is about: required for a criterion about each place (place_leader_roles, icp_...), absent otherwise",
    )
    statement: Text = Field(description="What the system states, in the source's words where possible")
    status: Choice[Status] = Field(description="How far the criterion is met, from none to achieved")
    as_of: Date = Field(description="The date the statement is as of, YYYY-MM-DD")
    evidence: list[EvidenceRef] = Field(min_length=1, description="At least one evidence item (an id or {id, quote, locator})")
    transcribed_from: Id | None = Field(default=None, description=TRANSCRIBED)


Stage = Literal["emerging", "developing", "maturing", "thriving"]
Rag = Literal["G", "GA", "A", "AR", "R"]
Domain = Literal["system-leadership", "system-architecture", "integrated-care-models", "track-record", "coherent-population"]
CoaKind = Literal[
    "coa_system_capabilities",
    "coa_streamlined_commissioning",
    "coa_shared_care_record",
    "coa_leadership_model",
    "coa_system_governance",
    "coa_system_plans",
    "coa_capital_and_estates",
]


class SelfAssessment(Cited):
    """The system's own published assessment: maturity stage per domain and RAG per arrangement."""

    id: Id = Field(description=f"Its id; {ID_WORDS}")
    as_of: Date = Field(description="The date of the assessment, YYYY-MM-DD")
    label: Text = Field(description="How the source names this assessment, e.g. 'Current score (Nov 2020)'")
    maturity: dict[Domain, Stage] = Field(default_factory=dict, description="The system's own stage for each maturity matrix domain")
    coa: dict[CoaKind, Rag] = Field(default_factory=dict, description="The system's own RAG for each consistent operating arrangement")


PartialList = Literal["organisations", "places", "neighbourhoods", "collaboratives", "boards"]


class SystemDescription(Strict):
    """One Integrated Care System, as a fixture file describes it."""

    schema_version: int = Field(SCHEMA_VERSION, ge=1, le=SCHEMA_VERSION, description="The version of this schema the file is written to (1)")
    system: SystemInfo = Field(description="The system itself: names, codes, population, assessment date, finance")
    evidence: list[EvidenceItem] = Field(default_factory=list, description="The documents the description rests on; claims cite them by id")
    organisations: list[Organisation] = Field(default_factory=list, description="The system's organisations")
    places: list[Place] = Field(default_factory=list, description="The system's places")
    neighbourhoods: list[Neighbourhood] = Field(default_factory=list, description="Neighbourhoods within the places")
    collaboratives: list[Collaborative] = Field(default_factory=list, description="Provider collaboratives")
    boards: list[Board] = Field(default_factory=list, description="Boards, partnerships, committees and groups, with their seats")
    arrangements: list[Arrangement] = Field(default_factory=list, description="Plans and arrangements, with their delivery status")
    attestations: list[Attestation] = Field(
        default_factory=list, description="Dated, evidenced statements that judgement criteria are met"
    )
    self_assessments: list[SelfAssessment] = Field(
        default_factory=list, description="The system's own published assessments, set beside icscheck's"
    )
    partial_lists: list[PartialList] = Field(
        default_factory=list,
        description="Lists that name only some of what the system has (the sources mention only some): counts over them are lower bounds",
    )


def json_schema() -> dict:
    """The JSON Schema of a fixture file, for editors."""
    schema = SystemDescription.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "icscheck system description"
    return schema
